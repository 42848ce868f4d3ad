# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Where a tool runs (``mcp.server._tool_transaction``): a read tool alone
in its request runs without savepoint (two statements less), and a
statement PostgreSQL refuses still gets its answer and its audit row; every
other call runs in a savepoint that rolls back what it wrote."""
import json
from unittest.mock import patch

from odoo.sql_db import BaseCursor
from odoo.tests import HttpCase, new_test_user, tagged

REVISION = "2025-03-26"  # the last revision with JSON-RPC batches
#: a LIKE pattern PostgreSQL refuses ("must not end with escape character")
BAD_PATTERN = "\\"


@tagged("post_install", "-at_install")
class TestToolTransaction(HttpCase):
    readonly_enabled = False  # see test_http_transport.py

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(cls.env, login="mcp_tx_agent", groups="base.group_user,base.group_partner_manager")
        cls.key, cls.token = cls.env["mcp.api.key"]._generate_key(
            {"name": "tx test", "user_id": cls.agent.id, "scope": "write"})

    def setUp(self):
        super().setUp()
        response = self.post({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": REVISION, "capabilities": {}, "clientInfo": {"name": "tx", "version": "1"}}})
        self.session = response.headers["Mcp-Session-Id"]
        self.statements = []

    def post(self, body):
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "Authorization": f"Bearer {self.token}", "MCP-Protocol-Version": REVISION}
        if getattr(self, "session", None):
            headers["Mcp-Session-Id"] = self.session
        return self.url_open("/mcp", data=json.dumps(body), headers=headers)

    def call(self, msg_id, name, arguments):
        return {"jsonrpc": "2.0", "id": msg_id, "method": "tools/call",
                "params": {"name": name, "arguments": arguments}}

    def savepoints_of(self, body):
        """The response to ``body`` and how many savepoints its request opened."""
        original = BaseCursor.savepoint
        opened = []

        def savepoint(this, flush=True):
            if flush:  # the test cursors of HttpCase open their own (flush=False)
                opened.append(this)
            return original(this, flush)

        with patch.object(BaseCursor, "savepoint", savepoint):
            response = self.post(body)
        return response, len(opened)

    def audit_rows(self, after_id):
        self.env.cr.execute("SELECT tool, outcome FROM mcp_audit_log WHERE key_id = %s AND id > %s ORDER BY id",
                            (self.key.id, after_id))
        return self.env.cr.fetchall()

    def last_audit_id(self):
        self.env.cr.execute("SELECT coalesce(max(id), 0) FROM mcp_audit_log")
        return self.env.cr.fetchone()[0]

    def test_read_alone_runs_without_savepoint(self):
        read = self.call(1, "search_read", {"model": "res.partner", "fields": ["name"], "limit": 1})
        response, savepoints = self.savepoints_of(read)
        self.assertFalse(response.json()["result"]["isError"], response.text)
        self.assertEqual(savepoints, 0)
        # in a batch, and for a write tool, each call has its savepoint
        response, savepoints = self.savepoints_of([read, dict(read, id=2)])
        self.assertEqual(len(response.json()), 2)
        self.assertEqual(savepoints, 2)
        write = self.call(3, "create", {"model": "res.partner", "values": {"name": "MCP tx partner"}})
        response, savepoints = self.savepoints_of(write)
        self.assertFalse(response.json()["result"]["isError"], response.text)
        self.assertEqual(savepoints, 1)

    def test_statement_refused_by_postgresql_alone_and_in_batch(self):
        """Alone: the aborted transaction is rolled back whole, the agent
        reads why and the audit row is there; the next request works. In a
        batch, the savepoint keeps the call before it."""
        last_id = self.last_audit_id()
        bad = self.call(1, "search_read", {"model": "res.partner", "domain": [["name", "=like", BAD_PATTERN]]})
        response, savepoints = self.savepoints_of(bad)
        self.assertEqual(savepoints, 0)
        result = response.json()["result"]
        self.assertTrue(result["isError"], result)
        self.assertIn("LIKE pattern must not end with escape character", result["content"][0]["text"])
        self.assertEqual(self.audit_rows(last_id), [("search_read", "error")])
        good = self.call(2, "count", {"model": "res.partner", "domain": [["name", "=", "MCP tx batch"]]})
        self.assertEqual(json.loads(self.post(good).json()["result"]["content"][0]["text"])["count"], 0)

        create = self.call(3, "create", {"model": "res.partner", "values": {"name": "MCP tx batch"}})
        response = self.post([create, dict(bad, id=4), dict(good, id=5)])
        answers = {answer["id"]: answer["result"] for answer in response.json()}
        self.assertFalse(answers[3]["isError"])
        self.assertTrue(answers[4]["isError"])
        self.assertEqual(json.loads(answers[5]["content"][0]["text"])["count"], 1,
                         "the create before the failure is kept")

    def synchronous_commit(self):
        """``synchronous_commit`` of the test's transaction, which the
        requests of an HttpCase share (their ``SET LOCAL`` outlives them)."""
        self.env.cr.execute("SHOW synchronous_commit")
        return self.env.cr.fetchone()[0]

    def test_only_a_lone_read_commits_without_waiting_for_the_wal_flush(self):
        """A request whose transaction writes nothing but its audit row (and
        the session's last-seen stamp) does not wait for the WAL flush at
        commit; a write tool and a batch keep the durable commit."""
        self.env.cr.execute("SET LOCAL synchronous_commit TO on")  # the test cluster's default is off
        write = self.call(1, "create", {"model": "res.partner", "values": {"name": "MCP tx durable"}})
        self.assertFalse(self.post(write).json()["result"]["isError"])
        self.assertEqual(self.synchronous_commit(), "on", "a write tool's commit waits for the WAL flush")
        read = self.call(2, "search_read", {"model": "res.partner", "fields": ["name"], "limit": 1})
        self.assertEqual(len(self.post([read, dict(read, id=3)]).json()), 2)
        self.assertEqual(self.synchronous_commit(), "on", "a batch: each message could write")
        self.assertFalse(self.post({"jsonrpc": "2.0", "id": 4, "method": "tools/list"}).json()["result"].get(
            "isError"))
        self.assertEqual(self.synchronous_commit(), "off", "tools/list only reads")

    def test_lone_read_tool_call_commits_lazily(self):
        self.env.cr.execute("SET LOCAL synchronous_commit TO on")  # the test cluster's default is off
        read = self.call(1, "search_read", {"model": "res.partner", "fields": ["name"], "limit": 1})
        self.assertFalse(self.post(read).json()["result"]["isError"])
        self.assertEqual(self.synchronous_commit(), "off")

    def test_other_read_methods_alone_run_without_savepoint(self):
        """tools/list, resources/read... alone in their request: no savepoint
        (two statements less); in a batch, one each."""
        listing = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        response, savepoints = self.savepoints_of(listing)
        self.assertIn("tools", response.json()["result"])
        self.assertEqual(savepoints, 0)
        response, savepoints = self.savepoints_of([listing, dict(listing, id=2)])
        self.assertEqual(len(response.json()), 2)
        self.assertEqual(savepoints, 2)
        partner = self.env["res.partner"].create({"name": "MCP tx resource"})
        read = {"jsonrpc": "2.0", "id": 3, "method": "resources/read",
                "params": {"uri": f"odoo://record/res.partner/{partner.id}"}}
        response, savepoints = self.savepoints_of(read)
        self.assertEqual(savepoints, 0)
        self.assertIn("MCP tx resource", response.json()["result"]["contents"][0]["text"])
        missing = dict(read, params={"uri": "odoo://record/res.partner/999999999"})
        response, savepoints = self.savepoints_of(missing)
        self.assertEqual(savepoints, 0)
        self.assertIn("error", response.json())
        self.assertIn("tools", self.post(listing).json()["result"], "the next request works")
