# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""``mcp.session``: the client a session records (one helper for every
place that reads an ``initialize``'s ``clientInfo``)."""
from odoo.tests import tagged

from .common import McpSecurityCase


@tagged("post_install", "-at_install", "mcp_security")
class TestSessionClientInfo(McpSecurityCase):
    def test_client_values_cut_and_shape(self):
        values = self.env["mcp.session"]._client_values
        self.assertEqual(values({"name": "n" * 300, "version": "v" * 100}),
                         {"client_name": "n" * 128, "client_version": "v" * 64})
        for bad in (None, "claude", ["x"], {}, {"name": "", "version": None}):
            with self.subTest(client_info=bad):
                self.assertEqual(values(bad), {"client_name": False, "client_version": False})
        self.assertEqual(values({"name": 7, "version": 1.5}), {"client_name": "7", "client_version": "1.5"})

    def test_open_and_initialize_record_the_same_values(self):
        """A session opened at initialize (transport) and one updated by a
        later initialize (dispatcher) store the client alike."""
        client = {"name": "c" * 200, "version": "1" * 80}
        session = self.env["mcp.session"]._open(self.key_write, "streamable_http", 600, "2025-06-18", client)
        self.assertEqual((session.client_name, session.client_version), ("c" * 128, "1" * 64))
        session.write(dict(session._client_values({"name": "other"}), revision="2025-03-26"))
        self.assertEqual((session.client_name, session.client_version, session.revision),
                         ("other", False, "2025-03-26"))
