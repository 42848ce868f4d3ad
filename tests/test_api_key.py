# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from ..models.mcp_api_key import (
    MSG_INVALID_KEY, MSG_LOCKED_OUT, MSG_RATE_LIMITED, TOKEN_RE, ip_allowed, parse_networks, token_digest,
)
from ..protocol.errors import RATE_LIMITED, UNAUTHORIZED, RateLimited, Unauthorized
from .common import TEST_IP, McpSecurityCase


@tagged("post_install", "-at_install", "mcp_security")
class TestApiKey(McpSecurityCase):
    def authenticate(self, token, ip=TEST_IP):
        """Authenticate like a request does, then write the request's audit
        row (which the rate limit counts)."""
        key = self.env["mcp.api.key"]._authenticate(token, ip)
        self.env["mcp.audit.log"].sudo()._record({
            "key_id": key.id, "user_id": key.user_id.id, "ip": ip, "transport": "streamable_http",
            "rpc_method": "ping", "outcome": "ok"})
        return key

    def assert_unauthorized(self, token, ip=TEST_IP):
        # not self.assertRaises: Odoo's version rolls back a savepoint, which
        # would also undo the failure counter (committed in production)
        try:
            self.authenticate(token, ip)
        except Unauthorized as error:
            self.assertEqual(error.message, MSG_INVALID_KEY)
            self.assertEqual(error.code, UNAUTHORIZED)
            self.assertEqual(error.http_status, 401)
            return error
        self.fail("Unauthorized not raised")

    # ------------------------------------------------------------------
    # token format and storage
    # ------------------------------------------------------------------
    def test_token_format(self):
        key, token = self.make_key(name="format")
        self.assertRegex(token, TOKEN_RE)
        self.assertTrue(token.startswith("mcp_"))
        self.assertGreaterEqual(len(token) - 12, 43, "at least 32 random bytes, base64url")
        self.assertEqual(key.sudo().key_index, token[4:12])
        self.assertEqual(key.token_hint, f"mcp_{token[4:12]}…")
        _key2, token2 = self.make_key(name="format 2")
        self.assertNotEqual(token, token2)

    def test_token_shown_once_only_digest_stored(self):
        key, token = self.make_key(name="secret")
        secret_part = token[12:]
        self.env.flush_all()
        # no text column of the database holds the token or its secret part
        self.env.cr.execute("""
            SELECT c.table_name, c.column_name FROM information_schema.columns c
              JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema
             WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
               AND c.data_type IN ('character varying', 'text', 'jsonb')
        """)
        columns = self.env.cr.fetchall()
        self.assertTrue(columns)
        hits = []
        for table, column in columns:
            self.env.cr.execute(
                f'SELECT 1 FROM "{table}" WHERE "{column}"::text LIKE %s LIMIT 1', (f"%{secret_part}%",))
            if self.env.cr.fetchone():
                hits.append((table, column))
        self.assertEqual(hits, [], "the plaintext token must not be stored anywhere")
        # the stored digest is not the token and is an HMAC-SHA256 (64 hex)
        digest = key.sudo().key_digest
        self.assertRegex(digest, r"^[0-9a-f]{64}$")
        self.assertNotIn(secret_part, digest)
        self.assertEqual(self.authenticate(token), key)

    def test_digest_fields_unreadable(self):
        key = self.key_read
        # not even an MCP manager reads the digest
        with self.assertRaises(AccessError):
            key.with_user(self.env.ref("base.user_admin")).read(["key_digest"])
        # the key's own user cannot read keys at all
        with self.assertRaises(AccessError):
            key.with_user(self.user_a).read(["name"])
        with self.assertRaises(AccessError):
            key.with_user(self.user_a).read(["key_index"])
        self.assertNotIn("key_digest", key.with_user(self.env.ref("base.user_admin")).fields_get())

    def test_secret_fields_not_writable(self):
        admin_keys = self.env["mcp.api.key"].with_user(self.env.ref("base.user_admin"))
        with self.assertRaises(AccessError):
            admin_keys.browse(self.key_read.id).write({"key_index": "deadbeef"})
        with self.assertRaises(AccessError):
            admin_keys.create({"name": "x", "user_id": self.user_a.id, "key_digest": "0" * 64})

    def test_only_managers_manage_keys(self):
        with self.assertRaises(AccessError):
            self.env["mcp.api.key"].with_user(self.user_a)._generate_key({"name": "mine", "user_id": self.user_a.id})
        with self.assertRaises(AccessError):
            self.env["mcp.api.key"].with_user(self.user_a).search([])
        manager = self.env.ref("base.user_admin")
        self.assertTrue(manager.has_group("mcp_bridge.group_mcp_manager"))
        key, token = self.env["mcp.api.key"].with_user(manager)._generate_key({"name": "m", "user_id": self.user_a.id})
        self.assertEqual(self.authenticate(token), key)

    def test_generate_is_private(self):
        # Odoo refuses RPC calls of methods starting with "_"
        from odoo.models import check_method_name
        with self.assertRaises(AccessError):
            check_method_name("_generate_key")

    def test_wizard_shows_token_without_storing_it(self):
        wizard = self.env["mcp.api.key.wizard"].create({
            "name": "from wizard", "user_id": self.user_a.id, "scope": "write",
        })
        action = wizard.action_generate()
        token = action["context"]["default_token"]
        self.assertEqual(action["res_model"], "mcp.api.key.show")
        key = self.authenticate(token)
        self.assertEqual(key.name, "from wizard")
        self.assertEqual(key.scope, "write")
        self.env.cr.execute("SELECT count(*) FROM mcp_api_key_wizard WHERE name::text LIKE %s", (f"%{token}%",))
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    def test_both_wizards_generate_keys_alike(self):
        """The key wizard and the Connect wizard create keys through one
        method: the same fields, the values the admin chose."""
        expiry = fields.Datetime.now() + timedelta(days=3)
        company = self.user_a.company_id
        action = self.env["mcp.api.key.wizard"].create({
            "name": "key wizard", "user_id": self.user_a.id, "scope": "write", "expiry_date": expiry,
            "allowed_ips": TEST_IP, "company_ids": [fields.Command.set(company.ids)],
        }).action_generate()
        from_key_wizard = self.authenticate(action["context"]["default_token"])
        connect = self.env["mcp.connect.wizard"].create({
            "key_mode": "new", "name": "connect wizard", "user_id": self.user_a.id, "scope": "write",
            "expiry_date": expiry})
        connect.action_generate_key()
        from_connect = connect.key_id.sudo()
        same = ("user_id", "scope", "expiry_date", "active")
        self.assertEqual([from_key_wizard[f] for f in same], [from_connect[f] for f in same])
        self.assertEqual((from_key_wizard.scope, from_key_wizard.expiry_date), ("write", expiry.replace(microsecond=0)))
        self.assertEqual((from_key_wizard.allowed_ips, from_key_wizard.company_ids), (TEST_IP, company))
        self.assertEqual((from_connect.name, from_connect.allowed_ips, from_connect.company_ids),
                         ("connect wizard", False, self.env["res.company"]))
        self.assertEqual(self.env["mcp.audit.log"].sudo().search_count([
            ("key_id", "in", (from_key_wizard | from_connect).ids), ("rpc_method", "=", "key/generate")]), 2)

    def test_one_digest_function(self):
        """The stored digest, the key model's and the cache's are one function."""
        Key = self.env["mcp.api.key"]
        key, token = Key._generate_key({"name": "digest", "user_id": self.user_a.id})
        digest = key.sudo().key_digest
        self.assertEqual(token_digest(Key._digest_key(), token), digest)
        self.assertEqual(Key._digest(token), digest)
        self.assertEqual(Key._key_states().digest(token), digest)
        self.assertNotEqual(token_digest(b"another secret", token), digest)

    def test_copy_refused(self):
        with self.assertRaises(UserError):
            self.key_read.copy()

    # ------------------------------------------------------------------
    # authentication
    # ------------------------------------------------------------------
    def test_authenticate_ok_returns_sudo_key(self):
        key = self.authenticate(self.token_read)
        self.assertEqual(key, self.key_read)
        self.assertTrue(key.env.su)

    def test_authenticate_failures_same_message(self):
        index_only = self.token_read[:12] + "A" * 43
        for bad in (None, "", "Bearer", "mcp_", self.token_read[:-1], self.token_read + "x",
                    self.token_read.upper(), index_only, "x" * 55, 42):
            self.assert_unauthorized(bad)

    def test_inactive_key(self):
        self.key_read.active = False
        self.assert_unauthorized(self.token_read)
        self.key_read.active = True
        self.assertEqual(self.authenticate(self.token_read), self.key_read)

    def test_archived_user(self):
        self.user_a.active = False
        self.assert_unauthorized(self.token_read)

    def test_expiry(self):
        self.key_read.expiry_date = fields.Datetime.now() + timedelta(hours=1)
        self.assertEqual(self.authenticate(self.token_read), self.key_read)
        self.assertEqual(self.key_read.state, "active")
        with freeze_time(fields.Datetime.now() + timedelta(hours=2)):
            self.assert_unauthorized(self.token_read)
            self.key_read.invalidate_recordset(["state"])
            self.assertEqual(self.key_read.state, "expired")

    def test_revoke_immediate(self):
        self.assertEqual(self.authenticate(self.token_write), self.key_write)
        self.key_write.action_revoke()
        self.assert_unauthorized(self.token_write)
        self.assertEqual(self.key_write.state, "revoked")
        self.assertFalse(self.key_write.sudo().key_digest)
        with self.assertRaises(UserError):
            self.key_write.active = True
        with self.assertRaises(UserError):
            self.key_write._rotate()

    def test_rotate_kills_old_token(self):
        new_token = self.key_write._rotate()
        self.assertNotEqual(new_token, self.token_write)
        self.assert_unauthorized(self.token_write)
        self.assertEqual(self.authenticate(new_token), self.key_write)
        action = self.key_write.action_rotate()
        newest = action["context"]["default_token"]
        self.assert_unauthorized(new_token)
        self.assertEqual(self.authenticate(newest), self.key_write)

    def test_rotate_grace_period(self):
        self.key_write.rotation_grace_minutes = 10
        new_token = self.key_write._rotate()
        self.assertEqual(self.authenticate(self.token_write), self.key_write)
        self.assertEqual(self.authenticate(new_token), self.key_write)
        with freeze_time(fields.Datetime.now() + timedelta(minutes=11)):
            self.assert_unauthorized(self.token_write)
            self.assertEqual(self.authenticate(new_token), self.key_write)

    def test_key_events_audited(self):
        key, _token = self.make_key(name="audited")
        key._rotate()
        key.action_revoke()
        logs = self.env["mcp.audit.log"].search([("key_id", "=", key.id)], order="id")
        self.assertEqual(logs.mapped("rpc_method"), ["key/generate", "key/rotate", "key/revoke"])

    # ------------------------------------------------------------------
    # IP whitelist
    # ------------------------------------------------------------------
    def test_parse_networks(self):
        nets = parse_networks("10.0.0.0/8, 192.0.2.5\n2001:db8::/32 ::1")
        self.assertEqual(len(nets), 4)
        self.assertTrue(ip_allowed("10.1.2.3", nets))
        self.assertTrue(ip_allowed("192.0.2.5", nets))
        self.assertFalse(ip_allowed("192.0.2.6", nets))
        self.assertTrue(ip_allowed("2001:db8:1::42", nets))
        self.assertFalse(ip_allowed("2001:db9::1", nets))
        self.assertTrue(ip_allowed("::ffff:10.9.9.9", nets), "IPv4-mapped IPv6 matches IPv4 networks")
        self.assertFalse(ip_allowed("not an ip", nets))
        mapped = parse_networks("::ffff:192.0.2.0/120, ::ffff:198.51.100.7")
        self.assertTrue(ip_allowed("192.0.2.77", mapped), "IPv4-mapped entries match IPv4 clients")
        self.assertTrue(ip_allowed("::ffff:192.0.2.5", mapped))
        self.assertTrue(ip_allowed("198.51.100.7", mapped))
        self.assertFalse(ip_allowed("198.51.100.8", mapped))
        self.assertFalse(ip_allowed("192.0.3.1", mapped))
        self.assertFalse(ip_allowed("", nets))
        with self.assertRaises(ValueError):
            parse_networks("10.0.0.0/33")

    def test_ip_whitelist_ipv4(self):
        self.key_read.allowed_ips = "198.51.100.0/24"
        self.assertEqual(self.authenticate(self.token_read, "198.51.100.77"), self.key_read)
        self.assert_unauthorized(self.token_read, "198.51.101.1")
        self.assert_unauthorized(self.token_read, "")

    def test_ip_whitelist_ipv6(self):
        self.key_read.allowed_ips = "2001:db8:abcd::/48\n192.0.2.1"
        self.assertEqual(self.authenticate(self.token_read, "2001:db8:abcd:12::1"), self.key_read)
        self.assertEqual(self.authenticate(self.token_read, "192.0.2.1"), self.key_read)
        self.assert_unauthorized(self.token_read, "2001:db8:abce::1")

    def test_ip_whitelist_validation(self):
        with self.assertRaises(ValidationError):
            self.key_read.allowed_ips = "300.1.1.1"
        with self.assertRaises(ValidationError):
            self.key_read.allowed_ips = "2001:db8::/129"

    # ------------------------------------------------------------------
    # lockout and rate limit
    # ------------------------------------------------------------------
    def test_lockout_after_failures_even_with_good_key_then_recovery(self):
        self.set_setting("lockout_threshold", 3)
        self.set_setting("lockout_window", 60)
        self.set_setting("lockout_duration", 120)
        ip = "198.51.100.9"
        for _i in range(3):
            self.assert_unauthorized("mcp_0000000" + "x" * 44, ip)
        with self.assertRaises(RateLimited) as catcher:
            self.authenticate(self.token_read, ip)
        error = catcher.exception
        self.assertEqual(error.message, MSG_LOCKED_OUT)
        self.assertEqual(error.code, RATE_LIMITED)
        self.assertEqual(error.http_status, 429)
        self.assertTrue(0 < error.retry_after <= 120)
        self.assertEqual(error.data["retryAfter"], error.retry_after)
        # another IP is not affected
        self.assertEqual(self.authenticate(self.token_read, "198.51.100.10"), self.key_read)
        # after the lockout, the good key works again: the lockout row is
        # still there, its time has passed (each path of the gate: the rate
        # limit counted, within its remembered bound, and off)
        with freeze_time(fields.Datetime.now() + timedelta(seconds=121)):
            self.assertEqual(self.authenticate(self.token_read, ip), self.key_read)
            self.assertEqual(self.authenticate(self.token_read, ip), self.key_read)
            self.set_setting("rate_limit_per_minute", 0)
            self.assertEqual(self.authenticate(self.token_read, ip), self.key_read)

    def test_failures_outside_window_do_not_lock(self):
        self.set_setting("lockout_threshold", 3)
        self.set_setting("lockout_window", 60)
        ip = "198.51.100.11"
        start = fields.Datetime.now()
        for offset in (0, 50, 120, 170):  # never 3 failures within 60 s
            with freeze_time(start + timedelta(seconds=offset)):
                self.assert_unauthorized("garbage", ip)
        with freeze_time(start + timedelta(seconds=171)):
            self.assertEqual(self.authenticate(self.token_read, ip), self.key_read)

    def test_rate_limit(self):
        self.set_setting("rate_limit_per_minute", 3)
        start = fields.Datetime.now()
        with freeze_time(start):
            for _i in range(3):
                self.authenticate(self.token_read)
            with self.assertRaises(RateLimited) as catcher:
                self.authenticate(self.token_read)
            self.assertEqual(catcher.exception.message, MSG_RATE_LIMITED)
            self.assertTrue(1 <= catcher.exception.retry_after <= 60)
            # another key has its own budget
            self.assertEqual(self.authenticate(self.token_write), self.key_write)
        with freeze_time(start + timedelta(seconds=61)):
            self.assertEqual(self.authenticate(self.token_read), self.key_read)

    def test_rate_limit_off(self):
        self.set_setting("rate_limit_per_minute", 3)
        for _i in range(3):
            self.authenticate(self.token_read)
        with self.assertRaises(RateLimited):
            self.authenticate(self.token_read)
        self.set_setting("rate_limit_per_minute", 0)
        for _i in range(5):
            self.assertEqual(self.authenticate(self.token_read), self.key_read)

    def test_rate_limit_counts_only_the_keys_requests(self):
        """Key-management audit rows (no transport) and other keys' requests
        are not counted."""
        self.set_setting("rate_limit_per_minute", 2)
        self.key_read._rotate()  # an audit row of the key, not a request
        token = self.key_read._rotate()
        for _i in range(2):
            self.authenticate(self.token_write)
        self.assertEqual(self.authenticate(token), self.key_read)
        self.assertEqual(self.authenticate(token), self.key_read)
        with self.assertRaises(RateLimited):
            self.authenticate(token)

    def test_last_used_throttled(self):
        start = fields.Datetime.now().replace(microsecond=0)
        with freeze_time(start):
            self.authenticate(self.token_read, "192.0.2.10")
        self.assertEqual(self.key_read.last_used_at, start)
        self.assertEqual(self.key_read.last_used_ip, "192.0.2.10")
        with freeze_time(start + timedelta(seconds=30)):
            self.authenticate(self.token_read, "192.0.2.11")
        self.key_read.invalidate_recordset()
        self.assertEqual(self.key_read.last_used_at, start, "no write within 60 s")
        with freeze_time(start + timedelta(seconds=61)):
            self.authenticate(self.token_read, "192.0.2.12")
        self.key_read.invalidate_recordset()
        self.assertEqual(self.key_read.last_used_at, start + timedelta(seconds=61))
        self.assertEqual(self.key_read.last_used_ip, "192.0.2.12")

    def test_last_used_filters_and_cleanup(self):
        Keys = self.env["mcp.api.key"].with_context(active_test=False)
        key, token = self.make_key(name="usage")
        self.assertIn(key, Keys.search([("last_used_at", "=", False)]))
        start = fields.Datetime.now().replace(microsecond=0)
        with freeze_time(start):
            self.authenticate(token, "192.0.2.20")
        key.invalidate_recordset()
        self.assertEqual((key.last_used_at, key.last_used_ip), (start, "192.0.2.20"))
        self.assertNotIn(key, Keys.search([("last_used_at", "=", False)]))
        self.assertIn(key, Keys.search([("last_used_at", "!=", False)]))
        self.assertIn(key, Keys.search([("last_used_at", ">=", start - timedelta(minutes=1))]))
        self.assertNotIn(key, Keys.search([("last_used_at", "<", start)]))
        key_id = key.id
        key.unlink()
        self.env.cr.execute("SELECT count(*) FROM mcp_key_usage WHERE key_id = %s", (key_id,))
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    def test_mcp_env_from_key_check_equals_fallback_query(self):
        self.key_read.company_ids = self.company_a
        key, facts = self.env["mcp.api.key"]._authenticate_request(self.token_read, TEST_IP)
        from_check = key._mcp_env(self.env, facts)
        alone = key._mcp_env(self.env)
        self.assertEqual((from_check.uid, dict(from_check.context)), (alone.uid, dict(alone.context)))
        self.assertEqual(from_check.context["allowed_company_ids"], [self.company_a.id])

    # ------------------------------------------------------------------
    # environment of the key
    # ------------------------------------------------------------------
    def test_mcp_env(self):
        env = self.key_read._mcp_env(self.env)
        self.assertEqual(env.uid, self.user_a.id)
        self.assertFalse(env.su)
        self.assertEqual(env.context["allowed_company_ids"], [self.company_a.id])
        env_ab = self.key_ab._mcp_env(self.env)
        self.assertEqual(sorted(env_ab.context["allowed_company_ids"]), sorted((self.company_a | self.company_b).ids))
        self.assertEqual(env_ab.context["allowed_company_ids"][0], self.user_ab.company_id.id)
        key_b_only, _token = self.make_key(name="b only", user_id=self.user_ab.id, company_ids=[(6, 0, self.company_b.ids)])
        self.assertEqual(key_b_only._mcp_env(self.env).context["allowed_company_ids"], [self.company_b.id])
        self.assertEqual(key_b_only._mcp_env(self.env).company, self.company_b)

    def test_company_subset_constraint(self):
        with self.assertRaises(ValidationError):
            self.make_key(name="bad companies", user_id=self.user_a.id, company_ids=[(6, 0, self.company_b.ids)])

    def test_superuser_refused(self):
        with self.assertRaises(ValidationError):
            self.make_key(name="root", user_id=1)

    def test_rate_limit_counts_only_when_the_key_may_be_near_it(self):
        """Each worker remembers a key's last count and the newest audit id
        then: while that count plus every request audited since stays under
        the limit, the check needs no count (one statement); past that, it
        counts, and the limit holds exactly."""
        self.set_setting("rate_limit_per_minute", 4)
        Keys = self.env["mcp.api.key"]
        self.authenticate(self.token_read)  # counted: 0 so far
        self.env.flush_all()
        with self.assertQueryCount(2):  # key check (one statement) + the audit row
            self.authenticate(self.token_read)
        for _i in range(2):  # requests of another key also count towards the bound
            self.authenticate(self.token_write)
        with self.assertQueryCount(3):  # 1 + 3 audited since >= 4: the key check counts
            self.authenticate(self.token_read)
        self.assertEqual(Keys._key_states().rate_bounds[self.key_read.id][0], 2)
        self.authenticate(self.token_read)
        with self.assertRaises(RateLimited):
            self.authenticate(self.token_read)
        self.assertEqual(self.authenticate(self.token_write), self.key_write)
