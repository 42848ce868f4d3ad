# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..models.mcp_settings import SETTINGS_SPEC
from .common import McpSecurityCase

DEFAULTS = {
    "enabled": True, "legacy_sse_enabled": True, "get_stream_enabled": True, "max_records": 100,
    "body_limit": 1048576, "allowed_origins": [], "rate_limit_per_minute": 300, "lockout_threshold": 10,
    "lockout_window": 300, "lockout_duration": 900, "session_ttl": 86400, "max_subscriptions": 100, "audit_retention_days": 90,
    "extra_blocked_models": [], "max_batch_size": 50, "statement_timeout_ms": 30000, "any_public_method": False,
    "oauth_enabled": True, "oauth_dcr_enabled": True, "oauth_cimd_enabled": True, "oauth_code_ttl": 60,
    "oauth_access_token_ttl": 3600, "oauth_refresh_token_ttl": 2592000,
    "oauth_dcr_per_ip_per_hour": 30, "oauth_dcr_max_clients": 1000,
    "oauth_redirect_hosts": ["claude.ai", "claude.com", "chatgpt.com", "chat.openai.com", "localhost", "127.0.0.1",
                             "::1"],
    "oauth_authorize_groups": ["base.group_user"],
    "max_document_bytes": 10485760, "max_export_records": 2000,
    "identity_windows": True,
    "input_state_ttl": 600,
    "input_wait_seconds": 300,
    "approval_expiry_hours": 24, "confirm_fallback_approve": False,
}


@tagged("post_install", "-at_install", "mcp_security")
class TestSettings(McpSecurityCase):
    def settings(self):
        return self.env["mcp.settings"]._get_settings()

    def test_defaults(self):
        self.env["ir.config_parameter"].search([("key", "=like", "mcp\\_bridge.%")]).unlink()
        self.assertEqual(self.settings(), DEFAULTS)
        self.assertEqual(set(SETTINGS_SPEC), set(DEFAULTS))

    def test_parsing_and_clamping(self):
        values = {
            "enabled": "False", "legacy_sse_enabled": "0", "get_stream_enabled": "garbage",
            "max_records": "5000", "body_limit": "10", "rate_limit_per_minute": "0", "session_ttl": "-5",
            "audit_retention_days": "not a number", "lockout_threshold": "3",
            "allowed_origins": "https://Claude.ai/, http://localhost:6274\nhttps://chatgpt.com",
            "extra_blocked_models": "hr.employee,  account.move",
        }
        for name, value in values.items():
            self.set_setting(name, value)
        settings = self.settings()
        self.assertIs(settings["enabled"], False)
        self.assertIs(settings["legacy_sse_enabled"], False)
        self.assertIs(settings["get_stream_enabled"], True)
        self.assertEqual(settings["max_records"], 1000)
        self.assertEqual(settings["body_limit"], 1024)
        self.assertEqual(settings["rate_limit_per_minute"], 0)
        self.assertEqual(settings["session_ttl"], 60)
        self.assertEqual(settings["audit_retention_days"], 90)
        self.assertEqual(settings["lockout_threshold"], 3)
        self.assertEqual(settings["allowed_origins"],
                         ["https://claude.ai", "http://localhost:6274", "https://chatgpt.com"])
        self.assertEqual(settings["extra_blocked_models"], ["hr.employee", "account.move"])

    def test_config_settings_round_trip(self):
        form_defaults = self.env["res.config.settings"].default_get(["mcp_enabled", "mcp_max_records"])
        self.assertIs(form_defaults["mcp_enabled"], True)
        self.assertEqual(form_defaults["mcp_max_records"], 100)
        config = self.env["res.config.settings"].create({
            "mcp_enabled": False, "mcp_max_records": 250, "mcp_rate_limit_per_minute": 0,
            "mcp_allowed_origins": "https://claude.ai", "mcp_extra_blocked_models": "res.partner.category",
        })
        config.execute()
        settings = self.settings()
        self.assertIs(settings["enabled"], False, "a False boolean is stored, not dropped back to default")
        self.assertEqual(settings["max_records"], 250)
        self.assertEqual(settings["rate_limit_per_minute"], 0, "0 is stored, not dropped back to default")
        self.assertEqual(settings["allowed_origins"], ["https://claude.ai"])
        self.assertEqual(settings["extra_blocked_models"], ["res.partner.category"])
        reloaded = self.env["res.config.settings"].create({})
        self.assertFalse(reloaded.mcp_enabled)
        self.assertEqual(reloaded.mcp_max_records, 250)

    def test_bounds_raise_validation_error(self):
        out_of_bounds = {
            "mcp_max_records": [0, 1001], "mcp_body_limit": [1023, 52428801],
            "mcp_rate_limit_per_minute": [-1, 100001], "mcp_session_ttl": [59, 2592001],
            "mcp_audit_retention_days": [0, 3651], "mcp_lockout_threshold": [0],
            "mcp_lockout_window": [0], "mcp_lockout_duration": [0],
        }
        for fname, values in out_of_bounds.items():
            for value in values:
                with self.subTest(field=fname, value=value):
                    with self.assertRaises(ValidationError):
                        self.env["res.config.settings"].create({fname: value})
        # bounds themselves are fine
        self.env["res.config.settings"].create({"mcp_max_records": 1000, "mcp_body_limit": 1024,
                                                "mcp_rate_limit_per_minute": 0, "mcp_session_ttl": 60})

    def test_origin_and_model_validation(self):
        for bad in ("*", "claude.ai", "ftp://x.org", "https://x.org/path"):
            with self.subTest(origin=bad):
                with self.assertRaises(ValidationError):
                    self.env["res.config.settings"].create({"mcp_allowed_origins": bad})
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"mcp_extra_blocked_models": "Res.Partner; drop"})

    def test_extra_blocked_models_reach_guard(self):
        guard = self.guard_for(self.key_write)
        guard.check_model("res.country", "read", self.key_write)
        config = self.env["res.config.settings"].create({"mcp_extra_blocked_models": "res.country"})
        config.execute()
        from ..protocol.errors import McpAccessDenied
        with self.assertRaises(McpAccessDenied):
            guard.check_model("res.country", "read", self.key_write)
