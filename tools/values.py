"""Checking ``create``/``update`` values against field types before the ORM.

Every problem is a :class:`ToolError` naming the field and what to send
instead. Values are converted to what the ORM expects (ISO datetimes to
Odoo's naive UTC strings, lists of ids to ``Command.set``).

x2many values are either a list of ids (replace the relation by exactly
those records) or a list of commands restricted to:
``[0, 0, {values}]`` create, ``[1, id, {values}]`` update,
``[3, id]`` unlink (remove from the relation), ``[4, id]`` link,
``[5]`` clear, ``[6, 0, [ids]]`` set. ``[2, id]`` (delete the record)
is refused: use the ``delete`` tool, which is checked and audited as such.
Nested values are checked the same way, at most two levels deep.

Every id linked (many2one, reference, many2one_reference with its model in
the same values, x2many ids and commands 1, 3, 4, 6) must be a record the
key's user may read by Odoo's access rights and record rules (the guard's
``check_links``); a missing and a hidden id are refused with the same message.
"""
import datetime
import json

from odoo import fields as odoo_fields
from odoo.fields import Command

from ..protocol.errors import ToolError
from .arguments import unknown_field

SAFE_COMMANDS = {
    Command.CREATE: "create",
    Command.UPDATE: "update",
    Command.UNLINK: "unlink",
    Command.LINK: "link",
    Command.CLEAR: "clear",
    Command.SET: "set",
}
MAX_DEPTH = 2
MAGIC_FIELDS = ("id", "display_name", "create_uid", "create_date", "write_uid", "write_date", "__last_update")
TEXT_TYPES = ("char", "text", "html")


def check_values(call, model, values, operation, depth=0):
    """Return the ORM-ready copy of ``values`` for ``operation`` ('create' or
    'write') on ``model`` (for a write, the records written: a
    many2one_reference id set alone is checked against the models they
    name), or raise ToolError."""
    if not isinstance(values, dict) or not values:
        raise ToolError("Argument 'values' must be a non-empty object of field: value, "
                        "e.g. {\"name\": \"Acme\"}.")
    if depth > MAX_DEPTH:
        raise ToolError("Nested x2many values go at most %d levels deep." % MAX_DEPTH)
    for fname in values:
        if fname not in model._fields:
            raise unknown_field(model, fname, call.key)
    call.guard.check_fields(model._name, list(values), call.key)
    if depth == 0:
        call.guard.check_values(model._name, values, call.key)
    result = {}
    create_only = call.guard.create_only_fields(model._name) if operation == "create" else ()
    for fname, value in values.items():
        field = model._fields[fname]
        check_writable(model, field, fname in create_only)
        result[fname] = convert_value(call, model, field, value, depth)
    for fname, value in result.items():
        field = model._fields[fname]
        if field.type == "many2one_reference" and value:
            # the model of the linked record is in the values, or (a write of
            # the id only: ``model`` is then the records written)
            # without it, the models the records to write already name
            ref_models = [result[field.model_field]] if field.model_field in result \
                else set(model.mapped(field.model_field)) if field.model_field in model._fields else []
            for ref_model in ref_models:
                if isinstance(ref_model, str) and ref_model:
                    call.guard.check_links(model._name, field.name, ref_model, [value], call.key, chosen_model=True)
    return result


def check_writable(model, field, create_only=False):
    """Refuse fields the agent may not set (magic, readonly, computed, hidden
    by groups). ``create_only``: a read-only field Odoo's own actions preset
    on create (the guard's ``create_only_fields``), accepted in a create."""
    where = "%r of model %r" % (field.name, model._name)
    if field.name in MAGIC_FIELDS:
        raise ToolError("Field %s is set by Odoo itself and cannot be written." % where)
    if not field.is_accessible(model.env):
        raise ToolError("Field %s is not accessible to this user." % where)
    if field.compute and not field.inverse and field.readonly:
        raise ToolError("Field %s is computed and cannot be written." % where)
    if field.readonly and not create_only:
        raise ToolError("Field %s is read-only." % where)


def _fail(model, field, value, expected):
    return ToolError("Invalid value %s for field %r (%s) of model %r: expected %s."
                     % (_short(value), field.name, field.type, model._name, expected),
                     data={"model": model._name, "field": field.name})


def _short(value):
    text = json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def convert_value(call, model, field, value, depth):
    """Check one value against ``field``'s type; return the ORM value."""
    ftype = field.type
    empty = value is None or value is False
    if ftype == "boolean":
        if not isinstance(value, bool):
            raise _fail(model, field, value, "true or false")
        return value
    if ftype in TEXT_TYPES:
        if empty:
            return False
        if not isinstance(value, str):
            raise _fail(model, field, value, "a string (or null)")
        return value
    if ftype == "integer" or ftype == "many2one_reference":
        if empty:
            return False if ftype == "many2one_reference" else 0
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(model, field, value, "an integer")
        return value
    if ftype in ("float", "monetary"):
        if empty:
            return 0.0
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _fail(model, field, value, "a number")
        return value
    if ftype == "selection":
        return _selection(model, field, value)
    if ftype == "date":
        return _date(model, field, value)
    if ftype == "datetime":
        return _datetime(model, field, value)
    if ftype == "many2one":
        return _many2one(call, model, field, value)
    if ftype in ("one2many", "many2many"):
        return _x2many(call, model, field, value, depth)
    if ftype == "binary":
        if empty:
            return False
        if not isinstance(value, str):
            raise _fail(model, field, value, "a base64-encoded string (or null)")
        return value
    if ftype == "reference":
        return _reference(call, model, field, value)
    if ftype == "properties":
        if empty:
            return False
        if not isinstance(value, (dict, list)):
            raise _fail(model, field, value, "an object of property values")
        return value
    if ftype == "json":
        return value if value is not None else False
    raise ToolError("Field %r of model %r has type %s, which this tool cannot write."
                    % (field.name, model._name, ftype))


