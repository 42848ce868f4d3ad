# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Every setting's default and bounds, enforced server-side: through the
settings form (``res.config.settings`` constraints) and when the stored
parameter is edited by hand (clamped to the bounds when read)."""
from odoo.exceptions import ValidationError
from odoo.tests import Form, TransactionCase, tagged

from ..models.mcp_settings import PARAM_PREFIX, SETTINGS_SPEC

INT_SETTINGS = {name: spec for name, spec in SETTINGS_SPEC.items() if spec[0] == "int"}


@tagged("post_install", "-at_install", "mcp_security")
class TestSettingsBounds(TransactionCase):
    def effective(self, name):
        return self.env["mcp.settings"]._get_settings()[name]

    def test_every_int_setting_has_bounds(self):
        self.assertEqual(set(INT_SETTINGS), {
            "max_records", "body_limit", "rate_limit_per_minute", "lockout_threshold",
            "lockout_window", "lockout_duration", "session_ttl", "audit_retention_days", "max_batch_size",
            "statement_timeout_ms", "oauth_code_ttl", "oauth_access_token_ttl", "oauth_refresh_token_ttl",
            "max_document_bytes", "max_export_records", "oauth_dcr_per_ip_per_hour", "oauth_dcr_max_clients",
            "input_state_ttl", "input_wait_seconds", "approval_expiry_hours", "max_subscriptions"})
        for name, (_kind, default, minimum, maximum) in INT_SETTINGS.items():
            with self.subTest(setting=name):
                self.assertIsNotNone(minimum)
                self.assertIsNotNone(maximum)
                self.assertTrue(minimum <= default <= maximum)

    def test_defaults_in_the_settings_form(self):
        self.env["ir.config_parameter"].search([("key", "=like", "mcp\\_bridge.%")]).unlink()
        form = Form(self.env["res.config.settings"])
        for name, (_kind, default, _minimum, _maximum) in SETTINGS_SPEC.items():
            with self.subTest(setting=name):
                value = form["mcp_" + name]
                expected = ", ".join(default) if isinstance(default, tuple) else default
                self.assertEqual(value or ("" if isinstance(default, tuple) else value), expected)

    def test_bounds_accepted_through_the_form(self):
        for name, (_kind, _default, minimum, maximum) in INT_SETTINGS.items():
            for value in (minimum, maximum):
                with self.subTest(setting=name, value=value):
                    form = Form(self.env["res.config.settings"])
                    form["mcp_" + name] = value
                    form.save().execute()
                    self.assertEqual(self.effective(name), value)
                    self.assertEqual(self.env["ir.config_parameter"].get_param(PARAM_PREFIX + name), str(value))

    def test_out_of_bounds_refused_through_the_form(self):
        for name, (_kind, default, minimum, maximum) in INT_SETTINGS.items():
            for value in (minimum - 1, maximum + 1):
                with self.subTest(setting=name, value=value):
                    form = Form(self.env["res.config.settings"])
                    form["mcp_" + name] = value
                    with self.assertRaisesRegex(ValidationError, f"between {minimum} and {maximum}"):
                        form.save()
                    self.assertEqual(self.effective(name), default, "nothing was stored")

    def test_hand_edited_parameters_are_clamped(self):
        params = self.env["ir.config_parameter"]
        for name, (_kind, default, minimum, maximum) in INT_SETTINGS.items():
            with self.subTest(setting=name):
                params.set_param(PARAM_PREFIX + name, str(minimum - 1))
                self.assertEqual(self.effective(name), minimum)
                params.set_param(PARAM_PREFIX + name, str(maximum + 1))
                self.assertEqual(self.effective(name), maximum)
                params.set_param(PARAM_PREFIX + name, "not a number")
                self.assertEqual(self.effective(name), default)

    def test_booleans_round_trip(self):
        for name in ("enabled", "legacy_sse_enabled", "get_stream_enabled"):
            for value in (False, True):
                with self.subTest(setting=name, value=value):
                    form = Form(self.env["res.config.settings"])
                    form["mcp_" + name] = value
                    form.save().execute()
                    self.assertIs(self.effective(name), value)

    def test_list_settings_validated(self):
        bad = {
            "mcp_allowed_origins": ["*", "claude.ai", "ftp://example.com", "https://a.example/path"],
            "mcp_extra_blocked_models": ["Res.Partner", "res.partner!", "hr..employee"],
        }
        for fname, values in bad.items():
            for value in values:
                with self.subTest(field=fname, value=value):
                    with self.assertRaises(ValidationError):
                        self.env["res.config.settings"].create({fname: value})
        config = self.env["res.config.settings"].create({
            "mcp_allowed_origins": "https://claude.ai, http://localhost:6274",
            "mcp_extra_blocked_models": "hr.employee account.move"})
        config.execute()
        self.assertEqual(self.effective("allowed_origins"), ["https://claude.ai", "http://localhost:6274"])
        self.assertEqual(self.effective("extra_blocked_models"), ["hr.employee", "account.move"])
