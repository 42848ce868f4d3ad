# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Browser tests of the backend screens (Odoo tours in headless Chromium)
and the Apps-page screenshots.

Screenshots of the real screens are always taken (and checked to be PNG
images); they are written to ``static/description/`` when the environment
variable ``MCP_UPDATE_SCREENSHOTS=1`` is set, else to a temporary folder::

    MCP_UPDATE_SCREENSHOTS=1 MCP_TEST_DB=mcp_test_ui scripts/test.sh -q \\
        .local/addons/mcp_bridge/tests/test_ui_tours.py
"""
import base64
import json
import os
import tempfile
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from odoo import fields, http
from odoo.exceptions import UserError
from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tests.common import ChromeBrowser

from ..protocol import client_configs
from ..wizard.mcp_connect_wizard import McpConnectWizard

MODULE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@contextmanager
def self_requests_allowed(registry):
    """Let the Connect wizard's server-side HTTP requests reach this test server.

    In an HttpCase every request shares the test transaction and holds the
    registry's test lock while it runs, so a request (the *Test connection*
    button) calling the same server would wait for itself. Production
    servers have one cursor per request and need nothing of the kind: this
    only releases the test lock while the wizard waits for the answer.
    """
    original = McpConnectWizard._mcp_http

    def _mcp_http(wizard, method, url, **kwargs):
        wizard.env.flush_all()
        lock = registry.test_lock
        depth = 0
        while lock._is_owned():
            lock.release()
            depth += 1
        try:
            return original(wizard, method, url, **kwargs)
        finally:
            for _i in range(depth):
                lock.acquire()
            wizard.env.invalidate_all()

    with patch.object(McpConnectWizard, "_mcp_http", _mcp_http):
        yield


@tagged("post_install", "-at_install", "mcp_ui")
class TestUiTours(HttpCase):
    browser_size = "1400x900"
    # Read-only routes would get read-only test cursors, from which the MCP
    # layer's own short cursors (audit rows, counters) cannot be opened in
    # test mode; production has separate connections and does not care.
    readonly_enabled = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Odoo reads every manifest on the first static file request; the
        # browser's parallel first requests would do it in several threads at
        # once, where CPython 3.11.7's ast.parse can fail ("AST constructor
        # recursion depth mismatch", fixed in 3.11.8): read them here, once.
        assert http.root.statics
        cls.agent = cls.env["res.users"].create({
            "name": "Alice Agent", "login": "mcp_ui_alice",
            "groups_id": [fields.Command.set([cls.env.ref("base.group_user").id,
                                              cls.env.ref("base.group_partner_manager").id])],
        })
        Key = cls.env["mcp.api.key"]
        cls.key, cls.token = Key._generate_key({
            "name": "Claude Desktop (Alice)", "user_id": cls.agent.id, "scope": "write"})
        Key._generate_key({
            "name": "Cursor on the build server", "user_id": cls.agent.id, "scope": "read",
            "expiry_date": fields.Datetime.now() + timedelta(days=5), "allowed_ips": "192.0.2.0/24"})
        Key._generate_key({
            "name": "Nightly reporting agent", "user_id": cls.env.ref("base.user_admin").id, "scope": "read",
            "expiry_date": fields.Datetime.now() + timedelta(days=180)})
        old, _token = Key._generate_key({"name": "Old notebook", "user_id": cls.agent.id})
        old.action_revoke()

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def mcp_call(self, method, params=None, token=None, session=None, msg_id=1):
        """POST one JSON-RPC request to /mcp; return the response."""
        headers = {"Authorization": f"Bearer {token or self.token}", "Content-Type": "application/json",
                   "Accept": "application/json, text/event-stream"}
        if session:
            headers.update({"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-06-18"})
        body = {"jsonrpc": "2.0", "method": method, "params": params or {}}
        if msg_id is not None:
            body["id"] = msg_id
        return self.url_open("/mcp", data=json.dumps(body), headers=headers)

    def make_traffic(self):
        """Real MCP requests, so that the audit log and sessions have rows."""
        response = self.mcp_call("initialize", {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "Tour Client", "version": "1.2"}})
        self.assertEqual(response.status_code, 200, response.text)
        session = response.headers["Mcp-Session-Id"]
        self.mcp_call("notifications/initialized", session=session, msg_id=None)
        self.mcp_call("tools/list", session=session, msg_id=2)
        self.mcp_call("tools/call", {"name": "search_read", "arguments": {
            "model": "res.partner", "fields": ["name"], "limit": 3}}, session=session, msg_id=3)
        self.mcp_call("tools/call", {"name": "search_read", "arguments": {
            "model": "res.users", "fields": ["login"]}}, session=session, msg_id=4)
        return session

    def screenshot_dir(self):
        """Where screenshots go: static/description when asked, else a temp dir."""
        if os.environ.get("MCP_UPDATE_SCREENSHOTS") == "1":
            return os.path.join(MODULE_DIR, "static", "description")
        path = os.path.join(tempfile.gettempdir(), "mcp_bridge_screenshots")
        os.makedirs(path, exist_ok=True)
        return path

    def shoot(self, browser, name, ready, url=None, js=None):
        """Open ``url`` (or run ``js`` in the page), wait until the ``ready``
        expression is true, then save a PNG screenshot ``name``."""
        if url:
            browser.navigate_to(self.base_url() + url, wait_stop=True)
            self.assertTrue(browser._wait_ready(
                "!!(odoo.__WOWL_DEBUG__ && document.querySelector('.o_action_manager .o_view_controller'))",
                timeout=30), f"the web client did not load {url}")
        if js:
            browser._websocket_request("Runtime.evaluate", params={"expression": js, "awaitPromise": True})
        self.assertTrue(browser._wait_ready(ready, timeout=30), f"screen {name} never got ready: {ready}")
        # let animations (dialogs, charts) finish
        browser._wait_ready("new Promise((resolve) => setTimeout(() => resolve(true), 700))", timeout=10)
        result = browser._websocket_request("Page.captureScreenshot", params={"format": "png"}, timeout=30)
        data = base64.b64decode(result["data"])
        self.assertTrue(data.startswith(PNG_MAGIC), name)
        path = os.path.join(self.screenshot_dir(), f"screenshot_{name}.png")
        with open(path, "wb") as file:
            file.write(data)
        return path

    # ------------------------------------------------------------------
    # tours
    # ------------------------------------------------------------------
    def test_keys_tour(self):
        """Generate a key (token shown once), rotate it, revoke it."""
        self.start_tour("/odoo", "mcp_bridge_keys_tour", login="admin")
        key = self.env["mcp.api.key"].with_context(active_test=False).search([("name", "=", "Tour Agent Key")])
        self.assertEqual(len(key), 1)
        self.assertEqual(key.scope, "write")
        self.assertTrue(key.rotated_at)
        self.assertTrue(key.revoked_at)
        self.assertEqual(key.state, "revoked")
        events = self.env["mcp.audit.log"].search([("key_id", "=", key.id)]).mapped("rpc_method")
        self.assertEqual(sorted(events), ["key/generate", "key/revoke", "key/rotate"])

    def test_model_access_tour(self):
        """Add a rule; a blocked model cannot be chosen; see the blocked list."""
        self.start_tour("/odoo", "mcp_bridge_model_access_tour", login="admin")
        rule = self.env["mcp.model.access"].search([("model", "=", "res.partner.category")])
        self.assertEqual(len(rule), 1)
        self.assertTrue(rule.perm_read and rule.perm_write)
        self.assertFalse(self.env["mcp.model.access"].search([("model", "=", "ir.config_parameter")]))

    def test_audit_and_sessions_tour(self):
        """The audit log (list, group-by, graph, pivot) and ending a session."""
        session_id = self.make_traffic()
        self.start_tour("/odoo", "mcp_bridge_audit_sessions_tour", login="admin")
        self.assertFalse(self.env["mcp.session"].search([("session_id", "=", session_id)]))
        response = self.mcp_call("tools/list", session=session_id, msg_id=9)
        self.assertEqual(response.status_code, 404, "an ended session is gone for its client too")

    def test_settings_tour(self):
        """A bound is enforced in the settings form; a good value is saved."""
        self.start_tour("/odoo", "mcp_bridge_settings_tour", login="admin")
        self.assertEqual(self.env["mcp.settings"]._get_settings()["max_records"], 250)

    def test_connect_tour(self):
        """The Connect wizard generates a key and tests it against this server."""
        with self_requests_allowed(self.registry):
            self.start_tour("/odoo", "mcp_bridge_connect_tour", login="admin")
        key = self.env["mcp.api.key"].search([("name", "=", "Tour Connect Key")])
        self.assertEqual(len(key), 1)
        self.assertTrue(key.last_used_at, "the connection test authenticated with the new key")
        self.assertFalse(self.env["mcp.connect.wizard"].search([]).filtered("token"),
                         "the token is never stored")

    # ------------------------------------------------------------------
    # Apps-page screenshots
    # ------------------------------------------------------------------
    def test_screenshots(self):
        """Screenshots of the real screens for the Apps page."""
        self.make_traffic()
        self.env["mcp.model.access"].create([
            {"model_id": self.env["ir.model"]._get_id("res.partner"), "perm_write": True, "perm_create": True},
            {"model_id": self.env["ir.model"]._get_id("res.partner.category")},
            {"model_id": self.env["ir.model"]._get_id("res.country"), "perm_read": True},
        ])
        action = "odoo.__WOWL_DEBUG__.root.env.services.action.doAction(%s)"
        browser = ChromeBrowser(self)
        try:
            self.authenticate("admin", "admin", browser=browser)
            self.cr.flush()
            self.cr.clear()
            shots = [
                self.shoot(browser, "api_keys", "document.querySelectorAll('.o_list_view .o_data_row').length >= 3",
                           url="/odoo/action-mcp_bridge.action_mcp_api_key"),
                self.shoot(browser, "token", "!!document.querySelector('.modal .o_field_CopyClipboardChar')",
                           js=action % json.dumps({
                               "type": "ir.actions.act_window", "res_model": "mcp.api.key.show",
                               "name": "Your new MCP API key", "views": [[False, "form"]], "target": "new",
                               "context": {"default_token": self.token, "default_key_name": self.key.name}})),
                self.shoot(browser, "model_access", "document.querySelectorAll('.o_list_view .o_data_row').length >= 3",
                           url="/odoo/action-mcp_bridge.action_mcp_model_access"),
                self.shoot(browser, "audit_log", "document.querySelectorAll('.o_list_view .o_data_row').length >= 5",
                           url="/odoo/action-mcp_bridge.action_mcp_audit_log"),
                self.shoot(browser, "settings", "!!document.querySelector('.o_field_widget[name=mcp_max_records] input')",
                           url="/odoo/action-mcp_bridge.action_mcp_settings"),
            ]
            with self_requests_allowed(self.registry):
                shots.append(self.shoot(
                    browser, "connect", "!!document.querySelector('.modal .o_mcp_test_ok')",
                    url="/odoo/action-mcp_bridge.action_mcp_api_key",
                    js="(async () => { await %s; "
                       "await new Promise((r) => setTimeout(r, 1000)); "
                       "document.querySelector('.modal button[name=action_test_connection]').click(); })()" % (
                           action % json.dumps({
                               "type": "ir.actions.act_window", "res_model": "mcp.connect.wizard",
                               "name": "Connect an MCP client", "views": [[False, "form"]], "target": "new",
                               "context": {"default_key_mode": "existing", "default_key_id": self.key.id,
                                           "default_token": self.token, "default_server_name": "odoo"}}))))
        finally:
            browser.stop()
            self._wait_remaining_requests()
        for path in shots:
            self.assertGreater(os.path.getsize(path), 10000, path)


@tagged("post_install", "-at_install", "mcp_ui")
class TestUiModels(TransactionCase):
    """Server side of the screens: Connect wizard, blocked-models list,
    expiring-soon flag, sessions."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key, cls.token = cls.env["mcp.api.key"]._generate_key(
            {"name": "wizard key", "user_id": cls.env.ref("base.user_admin").id})

    def test_connect_configs(self):
        wizard = self.env["mcp.connect.wizard"].new({
            "key_mode": "existing", "key_id": self.key.id, "token": self.token, "server_name": "my-odoo"})
        url = self.env["ir.config_parameter"].get_param("web.base.url").rstrip("/") + "/mcp"
        self.assertEqual(wizard.url, url)
        auth = f"Bearer {self.token}"
        self.assertEqual(wizard.config_claude_code,
                         f"claude mcp add --transport http my-odoo {url} --header 'Authorization: {auth}'")
        self.assertEqual(json.loads(wizard.config_cursor),
                         {"mcpServers": {"my-odoo": {"url": url, "headers": {"Authorization": auth}}}})
        self.assertEqual(json.loads(wizard.config_vscode),
                         {"servers": {"my-odoo": {"type": "http", "url": url, "headers": {"Authorization": auth}}}})
        desktop = json.loads(wizard.config_claude_desktop)["mcpServers"]["my-odoo"]
        self.assertNotIn("type", desktop)
        self.assertEqual(desktop["args"][:3], ["-y", "mcp-remote", url])
        self.assertEqual(desktop["env"], {"AUTH_HEADER": auth})
        # one source: the wizard shows what protocol/client_configs.py builds
        configs = client_configs.client_configs(url, self.token, "my-odoo")
        self.assertEqual({client: wizard["config_" + client] for client in configs}, configs)
        for text in (wizard.config_remote, wizard.config_inspector, wizard.config_curl):
            self.assertIn(url, text)
            self.assertIn(auth, text)
        placeholder = self.env["mcp.connect.wizard"].new({"key_mode": "existing", "key_id": self.key.id})
        self.assertIn("Bearer <YOUR_MCP_KEY>", placeholder.config_cursor)

    def test_connect_generate_key_never_stores_the_token(self):
        wizard = self.env["mcp.connect.wizard"].create({
            "key_mode": "new", "name": "from wizard", "user_id": self.env.ref("base.user_admin").id})
        action = wizard.action_generate_key()
        key = self.env["mcp.api.key"].search([("name", "=", "from wizard")])
        self.assertEqual(action["context"]["default_key_id"], key.id)
        token = action["context"]["default_token"]
        self.assertTrue(token.startswith("mcp_"))
        self.assertEqual(self.env["mcp.api.key"]._digest(token), key.sudo().key_digest)
        self.env.flush_all()
        self.env.cr.execute("SELECT * FROM mcp_connect_wizard")
        self.assertNotIn(token, repr(self.env.cr.fetchall()))

    def test_connect_test_errors(self):
        wizard = self.env["mcp.connect.wizard"].create({"key_mode": "existing", "key_id": self.key.id})
        with self.assertRaises(UserError):
            wizard.action_test_connection()
        action = wizard.with_context(mcp_token="not a key").action_test_connection()
        self.assertEqual(action["context"]["default_test_state"], "error")
        ok, lines = wizard._mcp_test_connection("http://127.0.0.1:9", self.token)
        self.assertFalse(ok)
        self.assertIn("Could not reach", lines[-1])

    def test_blocked_models_action(self):
        action = self.env["mcp.model.access"].action_view_blocked_models()
        models = self.env["ir.model"].search(action["domain"]).mapped("model")
        for name in ("ir.rule", "res.users", "ir.config_parameter", "mcp.api.key", "mcp.audit.log", "ir.cron"):
            self.assertIn(name, models)
        self.assertNotIn("res.partner", models)
        self.assertFalse(action["context"]["create"])

    def test_expiring_soon(self):
        now = fields.Datetime.now()
        self.key.expiry_date = now + timedelta(days=3)
        self.assertTrue(self.key.expiring_soon)
        self.assertEqual(self.key.state, "active")
        self.key.expiry_date = now + timedelta(days=60)
        self.assertFalse(self.key.expiring_soon)
        self.key.expiry_date = now - timedelta(days=1)
        self.assertFalse(self.key.expiring_soon)
        self.assertEqual(self.key.state, "expired")

    def test_end_session(self):
        session = self.env["mcp.session"]._open(self.key, "streamable_http", 3600, "2025-06-18", {"name": "x"})
        session.with_user(self.env.ref("base.user_admin")).action_end()
        self.assertFalse(session.exists())
