"""Reading tool arguments: each helper returns a clean value or raises a
:class:`ToolError` whose message says exactly what to fix.

The dispatcher validates ``arguments`` against the tool's input schema first;
these helpers repeat the checks a tool depends on (tools can also be run
directly, e.g. from resources, prompts and tests) and apply the dynamic
bounds that a static schema cannot express (the ``max_records`` setting).

They parse and coerce (JSON shapes, numbers vs strings) only: what a domain,
an order or a field list may hold — operators, paths, fields — is checked by
the guard (``mcp.guard``, rule lists in ``models/mcp_guard_rules.py``), with
its messages and suggestions.
"""
import datetime
import json

from odoo.osv import expression

from ..models.mcp_guard_rules import (MSG_DOMAIN_NOT_DATE, MSG_DOMAIN_NOT_NUMBER, NUMERIC_FIELD_TYPES,
                                      TEXT_MATCH_OPERATORS)
from ..protocol.errors import McpAccessDenied, ToolError

DEFAULT_MAX_RECORDS = 100
#: Fields never listed by default (bookkeeping columns).
LOG_FIELDS = ("create_uid", "create_date", "write_uid", "write_date")
#: Field types left out of the default field selection of search_read/read.
HEAVY_TYPES = ("binary", "html", "one2many", "many2many", "properties",
               "properties_definition", "json")
DEFAULT_FIELDS_CAP = 20
#: Fields listed first by default when a model has them.
PRIORITY_FIELDS = ("name", "ref", "code", "email", "phone", "mobile", "state", "type", "date",
                   "partner_id", "user_id", "company_id", "currency_id", "amount_total", "active")


def unknown_field(model, field_name, key=None):
    """The guard's ToolError for an unknown field of ``model`` (with close
    names and labels of the fields the user may use)."""
    return model.env["mcp.guard"]._unknown_field(model, field_name, key)


def max_records(call):
    """The effective ``max_records`` setting of ``call`` (always >= 1)."""
    value = (call.settings or {}).get("max_records") or DEFAULT_MAX_RECORDS
    return max(1, int(value))


def require_str(args, key):
    """The non-empty string argument ``key``."""
    value = args.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ToolError("Argument %r is required and must be a non-empty string." % key)
    return value.strip()


def opt_str(args, key, default=None):
    """The optional string argument ``key``."""
    value = args.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ToolError("Argument %r must be a string, got %s." % (key, json_type(value)))
    return value


def opt_bool(args, key, default=False):
    """The optional boolean argument ``key``."""
    value = args.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ToolError("Argument %r must be true or false, got %s." % (key, json_type(value)))
    return value


def opt_int(args, key, default=None, minimum=None):
    """The optional integer argument ``key`` (booleans refused)."""
    value = args.get(key, default)
    if value is None:
        return default
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ToolError("Argument %r must be an integer, got %s." % (key, json_type(value)))
    if minimum is not None and value < minimum:
        raise ToolError("Argument %r must be >= %d, got %d." % (key, minimum, value))
    return value


def get_limit(call, key="limit"):
    """``limit`` argument: default and cap are the ``max_records`` setting."""
    cap = max_records(call)
    limit = opt_int(call.arguments, key, default=cap, minimum=1)
    return min(limit, cap)


def get_offset(call, key="offset"):
    """``offset`` argument (>= 0, default 0)."""
    return opt_int(call.arguments, key, default=0, minimum=0)


def opt_object(args, key, default=None):
    """The optional JSON object argument ``key`` (a dict)."""
    value = args.get(key)
    if value is None:
        return {} if default is None else default
    if not isinstance(value, dict):
        raise ToolError("Argument %r must be a JSON object, got %s." % (key, json_type(value)))
    return value


def opt_list(args, key):
    """The optional JSON array argument ``key`` (a list, default empty)."""
    value = args.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ToolError("Argument %r must be a JSON array, got %s." % (key, json_type(value)))
    return value


def get_ids(call, key="ids", required=True):
    """A list of distinct positive record ids, at most ``max_records`` long."""
    value = call.arguments.get(key)
    if value is None and not required:
        return []
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list) or (required and not value):
        raise ToolError("Argument %r must be a non-empty array of record ids (integers), e.g. [1, 2]." % key)
    ids = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or item <= 0:
            raise ToolError("Argument %r must only hold positive integer ids; %s is not one." % (key, json.dumps(item)))
        if item not in ids:
            ids.append(item)
    cap = max_records(call)
    if len(ids) > cap:
        raise ToolError("Too many ids in %r: %d given, at most %d per call. Split the work into batches."
                        % (key, len(ids), cap))
    return ids


def get_model(call, operation, key="model"):
    """Name the model in ``key``, let the guard check ``operation`` on it and
    return the model (``env[model]`` of the key's user)."""
    name = require_str(call.arguments, key)
    return call.guard.check_model(name, operation, call.key)


def get_field_names(call, model, key="fields", default=None):
    """The checked ``fields`` argument, or ``default(model)`` when absent.

    Every name must be a field of ``model`` that the guard lets the user
    read; dotted paths are refused here (read the related model instead).
    """
    value = call.arguments.get(key)
    if value is None or value == []:
        return default(call, model) if default else []
    if not isinstance(value, list) or not all(isinstance(f, str) and f for f in value):
        raise ToolError("Argument %r must be an array of field names, e.g. [\"name\", \"email\"]." % key)
    names = list(dict.fromkeys(value))
    for fname in names:
        if "." in fname:
            raise ToolError("Dotted paths such as %r are not supported in %r: read the related model instead."
                            % (fname, key))
    call.guard.check_fields(model._name, names, call.key)
    return names


