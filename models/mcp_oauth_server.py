# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The OAuth 2.1 authorization server of /mcp (AbstractModel): discovery
documents here; the protocol itself is oauthlib's, glued in
``services/oauth_http.py`` and ``services/oauth_validator.py``."""
from odoo import api, models

from ..protocol import oauth


class McpOauthServer(models.AbstractModel):
    _name = "mcp.oauth.server"
    _description = "MCP OAuth Authorization Server"

    @api.model
    def _is_enabled(self):
        """Whether OAuth is served: the MCP server and its OAuth setting on."""
        settings = self.env["mcp.settings"]._get_settings()
        return settings["enabled"] and settings["oauth_enabled"]

    @api.model
    def _base_url(self):
        """Issuer and resource derive from this (``web.base.url``)."""
        return self.env["mcp.settings"]._base_url()

    @api.model
    def _protected_resource_metadata(self):
        """RFC 9728 metadata of /mcp."""
        return oauth.protected_resource_metadata(self._base_url())

    @api.model
    def _authorization_server_metadata(self):
        """RFC 8414 metadata of this authorization server."""
        settings = self.env["mcp.settings"]._get_settings()
        return oauth.authorization_server_metadata(self._base_url(), registration=settings["oauth_dcr_enabled"])
