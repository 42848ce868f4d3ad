# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""OAuth discovery over real HTTP: the metadata documents, the 401
challenge of /mcp naming them, and the 403 ``insufficient_scope`` of a
read-only grant calling a write tool."""
import json
from unittest.mock import patch

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import config

from ..protocol import errors, oauth
from .oauth_common import issue_access_token, make_client, make_grant

REVISION = "2025-06-18"


@tagged("post_install", "-at_install")
class TestOauthDiscovery(HttpCase):
    readonly_enabled = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.base = cls.env["mcp.settings"]._base_url()
        cls.agent = new_test_user(cls.env, login="mcp_oauth_agent", groups="base.group_user,base.group_partner_manager")
        cls.client = make_client(cls.env)

    def post(self, body, token, **extra_headers):
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                   "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": body["method"]}
        if body["method"] == "tools/call":
            headers["Mcp-Name"] = body["params"]["name"]
        if token:
            headers["Authorization"] = f"Bearer {token}"
        headers.update(extra_headers)
        return self.url_open("/mcp", data=json.dumps(body), headers=headers)

    def test_protected_resource_metadata(self):
        for path in ("/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"):
            response = self.url_open(path)
            self.assertEqual(response.status_code, 200, path)
            self.assertEqual(response.json(), {
                "resource": self.base + "/mcp", "authorization_servers": [self.base],
                "scopes_supported": ["mcp:read", "mcp:write"], "bearer_methods_supported": ["header"],
                "resource_name": "Odoo MCP Server"})

    def test_authorization_server_metadata(self):
        for path in ("/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"):
            metadata = self.url_open(path).json()
            self.assertEqual(metadata["issuer"], self.base)
            self.assertEqual(metadata["authorization_endpoint"], self.base + "/oauth/authorize")
            self.assertEqual(metadata["token_endpoint"], self.base + "/oauth/token")
            self.assertEqual(metadata["registration_endpoint"], self.base + "/oauth/register")
            self.assertEqual(metadata["revocation_endpoint"], self.base + "/oauth/revoke")
            self.assertEqual(metadata["code_challenge_methods_supported"], ["S256"])
            self.assertEqual(metadata["grant_types_supported"], ["authorization_code", "refresh_token"])
            self.assertEqual(metadata["response_types_supported"], ["code"])
            self.assertEqual(metadata["token_endpoint_auth_methods_supported"],
                             ["none", "client_secret_basic", "client_secret_post"])
            self.assertIs(metadata["client_id_metadata_document_supported"], True)
            self.assertIs(metadata["authorization_response_iss_parameter_supported"], True)
        self.env["ir.config_parameter"].sudo().set_param("mcp_bridge.oauth_dcr_enabled", "False")
        self.assertNotIn("registration_endpoint", self.url_open("/.well-known/oauth-authorization-server").json())

    def test_discovery_is_off_with_oauth_off(self):
        self.env["ir.config_parameter"].sudo().set_param("mcp_bridge.oauth_enabled", "False")
        self.assertEqual(self.url_open("/.well-known/oauth-protected-resource/mcp").status_code, 404)
        self.assertEqual(self.url_open("/.well-known/oauth-authorization-server").status_code, 404)

    def test_every_401_names_the_resource_metadata(self):
        expected = oauth.www_authenticate(self.base)
        self.assertEqual(expected, f'Bearer realm="mcp", error="invalid_token", resource_metadata="{self.base}'
                         '/.well-known/oauth-protected-resource/mcp", scope="mcp:read mcp:write"')
        grant = make_grant(self.env, self.client, self.agent)
        expired, expired_token = issue_access_token(self.env, grant)
        expired.sudo().write({"expires_at": "2000-01-01 00:00:00"})
        revoked, revoked_token = issue_access_token(self.env, grant)
        revoked.sudo().write({"revoked_at": "2000-01-01 00:00:00"})
        ping = {"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {}}}}
        for token in (None, "mcpat_" + "y" * 43, expired_token, revoked_token, "garbage"):
            response = self.post(ping, token)
            self.assertEqual(response.status_code, 401, token)
            # no token at all: no error code (RFC 6750 §3.1), only where to get one
            self.assertEqual(response.headers["WWW-Authenticate"],
                             expected if token else oauth.www_authenticate(self.base, error=None))
            self.assertEqual(response.json()["error"]["code"], errors.UNAUTHORIZED)

    def test_read_grant_calling_a_write_tool_gets_403_insufficient_scope(self):
        grant = make_grant(self.env, self.client, self.agent, scope="read")
        _row, token = issue_access_token(self.env, grant)
        meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"},
                "io.modelcontextprotocol/clientCapabilities": {}}
        response = self.post({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
            "name": "create", "arguments": {"model": "res.partner", "values": {"name": "x"}}, "_meta": meta}}, token)
        self.assertEqual(response.status_code, 403, response.text)
        self.assertEqual(response.headers["WWW-Authenticate"],
                         oauth.www_authenticate(self.base, error="insufficient_scope", scope="mcp:read mcp:write"))
        self.assertEqual(response.json()["error"]["data"]["reason"], "scope")
        # reading works, audited with the grant's key (which names the grant and its app)
        response = self.post({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "count", "arguments": {"model": "res.partner"}, "_meta": meta}}, token)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertFalse(response.json()["result"].get("isError"), response.text)
        audit = self.env["mcp.audit.log"].search([("key_id", "=", grant.key_id.id), ("rpc_method", "=", "tools/call")],
                                             order="id")
        self.assertEqual(audit.mapped("outcome"), ["denied", "ok"])
        self.assertEqual(audit.oauth_grant_id, grant)
        self.assertEqual(audit.oauth_client_id, self.client)

    def count(self, token, **headers):
        """tools/call count of partners with ``token``: the response."""
        meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"},
                "io.modelcontextprotocol/clientCapabilities": {}}
        return self.post({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
            "name": "count", "arguments": {"model": "res.partner"}, "_meta": meta}}, token, **headers)

    def assertChallenged(self, response):
        """A 401 with the challenge naming this server's resource metadata."""
        self.assertEqual(response.status_code, 401, response.text)
        self.assertEqual(response.headers["WWW-Authenticate"],
                         oauth.www_authenticate(self.env["mcp.settings"]._base_url()))
        self.assertEqual(response.json()["error"]["code"], errors.UNAUTHORIZED)

    def token_for(self, resource):
        """An access token of a fresh grant of the agent for ``resource``."""
        return issue_access_token(self.env, make_grant(self.env, self.client, self.agent, resource=resource))[1]

    def test_token_minted_for_another_resource_gets_401(self):
        """RFC 8707 audience: a token whose resource is another server's MCP
        URL is refused like an unknown one (401 + the challenge); the
        server's own token still works."""
        good = self.token_for(self.base + "/mcp")
        self.assertEqual(self.count(good).status_code, 200)
        for resource in ("https://other.example/mcp", self.base + "/mcp/other", self.base, self.base + "/sse"):
            self.assertChallenged(self.count(self.token_for(resource)))
        self.assertEqual(self.count(good).status_code, 200)

    def test_token_resource_is_this_server_as_reached(self):
        """web.base.url moved (an administrator logged in from another host):
        a token minted for the URL the app uses keeps working there, a token
        for the new canonical URL works too; behind a proxy the forwarded
        host counts only with proxy_mode."""
        old = self.token_for(self.base + "/mcp")
        moved = self.token_for("https://moved.example/mcp")
        self.assertChallenged(self.count(moved))
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://moved.example")
        self.assertEqual(self.count(old).status_code, 200, "the URL the request came to")
        self.assertEqual(self.count(moved).status_code, 200, "the canonical URL")
        proxied = self.token_for("https://odoo.example.com/mcp")
        forwarded = {"X-Forwarded-Host": "odoo.example.com", "X-Forwarded-Proto": "https"}
        self.assertChallenged(self.count(proxied, **forwarded))  # without proxy_mode the header is not trusted
        with patch.dict(config.options, {"proxy_mode": True}):
            self.assertEqual(self.count(proxied, **forwarded).status_code, 200)
            self.assertChallenged(self.count(old, **forwarded))  # the request came to odoo.example.com
        grant = make_grant(self.env, self.client, self.agent)
        secret = self.env["mcp.oauth.token"]._new_secret("access")
        self.env["mcp.oauth.token"]._issue("access", secret, grant, 3600, scope="mcp:read")
        self.assertChallenged(self.count(secret))  # a token minted without resource: valid nowhere

    def test_client_allowed_ips_apply_to_its_tokens(self):
        """A client's allowed IPs are every grant's IP whitelist: from
        another address its tokens get 401; widened, they work again."""
        token = self.token_for(self.base + "/mcp")
        self.client.write({"allowed_ips": "192.0.2.0/24"})
        self.assertChallenged(self.count(token))
        later = self.token_for(self.base + "/mcp")  # a grant made after the setting
        self.assertChallenged(self.count(later))
        self.client.write({"allowed_ips": "192.0.2.0/24, 127.0.0.1"})
        self.assertEqual(self.count(token).status_code, 200)
        self.assertEqual(self.count(later).status_code, 200)
