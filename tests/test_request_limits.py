# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Limits of one MCP request beyond the key check: the rate-limit budget of
a JSON-RPC batch (every request of it counts) and PostgreSQL's statement
timeout (set by the key check's own statement, transaction-local, mapped to
a clean JSON-RPC error in every handler)."""
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields, sql_db
from odoo.tests import tagged

from ..models.mcp_api_key import MSG_RATE_LIMITED
from ..models.mcp_key_gate import MSG_BATCH_OVER_RATE_LIMIT
from ..models.mcp_server import McpContext
from ..protocol import errors
from ..protocol.errors import InvalidRequest, RateLimited
from ..tools import completion, prompts, resources
from .common import TEST_IP, McpSecurityCase


@tagged("post_install", "-at_install", "mcp_security")
class TestBatchBudget(McpSecurityCase):
    def setUp(self):
        super().setUp()
        self.Keys = self.env["mcp.api.key"]
        self.env.registry.clear_cache()

    def settings(self):
        return self.env["mcp.settings"]._get_settings()

    def request(self, token=None, ip=TEST_IP):
        """Authenticate like a request and write its audit row (what the rate limit counts)."""
        key = self.Keys._authenticate(token or self.token_read, ip)
        self.audit(key)
        return key

    def audit(self, key, count=1):
        for _i in range(count):
            self.env["mcp.audit.log"].sudo()._record({
                "key_id": key.id, "user_id": key.user_id.id, "ip": TEST_IP, "transport": "streamable_http",
                "rpc_method": "tools/call", "outcome": "ok"})

    def check(self, key, requests, settings=None):
        key._check_batch_budget(requests, TEST_IP, settings or self.settings())

    def test_batch_fits_the_remaining_budget_or_is_refused(self):
        """Limit 5, 2 used: a batch of 4 is refused (429, Retry-After), a
        batch of 3 fits; once its 3 requests are audited the key is refused."""
        self.set_setting("rate_limit_per_minute", 5)
        key = self.request()
        self.request()
        with self.assertRaises(RateLimited) as catcher:
            self.check(key, 4)
        self.assertEqual(catcher.exception.message, MSG_RATE_LIMITED)
        self.assertTrue(1 <= catcher.exception.retry_after <= 60)
        self.assertEqual(catcher.exception.data, {"retryAfter": catcher.exception.retry_after})
        self.check(key, 3)
        self.audit(key, 3)
        with self.assertRaises(RateLimited):
            self.request()
        # another key has its own budget
        self.check(self.key_write, 5)

    def test_budget_frees_up_a_minute_after_the_requests_that_fill_it(self):
        self.set_setting("rate_limit_per_minute", 4)
        key = self.request()
        self.audit(key, 2)
        with self.assertRaises(RateLimited) as catcher:
            self.check(key, 2)
        self.assertLessEqual(catcher.exception.retry_after, 60)
        self.env.cr.execute("UPDATE mcp_audit_log SET create_date = create_date - interval '61 seconds' "
                            "WHERE key_id = %s", (key.id,))
        self.check(key, 4)

    def test_batch_larger_than_the_limit_never_fits(self):
        self.set_setting("rate_limit_per_minute", 5)
        with self.assertRaises(InvalidRequest) as catcher:
            self.check(self.key_read, 6)
        self.assertEqual(catcher.exception.message, MSG_BATCH_OVER_RATE_LIMIT % {"count": 6, "limit": 5})
        self.assertEqual((catcher.exception.code, catcher.exception.http_status), (errors.INVALID_REQUEST, 400))

    def test_no_limit_or_single_request_needs_no_check(self):
        self.set_setting("rate_limit_per_minute", 0)
        settings = self.settings()
        with self.assertQueryCount(0):
            self.check(self.key_read, 500, settings)
        self.set_setting("rate_limit_per_minute", 5)
        settings = self.settings()
        with self.assertQueryCount(0):  # the key check of the HTTP request covered one
            self.check(self.key_read, 1, settings)
            self.check(self.key_read, 0, settings)

    def test_batch_far_from_the_limit_costs_one_statement(self):
        self.set_setting("rate_limit_per_minute", 100)
        key = self.request()
        self.request()  # the worker's bound of the key is known now
        settings = self.settings()
        self.env.flush_all()
        with self.assertQueryCount(1):
            self.check(key, 50, settings)

    def test_a_count_that_reached_the_limit_is_not_a_bound(self):
        """Limit 10, 10 used: the check of a batch of 5 counts only up to 6
        rows (5 fit while fewer than 6 are used). That capped count must not
        become the worker's bound of the key, or the next single request
        would see "6 used + 0 since < 10" and pass."""
        self.set_setting("rate_limit_per_minute", 10)
        key = self.request()
        self.audit(key, 9)
        with self.assertRaises(RateLimited):
            self.check(key, 5)
        with self.assertRaises(RateLimited):
            self.Keys._authenticate(self.token_read, TEST_IP)


@tagged("post_install", "-at_install", "mcp_security")
class TestStatementTimeout(McpSecurityCase):
    def setUp(self):
        super().setUp()
        self.Keys = self.env["mcp.api.key"]
        self.env.registry.clear_cache()

    def show(self, cr=None):
        cr = cr or self.env.cr
        cr.execute("SHOW statement_timeout")
        return cr.fetchone()[0]

    def test_key_check_sets_the_statement_timeout(self):
        """Every form of the key check's statement sets it: a key counted,
        a key under its known bound, no rate limit, a refused token."""
        self.set_setting("statement_timeout_ms", 4321)
        self.Keys._authenticate_request(self.token_read, TEST_IP)  # not cached yet: counted
        self.assertEqual(self.show(), "4321ms")
        self.set_setting("statement_timeout_ms", 2500)
        self.Keys._authenticate_request(self.token_read, TEST_IP)  # cached, under its bound
        self.assertEqual(self.show(), "2500ms")
        self.set_setting("rate_limit_per_minute", 0)
        self.set_setting("statement_timeout_ms", 3000)
        self.Keys._authenticate_request(self.token_read, TEST_IP)
        self.assertEqual(self.show(), "3s")
        self.set_setting("statement_timeout_ms", 1000)
        try:  # not assertRaises: Odoo's runs the block in a savepoint, whose rollback would undo the SET LOCAL
            self.Keys._authenticate_request("mcp_00000000" + "x" * 43, TEST_IP)
        except errors.Unauthorized:
            pass
        else:
            self.fail("an unknown key was accepted")
        self.assertEqual(self.show(), "1s")

    def test_default_is_30_seconds(self):
        self.Keys._authenticate_request(self.token_read, TEST_IP)
        self.assertEqual(self.show(), "30s")

    def test_timeout_is_transaction_local(self):
        """On a connection of Odoo's pool: set by the key check, gone after
        a rollback (Odoo's retry) and after a commit: the next request on
        that connection starts from PostgreSQL's default."""
        cr = sql_db.db_connect(self.env.cr.dbname).cursor()
        try:
            default = self.show(cr)
            env = api.Environment(cr, SUPERUSER_ID, {})
            keys = env["mcp.api.key"]
            for end in (cr.rollback, cr.commit):
                keys._gate(keys._key_states(), TEST_IP, fields.Datetime.now(), statement_timeout=1500)
                self.assertEqual(self.show(cr), "1500ms")
                end()
                self.assertEqual(self.show(cr), default)
        finally:
            cr.close()

    def test_cancelled_statement_outside_tools_is_a_clean_error(self):
        """resources/read, prompts/get and completion/complete whose query
        runs past the timeout (1 s, set by the key check) ⇒ JSON-RPC -32006
        "took too long", not "Internal error"; the audit row is written and
        the transaction is usable."""
        self.set_setting("statement_timeout_ms", 1000)
        key, facts = self.Keys._authenticate_request(self.token_read, TEST_IP)
        server = self.env["mcp.server"]
        cr = self.env.cr

        def slow(*_args, **_kwargs):
            cr.execute("SELECT pg_sleep(2)")

        cases = [
            (resources, "read_resource", "resources/read", {"uri": "odoo://model/res.partner"}),
            (prompts, "get_prompt", "prompts/get", {"name": "explore_model", "arguments": {"model": "res.partner"}}),
            (completion, "complete", "completion/complete", {
                "ref": {"type": "ref/resource", "uri": resources.MODEL_TEMPLATE},
                "argument": {"name": "model", "value": "res"}}),
        ]
        for module, function, method, params in cases:
            with self.subTest(method=method), patch.object(module, function, side_effect=slow):
                ctx = McpContext(key, self.env["mcp.session"].browse(), "2025-06-18", server._settings(),
                                 "streamable_http", TEST_IP, key._mcp_env(self.env, facts))
                response = server._handle_message({"jsonrpc": "2.0", "id": 7, "method": method, "params": params},
                                                  ctx)
                self.assertEqual(response, {"jsonrpc": "2.0", "id": 7, "error": {
                    "code": errors.QUERY_CANCELLED, "message": errors.MSG_QUERY_CANCELLED}})
                cr.execute("SELECT rpc_method, outcome, error_code FROM mcp_audit_log WHERE key_id = %s "
                           "ORDER BY id DESC LIMIT 1", (key.id,))
                self.assertEqual(cr.fetchone(), (method, "error", errors.QUERY_CANCELLED))
        self.assertEqual(self.show(), "1s", "the savepoint rollback keeps the key check's setting")
