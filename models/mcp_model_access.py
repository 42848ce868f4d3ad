# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Per-model CRUD rules for MCP agents.

Where a rule exists for a model, the operation must be ticked on it; where
none exists, Odoo's ACLs decide. A rule only narrows what the key's user may
already do: Odoo's ACLs and record rules are always checked too. Its hidden
fields are never exposed to agents (``mcp_guard_hidden.py``).
"""
from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

from .mcp_guard_rules import (
    ALWAYS_BLOCKED_MODELS, BLOCKED_MODEL_PREFIXES, _IDENT_RE, is_method_blocked, is_model_blocked,
)
from .mcp_settings import parse_list
from .mcp_write_policy import WRITE_POLICIES, WRITE_POLICY_HELP, WRITE_POLICY_METHODS_HELP


class McpModelAccess(models.Model):
    _name = "mcp.model.access"
    _description = "MCP Model Access Rule"
    _order = "model, id"
    _rec_name = "model_id"

    model_id = fields.Many2one(
        "ir.model", string="Model", required=True, ondelete="cascade", index=True,
        domain=lambda self: self._model_id_domain())
    model = fields.Char(related="model_id.model", store=True, string="Technical Name")
    active = fields.Boolean(default=True)
    perm_read = fields.Boolean(string="Read", default=True)
    perm_create = fields.Boolean(string="Create")
    perm_write = fields.Boolean(string="Update")
    perm_unlink = fields.Boolean(string="Delete")
    allowed_methods = fields.Char(
        string="Allowed Methods",
        help="Methods execute_method may call on this model besides the buttons of its views, separated by "
        "commas or spaces (e.g. address_get). Blocked methods (CRUD aliases, names starting with '_', "
        "module installation, credentials...) can never be allowed. Calling any method still needs Update.")
    allow_reports = fields.Boolean(
        string="Allow Reports",
        help="print_report may render this model's PDF reports. A report prints what its template holds "
        "(other fields, related records), not only what this rule and the guard let through: with a rule on "
        "the model, reports stay refused unless this is ticked. Without a rule, the user's rights decide, "
        "except once any rule hides fields: then only the reports of models whose rule ticks this are printed.")

    hidden_field_ids = fields.Many2many(
        "ir.model.fields", "mcp_model_access_hidden_field_rel", "rule_id", "field_id", string="Hidden Fields",
        domain="[('model_id', '=', model_id), ('name', '!=', 'id')]",
        help="Fields of this model agents never see, even with Read ticked: never returned, searched, sorted, "
        "grouped, aggregated, exported, written, shown in a preview or in the schema, nor reached by a dotted "
        "path from another model (e.g. partner_id.vat). Asking for one answers as for a field the user may not "
        "read. A report prints what its template holds, related records included: once a rule hides fields, "
        "only the models whose rule ticks Allow Reports print reports.")

    write_policy = fields.Selection(
        WRITE_POLICIES, string="Write Policy", required=True, default="direct", help=WRITE_POLICY_HELP)
    write_policy_methods = fields.Char(string="Policy Methods", help=WRITE_POLICY_METHODS_HELP)

    _sql_constraints = [
        ("model_uniq", "UNIQUE(model_id)", "There is already an MCP access rule for this model."),
    ]

    @api.model
    def _model_id_domain(self):
        """Models a rule can be made for: not transient, not blocked."""
        domain = [("transient", "=", False), ("model", "not in", list(ALWAYS_BLOCKED_MODELS))]
        for prefix in BLOCKED_MODEL_PREFIXES:
            domain += ["!", ("model", "=like", prefix.replace("_", "\\_") + "%")]
        return domain

    @api.constrains("model_id")
    def _check_model_not_blocked(self):
        for rule in self:
            if is_model_blocked(self.env, rule.model_id.model):
                raise ValidationError(_(
                    "Model %(model)s is always blocked for MCP agents: no access rule can open it.",
                    model=rule.model_id.model,
                ))

    @api.constrains("model_id", "hidden_field_ids")
    def _check_hidden_fields(self):
        for rule in self:
            for field in rule.hidden_field_ids:
                if field.model_id != rule.model_id:
                    raise ValidationError(_(
                        "Hidden field %(field)s is not a field of model %(model)s.",
                        field=field.name, model=rule.model_id.model,
                    ))
                if field.name == "id":
                    raise ValidationError(_("The id of a record cannot be hidden."))

    @api.constrains("allowed_methods", "write_policy_methods")
    def _check_allowed_methods(self):
        for rule in self:
            for name in parse_list(rule.allowed_methods) + parse_list(rule.write_policy_methods):
                if not _IDENT_RE.match(name):
                    raise ValidationError(_("Invalid method name %(method)s in Allowed Methods.", method=name))
                if is_method_blocked(name):
                    raise ValidationError(_(
                        "Method %(method)s can never be called through MCP: it cannot be allowed.", method=name))

    @api.model
    def action_view_blocked_models(self):
        """Window action listing the installed models no MCP agent can ever
        reach: the built-in list, the blocked families (prefixes) and the
        *Extra blocked models* setting. Read-only: it only shows them.
        (Wizards and abstract models are unreachable too; not listed.)"""
        self.env["ir.model"].check_access("read")
        extra = self.env["mcp.settings"]._get_settings()["extra_blocked_models"]
        domain = [("model", "in", list(ALWAYS_BLOCKED_MODELS) + list(extra))]
        for prefix in BLOCKED_MODEL_PREFIXES:
            domain = ["|", ("model", "=like", prefix.replace("_", "\\_") + "%")] + domain
        domain = [("transient", "=", False)] + domain
        return {
            "type": "ir.actions.act_window",
            "name": _("Always Blocked Models"),
            "res_model": "ir.model",
            "view_mode": "list",
            "views": [(self.env.ref("mcp_bridge.mcp_blocked_model_view_list").id, "list")],
            "search_view_id": [self.env.ref("mcp_bridge.mcp_blocked_model_view_search").id],
            "domain": domain,
            "context": {"create": False, "edit": False, "delete": False},
            "help": _("<p>No blocked model is installed.</p>"),
        }

    @api.model
    @tools.ormcache()
    def _get_rules_map(self):
        """{model name: {'read': bool, 'create': bool, 'write': bool,
        'unlink': bool, 'methods': frozenset, 'reports': bool, 'policy': str,
        'policy_methods': frozenset, 'hidden': frozenset}} of the active rules
        (cached; cleared on change). ``hidden``: the names of the rule's
        hidden fields."""
        self.flush_model()
        self.env.cr.execute(
            "SELECT a.model, f.name FROM mcp_model_access a"
            "  JOIN mcp_model_access_hidden_field_rel rel ON rel.rule_id = a.id"
            "  JOIN ir_model_fields f ON f.id = rel.field_id"
            " WHERE a.active AND f.model = a.model"
        )
        hidden = {}
        for model, fname in self.env.cr.fetchall():
            hidden.setdefault(model, set()).add(fname)
        self.env.cr.execute(
            "SELECT model, perm_read, perm_create, perm_write, perm_unlink, allowed_methods, allow_reports,"
            "       write_policy, write_policy_methods"
            "  FROM mcp_model_access WHERE active"
        )
        return {
            model: {"read": bool(r), "create": bool(c), "write": bool(w), "unlink": bool(u),
                    "methods": frozenset(parse_list(methods)), "reports": bool(reports),
                    "policy": policy or "direct", "policy_methods": frozenset(parse_list(policy_methods)),
                    "hidden": frozenset(hidden.get(model, ()))}
            for model, r, c, w, u, methods, reports, policy, policy_methods in self.env.cr.fetchall()
        }

    @api.model_create_multi
    def create(self, vals_list):
        """Create rules and refresh the guard's rule cache."""
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        """Update rules and refresh the guard's rule cache."""
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        """Delete rules and refresh the guard's rule cache."""
        result = super().unlink()
        self.env.registry.clear_cache()
        return result
