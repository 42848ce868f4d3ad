# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
from odoo import api, fields, models


class McpApiKeyWizard(models.TransientModel):
    _name = "mcp.api.key.wizard"
    _description = "Generate an MCP API Key"

    name = fields.Char(required=True)
    user_id = fields.Many2one(
        "res.users", string="User", required=True, domain=[("id", "!=", 1)],
        default=lambda self: self.env.user,
        help="The agent acts as this Odoo user: its access rights and record rules apply.")
    scope = fields.Selection(
        [("read", "Read-only"), ("write", "Read & Write")], required=True, default="read")
    expiry_date = fields.Datetime(string="Expires On")
    allowed_ips = fields.Text(string="Allowed IPs", help="IPv4/IPv6 addresses or CIDR networks, one per line.")
    company_ids = fields.Many2many(
        "res.company", string="Allowed Companies", domain="[('id', 'in', allowed_company_domain_ids)]",
        help="Empty: all companies of the user.")
    allowed_company_domain_ids = fields.Many2many("res.company", compute="_compute_allowed_company_domain_ids")

    @api.depends("user_id")
    def _compute_allowed_company_domain_ids(self):
        for wizard in self:
            wizard.allowed_company_domain_ids = wizard.user_id.company_ids

    def action_generate(self):
        """Create the key and show its token once (the token is not stored
        on this wizard: it only travels to the browser in the action)."""
        self.ensure_one()
        key, token = self.env["mcp.api.key"]._generate_agent_key(
            self.name, self.user_id, self.scope, self.expiry_date, self.allowed_ips, self.company_ids)
        return key._action_show_token(token)
