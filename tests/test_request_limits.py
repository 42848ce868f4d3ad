# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Limits of one MCP request beyond the key check: the rate-limit budget of
a JSON-RPC batch (every request of it counts)."""
from odoo.tests import tagged

from ..models.mcp_api_key import MSG_RATE_LIMITED
from ..models.mcp_api_key_auth import MSG_BATCH_OVER_RATE_LIMIT
from ..protocol import errors
from ..protocol.errors import InvalidRequest, RateLimited
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
