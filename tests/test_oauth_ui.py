# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The OAuth screens: Connected Apps and OAuth Clients (managers), a user's
own connected apps in their preferences, the client secret shown once, the
Connect wizard's connect-by-URL tab; browser tours revoke a grant from both
places and the app's next request gets 401."""
import base64
import hashlib
import json
import secrets
from urllib.parse import urlencode

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from ..models.mcp_api_key import MSG_INVALID_KEY
from ..models.mcp_guard_rules import is_model_blocked
from ..protocol import client_configs, errors
from .common import TEST_IP, McpSecurityCase
from .oauth_common import issue_access_token, make_client, make_grant

MCP_REVISION = "2025-06-18"


class TestOauthUi(McpSecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client = make_client(cls.env, name="Claude")
        cls.grant_a = make_grant(cls.env, cls.client, cls.user_a, scope="read")
        cls.grant_b = make_grant(cls.env, cls.client, cls.user_b)

    def assertRefused(self, token):
        with self.assertRaises(errors.Unauthorized) as caught:
            self.env["mcp.api.key"].sudo()._authenticate_request(token, TEST_IP)
        self.assertEqual(caught.exception.message, MSG_INVALID_KEY)

    # ------------------------------------------------------------------
    # Preferences: a user's own connected apps
    # ------------------------------------------------------------------
    def test_user_reads_own_active_grants_in_preferences(self):
        me = self.user_a.with_user(self.user_a)
        values = me.read(["mcp_oauth_grant_ids"])[0]
        self.assertEqual(values["mcp_oauth_grant_ids"], self.grant_a.ids)
        # the preferences form shows them (the field is self-readable)
        view = self.env.ref("base.view_users_form_simple_modif")
        arch = me.get_views([(view.id, "form")])["views"]["form"]["arch"]
        self.assertIn('name="mcp_oauth_grant_ids"', arch)
        self.grant_a.action_revoke()
        me.invalidate_recordset()
        self.assertFalse(me.read(["mcp_oauth_grant_ids"])[0]["mcp_oauth_grant_ids"], "revoked apps are not listed")

    def test_user_revokes_own_grant_and_its_tokens_stop(self):
        _row, token = issue_access_token(self.env, self.grant_a)
        self.assertEqual(self.env["mcp.api.key"].sudo()._authenticate_request(token, TEST_IP)[0], self.grant_a.key_id)
        self.grant_a.with_user(self.user_a).action_revoke()
        self.assertEqual(self.grant_a.state, "revoked")
        self.assertTrue(self.grant_a.key_id.revoked_at)
        self.assertRefused(token)

    def test_user_cannot_see_or_revoke_another_users_grant(self):
        grants = self.env["mcp.oauth.grant"].with_user(self.user_a)
        self.assertEqual(grants.search([]), self.grant_a)
        with self.assertRaises(AccessError):
            grants.browse(self.grant_b.id).action_revoke()
        self.assertEqual(self.grant_b.state, "active")

    # ------------------------------------------------------------------
    # Menus and access rights
    # ------------------------------------------------------------------
    def test_menus_for_managers_only(self):
        apps = self.env.ref("mcp_bridge.menu_mcp_oauth_grant")
        clients = self.env.ref("mcp_bridge.menu_mcp_oauth_client")
        visible = self.env["ir.ui.menu"]._visible_menu_ids()
        self.assertTrue({apps.id, clients.id} <= visible)
        visible_plain = self.env["ir.ui.menu"].with_user(self.user_a)._visible_menu_ids()
        self.assertFalse({apps.id, clients.id} & visible_plain)
        with self.assertRaises(AccessError):
            self.env["mcp.oauth.client"].with_user(self.user_a).search([])
        with self.assertRaises(AccessError):
            self.env["mcp.oauth.client.wizard"].with_user(self.user_a).create({
                "name": "x", "redirect_uris": "https://x.example.com/cb"})
        # agents never reach the screens' models either
        for name in ("mcp.oauth.client.wizard", "mcp.oauth.client.secret"):
            self.assertTrue(is_model_blocked(self.env, name), name)

    def test_connected_apps_action_lists_active_grants_by_default(self):
        self.grant_b.action_revoke()
        action = self.env["ir.actions.act_window"]._for_xml_id("mcp_bridge.action_mcp_oauth_grant")
        search_view = self.env.ref("mcp_bridge.mcp_oauth_grant_view_search")
        self.assertIn("search_default_active_grants", action["context"])
        self.assertIn('name="active_grants"', search_view.arch)
        active = self.env["mcp.oauth.grant"].search([("revoked_at", "=", False), ("client_id", "=", self.client.id)])
        self.assertEqual(active, self.grant_a)

    # ------------------------------------------------------------------
    # Clients registered by an administrator
    # ------------------------------------------------------------------
    def test_register_confidential_client_shows_its_secret_once(self):
        wizard = self.env["mcp.oauth.client.wizard"].create({
            "name": "Our platform", "redirect_uris": "https://platform.example.com/cb",
            "auth_method": "client_secret_basic"})
        action = wizard.action_register()
        client = self.env["mcp.oauth.client"].search([("name", "=", "Our platform")])
        self.assertEqual((client.kind, client.auth_method), ("manual", "client_secret_basic"))
        self.assertEqual(action["res_model"], "mcp.oauth.client.secret")
        secret = action["context"]["default_secret"]
        self.assertTrue(secret.startswith("mcpcs_"))
        self.assertEqual(action["context"]["default_client_id"], client.client_id)
        self.assertTrue(client._check_secret(secret))
        self.env.flush_all()
        self.env.cr.execute("SELECT * FROM mcp_oauth_client WHERE id = %s", [client.id])
        self.assertNotIn(secret, repr(self.env.cr.fetchall()), "only the digest is stored")
        # a new secret replaces the old one
        new_secret = client.action_generate_secret()["context"]["default_secret"]
        self.assertNotEqual(new_secret, secret)
        self.assertTrue(client._check_secret(new_secret))
        self.assertFalse(client._check_secret(secret))

    def test_register_public_client_opens_it_without_secret(self):
        action = self.env["mcp.oauth.client.wizard"].create({
            "name": "Desktop tool", "redirect_uris": "http://127.0.0.1:8765/callback"}).action_register()
        client = self.env["mcp.oauth.client"].browse(action["res_id"])
        self.assertEqual((client.name, client.auth_method), ("Desktop tool", "none"))
        self.assertNotIn("context", action)
        with self.assertRaises(UserError):
            client.action_generate_secret()

    def test_no_secret_for_self_registered_clients(self):
        dcr = make_client(self.env, name="Registered itself", kind="dcr", auth_method="client_secret_post")
        with self.assertRaises(UserError):
            dcr.action_generate_secret()

    # ------------------------------------------------------------------
    # Connect wizard: connect by URL
    # ------------------------------------------------------------------
    def test_connect_wizard_offers_the_url_and_oauth_snippets(self):
        wizard = self.env["mcp.connect.wizard"].new({"key_mode": "new", "server_name": "odoo"})
        url = self.env["mcp.settings"]._base_url() + "/mcp"
        self.assertEqual(wizard.url, url)
        self.assertTrue(wizard.oauth_enabled)
        self.assertIn("Server URL: " + url, wizard.config_remote.splitlines())
        self.assertEqual(wizard.config_claude_code_oauth, client_configs.claude_code_oauth(url, None, "odoo"))
        self.assertEqual(json.loads(wizard.config_cursor_oauth), {"mcpServers": {"odoo": {"url": url}}})
        self.set_setting("oauth_enabled", False)
        self.env.registry.clear_cache()
        self.assertFalse(self.env["mcp.connect.wizard"].new({"key_mode": "new"}).oauth_enabled)


@tagged("post_install", "-at_install", "mcp_ui")
class TestOauthUiTours(HttpCase):
    """Revoke from Connected Apps (manager) and from the preferences (the
    user): the app's access token gets 401 at /mcp afterwards."""

    browser_size = "1400x900"
    readonly_enabled = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bob = new_test_user(cls.env, login="mcp_ui_bob", name="Bob Browser", groups="base.group_user")
        cls.carol = new_test_user(cls.env, login="mcp_ui_carol", name="Carol", groups="base.group_user")
        cls.client = make_client(cls.env, name="Tour App")
        cls.other_client = make_client(cls.env, name="Other App")

    def mcp_initialize(self, token):
        """POST initialize to /mcp with ``token``; return the response."""
        return self.url_open("/mcp", data=json.dumps({
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": MCP_REVISION, "capabilities": {},
                       "clientInfo": {"name": "tour app", "version": "1"}}}),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                     "Accept": "application/json, text/event-stream"})

    def consented(self, user, client):
        """A grant ``user`` gave ``client`` (as Allow on the consent page
        makes it) and a live access token of it."""
        grant = make_grant(self.env, client, user, resource=self.env["mcp.settings"]._base_url() + "/mcp")
        _row, token = issue_access_token(self.env, grant)
        response = self.mcp_initialize(token)
        self.assertEqual(response.status_code, 200, response.text)
        return grant, token

    def assertRevoked(self, grant, token):
        grant.invalidate_recordset()
        self.assertEqual(grant.state, "revoked")
        self.assertTrue(grant.revoked_at)
        self.assertTrue(grant.key_id.revoked_at)
        response = self.mcp_initialize(token)
        self.assertEqual(response.status_code, 401, response.text)
        self.assertEqual(response.json()["error"]["message"], MSG_INVALID_KEY)

    def test_connected_apps_tour(self):
        """A manager revokes a user's app in Connected Apps, then registers a
        confidential client whose secret is shown once."""
        grant, token = self.consented(self.bob, self.client)
        self.start_tour("/odoo", "mcp_bridge_connected_apps_tour", login="admin")
        self.assertRevoked(grant, token)
        platform = self.env["mcp.oauth.client"].search([("name", "=", "Tour Platform")])
        self.assertEqual((platform.kind, platform.auth_method), ("manual", "client_secret_basic"))
        self.assertEqual(platform._redirect_uri_list(), ["https://platform.example.com/oauth/callback"])
        self.assertTrue(platform.sudo().secret_digest)

    def test_preferences_apps_tour(self):
        """A user revokes their own app in their preferences; another user's
        app is neither shown nor touched."""
        grant, token = self.consented(self.bob, self.client)
        other, other_token = self.consented(self.carol, self.other_client)
        self.start_tour("/odoo", "mcp_bridge_preferences_apps_tour", login="mcp_ui_bob")
        self.assertRevoked(grant, token)
        other.invalidate_recordset()
        self.assertEqual(other.state, "active")
        self.assertEqual(self.mcp_initialize(other_token).status_code, 200)

    def test_consent_tour(self):
        """The whole flow in the browser: nobody logged in, the app's
        authorization request sends the browser to Odoo's login page, the
        user logs in, chooses read-only and clicks Allow on the consent page,
        lands on the app's redirect URI (Connected Apps here) and revokes the
        new grant."""
        if not hasattr(self.env["mcp.oauth.server"], "_authorize"):
            self.skipTest("the /oauth/authorize endpoint is not in this build")
        landing = "/odoo/action-mcp_bridge.action_mcp_oauth_grant"
        client = make_client(self.env, name="Tour Consent App", redirect_uris="http://127.0.0.1" + landing)
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(secrets.token_urlsafe(48).encode()).digest()).rstrip(b"=").decode()
        query = urlencode({
            "response_type": "code", "client_id": client.client_id, "state": "tour",
            "redirect_uri": self.base_url() + landing, "scope": "mcp:read mcp:write",
            "code_challenge": challenge, "code_challenge_method": "S256",
            "resource": self.env["mcp.settings"]._base_url() + "/mcp"})
        self.start_tour("/oauth/authorize?" + query, "mcp_bridge_consent_tour", login=None)
        grant = self.env["mcp.oauth.grant"].search([("client_id", "=", client.id)])
        self.assertEqual(len(grant), 1, "Allow created one grant")
        self.assertEqual((grant.user_id, grant.scope), (self.env.ref("base.user_admin"), "read"))
        self.assertEqual(grant.state, "revoked")
        self.assertTrue(grant.key_id.revoked_at)
        self.assertTrue(grant.token_ids, "the code was issued")
        self.assertTrue(all(grant.token_ids.mapped("revoked_at")), "its code is revoked with it")
