# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .mcp_settings import PARAM_PREFIX, SETTINGS_SPEC, parse_list

_ORIGIN_RE = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+(:\d{1,5})?/?$")
_MODEL_NAME_RE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")

#: settings field -> setting name (``mcp_<name>``)
_FIELD_TO_SETTING = {"mcp_" + name: name for name in SETTINGS_SPEC}


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # Not declared with ``config_parameter=``: Odoo deletes the parameter of a
    # False boolean / 0 integer, which would bring back our default (True /
    # 300). get_values/set_values below store explicit values instead.
    mcp_enabled = fields.Boolean("MCP Server Enabled")
    mcp_legacy_sse_enabled = fields.Boolean("Legacy HTTP+SSE Transport")
    mcp_get_stream_enabled = fields.Boolean("Server-to-Client GET Stream")
    mcp_max_records = fields.Integer("Max Records per Call")
    mcp_body_limit = fields.Integer("Request Body Limit (bytes)")
    mcp_allowed_origins = fields.Char(
        "Allowed Origins",
        help="Comma or space separated origins (e.g. https://claude.ai) allowed to call /mcp "
        "from a browser. Empty: only requests without an Origin header or from this server.")
    mcp_rate_limit_per_minute = fields.Integer("Rate Limit per Key (requests/minute)", help="0 disables the limit.")
    mcp_lockout_threshold = fields.Integer("Lockout Threshold (failures)")
    mcp_lockout_window = fields.Integer("Lockout Window (seconds)")
    mcp_lockout_duration = fields.Integer("Lockout Duration (seconds)")
    mcp_session_ttl = fields.Integer("Session TTL (seconds)")
    mcp_max_subscriptions = fields.Integer(
        "Max Subscriptions per Session", help="Resources one MCP session may subscribe to (resources/subscribe).")
    mcp_audit_retention_days = fields.Integer("Audit Log Retention (days)")
    mcp_extra_blocked_models = fields.Char(
        "Extra Blocked Models",
        help="Comma or space separated technical model names that MCP agents may never use, "
        "in addition to the built-in list (which cannot be reduced).")

    mcp_max_batch_size = fields.Integer(
        "Max Messages per Batch", help="JSON-RPC messages in one batch (revision 2025-03-26); each one "
        "counts against the rate limit.")
    mcp_statement_timeout_ms = fields.Integer(
        "Statement Timeout (ms)", help="Longest time one database statement of an MCP request may run "
        "before PostgreSQL cancels it.")
    mcp_any_public_method = fields.Boolean(
        "Allow Any Public Method (less safe)",
        help="execute_method may call any public method that is not blocked, as before version 18.0.1.1. "
        "Off (recommended): only the buttons of the model's views the key's user can see, a few chatter "
        "and activity methods, and the methods the model-access rule allows.")
    mcp_max_document_bytes = fields.Integer(
        "Max Document Size (bytes)", help="Largest PDF report or export an MCP tool returns; larger ones are "
        "refused with a message.")
    mcp_max_export_records = fields.Integer(
        "Max Records per Export", help="Most records export_records writes into one CSV or XLSX file.")
    mcp_input_state_ttl = fields.Integer(
        "Input Request Lifetime (seconds)", help="How long the client may take to answer when a tool asks it "
        "for input (a confirmation, a choice): past it, the signed request state expires and the call must "
        "start again.")
    mcp_input_wait_seconds = fields.Integer(
        "Input Wait (seconds)", help="How long a session client's stream waits for the user's or the model's "
        "answer when a tool asks (elicitation, sampling): past it, the tool call fails and nothing is written.")

    mcp_oauth_enabled = fields.Boolean(
        "OAuth Connections", help="Apps (claude.ai, ChatGPT, Claude Desktop...) connect by URL: the user logs in "
        "to Odoo and allows access on a consent page, instead of pasting an API key.")
    mcp_oauth_dcr_enabled = fields.Boolean(
        "Dynamic Client Registration", help="Apps may register themselves (RFC 7591), with redirect URIs on the "
        "allowed redirect hosts only.")
    mcp_oauth_dcr_per_ip_per_hour = fields.Integer(
        "Registrations per Address per Hour", help="Dynamic registrations accepted from one client address in "
        "an hour; more are refused (HTTP 429) until the hour has passed.")
    mcp_oauth_dcr_max_clients = fields.Integer(
        "Max Registered Apps", help="Active dynamically registered apps in all; once reached, registrations are "
        "refused (HTTP 429) until an administrator archives or deletes apps.")
    mcp_oauth_cimd_enabled = fields.Boolean(
        "Client Metadata Documents", help="Apps may identify themselves by an HTTPS URL whose metadata document "
        "Odoo fetches (public addresses only, small and fast).")
    mcp_oauth_code_ttl = fields.Integer("Authorization Code Lifetime (seconds)")
    mcp_oauth_access_token_ttl = fields.Integer("Access Token Lifetime (seconds)")
    mcp_oauth_refresh_token_ttl = fields.Integer("Refresh Token Lifetime (seconds)")
    mcp_oauth_redirect_hosts = fields.Char(
        "Allowed Redirect Hosts", help="Hosts that self-registered apps may send the user back to (comma "
        "separated). Loopback hosts accept any port.")
    mcp_oauth_authorize_groups = fields.Char(
        "Groups Allowed to Authorize Apps", help="XML ids of groups (comma separated), e.g. base.group_user: "
        "only their users may connect an app to Odoo.")

    mcp_identity_windows = fields.Boolean(
        "Users' Names and whoami",
        help="Agents see the display names of related users (salesperson...), may call whoami and find active "
        "internal users by name (id and name only). Off: users are ids only and find_user is refused.")

    mcp_approval_expiry_hours = fields.Integer(
        "Approval Expiry (hours)", help="A write waiting for an approver expires after this many hours; the agent "
        "is told so and nothing is written.")
    mcp_confirm_fallback_approve = fields.Boolean(
        "Unconfirmable Writes Go to Approvers",
        help="A write that needs the user's confirmation, asked from a client that cannot ask its user "
        "(no elicitation), becomes an approval request for an MCP approver. Off: a tool error that says why.")

    @api.model
    def get_values(self):
        """Load the MCP settings (effective values) into the form."""
        res = super().get_values()
        settings = self.env["mcp.settings"]._get_settings()
        for fname, name in _FIELD_TO_SETTING.items():
            value = settings[name]
            if SETTINGS_SPEC[name][0] == "list":
                value = ", ".join(value)
            res[fname] = value
        return res

    def set_values(self):
        """Store the MCP settings as explicit text values."""
        super().set_values()
        params = self.env["ir.config_parameter"].sudo()
        for fname, name in _FIELD_TO_SETTING.items():
            kind = SETTINGS_SPEC[name][0]
            value = self[fname]
            if kind == "bool":
                text = "True" if value else "False"
            elif kind == "int":
                text = str(int(value or 0))
            else:
                text = ", ".join(parse_list(value))
            if params.get_param(PARAM_PREFIX + name) != text:
                params.set_param(PARAM_PREFIX + name, text)

    @api.constrains(*[f for f, n in _FIELD_TO_SETTING.items() if SETTINGS_SPEC[n][0] == "int"])
    def _check_mcp_bounds(self):
        for record in self:
            for fname, name in _FIELD_TO_SETTING.items():
                kind, _default, minimum, maximum = SETTINGS_SPEC[name]
                if kind != "int":
                    continue
                value = record[fname]
                if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
                    raise ValidationError(_(
                        "%(setting)s must be between %(minimum)s and %(maximum)s (got %(value)s).",
                        setting=record._fields[fname].string, minimum=minimum, maximum=maximum, value=value,
                    ))

    @api.constrains("mcp_allowed_origins")
    def _check_mcp_allowed_origins(self):
        for record in self:
            for origin in parse_list(record.mcp_allowed_origins):
                if origin == "*":
                    raise ValidationError(_("The wildcard origin '*' is not allowed: list the origins explicitly."))
                if not _ORIGIN_RE.match(origin):
                    raise ValidationError(_(
                        "Invalid origin %(origin)s: use scheme://host[:port], e.g. https://claude.ai.",
                        origin=origin,
                    ))

    @api.constrains("mcp_extra_blocked_models")
    def _check_mcp_extra_blocked_models(self):
        for record in self:
            for model_name in parse_list(record.mcp_extra_blocked_models):
                if not _MODEL_NAME_RE.match(model_name):
                    raise ValidationError(_("Invalid model name %(model)s in Extra Blocked Models.", model=model_name))
