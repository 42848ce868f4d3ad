# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
from odoo import fields, models


class McpOauthClientSecret(models.AbstractModel):
    """Shows a freshly generated client secret once. Abstract: nothing is
    stored, the secret comes from the action's context (``default_secret``),
    like ``mcp.api.key.show``."""

    _name = "mcp.oauth.client.secret"
    _description = "Show a new MCP OAuth Client Secret"

    # the 'id' field is needed by the form's onchange that fills the defaults
    id = fields.Id()
    client_name = fields.Char(readonly=True)
    client_id = fields.Char(string="Client ID", readonly=True)
    secret = fields.Char(string="Client Secret", readonly=True)
