# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
from odoo import fields, models


class McpApiKeyShow(models.AbstractModel):
    """Shows a freshly generated token once. Abstract: nothing is stored,
    the token comes from the action's context (``default_token``)."""

    _name = "mcp.api.key.show"
    _description = "Show a new MCP API Key"

    # the 'id' field is needed by the form's onchange that fills the defaults
    id = fields.Id()
    token = fields.Char(readonly=True)
    key_name = fields.Char(readonly=True)
