# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The worker's view of the lockouts (models/mcp_lockout_view.py): a good
key from an address locked out is refused at the next request, whichever
worker or server counted the failures, as when each check looked its
address up."""
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from ..models import mcp_lockout_view
from ..models.mcp_api_key import MSG_LOCKED_OUT
from ..models.mcp_auth_counter import KIND_IP_FAILURE
from ..protocol.errors import RateLimited
from .common import TEST_IP, McpSecurityCase


@tagged("post_install", "-at_install", "mcp_security")
class TestLockoutView(McpSecurityCase):
    def setUp(self):
        super().setUp()
        self.Keys = self.env["mcp.api.key"]
        self.env.registry.clear_cache()
        self.set_setting("rate_limit_per_minute", 0)
        self.start = fields.Datetime.now()

    def auth(self, ip):
        return self.Keys._authenticate_request(self.token_read, ip)[0]

    def assert_locked_out(self, ip):
        with self.assertRaises(RateLimited) as catcher:
            self.auth(ip)
        self.assertEqual(catcher.exception.message, MSG_LOCKED_OUT)

    def view(self):
        return self.Keys._key_states().lockouts

    def lock(self, ip, signal=True):
        """Lock ``ip`` out as another worker's failures would (a row of its
        own, committed), and signal it unless ``signal`` is False (a worker
        that died before signalling)."""
        self.env.cr.execute(
            "INSERT INTO mcp_auth_counter (kind, bucket, window_start, hits, locked_until) VALUES (%s, %s, %s, 0, %s)",
            (KIND_IP_FAILURE, ip, self.start, self.start + timedelta(minutes=10)))
        if signal:
            self.env["mcp.auth.counter"]._signal_lockouts()

    def warm(self, *ips):
        """Requests from ``ips`` that the view answers (read once, then asked)."""
        for ip in ips:
            self.assertEqual(self.auth(ip), self.key_read)
        self.assertTrue(self.view().answers(fields.Datetime.now()))

    def test_a_lockout_counted_by_another_worker_refuses_the_next_request(self):
        self.warm(TEST_IP, "198.51.100.20")
        for _i in range(2):  # the failures another worker counts: the second one locks and signals
            self.Keys._count_failure("198.51.100.21", self.start, 2, 60, 600)
        self.assert_locked_out("198.51.100.21")
        self.assertEqual(self.auth(TEST_IP), self.key_read)
        # a second later the view is read again, the lockout in it
        with freeze_time(self.start + timedelta(seconds=2)):
            self.assert_locked_out("198.51.100.21")
            self.assertIn("198.51.100.21", self.view().locked)
            self.assertEqual(self.auth(TEST_IP), self.key_read)
        # and it ends when it ends
        with freeze_time(self.start + timedelta(seconds=601)):
            self.assertEqual(self.auth("198.51.100.21"), self.key_read)

    def test_a_signalled_lockout_is_seen_on_each_path_of_the_view(self):
        """Held off (less than a second after the last read), read again,
        and answered from the view read again."""
        self.warm(TEST_IP)
        self.lock("198.51.100.22")
        self.assert_locked_out("198.51.100.22")  # looked up: the view holds off
        with freeze_time(self.start + timedelta(seconds=2)):
            self.assert_locked_out("198.51.100.22")  # the view is read again
            self.assert_locked_out("198.51.100.22")  # and answers
            self.lock("198.51.100.23")
        with freeze_time(self.start + timedelta(seconds=4)):
            self.assert_locked_out("198.51.100.23")
            self.assert_locked_out("198.51.100.22")

    def test_a_lockout_never_signalled_is_seen_once_the_view_expires(self):
        self.warm(TEST_IP)
        self.lock("198.51.100.24", signal=False)
        with freeze_time(self.start + mcp_lockout_view.VIEW_TTL + timedelta(seconds=1)):
            self.assert_locked_out("198.51.100.24")
            self.assertEqual(self.auth(TEST_IP), self.key_read)

    def test_more_addresses_locked_out_than_the_view_holds(self):
        with patch.object(mcp_lockout_view, "VIEW_SIZE", 2):
            self.warm(TEST_IP)
            locked = [f"198.51.100.{n}" for n in (30, 31, 32)]
            for ip in locked:
                self.lock(ip)
            with freeze_time(self.start + timedelta(seconds=2)):
                for ip in locked:
                    self.assert_locked_out(ip)
                self.assertIsNone(self.view().locked, "too many to hold: each check looks its address up")
                self.assertEqual(self.auth(TEST_IP), self.key_read)
            with freeze_time(self.start + timedelta(seconds=20)):
                for ip in locked:
                    self.assert_locked_out(ip)
                self.assertEqual(self.auth(TEST_IP), self.key_read)
