# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""What a session keeps for asking its client: the declared capabilities
(bounded) and the client's responses, accepted only for ids this server sent
on that session, once."""
import json

from odoo.tests import tagged

from ..models.mcp_session import MAX_CAPABILITIES
from .common import McpSecurityCase


@tagged("post_install", "-at_install", "mcp_security")
class TestSessionInput(McpSecurityCase):
    def _open(self, capabilities=None):
        return self.env["mcp.session"]._open(self.key_write, "streamable_http", 600, "2025-11-25",
                                             {"name": "c"}, capabilities)

    def test_capabilities_kept_and_bounded(self):
        self.assertEqual(self._open({"elicitation": {}})._client_capabilities(), {"elicitation": {}})
        self.assertIsNone(self._open("sampling")._client_capabilities())
        huge = self._open({"sampling": {"x": "y" * (MAX_CAPABILITIES + 10)}, "roots": {}})
        self.assertLessEqual(len(huge.client_capabilities), MAX_CAPABILITIES)
        self.assertEqual(huge._client_capabilities(), {"sampling": {}, "roots": {}})

    def _payload(self, session, request_id):
        self.env.cr.execute("SELECT payload FROM mcp_session_input WHERE session_id = %s AND request_id = %s",
                            (session.id, json.dumps(request_id)))
        return self.env.cr.fetchone()[0]

    def test_only_answers_to_ids_sent_on_the_session_count_once(self):
        inputs = self.env["mcp.session.input"]
        mine, other = self._open(), self._open()
        inputs._expect(mine.id, 5, ["odoo-input-a"])
        self.assertFalse(inputs._receive(other, {"jsonrpc": "2.0", "id": "odoo-input-a", "result": {}}))
        self.assertFalse(inputs._receive(mine, {"jsonrpc": "2.0", "id": "odoo-input-b", "result": {}}))
        self.assertIsNone(self._payload(mine, "odoo-input-a"))
        first = {"jsonrpc": "2.0", "id": "odoo-input-a", "result": {"action": "accept"}}
        self.assertTrue(inputs._receive(mine, first))
        self.assertFalse(inputs._receive(mine, dict(first, result={"action": "decline"})))
        self.assertEqual(json.loads(self._payload(mine, "odoo-input-a")), first)

    def test_cancel_ends_only_that_requests_wait(self):
        inputs = self.env["mcp.session.input"]
        session = self._open()
        inputs._expect(session.id, 5, ["odoo-input-a"])
        inputs._expect(session.id, 6, ["odoo-input-b"])
        self.assertTrue(inputs._cancel(session, 6))
        self.assertIsNone(self._payload(session, "odoo-input-a"))
        self.assertEqual(json.loads(self._payload(session, "odoo-input-b")), {"cancelled": True})
