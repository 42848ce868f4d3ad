# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The *Connect* wizard: ready-to-paste client configurations and a
connection test for one API key.

The plaintext token only exists when a key is generated (or when the admin
pastes it). It is never stored: ``token`` is a non-stored field that lives in
the browser's form state; it reaches the server only in the context of the
*Generate* / *Test connection* buttons, and comes back to the browser in the
context of the action that reopens the wizard (like ``mcp.api.key.show``).
"""
import json
import logging
import time

import requests

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.mcp_api_key import TOKEN_RE
from ..protocol import client_configs

_logger = logging.getLogger(__name__)

#: seconds allowed for each HTTP request of the connection test
TEST_TIMEOUT = 10
#: protocol revision the connection test negotiates
TEST_REVISION = "2025-06-18"
#: wizard fields carried over when the wizard reopens itself
_CARRIED_FIELDS = ("key_mode", "key_id", "server_name", "name", "user_id", "scope", "expiry_date")


class McpConnectWizard(models.TransientModel):
    _name = "mcp.connect.wizard"
    _description = "Connect an MCP client"

    key_mode = fields.Selection(
        [("new", "Generate a new key"), ("existing", "Use an existing key")],
        string="Key", required=True, default=lambda self: self._default_key_mode())
    key_id = fields.Many2one(
        "mcp.api.key", string="API Key", domain=[("revoked_at", "=", False)],
        help="The key the client will use. Its token is only known when it is generated: paste it below.")
    name = fields.Char(string="Key Name", default=lambda self: _("AI agent"))
    user_id = fields.Many2one(
        "res.users", string="Acts As", default=lambda self: self.env.user, domain=[("id", "!=", 1)],
        help="The agent acts as this Odoo user: its access rights and record rules apply.")
    scope = fields.Selection([("read", "Read-only"), ("write", "Read & Write")], default="read")
    expiry_date = fields.Datetime(string="Expires On")
    token = fields.Char(
        store=False,
        help="The key's token (mcp_…). Never stored: it stays in this dialog only.")
    token_is_new = fields.Boolean(store=False)
    server_name = fields.Char(
        string="Server Name", required=True, default="odoo",
        help="The name the client shows for this server.")
    url = fields.Char(string="MCP URL", readonly=True, default=lambda self: self._mcp_base_url() + "/mcp")
    config_claude_desktop = fields.Text(compute="_compute_configs")
    config_claude_code = fields.Text(compute="_compute_configs")
    config_claude_code_oauth = fields.Text(compute="_compute_configs")
    config_cursor = fields.Text(compute="_compute_configs")
    config_cursor_oauth = fields.Text(compute="_compute_configs")
    config_vscode = fields.Text(compute="_compute_configs")
    config_remote = fields.Text(compute="_compute_configs")
    config_inspector = fields.Text(compute="_compute_configs")
    config_curl = fields.Text(compute="_compute_configs")
    oauth_enabled = fields.Boolean(
        string="OAuth Connections", compute="_compute_oauth_enabled",
        help="Whether apps can connect by URL (Settings → MCP Server → OAuth connections).")
    test_state = fields.Selection([("ok", "Connected"), ("error", "Failed")], store=False, readonly=True)
    test_result = fields.Text(store=False, readonly=True)

    @api.model
    def _default_key_mode(self):
        """Existing key when there is one, else a new key."""
        Key = self.env["mcp.api.key"]
        has_key = Key.has_access("read") and Key.search_count([("revoked_at", "=", False)], limit=1)
        return "existing" if has_key else "new"

    @api.model
    def _mcp_base_url(self):
        """The server's public base URL (``web.base.url``), no trailing slash."""
        return (self.get_base_url() or "").rstrip("/")

    def _compute_oauth_enabled(self):
        enabled = self.env["mcp.oauth.server"]._is_enabled()
        for wizard in self:
            wizard.oauth_enabled = enabled

    @api.depends("token", "server_name", "url")
    def _compute_configs(self):
        for wizard in self:
            configs = wizard._mcp_client_configs(
                wizard.url or "", wizard.token or client_configs.TOKEN_PLACEHOLDER, wizard.server_name or "odoo")
            for client, text in configs.items():
                wizard["config_" + client] = text

    @api.model
    def _mcp_client_configs(self, url, token, name):
        """``{client: text}`` of the ready-to-paste configurations, built by
        :func:`~odoo.addons.mcp_bridge.protocol.client_configs.client_configs`
        (the one source that ``make run`` and the README show too).

        Extension point: override to add or change a client (and add the
        matching ``config_<client>`` field and page to the view)."""
        return client_configs.client_configs(url, token, name, _=self.env._)

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------
    def _reopen(self, **defaults):
        """Reopen the wizard in a new dialog with these values (the token
        travels in the action's context only, never in the database)."""
        self.ensure_one()
        context = {}
        for fname in _CARRIED_FIELDS:
            value = self[fname]
            context["default_" + fname] = value.id if isinstance(value, models.BaseModel) else value
        context.update({"default_" + key: value for key, value in defaults.items()})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "name": _("Connect an MCP client"),
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }

    def action_generate_key(self):
        """Generate a new key from the wizard's values and show its
        configurations (and token) once."""
        self.ensure_one()
        if not self.name or not self.user_id:
            raise UserError(_("Give the new key a name and a user."))
        key, token = self.env["mcp.api.key"]._generate_agent_key(self.name, self.user_id, self.scope,
                                                                  self.expiry_date)
        self.key_mode = "existing"
        self.key_id = key
        return self._reopen(token=token, token_is_new=True)

    def action_test_connection(self):
        """Call ``/mcp/health``, then ``initialize`` and ``tools/list`` with the
        token (from the button's context), and show the outcome."""
        self.ensure_one()
        token = (self.env.context.get("mcp_token") or "").strip()
        if not token:
            raise UserError(_("Paste the key's token (mcp_…) first: it is needed to test the connection."))
        ok, lines = self._mcp_test_connection(self._mcp_base_url(), token)
        return self._reopen(token=token, token_is_new=bool(self.env.context.get("mcp_token_is_new")),
                            test_state="ok" if ok else "error", test_result="\n".join(lines))

    # ------------------------------------------------------------------
    # Connection test
    # ------------------------------------------------------------------
    @api.model
    def _mcp_http(self, method, url, **kwargs):
        """One HTTP request of the connection test (short timeout)."""
        return requests.request(method, url, timeout=TEST_TIMEOUT, allow_redirects=False, **kwargs)

    @api.model
    def _mcp_parse_response(self, response):
        """The JSON-RPC message of an ``/mcp`` answer (JSON or SSE)."""
        if response.headers.get("Content-Type", "").startswith("text/event-stream"):
            for line in response.text.splitlines():
                if line.startswith("data:"):
                    return json.loads(line[5:])
            return {}
        return response.json()

    @api.model
    def _mcp_error_text(self, response):
        """A short reason for an HTTP error answer."""
        try:
            message = self._mcp_parse_response(response).get("error", {}).get("message")
        except ValueError:
            message = None
        return _("HTTP %(status)s %(reason)s", status=response.status_code,
                 reason=message or response.reason or "")

    @api.model
    def _mcp_test_connection(self, base_url, token):
        """Run the connection test against ``base_url``; return ``(ok, lines)``.

        Steps: ``GET /mcp/health``, ``initialize``, ``notifications/initialized``,
        ``tools/list``, then ``DELETE`` of the session. Each step has a short
        timeout; the first failure stops the test.
        """
        lines = []
        if not TOKEN_RE.match(token):
            return False, [_("✘ The token does not look like an MCP key (mcp_ followed by 51 or more characters).")]
        url = base_url + "/mcp"
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream",
        }
        started = time.monotonic()
        try:
            response = self._mcp_http("GET", base_url + "/mcp/health")
            if response.status_code != 200:
                return False, [_("✘ %(url)s/mcp/health: %(error)s", url=base_url, error=self._mcp_error_text(response))]
            health = response.json()
            lines.append(_("✔ Server reachable at %(url)s (module version %(version)s)",
                           url=base_url, version=health.get("version")))

            response = self._mcp_http("POST", url, headers=headers, data=json.dumps({
                "jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"protocolVersion": TEST_REVISION, "capabilities": {},
                           "clientInfo": {"name": "odoo-connect-wizard", "version": "1"}},
            }))
            if response.status_code != 200:
                return False, lines + [_("✘ initialize: %(error)s", error=self._mcp_error_text(response))]
            result = self._mcp_parse_response(response).get("result") or {}
            revision = result.get("protocolVersion")
            lines.append(_("✔ Key accepted; protocol revision %(revision)s, server %(server)s",
                           revision=revision, server=(result.get("serverInfo") or {}).get("name")))
            session_headers = dict(headers)
            if revision:
                session_headers["MCP-Protocol-Version"] = revision
            session_id = response.headers.get("Mcp-Session-Id")
            if session_id:
                session_headers["Mcp-Session-Id"] = session_id
            self._mcp_http("POST", url, headers=session_headers, data=json.dumps(
                {"jsonrpc": "2.0", "method": "notifications/initialized"}))

            response = self._mcp_http("POST", url, headers=session_headers, data=json.dumps(
                {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}}))
            message = self._mcp_parse_response(response) if response.status_code == 200 else {}
            if "result" not in message:
                error = message.get("error", {}).get("message") or self._mcp_error_text(response)
                return False, lines + [_("✘ tools/list: %(error)s", error=error)]
            tools = [tool.get("name") for tool in message["result"].get("tools", [])]
            lines.append(_("✔ tools/list: %(count)s tools (%(names)s)", count=len(tools), names=", ".join(tools)))
            if session_id:
                self._mcp_http("DELETE", url, headers=session_headers)
        except requests.RequestException as error:
            _logger.info("MCP connect wizard: connection test to %s failed: %s", base_url, error)
            return False, lines + [
                _("✘ Could not reach %(url)s: %(error)s", url=base_url, error=error.__class__.__name__)]
        except ValueError:
            return False, lines + [_("✘ %(url)s did not answer with JSON: is it this Odoo server?", url=base_url)]
        lines.append(_("Done in %(ms)s ms.", ms=int((time.monotonic() - started) * 1000)))
        return True, lines
