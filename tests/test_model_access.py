# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.mcp_guard_rules import MSG_MODEL_ACL, MSG_MODEL_RULE
from ..protocol.errors import McpAccessDenied
from .common import McpSecurityCase


@tagged("post_install", "-at_install", "mcp_security")
class TestModelAccess(McpSecurityCase):
    def reason(self, guard, model_name, operation, key):
        try:
            guard.check_model(model_name, operation, key)
        except McpAccessDenied as error:
            return error.data["reason"], error.message
        return None

    def test_rule_narrows_read(self):
        guard = self.guard_for(self.key_write)
        self.assertIsNone(self.reason(guard, "res.partner.category", "read", self.key_write))
        rule = self.add_rule("res.partner.category", read=False, create=True, write=True)
        self.assertEqual(self.reason(guard, "res.partner.category", "read", self.key_write),
                         ("rule", MSG_MODEL_RULE % {"model": "res.partner.category", "operation": "read"}))
        self.assertNotIn("res.partner.category", guard.allowed_models(self.key_write, "read"))
        self.assertIsNone(self.reason(guard, "res.partner.category", "create", self.key_write))
        self.assertEqual(self.reason(guard, "res.partner.category", "unlink", self.key_write)[0], "rule")
        # archived rule: back to Odoo's ACLs; the guard's rule cache follows
        rule.active = False
        self.assertIsNone(self.reason(guard, "res.partner.category", "read", self.key_write))
        self.assertIsNone(self.reason(guard, "res.partner.category", "unlink", self.key_write))
        rule.active = True
        rule.perm_read = True
        self.assertIsNone(self.reason(guard, "res.partner.category", "read", self.key_write))
        rule.unlink()
        self.assertIsNone(self.reason(guard, "res.partner.category", "unlink", self.key_write))

    def test_rule_never_widens_acl(self):
        key, _token = self.make_key(name="plain", user_id=self.user_plain.id, scope="write")
        guard = self.guard_for(key)
        self.add_rule("res.partner.category", read=True, create=True, write=True, unlink=True)
        self.assertEqual(self.reason(guard, "res.partner.category", "create", key),
                         ("acl", MSG_MODEL_ACL % {"model": "res.partner.category", "operation": "create"}))
        self.assertNotIn("res.partner.category", guard.allowed_models(key, "create"))

    def test_rule_never_widens_scope(self):
        self.add_rule("res.partner", read=True, create=True, write=True, unlink=True)
        guard = self.guard_for(self.key_read)
        self.assertEqual(self.reason(guard, "res.partner", "write", self.key_read)[0], "scope")

    def test_blocked_models_refused(self):
        for model_name in ("res.users", "ir.config_parameter", "ir.model.data", "mcp.audit.log", "base.language.install"):
            with self.subTest(model=model_name):
                with self.assertRaises(ValidationError):
                    self.add_rule(model_name)
        domain = self.env["mcp.model.access"]._model_id_domain()
        selectable = self.env["ir.model"].search(domain).mapped("model")
        self.assertIn("res.partner", selectable)
        for model_name in ("res.users", "ir.rule", "mcp.api.key", "res.users.apikeys", "ir.actions.report",
                           "base.language.install"):
            self.assertNotIn(model_name, selectable)

    def test_unique_per_model(self):
        self.add_rule("res.partner")
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self.add_rule("res.partner")

    def test_managers_only(self):
        with self.assertRaises(AccessError):
            self.env["mcp.model.access"].with_user(self.user_a).search([])
        with self.assertRaises(AccessError):
            self.env["mcp.model.access"].with_user(self.user_a).create({
                "model_id": self.env["ir.model"]._get_id("res.partner")})
        admin = self.env.ref("base.user_admin")
        rule = self.env["mcp.model.access"].with_user(admin).create({
            "model_id": self.env["ir.model"]._get_id("res.partner"), "perm_read": True})
        self.assertEqual(rule.model, "res.partner")
