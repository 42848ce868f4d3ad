# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The MCP security guard: every tool asks it before touching a model.

``env['mcp.guard']`` is used on the environment of the key's user, so the
Odoo access checks it runs are the user's. Order of the model check:
blocklist -> key scope -> ``mcp.model.access`` rule -> Odoo ACL. Field paths
(fields, domain, order, groupby, aggregates, values) are resolved hop by hop
so that a blocked or unreadable model can't be reached indirectly (the
domain, order, groupby and aggregates: ``mcp_guard_domain.py``). Which
methods ``execute_method`` may call is in ``mcp_guard_methods.py``.

What it refuses and the exact messages it says so with are in
``mcp_guard_rules.py``.
"""
import difflib

import pytz

from odoo import api, models, tools

from ..protocol.errors import McpAccessDenied, ToolError
from .ormcache_hit import cached
from .mcp_guard_rules import (
    OPERATIONS, READ_ONLY_MODELS, MSG_MODEL_READ_ONLY, BLOCKED_FIELD_NAMES, _IDENT_RE, _PATH_RE, MSG_MODEL_BLOCKED,
    MSG_MODEL_SCOPE, MSG_MODEL_RULE, MSG_MODEL_ACL, MSG_UNKNOWN_MODEL, MSG_DID_YOU_MEAN, MSG_BAD_OPERATION,
    MSG_BAD_MODEL_NAME, MSG_UNKNOWN_FIELD, MSG_FIELD_DENIED, MSG_PATH_DENIED, MSG_PATH_NOT_RELATIONAL, MSG_BAD_PATH,
    MSG_BAD_FIELDS, MSG_CONTEXT_NOT_OBJECT, MSG_CONTEXT_COMPANIES, MSG_CONTEXT_BAD_COMPANIES, MSG_VALUES_NOT_OBJECT,
    MSG_VALUES_COMMAND, MSG_VALUES_WRITES_BLOCKED, _is_blocked_name, is_model_blocked,
)


class McpGuard(models.AbstractModel):
    _name = "mcp.guard"
    _description = "MCP security guard"

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _msg(self, template, **params):
        """Translated message ``template`` formatted with ``params``."""
        return self.env._(template, **params) if params else self.env._(template)

    def _extra_blocked(self):
        return self.env["mcp.settings"]._setting("extra_blocked_models")

    @api.model
    def _get_rules(self):
        """{model name: {operation: allowed}} of the active model-access
        rules (the layer's own configuration, read with sudo; cached)."""
        return cached(self.env["mcp.model.access"], "_get_rules_map")  # plain SQL: no access check to pass

    def _refusal(self, model_name, operation, key, extra=None):
        """Return ``(reason, message)`` when ``operation`` on ``model_name``
        is refused for ``key``, else None. The model must exist."""
        if extra is None:
            extra = self._extra_blocked()
        if is_model_blocked(self.env, model_name, extra):
            return "blocked", self._msg(MSG_MODEL_BLOCKED, model=model_name)
        if operation != "read" and model_name in READ_ONLY_MODELS:
            return "read_only", self._msg(MSG_MODEL_READ_ONLY, model=model_name, operation=operation)
        if operation != "read" and self.is_read_only(key):
            return "scope", self._msg(MSG_MODEL_SCOPE, model=model_name, operation=operation)
        rule = self._get_rules().get(model_name)
        if rule is not None and not rule[operation]:
            return "rule", self._msg(MSG_MODEL_RULE, model=model_name, operation=operation)
        if not self.env[model_name].browse().has_access(operation):
            return "acl", self._msg(MSG_MODEL_ACL, model=model_name, operation=operation)
        return None

    def _raise_refusal(self, refusal, model_name, **data):
        reason, message = refusal
        raise McpAccessDenied(message, data=dict(data, model=model_name, reason=reason))

    def _close_names(self, word, candidates):
        """Up to 3 names of ``candidates`` close to ``word`` (difflib)."""
        return difflib.get_close_matches(str(word), list(candidates), n=3, cutoff=0.6)

    def _suggest(self, word, candidates):
        """`` Did you mean: …?`` naming the close ``candidates``, or ''."""
        matches = self._close_names(word, candidates)
        return self._msg(MSG_DID_YOU_MEAN, suggestions=", ".join(matches)) if matches else ""

    def _unknown_field(self, model, name, key=None):
        """The ToolError for a field ``name`` that ``model`` lacks, with
        close names among the fields the user may use (:meth:`field_suggestions`)."""
        close = self.field_suggestions(model, name, key)
        message = self._msg(MSG_UNKNOWN_FIELD, field=name, model=model._name)
        if close:
            message += self._msg(MSG_DID_YOU_MEAN, suggestions=", ".join(close))
        return ToolError(message, data={"model": model._name, "field": name, "suggestions": close})

    def field_suggestions(self, model, word, key=None):
        """Up to 3 field names of ``model`` for a mistyped or guessed ``word``:
        first the fields whose label (in the user's language) is the word or
        holds it as a word ("customer" → ``partner_id``, labelled Customer),
        then names close to it. Only fields the guard lets through: never a
        blocked or hidden field, nor, with ``key``, a relation into a model the
        key may not read (a res.users many2one stays: ids are usable)."""
        extra = self._extra_blocked()
        fields = {}
        for fname, field in model._fields.items():
            if not self._field_accessible(field):
                continue
            if field.relational and key is not None and not self._usable_relation(field, key, extra):
                continue
            fields[fname] = str(field._description_string(self.env) or fname).lower()
        wanted = str(word).strip().lower().replace("_", " ")
        by_label = [fname for fname, label in fields.items() if label == wanted]
        by_label += [fname for fname, label in fields.items()
                     if fname not in by_label and wanted and wanted in label.split()]
        close = self._close_names(word, fields)
        return list(dict.fromkeys(by_label + close))[:3]

    def _usable_relation(self, field, key, extra):
        """Whether the relational ``field`` points at a model the key may read,
        or is a many2one to a user while the identity windows are open."""
        if field.type == "many2one" and field.comodel_name == "res.users" and self.identity_enabled():
            return True
        return self._refusal(field.comodel_name, "read", key, extra) is None

    # ------------------------------------------------------------------
    # models
    # ------------------------------------------------------------------
    @api.model
    def is_read_only(self, key):
        """True when ``key`` may only read (its scope): every operation but
        'read' is refused, and ``tools/list`` leaves the write tools out."""
        return key.sudo().scope != "write"

    @api.model
    def check_model(self, model_name, operation, key):
        """Return ``self.env[model_name]`` if ``key`` may do ``operation``
        ('read', 'create', 'write', 'unlink') on it, else raise
        ``McpAccessDenied`` (data.reason: blocked, scope, rule or acl), or
        ``ToolError`` for an unknown model (with close-name suggestions)."""
        if operation not in OPERATIONS:
            raise ToolError(self._msg(MSG_BAD_OPERATION, operation=operation))
        if not isinstance(model_name, str) or not model_name:
            raise ToolError(self._msg(MSG_BAD_MODEL_NAME))
        extra = self._extra_blocked()
        if _is_blocked_name(model_name, extra):
            # refused before the existence check: never reveal what's installed
            raise McpAccessDenied(self._msg(MSG_MODEL_BLOCKED, model=model_name),
                               data={"model": model_name, "reason": "blocked"})
        if model_name not in self.env:
            message = self._msg(MSG_UNKNOWN_MODEL, model=model_name)
            message += self._suggest(model_name, self.allowed_models(key, "read"))
            raise ToolError(message, data={"model": model_name})
        refusal = self._refusal(model_name, operation, key, extra)
        if refusal:
            self._raise_refusal(refusal, model_name, operation=operation)
        return self.env[model_name]

    @api.model
    def unreadable_models(self, key, model_names):
        """The subset of ``model_names`` that ``key`` may not read (same
        checks as ``allowed_models``, for a few models only)."""
        extra = self._extra_blocked()
        return {name for name in model_names
                if name not in self.env or self._refusal(name, "read", key, extra) is not None}

    @api.model
    def allowed_models(self, key, operation="read"):
        """Sorted names of the models ``key`` may use for ``operation``
        (blocklist, key scope, model-access rules and Odoo ACLs applied)."""
        if operation not in OPERATIONS:
            raise ToolError(self._msg(MSG_BAD_OPERATION, operation=operation))
        if operation != "read" and self.is_read_only(key):
            return []
        return list(cached(self, "_allowed_model_names", operation))

    @api.model
    @tools.ormcache("self.env.uid", "operation")
    def _allowed_model_names(self, operation):
        """:meth:`allowed_models` but the key scope, as a tuple, cached per
        user and operation (what it depends on, ACLs, rules, settings and the
        user's groups, clears Odoo's cache when it changes): a search of
        messages asks it every time (``attached_scope``)."""
        extra = self._extra_blocked()
        rules = self._get_rules()
        acl_models = self.env["ir.model.access"]._get_allowed_models(operation)
        result = []
        for model_name in acl_models:
            if model_name not in self.env or is_model_blocked(self.env, model_name, extra):
                continue
            if operation != "read" and model_name in READ_ONLY_MODELS:
                continue
            rule = rules.get(model_name)
            if rule is not None and not rule[operation]:
                continue
            result.append(model_name)
        return tuple(sorted(result))

    # ------------------------------------------------------------------
    # fields and paths
    # ------------------------------------------------------------------
    def _check_related(self, model, field, key, path, extra):
        """A related field must not read through a blocked/unreadable model."""
        related = field.related
        if not related:
            return
        hops = related.split(".") if isinstance(related, str) else list(related)
        current = model
        for hop in hops[:-1]:
            hop_field = current._fields.get(hop)
            if hop_field is None or not hop_field.relational:
                return
            refusal = self._refusal(hop_field.comodel_name, "read", key, extra)
            if refusal:
                raise McpAccessDenied(
                    self._msg(MSG_PATH_DENIED, path=path, model=hop_field.comodel_name),
                    data={"model": hop_field.comodel_name, "path": path, "field": field.name, "reason": refusal[0]},
                )
            current = self.env[hop_field.comodel_name]

    def _field_accessible(self, field):
        return field.name not in BLOCKED_FIELD_NAMES and field.is_accessible(self.env)

    def _resolve_path(self, model_name, path, key, extra=None):
        """Resolve the dotted ``path`` from ``model_name`` hop by hop and
        return ``(model, field)`` of its last hop (``field`` is the
        properties field for a ``properties_field.name`` path)."""
        if extra is None:
            extra = self._extra_blocked()
        if not isinstance(path, str) or not _PATH_RE.match(path):
            raise ToolError(self._msg(MSG_BAD_PATH, path=path))
        model = self.env[model_name]
        parts = path.split(".")
        for position, name in enumerate(parts):
            field = model._fields.get(name)
            if field is None:
                raise self._unknown_field(model, name, key)
            if not self._field_accessible(field):
                raise McpAccessDenied(self._msg(MSG_FIELD_DENIED, field=name, model=model._name),
                                   data={"model": model._name, "field": name, "reason": "field"})
            self._check_related(model, field, key, path, extra)
            if position == len(parts) - 1:
                return model, field
            if field.type == "properties" and position == len(parts) - 2:
                return model, field
            if not field.relational:
                raise ToolError(self._msg(MSG_PATH_NOT_RELATIONAL, field=name, model=model._name, path=path),
                                data={"model": model._name, "field": name})
            comodel_name = field.comodel_name
            refusal = self._refusal(comodel_name, "read", key, extra)
            if refusal:
                raise McpAccessDenied(self._msg(MSG_PATH_DENIED, path=path, model=comodel_name),
                                   data={"model": comodel_name, "path": path, "field": name, "reason": refusal[0]})
            model = self.env[comodel_name]
        return model, None  # not reached

    @api.model
    def check_fields(self, model_name, fields, key):
        """Check every field name or dotted path of ``fields`` (a list) on
        ``model_name``; return the list. Unknown field / non-relational hop
        ⇒ ToolError; field hidden by ``groups=`` or a sensitive name ⇒
        McpAccessDenied reason 'field'; a hop into a blocked or unreadable
        model ⇒ McpAccessDenied (reason of that model)."""
        if isinstance(fields, str):
            fields = [fields]
        if not isinstance(fields, (list, tuple)) or not all(isinstance(f, str) for f in fields):
            raise ToolError(self._msg(MSG_BAD_FIELDS))
        extra = self._extra_blocked()
        for path in fields:
            self._resolve_path(model_name, path, key, extra)
        return list(fields)

    @api.model
    def readable_fields(self, model_name, key):
        """Names of the fields of ``model_name`` the key's user may read and
        that the guard lets through (for "all fields" reads)."""
        extra = self._extra_blocked()
        names = []
        for fname, field in self.env[model_name]._fields.items():
            if not self._field_accessible(field):
                continue
            try:
                self._check_related(self.env[model_name], field, key, fname, extra)
            except McpAccessDenied:
                continue
            names.append(fname)
        return names

    # ------------------------------------------------------------------
    # values (create / update)
    # ------------------------------------------------------------------
    @api.model
    def check_values(self, model_name, values, key):
        """Check a create/write ``values`` dict: every key a plain readable
        field; x2many commands that create/update records (0, 1, 2) are only
        allowed when the key may do that on the comodel (checked
        recursively), links to blocked comodels only by id (3, 4, 5, 6) and
        only where that does not modify the blocked records themselves (see
        ``_writes_comodel``)."""
        if not isinstance(values, dict):
            raise ToolError(self._msg(MSG_VALUES_NOT_OBJECT))
        extra = self._extra_blocked()
        model = self.env[model_name]
        for fname, value in values.items():
            if not isinstance(fname, str) or not _IDENT_RE.match(fname):
                raise ToolError(self._msg(MSG_BAD_PATH, path=fname))
            _model, field = self._resolve_path(model_name, fname, key, extra)
            # even "link by id" writes the blocked records here: a one2many
            # sets their inverse many2one (res.partner.user_ids re-points a
            # user's partner), a many2many sharing its table with a field of
            # the comodel changes that field (res.company.user_ids grants a
            # user a company)
            writes_blocked = field.type in ("one2many", "many2many") and self._writes_comodel(field) \
                and is_model_blocked(self.env, field.comodel_name, extra)
            if field.type not in ("one2many", "many2many") or not isinstance(value, (list, tuple)):
                if writes_blocked:
                    self._raise_writes_blocked(model, field)
                continue
            for command in value:
                if not isinstance(command, (list, tuple)) or not command or command[0] not in (0, 1, 2):
                    continue
                operation = {0: "create", 1: "write", 2: "unlink"}[command[0]]
                refusal = self._refusal(field.comodel_name, operation, key, extra)
                if refusal and refusal[0] == "blocked":
                    raise McpAccessDenied(self._msg(MSG_VALUES_COMMAND, field=fname, model=model._name),
                                       data={"model": field.comodel_name, "field": fname, "reason": "blocked"})
                if refusal:
                    self._raise_refusal(refusal, field.comodel_name, operation=operation, field=fname)
                if command[0] in (0, 1) and len(command) == 3 and isinstance(command[2], dict):
                    self.check_values(field.comodel_name, command[2], key)
            if writes_blocked:
                self._raise_writes_blocked(model, field)
        return values

    def _raise_writes_blocked(self, model, field):
        raise McpAccessDenied(
            self._msg(MSG_VALUES_WRITES_BLOCKED, field=field.name, model=model._name, comodel=field.comodel_name),
            data={"model": field.comodel_name, "field": field.name, "reason": "blocked"})

    def _writes_comodel(self, field):
        """Whether setting the x2many ``field`` — any value, links by id
        included — writes records of its comodel: a one2many (sets their
        inverse many2one) or a many2many whose relation table is also a
        many2many field of the comodel."""
        if field.type == "one2many":
            return True
        comodel = self.env.registry.get(field.comodel_name)
        return comodel is not None and any(
            other.type == "many2many" and other.relation == field.relation
            for other in comodel._fields.values())

    # ------------------------------------------------------------------
    # context
    # ------------------------------------------------------------------
    @api.model
    def sanitize_context(self, context, key):
        """Keep only ``lang`` (installed), ``tz`` (known), ``active_test``
        (bool) and ``allowed_company_ids`` (within the key's companies,
        else McpAccessDenied) from an agent-supplied ``context``."""
        if context in (None, {}):
            return {}
        if not isinstance(context, dict):
            raise ToolError(self._msg(MSG_CONTEXT_NOT_OBJECT))
        result = {}
        lang = context.get("lang")
        if isinstance(lang, str) and lang in dict(self.env["res.lang"].get_installed()):
            result["lang"] = lang
        tz = context.get("tz")
        if isinstance(tz, str) and tz in pytz.all_timezones_set:
            result["tz"] = tz
        if isinstance(context.get("active_test"), bool):
            result["active_test"] = context["active_test"]
        if "allowed_company_ids" in context:
            company_ids = context["allowed_company_ids"]
            if not isinstance(company_ids, list) or not company_ids or not all(
                    isinstance(cid, int) and not isinstance(cid, bool) for cid in company_ids):
                raise ToolError(self._msg(MSG_CONTEXT_BAD_COMPANIES))
            allowed = set(key._allowed_companies().ids)
            refused = [cid for cid in company_ids if cid not in allowed]
            if refused:
                raise McpAccessDenied(
                    self._msg(MSG_CONTEXT_COMPANIES, companies=", ".join(map(str, refused))),
                    data={"reason": "company", "companies": refused},
                )
            result["allowed_company_ids"] = list(dict.fromkeys(company_ids))
        return result
