# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Read-your-writes bookkeeping (services/recent_writes.py): which tokens
committed a request on the primary an instant ago, in a table every Odoo
process of the machine shares, and new sessions by their id. The routing
it changes is tested end to end with a lagging replica
(tests/e2e/test_replicas.py)."""
import os
import tempfile
import time
import uuid
from unittest.mock import patch

from odoo.tools.misc import Callbacks
from odoo.tests import BaseCase, tagged

from ..services import recent_writes


class FakeCursor:
    def __init__(self, readonly=False):
        self.readonly = readonly
        self.dbname = f"mcp_ryw_{uuid.uuid4().hex}"
        self.postcommit = Callbacks()


class FakeHttpRequest:
    def __init__(self):
        self.environ = {}


@tagged("post_install", "-at_install")
class TestRecentWrites(BaseCase):
    def setUp(self):
        super().setUp()
        self.dbname = f"mcp_ryw_{uuid.uuid4().hex}"
        self.addCleanup(self._forget, self.dbname)

    def _forget(self, dbname):
        recent_writes._tables.pop(dbname, None)
        if os.path.exists(recent_writes._path(dbname)):
            os.unlink(recent_writes._path(dbname))

    def test_a_token_wrote_recently_for_the_window_only(self):
        self.assertFalse(recent_writes.wrote_recently(self.dbname, "mcp_token_a"))
        recent_writes.mark_write(self.dbname, "mcp_token_a")
        self.assertTrue(recent_writes.wrote_recently(self.dbname, "mcp_token_a"))
        self.assertFalse(recent_writes.wrote_recently(self.dbname, "mcp_token_b"))
        self.assertFalse(recent_writes.wrote_recently(self.dbname, None))
        time.sleep(0.05)
        self.assertFalse(recent_writes.wrote_recently(self.dbname, "mcp_token_a", window=0.04))

    def test_the_table_is_a_private_file_shared_by_processes(self):
        recent_writes.mark_write(self.dbname, "mcp_token_a")
        path = recent_writes._path(self.dbname)
        self.assertTrue(path.startswith(tempfile.gettempdir()))
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        self.assertNotIn(b"mcp_token_a", open(path, "rb").read())  # times only
        # another process maps the same file: it sees the mark
        recent_writes._tables.pop(self.dbname)
        self.assertTrue(recent_writes.wrote_recently(self.dbname, "mcp_token_a"))

    def test_a_file_others_can_read_is_not_used(self):
        path = recent_writes._path(self.dbname)
        with open(path, "wb"):
            pass
        os.chmod(path, 0o644)
        with self.assertLogs(recent_writes.__name__, "WARNING"):
            recent_writes.mark_write(self.dbname, "mcp_token_a")
        self.assertIsInstance(recent_writes._tables[self.dbname], bytearray)  # this process only
        self.assertTrue(recent_writes.wrote_recently(self.dbname, "mcp_token_a"))
        self.assertEqual(os.path.getsize(path), 0)

    def test_marked_after_the_commit_of_a_primary_request_only(self):
        with patch.dict(recent_writes.config.options, {"db_replica_host": "127.0.0.1"}):
            primary, on_replica, recent_read = FakeCursor(), FakeCursor(readonly=True), FakeCursor()
            self.addCleanup(self._forget, primary.dbname)
            self.addCleanup(self._forget, recent_read.dbname)
            flagged = FakeHttpRequest()
            flagged.environ[recent_writes.READ_ON_PRIMARY] = True
            recent_writes.mark_on_commit(primary, "mcp_token_a", FakeHttpRequest())
            recent_writes.mark_on_commit(on_replica, "mcp_token_a", FakeHttpRequest())
            recent_writes.mark_on_commit(recent_read, "mcp_token_a", flagged)
            self.assertFalse(recent_writes.wrote_recently(primary.dbname, "mcp_token_a"))  # not committed yet
            for cr in (primary, on_replica, recent_read):
                cr.postcommit.run()
            self.assertTrue(recent_writes.wrote_recently(primary.dbname, "mcp_token_a"))
            self.assertFalse(recent_writes.wrote_recently(recent_read.dbname, "mcp_token_a"))
        without_replica = FakeCursor()
        recent_writes.mark_on_commit(without_replica, "mcp_token_a", FakeHttpRequest())
        self.assertFalse(without_replica.postcommit._funcs)

    def test_a_session_id_tells_it_is_new(self):
        now = time.time()
        session_id = recent_writes.session_prefix(now) + "random"
        self.assertTrue(recent_writes.session_is_new(session_id, now=now + 1))
        self.assertTrue(recent_writes.session_is_new(session_id, now=now - 1))  # another server's clock ahead
        self.assertFalse(recent_writes.session_is_new(session_id, now=now + recent_writes.WINDOW + 1))
        for other in (None, "", "no-time-in-it", "zz.random", "1234567890abcd.random", ".random"):
            self.assertFalse(recent_writes.session_is_new(other, now=now), other)
