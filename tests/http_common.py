# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Odoo HttpCase helpers to talk to ``POST /mcp`` as a client would: one
request with the case's bearer ``token``, and the initialize handshake that
opens a session."""
import json

from odoo.tests import HttpCase

REVISION = "2025-06-18"


class McpHttpCase(HttpCase):
    """An HttpCase whose ``token`` (set by the subclass) talks to /mcp."""

    readonly_enabled = False  # see test_http_transport.py

    def post(self, body, session=None):
        """POST ``body``; 200 expected for a request, 202 for a notification."""
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                   "Authorization": f"Bearer {self.token}"}
        if session:
            headers.update({"Mcp-Session-Id": session, "MCP-Protocol-Version": REVISION})
        response = self.url_open("/mcp", data=json.dumps(body), headers=headers)
        self.assertEqual(response.status_code, 200 if "id" in body else 202, response.text)
        return response

    def handshake(self, client_name):
        """``initialize`` then ``notifications/initialized``: the session id
        and the initialize result."""
        response = self.post({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": REVISION, "capabilities": {}, "clientInfo": {"name": client_name, "version": "1"}}})
        session = response.headers["Mcp-Session-Id"]
        self.post({"jsonrpc": "2.0", "method": "notifications/initialized"}, session)
        return session, response.json()["result"]
