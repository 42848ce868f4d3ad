# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""OAuth grants are credentials of the key check: an access token
authenticates as its grant's backing key, until it expires or is revoked;
secrets are stored as digests only; users revoke their own grants."""
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tools.safe_eval import safe_eval

from ..models.mcp_api_key import MSG_INVALID_KEY
from ..models.mcp_guard_rules import ALWAYS_BLOCKED_MODELS
from ..models.mcp_oauth_client import redirect_uri_matches, redirect_uri_problem
from ..protocol import errors
from .common import TEST_IP, McpSecurityCase
from .oauth_common import issue_access_token, make_client, make_grant


class TestOauthModels(McpSecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client = make_client(cls.env)
        cls.grant = make_grant(cls.env, cls.client, cls.user_a, scope="read")

    def authenticate(self, token):
        return self.env["mcp.api.key"].sudo()._authenticate_request(token, TEST_IP)

    def assertRefused(self, token):
        with self.assertRaises(errors.Unauthorized) as caught:
            self.authenticate(token)
        self.assertEqual(caught.exception.message, MSG_INVALID_KEY)

    def test_consent_creates_a_backing_key(self):
        key = self.grant.key_id
        self.assertEqual((key.user_id, key.scope, key.oauth_grant_id), (self.user_a, "read", self.grant))
        self.assertEqual(key.name, "OAuth: Test App")
        self.assertFalse(key.sudo().key_digest, "the backing key has no token of its own")
        self.assertEqual(self.grant._scopes(), ["mcp:read"])
        with self.assertRaises(UserError):
            key._rotate()

    def test_api_keys_menu_lists_no_grant_keys(self):
        """*MCP Server → API Keys* lists the keys an admin made; the keys
        behind OAuth grants are managed under Connected Apps."""
        action = self.env.ref("mcp_bridge.action_mcp_api_key")
        listed = self.env["mcp.api.key"].with_context(active_test=False).search(safe_eval(action.domain or "[]"))
        self.assertNotIn(self.grant.key_id, listed)
        self.assertIn(self.key_write, listed)

    def test_access_token_authenticates_as_the_grant_key(self):
        _row, token = issue_access_token(self.env, self.grant)
        key, facts = self.authenticate(token)
        self.assertEqual(key, self.grant.key_id)
        self.assertEqual(facts["user_id"], self.user_a.id)
        self.assertEqual(key._mcp_env(self.env, facts).uid, self.user_a.id)
        # cached now: the same answer again
        self.assertEqual(self.authenticate(token)[0], self.grant.key_id)

    def test_expired_revoked_and_unknown_tokens_are_refused(self):
        row, token = issue_access_token(self.env, self.grant)
        self.authenticate(token)  # cached
        with patch.object(fields.Datetime, "now", return_value=row.expires_at + timedelta(seconds=1)):
            self.assertRefused(token)
        row.sudo().write({"revoked_at": fields.Datetime.now()})
        self.assertRefused(token)
        self.assertRefused("mcpat_" + "x" * 43)
        self.assertRefused("mcpat_short")

    def test_revoked_grant_and_archived_user_stop_tokens(self):
        _row, token = issue_access_token(self.env, self.grant)
        self.authenticate(token)
        self.user_a.active = False
        self.assertRefused(token)
        self.user_a.active = True
        self.authenticate(token)
        self.grant.action_revoke()
        self.assertRefused(token)
        self.assertTrue(self.grant.key_id.revoked_at)
        self.assertTrue(all(t.revoked_at for t in self.grant.sudo().token_ids))
        self.assertEqual(self.grant.state, "revoked")

    def test_archiving_the_client_revokes_its_grants(self):
        _row, token = issue_access_token(self.env, self.grant)
        self.authenticate(token)  # cached
        self.client.active = False
        self.assertRefused(token)
        self.assertEqual(self.grant.state, "revoked")
        self.assertTrue(self.grant.key_id.revoked_at)

    def test_refresh_token_is_no_bearer(self):
        Tokens = self.env["mcp.oauth.token"]
        secret = Tokens._new_secret("refresh")
        Tokens._issue("refresh", secret, self.grant, 3600)
        self.assertRefused(secret)

    def test_secrets_are_stored_as_digests(self):
        row, token = issue_access_token(self.env, self.grant)
        secret = self.client._generate_secret()
        self.assertTrue(self.client._check_secret(secret))
        self.assertFalse(self.client._check_secret(secret + "x"))
        self.assertFalse(self.client._check_secret(""))
        self.env.flush_all()
        for table in ("mcp_oauth_token", "mcp_oauth_client", "mcp_oauth_grant", "mcp_api_key"):
            self.env.cr.execute(f"SELECT t::text FROM {table} t")
            dump = " ".join(r[0] for r in self.env.cr.fetchall())
            self.assertNotIn(token, dump)
            self.assertNotIn(secret, dump)
        self.assertEqual(self.env["mcp.oauth.token"]._lookup("access", token), row)
        self.assertFalse(self.env["mcp.oauth.token"]._lookup("refresh", token))

    def test_users_see_and_revoke_their_own_grants_only(self):
        other = make_grant(self.env, self.client, self.user_b)
        Grants = self.env["mcp.oauth.grant"].with_user(self.user_a)
        self.assertEqual(Grants.search([]), self.grant)
        with self.assertRaises(AccessError):
            other.with_user(self.user_a).action_revoke()
        with self.assertRaises(AccessError):
            self.grant.with_user(self.user_a).write({"resource": "https://evil.example/mcp"})
        self.grant.with_user(self.user_a).action_revoke()
        self.assertTrue(self.grant.revoked_at)
        self.assertFalse(other.revoked_at)

    def test_codes_and_tokens_are_issued_by_the_server_only(self):
        with self.assertRaises(AccessError):
            self.env["mcp.oauth.token"].with_user(self.user_a).create({
                "kind": "access", "grant_id": self.grant.id, "token_digest": "x", "expires_at": fields.Datetime.now()})
        with self.assertRaises(AccessError):
            self.env["mcp.oauth.client"].with_user(self.env.ref("base.user_admin")).create({"name": "x", "redirect_uris": "https://claude.ai/cb",
                                                 "secret_digest": "chosen"})

    def test_autovacuum_deletes_expired_rows(self):
        row, _token = issue_access_token(self.env, self.grant, ttl=60)
        live, _token2 = issue_access_token(self.env, self.grant)
        row.sudo().write({"expires_at": fields.Datetime.now() - timedelta(days=2)})
        self.env["mcp.oauth.token"]._gc_expired()
        self.assertFalse(row.exists())
        self.assertTrue(live.exists())

    def test_autovacuum_deletes_grants_whose_code_was_never_exchanged(self):
        """A consent whose code never came back leaves nothing an hour later:
        grant, backing key and code are deleted; grants that got tokens, and
        recent consents, stay."""
        Tokens = self.env["mcp.oauth.token"]
        unused = make_grant(self.env, self.client, self.user_a)
        code = Tokens._issue("code", "never-exchanged-code", unused, 60, redirect_uri="https://claude.ai/cb")
        exchanged = make_grant(self.env, self.client, self.user_a)
        exchanged.sudo().write({"exchanged_at": fields.Datetime.now()})
        with_tokens = make_grant(self.env, self.client, self.user_a)  # tokens, no exchange stamp
        issue_access_token(self.env, with_tokens)
        recent = make_grant(self.env, self.client, self.user_a)  # its code may still come
        old = unused | exchanged | with_tokens
        self.env.flush_all()
        self.env.cr.execute("UPDATE mcp_oauth_grant SET create_date = create_date - interval '2 hours' "
                            "WHERE id IN %s", [tuple(old.ids)])
        self.env["mcp.oauth.grant"].invalidate_model(["create_date"])
        key = unused.key_id
        self.assertEqual(self.env["mcp.oauth.grant"]._gc_unused_grants(), 1)
        self.assertFalse(unused.exists() or key.exists() or code.exists())
        self.assertEqual((exchanged | with_tokens | recent | self.grant).exists(), exchanged | with_tokens | recent | self.grant)

    def test_oauth_models_are_always_blocked(self):
        for name in ("mcp.oauth.client", "mcp.oauth.grant", "mcp.oauth.token"):
            self.assertIn(name, ALWAYS_BLOCKED_MODELS)
            with self.assertRaises(errors.McpAccessDenied):
                self.guard_for(self.key_write).check_model(name, "read", self.key_write)

    def test_redirect_uri_rules(self):
        registered = "https://claude.ai/api/mcp/auth_callback"
        self.assertTrue(redirect_uri_matches(registered, registered))
        for trick in (registered + "x", registered + "/", registered[:-1], "https://claude.ai/api/mcp/other",
                      "https://claude.ai.evil.com/api/mcp/auth_callback", "https://evil@claude.ai/api/mcp/auth_callback",
                      "https://claude.ai:444/api/mcp/auth_callback", registered + "?a=1", "http://claude.ai/api/mcp/auth_callback"):
            self.assertFalse(redirect_uri_matches(registered, trick), trick)
        loopback = "http://127.0.0.1:33418/callback"
        self.assertTrue(redirect_uri_matches(loopback, "http://127.0.0.1:50000/callback"))
        self.assertFalse(redirect_uri_matches(loopback, "http://127.0.0.1:50000/other"))
        self.assertFalse(redirect_uri_matches(loopback, "http://localhost:33418/callback"))
        hosts = ["claude.ai", "127.0.0.1"]
        self.assertIsNone(redirect_uri_problem(registered, hosts))
        self.assertIsNone(redirect_uri_problem("http://[::1]:9/cb", hosts))
        for bad in ("javascript:alert(1)", "data:text/html,x", "http://claude.ai/cb", "ftp://claude.ai/cb",
                    "https://claude.ai/cb#frag", "https://u:p@claude.ai/cb", "https://evil.com/cb", "cb", ""):
            self.assertTrue(redirect_uri_problem(bad, hosts), bad)
