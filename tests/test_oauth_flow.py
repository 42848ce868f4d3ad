# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The OAuth flow over real HTTP, and the attacks on it, each with the exact
answer: authorization (login, consent, PKCE S256, resource, redirect URIs,
CSRF, deny, authorizing group), token (code single use and bound,
refresh rotation and reuse), revocation, dynamic registration, CIMD
addresses."""
import base64
import hashlib
import json
import re
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

from odoo.tests import HttpCase, new_test_user, tagged

from ..protocol import errors
from .oauth_common import make_client

REDIRECT = "https://claude.ai/api/mcp/auth_callback"


def pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


@tagged("post_install", "-at_install")
class TestOauthFlow(HttpCase):
    readonly_enabled = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.base = cls.env["mcp.settings"]._base_url()
        cls.user = new_test_user(cls.env, login="mcp_oauth_user", groups="base.group_user,base.group_partner_manager")
        cls.portal = new_test_user(cls.env, login="mcp_oauth_portal", groups="base.group_portal")
        cls.client = make_client(cls.env, name="Claude", client_uri="https://claude.ai")
        cls.other_client = make_client(cls.env, name="Other")

    # -- helpers -------------------------------------------------------------
    def params(self, challenge, **extra):
        params = {"response_type": "code", "client_id": self.client.client_id, "redirect_uri": REDIRECT,
                  "scope": "mcp:read mcp:write", "state": "st4te", "code_challenge": challenge,
                  "code_challenge_method": "S256", "resource": self.base + "/mcp"}
        params.update(extra)
        return {name: value for name, value in params.items() if value is not None}

    def authorize(self, params):
        return self.url_open("/oauth/authorize?" + urlencode(params), allow_redirects=False)

    def consent(self, params, decision="allow", csrf=True, **form):
        page = self.authorize(params)
        self.assertEqual(page.status_code, 200, page.text[:500])
        data = dict(params, decision=decision, **form)
        if csrf:
            data["csrf_token"] = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return self.url_open("/oauth/authorize", data=data, allow_redirects=False)

    def redirected(self, response):
        self.assertIn(response.status_code, (302, 303), response.text[:500])
        location = response.headers["Location"]
        self.assertTrue(location.startswith(REDIRECT + "?"), location)
        return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}

    def code(self, **extra):
        verifier, challenge = pkce()
        self.authenticate("mcp_oauth_user", "mcp_oauth_user")
        query = self.redirected(self.consent(self.params(challenge), **extra))
        return query["code"], verifier

    def token(self, **data):
        return self.url_open("/oauth/token", data=data)

    def exchange(self, code, verifier, **extra):
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                "client_id": self.client.client_id, "code_verifier": verifier}
        data.update(extra)
        return self.token(**data)

    def mcp(self, token):
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
            "name": "count", "arguments": {"model": "res.partner"}, "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {}}}}
        return self.url_open("/mcp", data=json.dumps(body), headers={
            "Content-Type": "application/json", "Accept": "application/json", "Authorization": f"Bearer {token}",
            "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "count"})

    def assertTokenError(self, response, error):
        self.assertEqual(response.status_code, 400 if error != "invalid_client" else 401, response.text)
        self.assertEqual(response.json()["error"], error, response.text)

    # -- the flow ------------------------------------------------------------
    def test_login_consent_code_token_mcp(self):
        verifier, challenge = pkce()
        response = self.authorize(self.params(challenge))
        self.assertEqual(response.status_code, 302)
        location = urlsplit(response.headers["Location"])
        self.assertEqual(location.path, "/web/login")
        self.assertTrue(parse_qs(location.query)["redirect"][0].startswith("/oauth/authorize?"))

        self.authenticate("mcp_oauth_user", "mcp_oauth_user")
        page = self.authorize(self.params(challenge))
        self.assertEqual(page.status_code, 200)
        self.assertEqual(page.headers["X-Frame-Options"], "DENY")
        self.assertEqual(page.headers["Content-Security-Policy"], "frame-ancestors 'none'")
        for text in ("Claude", "claude.ai", "Read and change your data", "mcp_oauth_user", "unverified"):
            self.assertIn(text, page.text)

        query = self.redirected(self.consent(self.params(challenge)))
        self.assertEqual((query["state"], query["iss"]), ("st4te", self.base))
        response = self.exchange(query["code"], verifier)
        self.assertEqual(response.status_code, 200, response.text)
        tokens = response.json()
        self.assertEqual(response.headers["Cache-Control"], "no-store")
        self.assertTrue(tokens["access_token"].startswith("mcpat_"))
        self.assertTrue(tokens["refresh_token"].startswith("mcprt_"))
        self.assertEqual((tokens["token_type"], tokens["expires_in"], tokens["scope"]),
                         ("Bearer", 3600, "mcp:read mcp:write"))
        response = self.mcp(tokens["access_token"])
        self.assertEqual(response.status_code, 200, response.text)
        grant = self.env["mcp.oauth.grant"].search([("user_id", "=", self.user.id)])
        self.assertEqual((grant.client_id, grant.scope, grant.redirect_host), (self.client, "write", "claude.ai"))
        self.assertTrue(grant.exchanged_at, "the exchanged code marks the grant in use (never vacuumed)")

        # code replay: refused, and what it gave is revoked
        self.assertTokenError(self.exchange(query["code"], verifier), "invalid_grant")
        self.assertEqual(self.mcp(tokens["access_token"]).status_code, 401)
        self.assertTrue(grant.revoked_at)

    def test_read_only_choice_on_the_consent_page(self):
        code, verifier = self.code(access="read")
        tokens = self.exchange(code, verifier).json()
        self.assertEqual(tokens["scope"], "mcp:read")

    def test_refresh_rotates_and_reuse_revokes_the_grant(self):
        code, verifier = self.code()
        first = self.exchange(code, verifier).json()
        response = self.token(grant_type="refresh_token", refresh_token=first["refresh_token"],
                              client_id=self.client.client_id)
        self.assertEqual(response.status_code, 200, response.text)
        second = response.json()
        self.assertNotEqual(second["refresh_token"], first["refresh_token"])
        self.assertEqual(self.mcp(second["access_token"]).status_code, 200)
        # the refreshed-away token again: the whole grant dies
        self.assertTokenError(self.token(grant_type="refresh_token", refresh_token=first["refresh_token"],
                                         client_id=self.client.client_id), "invalid_grant")
        self.assertEqual(self.mcp(second["access_token"]).status_code, 401)
        self.assertTokenError(self.token(grant_type="refresh_token", refresh_token=second["refresh_token"],
                                         client_id=self.client.client_id), "invalid_grant")

    def test_revocation(self):
        code, verifier = self.code()
        tokens = self.exchange(code, verifier).json()
        response = self.url_open("/oauth/revoke", data={"token": tokens["access_token"],
                                                        "client_id": self.client.client_id})
        self.assertEqual(response.status_code, 200, response.text)
        response = self.mcp(tokens["access_token"])
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["error"]["code"], errors.UNAUTHORIZED)
        # another client cannot revoke it; its own client revokes the grant with the refresh token
        self.url_open("/oauth/revoke", data={"token": tokens["refresh_token"],
                                             "client_id": self.other_client.client_id})
        self.assertEqual(self.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"],
                                    client_id=self.client.client_id).status_code, 200)

    # -- PKCE and code binding -----------------------------------------------
    def test_pkce_is_required_and_s256_only(self):
        self.authenticate("mcp_oauth_user", "mcp_oauth_user")
        _verifier, challenge = pkce()
        for extra, description in (({"code_challenge": None, "code_challenge_method": None},
                                    "Code challenge required."),
                                   ({"code_challenge_method": "plain"}, "Transform algorithm not supported."),
                                   ({"code_challenge_method": None}, "Transform algorithm not supported.")):
            query = self.redirected(self.authorize(self.params(challenge, **extra)))
            self.assertEqual((query["error"], query["error_description"], query["state"], query["iss"]),
                             ("invalid_request", description, "st4te", self.base))

    def test_code_is_bound_to_verifier_client_redirect_and_resource(self):
        code, verifier = self.code()
        self.assertTokenError(self.exchange(code, "wrong" + verifier), "invalid_grant")
        code, verifier = self.code()
        self.assertTokenError(self.exchange(code, verifier, client_id=self.other_client.client_id), "invalid_grant")
        code, verifier = self.code()
        self.assertTokenError(self.exchange(code, verifier, code_verifier=None), "invalid_request")
        code, verifier = self.code()
        self.assertTokenError(self.exchange(code, verifier, redirect_uri="http://127.0.0.1:33418/callback"),
                              "invalid_request")
        code, verifier = self.code()
        self.assertTokenError(self.exchange(code, verifier, resource="https://other.example/mcp"), "invalid_grant")

    def test_expired_code_is_refused(self):
        code, verifier = self.code()
        row = self.env["mcp.oauth.token"]._lookup("code", code)
        self.assertLessEqual((row.expires_at - row.create_date).total_seconds(), 61, "oauth_code_ttl: 60 s")
        row.sudo().write({"expires_at": "2000-01-01 00:00:00"})
        self.assertTokenError(self.exchange(code, verifier), "invalid_grant")

    def test_access_token_lifetime_is_the_setting(self):
        self.env["ir.config_parameter"].sudo().set_param("mcp_bridge.oauth_access_token_ttl", "120")
        code, verifier = self.code()
        tokens = self.exchange(code, verifier).json()
        self.assertEqual(tokens["expires_in"], 120)
        row = self.env["mcp.oauth.token"]._lookup("access", tokens["access_token"])
        self.assertLessEqual((row.expires_at - row.create_date).total_seconds(), 121)
        self.assertEqual(row.resource, self.base + "/mcp", "bound to the MCP resource")

    def test_refresh_keeps_its_resource(self):
        code, verifier = self.code()
        first = self.exchange(code, verifier).json()
        self.assertTokenError(self.token(grant_type="refresh_token", refresh_token=first["refresh_token"],
                                         client_id=self.client.client_id, resource="https://other.example/mcp"),
                              "invalid_grant")
        response = self.token(grant_type="refresh_token", refresh_token=first["refresh_token"],
                              client_id=self.client.client_id, resource=self.base + "/mcp")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.mcp(response.json()["access_token"]).status_code, 200)

    # -- the authorization request ---------------------------------------------
    def test_bad_client_or_redirect_uri_is_a_page_never_a_redirect(self):
        self.authenticate("mcp_oauth_user", "mcp_oauth_user")
        _verifier, challenge = pkce()
        for extra in ({"client_id": "mcpc_unknown"}, {"client_id": "https://127.0.0.1/client.json"},
                      {"client_id": "https://10.1.2.3/client.json"}, {"client_id": "http://example.com/client.json"},
                      {"redirect_uri": REDIRECT + "x"}, {"redirect_uri": REDIRECT + "/"},
                      {"redirect_uri": "https://claude.ai/api/mcp/other"},
                      {"redirect_uri": "https://evil@claude.ai/api/mcp/auth_callback"},
                      {"redirect_uri": "https://claude.ai:8443/api/mcp/auth_callback"},
                      {"redirect_uri": "https://claude.ai.evil.com/api/mcp/auth_callback"},
                      {"redirect_uri": None}):
            response = self.authorize(self.params(challenge, **extra))
            self.assertEqual(response.status_code, 400, extra)
            self.assertNotIn("Location", response.headers)
            self.assertIn("The app cannot be connected", response.text)
        # a loopback redirect URI may change its port (RFC 8252)
        page = self.authorize(self.params(challenge, redirect_uri="http://127.0.0.1:50123/callback"))
        self.assertEqual(page.status_code, 200)

    def test_resource_of_another_server_is_refused(self):
        self.authenticate("mcp_oauth_user", "mcp_oauth_user")
        _verifier, challenge = pkce()
        query = self.redirected(self.authorize(self.params(challenge, resource="https://other.example/mcp")))
        self.assertEqual((query["error"], query["iss"]), ("invalid_target", self.base))

    def test_consent_needs_the_csrf_token(self):
        _verifier, challenge = pkce()
        self.authenticate("mcp_oauth_user", "mcp_oauth_user")
        response = self.consent(self.params(challenge), csrf=False)
        self.assertEqual(response.status_code, 400)
        self.assertNotIn("Location", response.headers)
        self.assertFalse(self.env["mcp.oauth.grant"].search([("user_id", "=", self.user.id)]))

    def test_deny(self):
        _verifier, challenge = pkce()
        self.authenticate("mcp_oauth_user", "mcp_oauth_user")
        query = self.redirected(self.consent(self.params(challenge), decision="deny"))
        self.assertEqual((query["error"], query["state"], query["iss"]), ("access_denied", "st4te", self.base))
        self.assertFalse(self.env["mcp.oauth.grant"].search([("user_id", "=", self.user.id)]))

    def test_user_outside_the_authorizing_groups(self):
        _verifier, challenge = pkce()
        self.authenticate("mcp_oauth_portal", "mcp_oauth_portal")
        query = self.redirected(self.authorize(self.params(challenge)))
        self.assertEqual((query["error"], query["error_description"]),
                         ("access_denied", "this Odoo user may not connect apps"))

    # -- registration ----------------------------------------------------------
    def register(self, metadata):
        return self.url_open("/oauth/register", data=json.dumps(metadata), headers={"Content-Type": "application/json"})

    def test_dynamic_registration(self):
        response = self.register({"client_name": "Claude Desktop", "redirect_uris": [REDIRECT]})
        self.assertEqual(response.status_code, 201, response.text)
        body = response.json()
        client = self.env["mcp.oauth.client"].search([("client_id", "=", body["client_id"])])
        self.assertEqual((client.kind, client.name, client.auth_method), ("dcr", "Claude Desktop", "none"))
        self.assertNotIn("client_secret", body)
        confidential = self.register({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "client_secret_post"})
        secret = confidential.json()["client_secret"]
        self.assertTrue(self.env["mcp.oauth.client"].search(
            [("client_id", "=", confidential.json()["client_id"])])._check_secret(secret))

    def test_dynamic_registration_refuses_bad_redirect_uris(self):
        for uris in (["javascript:alert(1)"], ["data:text/html,hi"], ["http://claude.ai/cb"], ["https://evil.example/cb"],
                     ["myapp://callback"], ["https://claude.ai/cb#x"], [], "https://claude.ai/cb"):
            response = self.register({"redirect_uris": uris})
            self.assertEqual(response.status_code, 400, uris)
            self.assertEqual(response.json()["error"], "invalid_redirect_uri", uris)
        refused = self.register({"redirect_uris": [REDIRECT], "grant_types": ["client_credentials"]})
        self.assertEqual(refused.json()["error"], "invalid_client_metadata")
        self.env["ir.config_parameter"].sudo().set_param("mcp_bridge.oauth_dcr_enabled", "False")
        self.assertEqual(self.register({"redirect_uris": [REDIRECT]}).status_code, 404)

    def test_dynamic_registration_is_bounded(self):
        """Registrations per client address per hour, then in all: HTTP 429
        ``invalid_client_metadata`` (with Retry-After for the address);
        archived clients still count for their address, not in all."""
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("mcp_bridge.oauth_dcr_per_ip_per_hour", "2")
        Clients = self.env["mcp.oauth.client"].with_context(active_test=False)
        first = self.register({"redirect_uris": [REDIRECT]})
        self.assertEqual(first.status_code, 201, first.text)
        Clients.search([("client_id", "=", first.json()["client_id"])]).active = False
        self.assertEqual(self.register({"redirect_uris": [REDIRECT]}).status_code, 201)
        refused = self.register({"redirect_uris": [REDIRECT]})
        self.assertEqual(refused.status_code, 429, refused.text)
        self.assertEqual(refused.json()["error"], "invalid_client_metadata")
        self.assertTrue(1 <= int(refused.headers["Retry-After"]) <= 3600, refused.headers)
        dynamic = Clients.search([("kind", "=", "dcr")])
        self.assertEqual(set(dynamic.mapped("registered_ip")), {"127.0.0.1"})
        self.assertEqual(len(dynamic), 2, "the refused registration created nothing")

        # an hour later the address may register again
        self.env.cr.execute("UPDATE mcp_oauth_client SET create_date = create_date - interval '61 minutes' "
                            "WHERE kind = 'dcr'")
        Clients.invalidate_model(["create_date"])
        self.assertEqual(self.register({"redirect_uris": [REDIRECT]}).status_code, 201)

        # in all: the active dynamically registered clients
        params.set_param("mcp_bridge.oauth_dcr_per_ip_per_hour", "100")
        params.set_param("mcp_bridge.oauth_dcr_max_clients", str(Clients.search_count(
            [("kind", "=", "dcr"), ("active", "=", True)])))
        refused = self.register({"redirect_uris": [REDIRECT]})
        self.assertEqual((refused.status_code, refused.json()["error"]), (429, "invalid_client_metadata"))
        self.assertNotIn("Retry-After", refused.headers)
        Clients.search([("kind", "=", "dcr"), ("active", "=", True)], limit=1).active = False
        self.assertEqual(self.register({"redirect_uris": [REDIRECT]}).status_code, 201)
