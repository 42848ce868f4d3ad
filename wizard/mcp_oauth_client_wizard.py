# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Register an OAuth client by hand (an app that cannot register itself):
its secret, for a confidential client, is shown once like an API key's."""
from odoo import fields, models

from ..protocol.oauth import TOKEN_AUTH_METHODS


class McpOauthClientWizard(models.TransientModel):
    _name = "mcp.oauth.client.wizard"
    _description = "Register an MCP OAuth Client"

    name = fields.Char(required=True, help="The name users see on the consent page.")
    redirect_uris = fields.Text(
        string="Redirect URIs", required=True,
        help="Where the app receives the authorization: one URL per line, https (http only for loopback "
        "addresses), matched exactly.")
    auth_method = fields.Selection(
        [(method, method) for method in TOKEN_AUTH_METHODS], string="Token Endpoint Authentication",
        required=True, default="none",
        help="none: a public client (PKCE only, no secret); client_secret_basic / client_secret_post: a "
        "confidential client, which gets a secret shown once.")
    client_uri = fields.Char(string="Home Page")
    logo_uri = fields.Char(string="Logo URL")

    def action_register(self):
        """Create the client; show a confidential client's secret once (only
        its digest is stored), else open the new client."""
        self.ensure_one()
        client = self.env["mcp.oauth.client"].create({
            "name": self.name, "redirect_uris": self.redirect_uris, "auth_method": self.auth_method,
            "client_uri": self.client_uri, "logo_uri": self.logo_uri,
        })
        if client._is_confidential():
            return client.action_generate_secret()
        return {
            "type": "ir.actions.act_window",
            "res_model": client._name,
            "res_id": client.id,
            "views": [(False, "form")],
            "target": "current",
        }