def allowed_model_set(call, operation="read"):
    """Set of the models the key may use for ``operation``."""
    return set(call.guard.allowed_models(call.key, operation))


def filter_allowed_fields(call, model, names):
    """The subset of ``names`` the guard lets through (one call when all pass)."""
    names = list(names)
    try:
        call.guard.check_fields(model._name, names, call.key)
        return names
    except (McpAccessDenied, ToolError):
        pass
    allowed = []
    for fname in names:
        try:
            call.guard.check_fields(model._name, [fname], call.key)
        except (McpAccessDenied, ToolError):
            continue
        allowed.append(fname)
    return allowed


def _usable_default(call, model, allowed, field):
    """Whether ``field`` may be in a default field list: readable, and not
    into a model the key may not read (a many2one to users while the identity
    windows are open is one the key may: its value is ``[id, name]``)."""
    if not field.is_accessible(model.env):
        return False
    if field.relational and field.comodel_name not in allowed:
        return field.type == "many2one" and field.comodel_name == "res.users" and call.guard.identity_enabled()
    return True


def default_field_names(call, model):
    """A small, cheap set of fields: stored, readable, not binary/html/x2many,
    not into a model the key may not read; capped at DEFAULT_FIELDS_CAP, plus
    ``id`` and ``display_name``."""
    allowed = allowed_model_set(call)
    names = ["id", "display_name"]
    candidates = [f for f in PRIORITY_FIELDS if f in model._fields]
    candidates += [f for f in model._fields if f not in candidates]
    for fname in candidates:
        field = model._fields[fname]
        if len(names) >= DEFAULT_FIELDS_CAP + 2:
            break
        if fname in names or fname in LOG_FIELDS or not field.store or field.type in HEAVY_TYPES:
            continue
        if not _usable_default(call, model, allowed, field):
            continue
        names.append(fname)
    return filter_allowed_fields(call, model, names)


def list_view_field_names(call, model):
    """The fields a user sees in the model's list view
    (``mcp.discovery.list_columns``: columns as Odoo renders them for the
    user), the default of ``search_read``: ``id``, ``display_name``, then the
    columns the guard lets through (no binary, html, one2many or other heavy
    value; many2many ids are fine), capped at DEFAULT_FIELDS_CAP. Without such
    columns, :func:`default_field_names`."""
    allowed = allowed_model_set(call)
    names = ["id", "display_name"]
    for fname in call.env["mcp.discovery"].list_columns(model._name):
        field = model._fields.get(fname)
        if len(names) >= DEFAULT_FIELDS_CAP + 2:
            break
        if field is None or fname in names or (field.type in HEAVY_TYPES and field.type != "many2many"):
            continue
        if _usable_default(call, model, allowed, field):
            names.append(fname)
    if len(names) == 2:
        return default_field_names(call, model)
    return filter_allowed_fields(call, model, names)


def get_domain(call, model, key="domain"):
    """The ``domain`` argument, checked by the guard (a list, terms as tuples).

    Accepts a JSON array (or a string holding one). Values compared with
    numeric fields must be numbers, so a typo is a clear error instead of a
    database error.
    """
    scope = call.guard.attached_scope(model._name, call.key)  # messages etc. of readable documents only
    value = call.arguments.get(key)
    if value is None:
        return scope
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ToolError(
                "Argument %r must be a JSON array such as [[\"name\", \"ilike\", \"acme\"]]." % key) from None
    domain = call.guard.check_domain(model._name, value, call.key)
    for term in domain:
        if isinstance(term, tuple) and isinstance(term[0], str) and "." not in term[0]:
            _check_numeric_operand(call, model, term)
            _check_date_operand(call, model, term)
    return expression.AND([list(domain), scope]) if scope else list(domain)


def _is_date_text(text):
    """Whether ``text`` is a date ("YYYY-MM-DD") or a datetime ("YYYY-MM-DD
    HH:MM[:SS]", ISO 8601 with T/Z/offset); PostgreSQL casts either to a
    date or a timestamp."""
    text = text.strip()
    try:
        if len(text) == 10:
            datetime.date.fromisoformat(text)
        else:
            datetime.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        return True
    except ValueError:
        return False


def _check_date_operand(call, model, term):
    """A term on a date/datetime field compares it with date texts (or
    null/false), unless its operator matches text: a typo ("2026-13-01")
    is a clear error, not PostgreSQL's."""
    path, operator, operand = term
    field = model._fields[path]
    if field.type not in ("date", "datetime") or operator in TEXT_MATCH_OPERATORS:
        return
    for item in operand if isinstance(operand, list) else [operand]:
        if item is None or item is False:
            continue
        if not isinstance(item, str) or not _is_date_text(item):
            raise ToolError(call.guard._msg(MSG_DOMAIN_NOT_DATE, value=json.dumps(item, default=str),
                                            type=field.type, field=path))


def _check_numeric_operand(call, model, term):
    """A term on a numeric field compares it with numbers (or null), unless
    its operator matches text."""
    path, operator, operand = term
    field = model._fields[path]
    if field.type not in NUMERIC_FIELD_TYPES or operator in TEXT_MATCH_OPERATORS:
        return
    for item in operand if isinstance(operand, list) else [operand]:
        if not (item is None or isinstance(item, (int, float))):  # booleans too: [("color", "=", False)]
            raise ToolError(call.guard._msg(MSG_DOMAIN_NOT_NUMBER, value=json.dumps(item, default=str),
                                            type=field.type, field=path))


def get_order(call, model, key="order"):
    """The ``order`` argument checked by the guard (None when absent)."""
    value = opt_str(call.arguments, key)
    if not value or not value.strip():
        return None
    return call.guard.check_order(model._name, value, call.key) or None


def json_type(value):
    """The JSON type name of a Python value (for error messages)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
