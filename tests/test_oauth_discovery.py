# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""OAuth discovery over real HTTP: the metadata documents, the 401
challenge of /mcp naming them, and the 403 ``insufficient_scope`` of a
read-only grant calling a write tool."""
import json

from odoo.tests import HttpCase, new_test_user, tagged

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

    def post(self, body, token):
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                   "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": body["method"]}
        if body["method"] == "tools/call":
            headers["Mcp-Name"] = body["params"]["name"]
        if token:
            headers["Authorization"] = f"Bearer {token}"
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
            self.assertEqual(response.headers["WWW-Authenticate"], expected)
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
