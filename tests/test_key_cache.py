# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The per-worker key cache (models/mcp_key_cache.py): a cached key costs
one statement, and every change an admin makes to a key, its user, the
user's contact or companies takes effect at the next request."""
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.mcp_api_key import MSG_INVALID_KEY
from ..protocol.errors import Unauthorized
from ..tools.serialize import user_tz
from .common import TEST_IP, McpSecurityCase


@tagged("post_install", "-at_install", "mcp_security")
class TestKeyCache(McpSecurityCase):
    def setUp(self):
        super().setUp()
        self.Keys = self.env["mcp.api.key"]
        self.env.registry.clear_cache()

    def auth(self, token, ip=TEST_IP):
        """``(key, env)`` of a request authenticated with ``token``."""
        key, facts = self.Keys._authenticate_request(token, ip)
        return key, key._mcp_env(self.env, facts)

    def assert_refused(self, token, ip=TEST_IP):
        try:
            self.Keys._authenticate_request(token, ip)
        except Unauthorized as error:
            self.assertEqual(error.message, MSG_INVALID_KEY)
            return
        self.fail("Unauthorized not raised")

    def cached(self, token):
        return self.Keys._key_states().get(self.Keys._digest(token))

    def test_cached_key_costs_one_statement(self):
        self.assertIsNone(self.cached(self.token_read))
        self.auth(self.token_read)
        self.assertEqual(self.cached(self.token_read)["key_id"], self.key_read.id)
        self.env.flush_all()
        with self.assertQueryCount(1):  # lockout + rate count
            key, env = self.auth(self.token_read)
        self.assertEqual((key, env.uid), (self.key_read, self.user_a.id))

    def test_uncached_key_statements(self):
        """A key not in the cache costs four statements: its lookup on the
        request cursor, the gate, the last-use stamp and the read that caches
        it (both from a fresh cursor); three once it was stamped."""
        self.auth(self.token_write)  # the settings and the HMAC key are cached
        self.env.flush_all()
        with self.assertQueryCount(4):
            self.auth(self.token_read)
        self.assertTrue(self.cached(self.token_read))
        self.Keys._key_states().clear()
        self.env.flush_all()
        with self.assertQueryCount(3):  # stamped a moment ago
            self.auth(self.token_read)
        self.assertTrue(self.cached(self.token_read))

    def test_unknown_tokens_are_not_cached(self):
        self.auth(self.token_read)
        index_only = self.token_read[:12] + "B" * 43
        for bad in (index_only, "mcp_0123abcd" + "C" * 43, "garbage"):
            self.assert_refused(bad)
        self.assertEqual(list(self.Keys._key_states().values()), [self.cached(self.token_read)])

    def test_key_changes_apply_at_once(self):
        changes = {
            "archived": lambda key: key.write({"active": False}),
            "IP whitelist": lambda key: key.write({"allowed_ips": "198.51.100.0/24"}),
            "expired": lambda key: key.write({"expiry_date": fields.Datetime.now() - timedelta(minutes=1)}),
            "revoked": lambda key: key.action_revoke(),
            "deleted": lambda key: key.unlink(),
        }
        for name, change in changes.items():
            with self.subTest(change=name):
                key, token = self.make_key(name=name)
                self.auth(token)
                self.assertTrue(self.cached(token))
                change(key)
                self.assert_refused(token)

    def test_scope_comes_with_the_key_check_and_changes_at_once(self):
        """The key check hands the guard the key's scope (no query for it),
        and a scope change clears the cache: the next request has the new one."""
        key, token = self.make_key(name="scope", scope="read")
        self.auth(token)  # cached
        self.env.invalidate_all()
        checked, env = self.auth(token)
        with self.assertQueryCount(0):
            self.assertTrue(env["mcp.guard"].is_read_only(checked))
        key.write({"scope": "write"})
        self.assertIsNone(self.cached(token))
        self.env.invalidate_all()
        checked, env = self.auth(token)
        self.assertFalse(env["mcp.guard"].is_read_only(checked))

    def test_rotation_and_grace_period(self):
        self.auth(self.token_write)
        self.key_write.rotation_grace_minutes = 5
        new_token = self.key_write._rotate()
        self.assertIsNone(self.cached(self.token_write), "rotation clears the cache")
        self.assertEqual(self.auth(self.token_write)[0], self.key_write)
        self.assertEqual(self.auth(new_token)[0], self.key_write)
        self.assertTrue(self.cached(self.token_write) and self.cached(new_token))
        with freeze_time(fields.Datetime.now() + timedelta(minutes=6)):
            self.assert_refused(self.token_write)
            self.assertEqual(self.auth(new_token)[0], self.key_write)
        self.key_write.rotation_grace_minutes = 0
        newest = self.key_write._rotate()
        self.assert_refused(new_token)
        self.assertEqual(self.auth(newest)[0], self.key_write)

    def test_expiry_checked_on_every_request(self):
        self.key_read.expiry_date = fields.Datetime.now() + timedelta(hours=1)
        self.auth(self.token_read)
        self.assertTrue(self.cached(self.token_read))
        with freeze_time(fields.Datetime.now() + timedelta(hours=2)):
            self.assert_refused(self.token_read)

    def test_ip_whitelist_checked_on_every_request(self):
        self.key_read.allowed_ips = "198.51.100.0/24"
        self.auth(self.token_read, "198.51.100.7")
        self.assertTrue(self.cached(self.token_read))
        self.assert_refused(self.token_read, "198.51.101.7")

    def test_user_changes_apply_at_once(self):
        self.auth(self.token_ab)
        self.user_ab.company_ids = [(3, self.company_b.id)]
        self.assertEqual(self.auth(self.token_ab)[1].context["allowed_company_ids"], [self.company_a.id])
        self.user_ab.tz = "Europe/Brussels"
        self.assertEqual(self.auth(self.token_ab)[1].context["tz"], "Europe/Brussels")
        self.user_ab.partner_id.tz = "Asia/Tokyo"  # on the contact, not the user
        self.assertEqual(self.auth(self.token_ab)[1].context["tz"], "Asia/Tokyo")
        self.user_ab.active = False
        self.assert_refused(self.token_ab)

    def test_a_user_without_a_time_zone_is_in_utc_at_no_cost(self):
        """Odoo takes a user without a time zone as UTC; the key user's
        environment says so, so the tools that report the time zone (every
        search_read) read neither the user nor the contact for it."""
        self.user_ab.partner_id.tz = False
        key, env = self.auth(self.token_ab)
        self.assertEqual(env.context["tz"], "UTC")
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(0):
            self.assertEqual(user_tz(env), "UTC")

    def assert_write_clears(self, token, write):
        """``write()`` drops the cached state of ``token`` (the next request
        reads it again), now and again after the commit (the clear of
        ``_invalidate_key_states`` that drops a concurrent stale fill), and
        returns the env of that next request."""
        self.auth(token)
        self.assertTrue(self.cached(token))
        self.env.cr.postcommit.data.pop("mcp_key_states", None)
        write()
        self.assertIsNone(self.cached(token), "the write clears the key cache")
        self.assertTrue(self.env.cr.postcommit.data.get("mcp_key_states"), "and again after the commit")
        return self.auth(token)[1]

    def test_user_lang_and_company_changes_clear_the_cache(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        env = self.assert_write_clears(self.token_ab, lambda: setattr(self.user_ab, "lang", "fr_FR"))
        self.assertEqual(env.context["lang"], "fr_FR")
        self.assertEqual(env.lang, "fr_FR")
        env = self.assert_write_clears(self.token_ab, lambda: setattr(self.user_ab, "company_id", self.company_b))
        self.assertEqual(env.context["allowed_company_ids"][0], self.company_b.id, "the new main company first")
        self.assertEqual(env.company, self.company_b)

    def test_contact_lang_and_tz_changes_clear_the_cache(self):
        """Odoo clears its own caches for a user's lang/tz written on the
        user, not on its contact: the partner override must."""
        self.env["res.lang"]._activate_lang("fr_FR")
        partner = self.user_ab.partner_id
        env = self.assert_write_clears(self.token_ab, lambda: partner.write({"tz": "America/Lima"}))
        self.assertEqual(env.context["tz"], "America/Lima")
        env = self.assert_write_clears(self.token_ab, lambda: partner.write({"lang": "fr_FR"}))
        self.assertEqual(env.context["lang"], "fr_FR")

    def test_company_archive_clears_the_cache(self):
        company_c = self.env["res.company"].create({"name": "MCP Company C"})
        self.user_ab.company_ids = [(4, company_c.id)]
        env = self.assert_write_clears(self.token_ab, lambda: company_c.write({"active": False}))
        self.assertNotIn(company_c.id, env.context["allowed_company_ids"])

    def test_key_companies_and_archived_company(self):
        company_c = self.env["res.company"].create({"name": "MCP Company C"})
        self.user_ab.company_ids = [(4, company_c.id)]
        all_three = sorted((self.company_a | self.company_b | company_c).ids)
        self.assertEqual(sorted(self.auth(self.token_ab)[1].context["allowed_company_ids"]), all_three)
        self.key_ab.company_ids = self.company_b
        self.assertEqual(self.auth(self.token_ab)[1].context["allowed_company_ids"], [self.company_b.id])
        self.key_ab.company_ids = [(5, 0, 0)]
        self.assertEqual(sorted(self.auth(self.token_ab)[1].context["allowed_company_ids"]), all_three)
        company_c.active = False
        env = self.auth(self.token_ab)[1]
        self.assertEqual(sorted(env.context["allowed_company_ids"]), sorted((self.company_a | self.company_b).ids))
        self.assertEqual(env.companies, self.company_a | self.company_b, "an archived company is not offered")

    def test_company_paths_come_with_the_key(self):
        """Odoo's partner rule (``company_id parent_of company_ids``) reads the
        key companies' ``parent_path``: it comes with the cached key state
        instead of a fetch of every column of those companies. A company's
        path cannot change: Odoo refuses to give it another parent."""
        parent = self.env["res.company"].create({"name": "MCP Holding"})
        child = self.env["res.company"].create({"name": "MCP Subsidiary", "parent_id": parent.id})
        self.user_ab.company_ids = [(4, parent.id), (4, child.id)]
        self.key_ab.company_ids = child
        holding_contact = self.env["res.partner"].create({"name": "Holding contact", "company_id": parent.id})
        other_contact = self.env["res.partner"].create({"name": "Company B contact", "company_id": self.company_b.id})
        self.env.flush_all()
        self.auth(self.token_ab)[1]["res.partner"].search([])  # Odoo's caches of rules and groups
        self.env.invalidate_all()  # a new request: no company in the record cache
        env = self.auth(self.token_ab)[1]
        self.assertEqual(env.companies, child)
        Partner = env["res.partner"]
        with self.assertQueryCount(1):  # the search only
            self.assertEqual(Partner.search([("id", "in", (holding_contact | other_contact).ids)]), holding_contact,
                             "a parent company's contact is visible from its subsidiary, another company's is not")
        with self.assertRaises(UserError):
            child.parent_id = False

    def test_stale_fill_is_dropped_after_commit(self):
        """A thread that read the key before a revocation committed may fill
        the cache between the revocation's write and its commit: the clear
        after the commit drops that entry."""
        self.auth(self.token_read)
        stale = dict(self.cached(self.token_read))
        self.key_read.action_revoke()
        states = self.Keys._key_states()
        states[self.Keys._digest(self.token_read)] = stale  # the concurrent fill
        self.assertIs(self.Keys._key_states(), states)
        self.env.cr.postcommit.run()
        self.assertNotIn(self.Keys._digest(self.token_read), self.Keys._key_states())
        self.assert_refused(self.token_read)

    def test_other_writes_keep_the_cache(self):
        self.auth(self.token_read)
        self.key_read.name = "renamed"
        self.user_a.partner_id.phone = "+32 2 000 00 00"
        self.env["res.partner"].create({"name": "Someone"}).lang = "en_US"
        self.assertTrue(self.cached(self.token_read))
