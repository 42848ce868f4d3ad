"""HTTP routes of the OAuth 2.1 authorization server of /mcp: discovery
(RFC 9728, RFC 8414). Logic lives in models/mcp_oauth_*.py and services/oauth_*.py."""
from odoo import http
from odoo.http import request

from ..protocol import oauth
from ..services.transport import json_response

#: public, cookie-less JSON documents (any browser origin may read them)
PUBLIC = {"type": "http", "auth": "none", "methods": ["GET"], "csrf": False, "save_session": False, "cors": "*"}


def _not_found():
    return json_response({"error": "not_found"}, 404)


class McpOauthController(http.Controller):
    """Discovery documents of the authorization server."""

    @http.route([oauth.PROTECTED_RESOURCE_PATH, oauth.PROTECTED_RESOURCE_PATH + oauth.MCP_PATH], **PUBLIC)
    def oauth_protected_resource(self, **_kw):
        """RFC 9728 protected resource metadata of /mcp."""
        server = request.env["mcp.oauth.server"]
        if not server._is_enabled():
            return _not_found()
        return json_response(server._protected_resource_metadata())

    @http.route([oauth.AUTHORIZATION_SERVER_PATH, oauth.OPENID_CONFIGURATION_PATH], **PUBLIC)
    def oauth_authorization_server(self, **_kw):
        """RFC 8414 authorization server metadata (also at the OpenID path)."""
        server = request.env["mcp.oauth.server"]
        if not server._is_enabled():
            return _not_found()
        return json_response(server._authorization_server_metadata())
