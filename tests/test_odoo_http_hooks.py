# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""MCP routes in Odoo's own HTTP hooks, under Odoo's test runner: the
``type="mcp"`` routing type answers every failure as JSON-RPC (never an
HTML page) and rolls the request back, ``auth="mcp_key"`` ignores browser
sessions, and other addons can change the transport through
``ir.http._mcp_exchange``."""
import json
from unittest.mock import patch

import psycopg2

from odoo.tests import HttpCase, new_test_user, tagged

from ..protocol import errors
from ..services.transport import Exchange

PING = {"jsonrpc": "2.0", "id": 7, "method": "ping"}


@tagged("post_install", "-at_install")
class TestOdooHttpHooks(HttpCase):
    readonly_enabled = False  # see test_http_transport.py

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(cls.env, login="mcp_hooks_agent",
                                  groups="base.group_user,base.group_partner_manager")
        cls.key, cls.token = cls.env["mcp.api.key"]._generate_key(
            {"name": "hooks test", "user_id": cls.agent.id, "scope": "write"})
        cls.partner = cls.env["res.partner"].create({"name": "Hooks Partner"})

    def post(self, body, token=None, path="/mcp", headers=None):
        all_headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                       "MCP-Protocol-Version": "2026-07-28"}
        if token is not False:
            all_headers["Authorization"] = f"Bearer {token or self.token}"
        all_headers.update(headers or {})
        return self.url_open(path, data=json.dumps(body), headers=all_headers)

    def last_audit_id(self):
        self.env.cr.execute("SELECT coalesce(max(id), 0) FROM mcp_audit_log")
        return self.env.cr.fetchone()[0]

    def assertJsonRpcError(self, response, status, code):
        self.assertEqual(response.status_code, status, response.text)
        self.assertTrue(response.headers["Content-Type"].startswith("application/json"), response.headers)
        body = response.json()
        self.assertEqual(body["jsonrpc"], "2.0")
        self.assertEqual(body["error"]["code"], code, body)
        return body

    def test_browser_session_is_not_a_key(self):
        """An admin logged in to the web client, without a bearer key: 401,
        and the refusal is audited without key nor user."""
        self.authenticate("admin", "admin")
        last_id = self.last_audit_id()
        response = self.post(PING, token=False)
        self.assertJsonRpcError(response, 401, errors.UNAUTHORIZED)
        self.assertIn("WWW-Authenticate", response.headers)
        self.env.cr.execute("SELECT key_id, user_id, outcome, error_code FROM mcp_audit_log WHERE id > %s",
                            (last_id,))
        self.assertEqual(self.env.cr.fetchall(), [(None, None, "denied", errors.UNAUTHORIZED)])

    def test_a_failing_route_answers_json_500_and_rolls_back(self):
        """A bug in the transport: JSON-RPC -32603 with HTTP 500, and what the
        request wrote before failing is rolled back."""
        partner = self.partner

        def failing_post(exchange):
            exchange.env["res.partner"].sudo().browse(partner.id).name = "half written"
            exchange.env.cr.flush()
            raise RuntimeError("boom")

        with patch.object(Exchange, "post", failing_post), self.assertLogs("odoo.addons.mcp_bridge", "ERROR"):
            response = self.post(PING)
        body = self.assertJsonRpcError(response, 500, errors.INTERNAL_ERROR)
        self.assertEqual(body["error"]["message"], "Internal error")
        self.assertNotIn("boom", response.text)
        partner.invalidate_recordset()
        self.assertEqual(partner.name, "Hooks Partner")

    def test_database_failure_answers_json_503(self):
        def lost_database(exchange):
            raise psycopg2.OperationalError("server closed the connection unexpectedly")

        with patch.object(Exchange, "post", lost_database), self.assertLogs("odoo.addons.mcp_bridge", "WARNING"):
            response = self.post(PING)
        self.assertJsonRpcError(response, 503, errors.INTERNAL_ERROR)
        self.assertEqual(response.headers["Retry-After"], "5")

    def test_refusal_keeps_the_request_id(self):
        """A refusal of the transport after the body was read answers the
        request's id (here: the 2026-07-28 envelope check, HTTP 400)."""
        response = self.post(dict(PING, params={"_meta": {}}))
        body = self.assertJsonRpcError(response, 400, errors.INVALID_PARAMS)
        self.assertEqual(body["id"], 7)

    def test_legacy_transport_disabled_is_json_404(self):
        self.env["ir.config_parameter"].sudo().set_param("mcp_bridge.legacy_sse_enabled", "False")
        response = self.url_open("/mcp/sse", headers={"Authorization": f"Bearer {self.token}"})
        self.assertJsonRpcError(response, 404, errors.INVALID_REQUEST)

    def test_transport_is_extensible(self):
        """Another addon returns its own exchange from ``ir.http._mcp_exchange``."""

        class TaggedExchange(Exchange):
            def serve(self):
                response = super().serve()
                response.headers["X-Tagged"] = self.key.name
                return response

        original = self.registry["ir.http"]._mcp_exchange.__func__

        def _mcp_exchange(cls, endpoint):
            exchange = original(cls, endpoint)
            return TaggedExchange(exchange.env, exchange.httprequest)

        with patch.object(self.registry["ir.http"], "_mcp_exchange", classmethod(_mcp_exchange)):
            response = self.post(dict(PING, method="tools/list", params={"_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"},
                "io.modelcontextprotocol/clientCapabilities": {}}}), headers={"Mcp-Method": "tools/list"})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.headers["X-Tagged"], "hooks test")
