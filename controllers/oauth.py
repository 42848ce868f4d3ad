"""HTTP routes of the OAuth 2.1 authorization server of /mcp: discovery
(RFC 9728, RFC 8414), authorization (Odoo login, consent), token,
revocation (RFC 7009) and registration (RFC 7591). Logic lives in
models/mcp_oauth_server.py and services/oauth_*.py."""
from urllib.parse import urlencode

from odoo import http
from odoo.http import request

from ..protocol import oauth
from ..services.oauth_http import NO_STORE, NOT_FRAMEABLE, to_response
from ..services.transport import json_response

#: public, cookie-less JSON documents (any browser origin may read them)
PUBLIC = {"type": "http", "auth": "none", "methods": ["GET"], "csrf": False, "save_session": False, "cors": "*"}
#: the back-channel endpoints of clients: form or JSON posts, no cookie, no CSRF token
BACK_CHANNEL = {"type": "http", "auth": "public", "methods": ["POST"], "csrf": False, "save_session": False,
                "cors": "*"}


def _not_found():
    return json_response({"error": "not_found"}, 404)


class McpOauthController(http.Controller):
    """The authorization server's routes."""

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

    @http.route(oauth.AUTHORIZE_PATH, type="http", auth="public", methods=["GET", "POST"], csrf=True)
    def oauth_authorize(self, **kw):
        """GET: the authorization request (Odoo login first, then the
        consent page); POST: the consent form (CSRF-checked by Odoo)."""
        server = request.env["mcp.oauth.server"]
        if not server._is_enabled():
            return self._page("mcp_bridge.oauth_error", {"message": request.env._("OAuth is not enabled.")}, 404)
        form = kw if request.httprequest.method == "POST" else None
        outcome = server._authorize(request.httprequest, request.env.user, form)
        if outcome.kind == "page":
            return self._page("mcp_bridge.oauth_error", {"message": outcome.message}, outcome.status)
        if outcome.kind == "consent":
            return self._page("mcp_bridge.oauth_consent", outcome.values)
        if outcome.kind == "login":
            back = request.httprequest.full_path
            return request.redirect("/web/login?" + urlencode({"redirect": back}), code=302)
        return request.redirect(outcome.url, code=303 if form is not None else 302, local=False)

    @staticmethod
    def _page(template, values, status=200):
        return request.render(template, values, status=status, headers=NOT_FRAMEABLE + NO_STORE)

    @http.route(oauth.TOKEN_PATH, **BACK_CHANNEL)
    def oauth_token(self, **_kw):
        """Token endpoint: authorization code and refresh token grants."""
        server = request.env["mcp.oauth.server"]
        if not server._is_enabled():
            return _not_found()
        return to_response(*server._token(request.httprequest))

    @http.route(oauth.REVOKE_PATH, **BACK_CHANNEL)
    def oauth_revoke(self, **_kw):
        """Revocation endpoint (RFC 7009)."""
        server = request.env["mcp.oauth.server"]
        if not server._is_enabled():
            return _not_found()
        return to_response(*server._revoke(request.httprequest))

    @http.route(oauth.REGISTER_PATH, **BACK_CHANNEL)
    def oauth_register(self, **_kw):
        """Dynamic client registration (RFC 7591)."""
        server = request.env["mcp.oauth.server"]
        if not server._is_enabled():
            return _not_found()
        outcome = server._register_client(request.httprequest)
        return json_response(outcome.body, outcome.status, outcome.headers)