def _selection(model, field, value):
    if value is None or value is False:
        return False
    allowed = [key for key, _label in model.env["mcp.guard"].filter_selection(field._description_selection(model.env))]
    if value not in allowed:
        raise _fail(model, field, value, "one of %s" % json.dumps(allowed[:50], default=str))
    return value


def _date(model, field, value):
    if value is None or value is False:
        return False
    expected = 'a date string "YYYY-MM-DD"'
    if not isinstance(value, str) or len(value.strip()) != 10:
        raise _fail(model, field, value, expected)
    try:
        return odoo_fields.Date.to_string(datetime.date.fromisoformat(value.strip()))
    except ValueError:
        raise _fail(model, field, value, expected) from None


def _datetime(model, field, value):
    if value is None or value is False:
        return False
    expected = 'an ISO 8601 datetime such as "2024-05-31T14:00:00Z" (UTC unless an offset is given)'
    if not isinstance(value, str):
        raise _fail(model, field, value, expected)
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise _fail(model, field, value, expected) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return odoo_fields.Datetime.to_string(parsed.replace(microsecond=0))


def _record_id(model, field, value, what):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _fail(model, field, value, what)
    return value


def _check_targets(call, model, field, comodel_name, ids):
    """The linked ids must be records the key's user may read (the guard's
    ``check_links``: Odoo's access rights and record rules; missing and
    hidden ids are refused with the same message)."""
    call.guard.check_links(model._name, field.name, comodel_name, ids, call.key)


def _many2one(call, model, field, value):
    if value is None or value is False:
        return False
    rid = _record_id(model, field, value, "a record id (integer) of %s, or null" % field.comodel_name)
    _check_targets(call, model, field, field.comodel_name, [rid])
    return rid


def _reference(call, model, field, value):
    if value is None or value is False:
        return False
    expected = 'a "model,id" string such as "res.partner,7"'
    if not isinstance(value, str) or "," not in value:
        raise _fail(model, field, value, expected)
    ref_model, _sep, ref_id = value.partition(",")
    if not ref_id.strip().isdigit():
        raise _fail(model, field, value, expected)
    ref_model = ref_model.strip()
    allowed = [name for name, _label in call.guard.filter_selection(
        field._description_selection(model.env) or [], call.key)]
    if ref_model not in allowed:
        raise _fail(model, field, value, 'a "model,id" string whose model is one of %s' % json.dumps(allowed[:50]))
    call.guard.check_links(model._name, field.name, ref_model, [int(ref_id)], call.key, chosen_model=True)
    return "%s,%d" % (ref_model, int(ref_id))


def _x2many(call, model, field, value, depth):
    expected = ("a list of record ids, or of commands [0, 0, {values}], [1, id, {values}], "
                "[3, id], [4, id], [5], [6, 0, [ids]]")
    if value is None or value is False:
        value = []
    if not isinstance(value, list):
        raise _fail(model, field, value, expected)
    comodel_name = field.comodel_name
    if all(isinstance(item, int) and not isinstance(item, bool) for item in value):
        ids = [_record_id(model, field, item, "positive record ids") for item in value]
        _check_targets(call, model, field, comodel_name, ids)
        return [Command.set(ids)]
    commands = []
    for item in value:
        if not isinstance(item, (list, tuple)) or not item or not isinstance(item[0], int) \
                or isinstance(item[0], bool):
            raise _fail(model, field, item, expected)
        code = item[0]
        if code == Command.DELETE:
            raise ToolError("Command [2, id] (delete a record) is not allowed in %r: use the delete tool, "
                            "or [3, id] to only remove it from the relation." % field.name)
        if code not in SAFE_COMMANDS:
            raise _fail(model, field, item, expected)
        commands.append(_command(call, model, field, list(item), depth))
    return commands


def _command(call, model, field, item, depth):
    code = item[0]
    comodel_name = field.comodel_name
    if code == Command.CREATE:
        if len(item) != 3 or not isinstance(item[2], dict):
            raise _fail(model, field, item, "[0, 0, {values}]")
        comodel = call.guard.check_model(comodel_name, "create", call.key)
        return Command.create(check_values(call, comodel, item[2], "create", depth + 1))
    if code == Command.UPDATE:
        if len(item) != 3 or not isinstance(item[2], dict):
            raise _fail(model, field, item, "[1, id, {values}]")
        rid = _record_id(model, field, item[1], "[1, id, {values}] with a positive id")
        _check_targets(call, model, field, comodel_name, [rid])
        comodel = call.guard.check_model(comodel_name, "write", call.key)
        return Command.update(rid, check_values(call, comodel, item[2], "write", depth + 1))
    if code in (Command.UNLINK, Command.LINK):
        if len(item) not in (2, 3):
            raise _fail(model, field, item, "[%d, id]" % code)
        rid = _record_id(model, field, item[1], "[%d, id] with a positive id" % code)
        _check_targets(call, model, field, comodel_name, [rid])
        return Command.unlink(rid) if code == Command.UNLINK else Command.link(rid)
    if code == Command.CLEAR:
        return Command.clear()
    # Command.SET
    ids = item[2] if len(item) == 3 else item[1] if len(item) == 2 else None
    if not isinstance(ids, list):
        raise _fail(model, field, item, "[6, 0, [ids]]")
    ids = [_record_id(model, field, rid, "[6, 0, [ids]] with positive ids") for rid in ids]
    _check_targets(call, model, field, comodel_name, ids)
    return Command.set(ids)

