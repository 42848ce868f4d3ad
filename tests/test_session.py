# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""``mcp.session``: the client a session records (one helper for every
place that reads an ``initialize``'s ``clientInfo``)."""
from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import tagged

from ..models.mcp_key_check import Rider
from ..models.mcp_session import FIND_COLUMNS
from .common import TEST_IP, McpSecurityCase


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


@tagged("post_install", "-at_install", "mcp_security")
class TestSessionWithKeyCheck(McpSecurityCase):
    """The request's session is read in the key check's own statement
    (``Rider`` + ``mcp.session._row_sql``): a cached key and its session cost
    one statement together, and ``_find`` gives what its own query gives."""

    def test_session_rides_with_the_key_check(self):
        Sessions, Keys = self.env["mcp.session"], self.env["mcp.api.key"].sudo()
        session = Sessions._open(self.key_write, "streamable_http", 600, "2025-06-18", {"name": "c"})
        Keys._authenticate_request(self.token_write, TEST_IP)  # the key is cached now
        self.env.flush_all()
        self.env.invalidate_all()
        rider = Rider(Sessions._row_sql(session.session_id))
        with self.assertQueryCount(1):
            key, _facts = Keys._authenticate_request(self.token_write, TEST_IP, None, rider)
            found = Sessions._find(session.session_id, key, rider.value)
            self.assertEqual((found, found.revision, found.transport), (session, "2025-06-18", "streamable_http"))
            self.assertEqual(found.expires_at, session.expires_at)
            self.assertIsInstance(found.last_seen_at, datetime)
        self.env.invalidate_all()
        direct = Sessions._find(session.session_id, key)
        self.assertEqual({name: direct[name] for name in FIND_COLUMNS}, {name: found[name] for name in FIND_COLUMNS})

    def test_rider_of_unknown_expired_or_foreign_session(self):
        Sessions, Keys = self.env["mcp.session"], self.env["mcp.api.key"].sudo()
        session = Sessions._open(self.key_write, "streamable_http", 600, "2025-06-18")
        for session_id, key, token in (("no-such-session", self.key_write, self.token_write),
                                       (session.session_id, self.key_read, self.token_read)):
            with self.subTest(session_id=session_id, key=key.name):
                rider = Rider(Sessions._row_sql(session_id))
                Keys._authenticate_request(token, TEST_IP, None, rider)
                self.assertFalse(Sessions._find(session_id, key, rider.value))
        session.expires_at = fields.Datetime.now() - timedelta(seconds=1)
        self.env.flush_all()
        rider = Rider(Sessions._row_sql(session.session_id))
        Keys._authenticate_request(self.token_write, TEST_IP, None, rider)
        self.assertTrue(rider.value, "the row is read")
        self.assertFalse(Sessions._find(session.session_id, self.key_write, rider.value), "but expired")

    def test_find_reads_the_row_itself_without_rider(self):
        """Without a row read by the key check (legacy /mcp/messages), one query."""
        Sessions = self.env["mcp.session"]
        session = Sessions._open(self.key_write, "legacy_sse", 600, "2024-11-05")
        self.env.flush_all()
        self.env.invalidate_all()
        session_id = session.session_id
        self.env.invalidate_all()
        with self.assertQueryCount(1):
            self.assertEqual(Sessions._find(session_id, self.key_write), session)
        with self.assertQueryCount(1):
            self.assertFalse(Sessions._find("no-such-session", self.key_write))
