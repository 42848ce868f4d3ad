# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""``POST /mcp`` over real HTTP under Odoo's own test runner (HttpCase):
``initialize`` → ``tools/call`` with a bearer key, and HTTP statuses the
transport takes from the error map."""
import json

from odoo.tests import HttpCase, new_test_user, tagged

from ..protocol import errors
from ..protocol import oauth

REVISION = "2025-06-18"


@tagged("post_install", "-at_install")
class TestHttpTransport(HttpCase):
    # Read-only routes would get read-only test cursors, from which the MCP
    # layer's own short cursors (audit rows, counters) cannot be opened in
    # test mode (production has separate connections).
    readonly_enabled = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(cls.env, login="mcp_http_agent",
                                  groups="base.group_user,base.group_partner_manager")
        cls.key, cls.token = cls.env["mcp.api.key"]._generate_key(
            {"name": "http test", "user_id": cls.agent.id, "scope": "read"})
        cls.partner = cls.env["res.partner"].create({"name": "MCP Http Partner"})

    def post(self, body, token=None, session=None):
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
        if token is not False:
            headers["Authorization"] = f"Bearer {token or self.token}"
        if session:
            headers.update({"Mcp-Session-Id": session, "MCP-Protocol-Version": REVISION})
        return self.url_open("/mcp", data=json.dumps(body), headers=headers)

    def test_initialize_then_tools_call(self):
        self.env.cr.execute("SELECT coalesce(max(id), 0) FROM mcp_audit_log")
        last_id = self.env.cr.fetchone()[0]
        response = self.post({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": REVISION, "capabilities": {}, "clientInfo": {"name": "http test", "version": "1"}}})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["result"]["protocolVersion"], REVISION)
        session = response.headers["Mcp-Session-Id"]
        self.assertEqual(self.post({"jsonrpc": "2.0", "method": "notifications/initialized"},
                                   session=session).status_code, 202)

        response = self.post({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "read", "arguments": {"model": "res.partner", "ids": [self.partner.id], "fields": ["name"]}}},
            session=session)
        self.assertEqual(response.status_code, 200, response.text)
        result = response.json()["result"]
        self.assertFalse(result["isError"])
        self.assertEqual(result["structuredContent"]["records"], [{"id": self.partner.id, "name": "MCP Http Partner"}])

        # a tool failure is a result (200); a refusal a JSON-RPC error (200 too)
        response = self.post({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
            "name": "read", "arguments": {"model": "res.partner", "ids": [self.partner.id], "fields": ["nope"]}}},
            session=session)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.json()["result"]["isError"])
        response = self.post({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {
            "name": "search_read", "arguments": {"model": "res.users"}}}, session=session)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["error"]["code"], errors.ACCESS_DENIED)

        # the status of an invalid request comes from the error map's object
        response = self.post({"jsonrpc": "2.0", "id": None, "method": "ping"}, session=session)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"jsonrpc": "2.0", "id": None, "error": {
            "code": errors.INVALID_REQUEST, "message": 'Invalid Request: "id" must not be null'}})

        self.env.cr.execute("SELECT rpc_method, tool, outcome, error_code FROM mcp_audit_log WHERE key_id = %s "
                            "AND id > %s ORDER BY id", (self.key.id, last_id))
        self.assertEqual(self.env.cr.fetchall(), [
            ("initialize", None, "ok", 0), ("tools/call", "read", "ok", 0), ("tools/call", "read", "error", 0),
            ("tools/call", "search_read", "denied", errors.ACCESS_DENIED)])

    def test_refusals(self):
        ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        response = self.post(ping, token=False)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.headers["WWW-Authenticate"],
                         oauth.www_authenticate(self.env["mcp.settings"]._base_url(), error=None))
        self.assertEqual(response.json()["error"]["code"], errors.UNAUTHORIZED)
        response = self.post(ping, session="no-such-session")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json()["error"]["code"], errors.SESSION_NOT_FOUND)
