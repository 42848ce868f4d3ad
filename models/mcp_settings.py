# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Effective settings of the MCP layer, read from ``ir.config_parameter``."""
import re

from odoo import api, models, tools

from .ormcache_hit import cached

PARAM_PREFIX = "mcp_bridge."

#: name -> (kind, default, minimum, maximum). The single source of truth for
#: the defaults and bounds used by ``mcp.settings`` and ``res.config.settings``.
SETTINGS_SPEC = {
    "enabled": ("bool", True, None, None),
    "legacy_sse_enabled": ("bool", True, None, None),
    "get_stream_enabled": ("bool", True, None, None),
    "max_records": ("int", 100, 1, 1000),
    "body_limit": ("int", 1048576, 1024, 52428800),
    "allowed_origins": ("list", (), None, None),
    "rate_limit_per_minute": ("int", 300, 0, 100000),
    "lockout_threshold": ("int", 10, 1, 10000),
    "lockout_window": ("int", 300, 10, 86400),
    "lockout_duration": ("int", 900, 10, 604800),
    "session_ttl": ("int", 86400, 60, 2592000),
    # resources/subscribe: most subscriptions one session may hold
    "max_subscriptions": ("int", 100, 1, 10000),
    "audit_retention_days": ("int", 90, 1, 3650),
    "extra_blocked_models": ("list", (), None, None),
    # JSON-RPC messages in one batch (2025-03-26); each counts against the rate limit.
    "max_batch_size": ("int", 50, 1, 500),
    # PostgreSQL statement_timeout of an MCP request, in milliseconds.
    "statement_timeout_ms": ("int", 30000, 1000, 600000),
    # execute_method: False = only view buttons, safe chatter/activity methods and
    # the model-access rule's allowed methods; True = any public method not blocked.
    "any_public_method": ("bool", False, None, None),
    # OAuth 2.1 authorization server of /mcp (services/oauth_*.py, models/mcp_oauth_*.py)
    "oauth_enabled": ("bool", True, None, None),
    # RFC 7591 dynamic client registration (POST /oauth/register)
    "oauth_dcr_enabled": ("bool", True, None, None),
    # bounds of dynamic registration: clients per client address per hour, dynamically registered clients in all
    "oauth_dcr_per_ip_per_hour": ("int", 30, 1, 10000),
    "oauth_dcr_max_clients": ("int", 1000, 1, 100000),
    # HTTPS-URL client ids whose metadata document is fetched (CIMD)
    "oauth_cimd_enabled": ("bool", True, None, None),
    # lifetimes, in seconds: authorization codes, access tokens, refresh tokens
    "oauth_code_ttl": ("int", 60, 10, 600),
    "oauth_access_token_ttl": ("int", 3600, 60, 86400),
    "oauth_refresh_token_ttl": ("int", 2592000, 3600, 31536000),
    # redirect hosts DCR and CIMD clients may use (loopback: any port, RFC 8252)
    "oauth_redirect_hosts": ("list", ("claude.ai", "claude.com", "chatgpt.com", "chat.openai.com", "localhost",
                                      "127.0.0.1", "::1"), None, None),
    # XML ids of the groups whose users may authorize apps (any of them)
    "oauth_authorize_groups": ("list", ("base.group_user",), None, None),
    # print_report / export_records: largest document returned, in bytes.
    "max_document_bytes": ("int", 10485760, 1024, 52428800),
    # export_records: most records in one export (search_read pages are max_records).
    "max_export_records": ("int", 2000, 1, 50000),
    # whoami, find_user and users' display names in many2one values: the only
    # windows into res.users (models/mcp_guard_identity.py). False closes them.
    "identity_windows": ("bool", True, None, None),
    # seconds a requestState of an input_required result stays valid (a
    # handler asked the client; the retry must come within this time)
    "input_state_ttl": ("int", 600, 30, 86400),
    # seconds a session POST's stream waits for the client's answer to an
    # input request (elicitation, sampling, roots) before the tool fails
    "input_wait_seconds": ("int", 300, 2, 3600),
    # writes a human confirms or approves (models/mcp_write_policy.py, models/mcp_approval.py):
    # hours a pending approval waits for a decision before it expires
    "approval_expiry_hours": ("int", 24, 1, 720),
    # a write under the "confirm" policy from a client that cannot be asked: True = it goes
    # to an approver instead (an approval request), False = a tool error that says why
    "confirm_fallback_approve": ("bool", False, None, None),
}

_LIST_SPLIT = re.compile(r"[\s,;]+")
_TRUE = {"1", "true", "yes", "on", "t", "y"}
_FALSE = {"0", "false", "no", "off", "f", "n", ""}


def parse_list(raw):
    """Split a comma/space/newline separated text into a list of entries."""
    if not raw:
        return []
    return [item for item in _LIST_SPLIT.split(str(raw).strip()) if item]


def coerce_setting(name, raw):
    """Turn the stored text ``raw`` of setting ``name`` into its effective
    value: default when missing or unparsable, clamped to its bounds."""
    kind, default, minimum, maximum = SETTINGS_SPEC[name]
    if kind == "bool":
        if raw is None or raw is False:
            return default
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        return default
    if kind == "int":
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            return default
        if minimum is not None:
            value = max(minimum, value)
        if maximum is not None:
            value = min(maximum, value)
        return value
    # list
    if raw is None or raw is False:
        return list(default)
    items = parse_list(raw)
    if name in ("allowed_origins", "oauth_redirect_hosts"):
        items = [item.rstrip("/").lower() for item in items]
    return items


class McpSettings(models.AbstractModel):
    _name = "mcp.settings"
    _description = "MCP Server effective settings"

    @api.model
    def _get_settings(self):
        """Return a dict of the effective settings (see ``SETTINGS_SPEC``).

        Values come from the ``ir.config_parameter`` keys ``mcp_bridge.<name>``
        (read with sudo: this is the layer's own configuration, not agent
        data), defaulted and clamped to their bounds. ``get_param`` is cached
        once per registry, so this is cheap enough to call on every request.
        """
        return {name: list(value) if isinstance(value, list) else value
                for name, value in cached(self, "_get_settings_cached").items()}

    @api.model
    def _setting(self, name):
        """The effective value of setting ``name`` alone (a list setting as a
        tuple): what the guard asks several times per request, without
        copying every setting as :meth:`_get_settings` does."""
        value = cached(self, "_get_settings_cached")[name]
        return tuple(value) if isinstance(value, list) else value

    @api.model
    def _base_url(self):
        """The server's public base URL (``web.base.url``), no trailing slash:
        the MCP URL, the OAuth issuer and every endpoint derive from it."""
        return (self.env["ir.config_parameter"].sudo().get_param("web.base.url") or "").rstrip("/")

    @api.model
    @tools.ormcache()
    def _get_settings_cached(self):
        """The effective settings, cached per registry (``ir.config_parameter``
        changes clear this cache, in every worker)."""
        params = self.env["ir.config_parameter"].sudo()
        return {
            name: coerce_setting(name, params.get_param(PARAM_PREFIX + name))
            for name in SETTINGS_SPEC
        }
