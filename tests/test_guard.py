# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..models import mcp_guard
from ..models.mcp_guard_rules import (
    ALWAYS_BLOCKED_MODELS, METHOD_BLOCKLIST, MSG_BAD_GRANULARITY, MSG_BAD_ORDER, MSG_CONTEXT_COMPANIES,
    MSG_DOMAIN_ARITY, MSG_DOMAIN_ID_ONLY, MSG_FIELD_DENIED, MSG_METHOD_DENIED, MSG_METHOD_INVALID,
    MSG_METHOD_NOT_OFFERED, MSG_METHOD_UNKNOWN, MSG_MODEL_ACL, MSG_MODEL_BLOCKED, MSG_MODEL_SCOPE, MSG_PATH_DENIED,
    MSG_PATH_NOT_RELATIONAL, MSG_UNKNOWN_FIELD, MSG_UNKNOWN_MODEL, MSG_VALUES_COMMAND, OPERATIONS,
)
from ..protocol.errors import ACCESS_DENIED, McpAccessDenied, ToolError
from .common import McpSecurityCase

SEED_BLOCKED = (
    "ir.rule", "ir.model.access", "ir.config_parameter", "mcp.api.key", "res.users", "res.groups",
    "ir.cron", "ir.module.module", "ir.ui.view", "ir.attachment", "ir.actions.server", "ir.actions.act_window",
)
EXTENDED_BLOCKED = (
    "res.users.apikeys", "res.users.apikeys.description", "res.users.log", "res.users.settings",
    "res.device", "res.device.log", "ir.mail_server", "fetchmail.server", "payment.provider",
    "payment.token", "ir.model.data", "base.automation", "res.config.settings", "ir.logging",
    "ir.profile", "ir.sequence", "auth.passkey.key", "auth_totp.device", "iap.account",
    "ir.actions.report", "ir.actions.client", "ir.actions.act_url", "ir.actions.actions",
    "ir.model", "ir.model.fields", "bus.bus", "mail.mail", "mcp.audit.log", "mcp.model.access",
    "mcp.session", "mcp.auth.counter", "mcp.anything.future",
)


@tagged("post_install", "-at_install", "mcp_security")
class TestGuardModels(McpSecurityCase):
    def assert_denied(self, call, reason, message=None, **data):
        with self.assertRaises(McpAccessDenied) as catcher:
            call()
        error = catcher.exception
        self.assertEqual(error.code, ACCESS_DENIED)
        self.assertEqual(error.data["reason"], reason, error.message)
        if message is not None:
            self.assertEqual(error.message, message)
        for name, value in data.items():
            self.assertEqual(error.data[name], value)
        return error

    def test_seed_blocked_models_every_operation(self):
        guard = self.guard_for(self.key_ab)  # read-write key of a user with broad rights
        for model_name in SEED_BLOCKED:
            self.assertIn(model_name, ALWAYS_BLOCKED_MODELS)
            for operation in OPERATIONS:
                with self.subTest(model=model_name, operation=operation):
                    self.assert_denied(
                        lambda: guard.check_model(model_name, operation, self.key_ab), "blocked",
                        MSG_MODEL_BLOCKED % {"model": model_name}, model=model_name)

    def test_extended_blocked_models_every_operation(self):
        guard = self.guard_for(self.key_ab)
        for model_name in EXTENDED_BLOCKED:
            for operation in OPERATIONS:
                with self.subTest(model=model_name, operation=operation):
                    self.assert_denied(
                        lambda: guard.check_model(model_name, operation, self.key_ab), "blocked",
                        MSG_MODEL_BLOCKED % {"model": model_name})

    def test_blocked_even_for_admin(self):
        admin_key, _token = self.make_key(name="admin", user_id=self.env.ref("base.user_admin").id, scope="write")
        guard = self.guard_for(admin_key)
        for model_name in SEED_BLOCKED + EXTENDED_BLOCKED:
            self.assert_denied(lambda: guard.check_model(model_name, "read", admin_key), "blocked")
        self.assertEqual(guard.check_model("res.partner", "unlink", admin_key)._name, "res.partner")

    def test_transient_and_abstract_blocked(self):
        guard = self.guard_for(self.key_ab)
        for model_name in ("base.language.install", "base", "format.address.mixin"):
            self.assertIn(model_name, self.env)
            self.assert_denied(lambda: guard.check_model(model_name, "read", self.key_ab), "blocked")

    def test_extra_blocked_setting_adds_never_removes(self):
        guard = self.guard_for(self.key_ab)
        self.assertEqual(guard.check_model("res.partner.category", "read", self.key_ab)._name, "res.partner.category")
        self.set_setting("extra_blocked_models", "res.partner.category, res.country")
        self.assert_denied(lambda: guard.check_model("res.partner.category", "read", self.key_ab), "blocked")
        self.assert_denied(lambda: guard.check_model("res.country", "read", self.key_ab), "blocked")
        self.assertNotIn("res.country", guard.allowed_models(self.key_ab))
        # the setting cannot take anything off the built-in list
        self.set_setting("extra_blocked_models", "")
        for model_name in SEED_BLOCKED:
            self.assert_denied(lambda: guard.check_model(model_name, "read", self.key_ab), "blocked")
        self.assertEqual(guard.check_model("res.country", "read", self.key_ab)._name, "res.country")

    def test_unknown_model_suggests(self):
        guard = self.guard_for(self.key_read)
        with self.assertRaises(ToolError) as catcher:
            guard.check_model("res.partnr", "read", self.key_read)
        self.assertTrue(catcher.exception.message.startswith(MSG_UNKNOWN_MODEL % {"model": "res.partnr"}))
        self.assertIn("Did you mean: res.partner", catcher.exception.message)
        with self.assertRaises(ToolError) as catcher:
            guard.check_model("zzz.nothing.like.it", "read", self.key_read)
        self.assertEqual(catcher.exception.message, MSG_UNKNOWN_MODEL % {"model": "zzz.nothing.like.it"})
        # suggestions never name a blocked model
        with self.assertRaises(ToolError) as catcher:
            guard.check_model("res.user", "read", self.key_read)
        self.assertNotIn("res.users", catcher.exception.message)
        with self.assertRaises(ToolError):
            guard.check_model("res.partner", "delete", self.key_read)
        with self.assertRaises(ToolError):
            guard.check_model(["res.partner"], "read", self.key_read)

    def test_read_only_scope_refuses_writes(self):
        guard = self.guard_for(self.key_read)
        self.assertEqual(guard.check_model("res.partner", "read", self.key_read)._name, "res.partner")
        for operation in ("create", "write", "unlink"):
            self.assert_denied(
                lambda: guard.check_model("res.partner", operation, self.key_read), "scope",
                MSG_MODEL_SCOPE % {"model": "res.partner", "operation": operation})
        self.assertEqual(guard.allowed_models(self.key_read, "write"), [])

    def test_acl_reason(self):
        key, _token = self.make_key(name="plain", user_id=self.user_plain.id, scope="write")
        guard = self.guard_for(key)
        self.assertEqual(guard.check_model("res.partner.category", "read", key)._name, "res.partner.category")
        self.assert_denied(
            lambda: guard.check_model("res.partner.category", "create", key), "acl",
            MSG_MODEL_ACL % {"model": "res.partner.category", "operation": "create"})
        portal_key, _token = self.make_key(name="portal", user_id=self.user_portal.id)
        portal_guard = self.guard_for(portal_key)
        self.assert_denied(lambda: portal_guard.check_model("res.partner.category", "read", portal_key), "acl")
        self.assertNotIn("res.partner.category", portal_guard.allowed_models(portal_key))

    def test_allowed_models(self):
        guard = self.guard_for(self.key_write)
        models_read = guard.allowed_models(self.key_write)
        self.assertEqual(models_read, sorted(models_read))
        self.assertIn("res.partner", models_read)
        self.assertIn("res.country", models_read)
        for model_name in models_read:
            self.assertFalse(mcp_guard.is_model_blocked(self.env, model_name), model_name)
            guard.check_model(model_name, "read", self.key_write)  # consistent with check_model
        self.assertIn("res.partner", guard.allowed_models(self.key_write, "create"))
        self.assertNotIn("res.country", guard.allowed_models(self.key_write, "create"))


@tagged("post_install", "-at_install", "mcp_security")
class TestGuardPaths(McpSecurityCase):
    def setUp(self):
        super().setUp()
        self.guard = self.guard_for(self.key_write)
        self.key = self.key_write

    def assert_refused(self, call):
        try:
            call()
        except (ToolError, McpAccessDenied):
            return
        self.fail("neither ToolError nor McpAccessDenied raised")

    def assert_denied(self, call, reason=None, message=None):
        with self.assertRaises(McpAccessDenied) as catcher:
            call()
        if reason:
            self.assertEqual(catcher.exception.data["reason"], reason, catcher.exception.message)
        if message is not None:
            self.assertEqual(catcher.exception.message, message)
        return catcher.exception

    def test_fields_ok(self):
        fields = ["name", "parent_id", "parent_id.name", "country_id.code", "category_id.name", "create_uid", "user_id"]
        self.assertEqual(self.guard.check_fields("res.partner", fields, self.key), fields)

    def test_fields_leak_paths(self):
        cases = [
            ("res.partner.bank", "partner_id.user_id.login"),
            ("res.partner", "create_uid.login"),
            ("res.partner", "user_id.password"),
            ("res.partner", "user_id.login"),
            ("res.partner", "parent_id.user_id.name"),
            ("res.partner", "write_uid.partner_id.name"),
            ("res.country", "create_uid.groups_id.name"),
        ]
        for model_name, path in cases:
            with self.subTest(path=path):
                error = self.assert_denied(lambda: self.guard.check_fields(model_name, [path], self.key), "blocked")
                self.assertEqual(error.data["model"], "res.users")
                self.assertEqual(error.message, MSG_PATH_DENIED % {"path": path, "model": "res.users"})

    def test_fields_unknown_and_not_relational(self):
        with self.assertRaises(ToolError) as catcher:
            self.guard.check_fields("res.partner", ["nmae"], self.key)
        self.assertEqual(catcher.exception.message,
                         MSG_UNKNOWN_FIELD % {"field": "nmae", "model": "res.partner"} + " Did you mean: name?")
        with self.assertRaises(ToolError) as catcher:
            self.guard.check_fields("res.partner", ["name.foo"], self.key)
        self.assertEqual(catcher.exception.message, MSG_PATH_NOT_RELATIONAL % {
            "field": "name", "model": "res.partner", "path": "name.foo"})
        with self.assertRaises(ToolError):
            self.guard.check_fields("res.partner", ["country_id.nope"], self.key)
        for bad in ("name;", "parent_id..name", "", "a b", "name)"):
            with self.assertRaises(ToolError):
                self.guard.check_fields("res.partner", [bad], self.key)
        with self.assertRaises(ToolError):
            self.guard.check_fields("res.partner", "name,email", self.key)
        with self.assertRaises(ToolError):
            self.guard.check_fields("res.partner", [["name"]], self.key)

    def test_field_groups_hidden(self):
        self.patch(self.env["res.partner"]._fields["comment"], "groups", "base.group_system")
        self.assert_denied(lambda: self.guard.check_fields("res.partner", ["comment"], self.key), "field",
                           MSG_FIELD_DENIED % {"field": "comment", "model": "res.partner"})
        self.assert_denied(lambda: self.guard.check_fields("res.partner", ["parent_id.comment"], self.key), "field")
        self.assert_denied(lambda: self.guard.check_domain("res.partner", [("comment", "!=", False)], self.key), "field")
        self.assertNotIn("comment", self.guard.readable_fields("res.partner", self.key))
        # the admin still can
        admin_key, _token = self.make_key(name="admin", user_id=self.env.ref("base.user_admin").id)
        self.guard_for(admin_key).check_fields("res.partner", ["comment"], admin_key)

    def test_sensitive_field_names(self):
        self.patch(mcp_guard, "BLOCKED_FIELD_NAMES", frozenset({"ref"}))
        self.assert_denied(lambda: self.guard.check_fields("res.partner", ["ref"], self.key), "field",
                           MSG_FIELD_DENIED % {"field": "ref", "model": "res.partner"})
        self.assert_denied(lambda: self.guard.check_order("res.partner", "ref desc", self.key), "field")
        self.assertNotIn("ref", self.guard.readable_fields("res.partner", self.key))

    def test_related_field_through_blocked_model(self):
        self.patch(self.env["res.partner"]._fields["ref"], "related", "user_ids.login")
        error = self.assert_denied(lambda: self.guard.check_fields("res.partner", ["ref"], self.key), "blocked")
        self.assertEqual(error.data["model"], "res.users")
        self.assertNotIn("ref", self.guard.readable_fields("res.partner", self.key))
        self.assertIn("name", self.guard.readable_fields("res.partner", self.key))

    def test_hop_into_unreadable_model(self):
        # a model-access rule refusing read closes the hop
        self.add_rule("res.country", read=False)
        error = self.assert_denied(lambda: self.guard.check_fields("res.partner", ["country_id.code"], self.key), "rule")
        self.assertEqual(error.data["model"], "res.country")
        self.assert_denied(lambda: self.guard.check_domain("res.partner", [("country_id", "ilike", "bel")], self.key))
        self.guard.check_domain("res.partner", [("country_id", "=", 20)], self.key)
        # Odoo's ACL closes it too (portal users cannot read partner tags)
        key, _token = self.make_key(name="portal", user_id=self.user_portal.id)
        error = self.assert_denied(
            lambda: self.guard_for(key).check_fields("res.partner", ["category_id.name"], key), "acl")
        self.assertEqual(error.data["model"], "res.partner.category")

    # ------------------------------------------------------------------
    # domains
    # ------------------------------------------------------------------
    def test_domain_ok(self):
        domain = ["|", ("name", "ilike", "a"), "!", ["email", "=", False],
                  ("country_id.code", "in", ["BE", "FR"]), ("create_uid", "=", 2), ("user_id", "in", [2, 3]),
                  ("category_id", "any", [("name", "=", "VIP")])]
        checked = self.guard.check_domain("res.partner", domain, self.key)
        self.assertEqual(checked[0], "|")
        self.assertEqual(checked[3], ("email", "=", False))
        self.assertEqual(checked[4], ("country_id.code", "in", ["BE", "FR"]))
        self.assertEqual(self.env["res.partner"].search_count(checked), self.env["res.partner"].search_count(domain))
        self.assertEqual(self.guard.check_domain("res.partner", [], self.key), [])
        self.assertEqual(self.guard.check_domain("res.partner", None, self.key), [])
        self.assertEqual(self.guard.check_domain("res.partner", [(1, "=", 1)], self.key), [(1, "=", 1)])

    def test_domain_leak_paths(self):
        leaks = [
            [("user_id.password", "!=", False)],
            [("user_id.login", "=", "admin")],
            [("create_uid.login", "ilike", "a")],
            ["|", ("name", "=", "x"), ("write_uid.groups_id", "!=", False)],
            [("category_id", "any", [("create_uid.login", "=", "admin")])],
            [("user_id", "any", [("login", "=", "admin")])],
        ]
        for domain in leaks:
            with self.subTest(domain=domain):
                self.assert_denied(lambda: self.guard.check_domain("res.partner", domain, self.key), "blocked")

    def test_domain_name_search_on_blocked_comodel(self):
        for domain in ([("create_uid", "ilike", "admin")], [("user_id", "=", "admin")],
                       [("user_id", "child_of", 2)], [("create_uid", "in", ["admin"])]):
            with self.subTest(domain=domain):
                error = self.assert_denied(lambda: self.guard.check_domain("res.partner", domain, self.key))
                self.assertEqual(error.data["model"], "res.users")
        field = domain[0][0]
        self.assertEqual(error.message, MSG_DOMAIN_ID_ONLY % {"field": field, "model": "res.partner", "comodel": "res.users"})
        # ids and emptiness tests are fine
        for domain in ([("create_uid", "=", 2)], [("user_id", "!=", False)], [("user_id", "not in", [1, 2])]):
            self.guard.check_domain("res.partner", domain, self.key)

    def test_domain_malformed(self):
        bad_domains = [
            "name = 'x'", [("name", "=")], [("name", "=", "x", "y")], [("name", "SELECT", "x")],
            [("name", "=", {"$ne": 1})], [("name", "in", [["nested"]])], ["&", ("name", "=", "x")],
            ["|"], ["!"], ["xor", ("name", "=", "x")], [(("name",), "=", "x")], [42], {"name": "x"},
            [("name", 1, "x")], [(True, "=", 1)],
        ]
        for domain in bad_domains:
            with self.subTest(domain=domain):
                with self.assertRaises(ToolError):
                    self.guard.check_domain("res.partner", domain, self.key)
        with self.assertRaises(ToolError) as catcher:
            self.guard.check_domain("res.partner", ["&", ("name", "=", "x")], self.key)
        self.assertEqual(catcher.exception.message, MSG_DOMAIN_ARITY % {"operator": "&"})
        deep = [("name", "=", "x")]
        for _i in range(20):
            deep = [("category_id", "any", deep)]
        with self.assertRaises(ToolError):
            self.guard.check_domain("res.partner", deep, self.key)

    # ------------------------------------------------------------------
    # order, groupby, aggregates
    # ------------------------------------------------------------------
    def test_order(self):
        check = self.guard.check_order
        self.assertEqual(check("res.partner", "name desc, id", self.key), "name DESC, id")
        self.assertEqual(check("res.partner", " name  ASC  nulls last ", self.key), "name ASC NULLS LAST")
        self.assertEqual(check("res.partner", "country_id desc", self.key), "country_id DESC")
        self.assertEqual(check("res.partner", "", self.key), "")
        self.assertEqual(check("res.partner", None, self.key), "")
        records = self.env["res.partner"].search([], order=check("res.partner", "name desc, id", self.key), limit=3)
        self.assertTrue(records)

    def test_order_injection(self):
        injections = [
            "name; DROP TABLE res_partner", "name desc, (SELECT 1)", "name desc --", "id DESC LIMIT 1",
            "name collate \"C\"", "name, password", "(id)", "name asc desc", "1", "name/**/desc",
            "name desc nulls", "id,", ",id", "name\ndesc; select",
        ]
        for order in injections:
            with self.subTest(order=order):
                self.assert_refused(lambda: self.guard.check_order("res.partner", order, self.key))
        with self.assertRaises(ToolError) as catcher:
            self.guard.check_order("res.partner", "name; DROP TABLE res_partner", self.key)
        self.assertEqual(catcher.exception.message, MSG_BAD_ORDER % {"order": "name; DROP TABLE res_partner"})
        self.assert_denied(lambda: self.guard.check_order("res.partner", "create_uid.login", self.key), "blocked")
        self.assert_denied(lambda: self.guard.check_order("res.partner", "user_id.login desc", self.key), "blocked")
        with self.assertRaises(ToolError):
            self.guard.check_order("res.partner", "display_name", self.key)  # not stored

    def test_groupby(self):
        check = self.guard.check_groupby
        self.assertEqual(check("res.partner", ["country_id", "create_date:month"], self.key),
                         ["country_id", "create_date:month"])
        self.assertEqual(check("res.partner", "create_uid", self.key), ["create_uid"])
        self.assert_denied(lambda: check("res.partner", ["create_uid.login"], self.key), "blocked")
        self.assert_denied(lambda: check("res.partner", ["user_id.login"], self.key), "blocked")
        with self.assertRaises(ToolError) as catcher:
            check("res.partner", ["name:month"], self.key)
        self.assertEqual(catcher.exception.message, MSG_BAD_GRANULARITY % {"granularity": "month", "field": "name"})
        for bad in (["create_date:hour_and_more"], ["create_date:second"], ["name desc"], [1], "name;x", {"a": 1}):
            with self.subTest(groupby=bad):
                with self.assertRaises(ToolError):
                    check("res.partner", bad, self.key)

    def test_aggregates(self):
        check = self.guard.check_aggregates
        self.assertEqual(check("res.partner", ["__count", "id:count", "color:sum"], self.key),
                         ["__count", "id:count", "color:sum"])
        for bad in (["color:exec"], ["color"], ["color:sum:x"], ["create_uid.login:max"]):
            with self.subTest(spec=bad):
                with self.assertRaises(ToolError):
                    check("res.partner", bad, self.key)

    # ------------------------------------------------------------------
    # values
    # ------------------------------------------------------------------
    def test_values_commands_into_blocked_comodel(self):
        check = self.guard.check_values
        check("res.partner", {"name": "x", "category_id": [(0, 0, {"name": "VIP"})]}, self.key)
        # user_ids mirrors res.users (linking re-points their partner_id): not
        # accessible at all, whatever the command (mcp_guard_links)
        field_denied = MSG_FIELD_DENIED % {"field": "user_ids", "model": "res.partner"}
        for value in ([(6, 0, [2])], [(0, 0, {"login": "evil", "name": "evil"})], [(1, 2, {"login": "evil"})]):
            with self.subTest(value=value):
                self.assert_denied(lambda: check("res.partner", {"user_ids": value}, self.key), "field", field_denied)
        self.assert_denied(lambda: check("res.partner", {"category_id": [(0, 0, {"parent_id": 1,
                           "partner_ids": [(0, 0, {"user_ids": [(0, 0, {"login": "x"})]})]})]}, self.key), "field")
        # an x2many into a blocked model with a relation table of its own: links by id only
        self.assertIn("web_tour.tour", self.env, "web_tour is auto-installed with web")
        error = self.assert_denied(
            lambda: check("web_tour.tour", {"user_consumed_ids": [(0, 0, {"login": "evil", "name": "evil"})]},
                          self.key),
            "blocked", MSG_VALUES_COMMAND % {"field": "user_consumed_ids", "model": "web_tour.tour"})
        self.assertEqual(error.data["model"], "res.users")
        with self.assertRaises(ToolError):
            check("res.partner", {"name.first": "x"}, self.key)
        with self.assertRaises(ToolError):
            check("res.partner", ["name"], self.key)
        plain_key, _token = self.make_key(name="plain", user_id=self.user_plain.id, scope="write")
        self.assert_denied(lambda: self.guard_for(plain_key).check_values(
            "res.partner", {"category_id": [(0, 0, {"name": "VIP"})]}, plain_key), "acl")


@tagged("post_install", "-at_install", "mcp_security")
class TestGuardMethods(McpSecurityCase):
    def test_blocklist_constant(self):
        for name in ("unlink", "write", "create", "copy", "sudo", "with_user", "with_context", "with_env",
                     "with_company", "export_data", "load", "import_data", "web_save", "web_read",
                     "web_search_read", "read", "search_read", "read_group", "name_create", "toggle_active",
                     "action_archive", "action_unarchive", "method_direct_trigger", "run", "browse", "exists",
                     "ensure_one", "check_access", "fields_get", "init", "env", "pool", "search", "search_count"):
            self.assertIn(name, METHOD_BLOCKLIST)

    def test_every_blocked_method_refused(self):
        guard = self.guard_for(self.key_write)
        for method in sorted(METHOD_BLOCKLIST) + ["_read", "_sql", "__init__", "_name", "unlink_all",
                                                  "check_access_rule", "web_anything", "with_prefetch"]:
            with self.subTest(method=method):
                with self.assertRaises(McpAccessDenied) as catcher:
                    guard.check_method("res.partner", method, self.key_write)
                self.assertEqual(catcher.exception.data["reason"], "method")
                self.assertEqual(catcher.exception.message,
                                 MSG_METHOD_DENIED % {"method": method, "model": "res.partner"})

    def test_button_allowed_other_public_method_not(self):
        guard = self.guard_for(self.key_write)
        # create_company is a button of the partner form (base.view_partner_form)
        self.assertIn("create_company", guard.button_methods("res.partner"))
        self.assertEqual(guard.check_method("res.partner", "create_company", self.key_write)._name, "res.partner")
        with self.assertRaises(McpAccessDenied) as catcher:
            guard.check_method("res.partner", "address_get", self.key_write)
        error = catcher.exception
        self.assertEqual(error.data["reason"], "method")
        self.assertTrue(error.message.startswith(
            MSG_METHOD_NOT_OFFERED % {"method": "address_get", "model": "res.partner"}), error.message)
        self.assertIn("create_company", error.message)
        self.assertNotIn("address_get", error.data["callable"])

    def test_buttons_take_no_arguments(self):
        guard = self.guard_for(self.key_write)
        with self.assertRaises(ToolError) as catcher:
            guard.check_method("res.partner", "create_company", self.key_write, args=[1])
        self.assertIn("it is a button", catcher.exception.message)

    def test_rule_allows_listed_methods(self):
        self.add_rule("res.partner", read=True, write=True, methods="address_get, find_or_create")
        guard = self.guard_for(self.key_write)
        for method in ("address_get", "find_or_create", "create_company"):
            self.assertEqual(guard.check_method("res.partner", method, self.key_write, args=[["x"]]
                                                if method != "create_company" else None)._name, "res.partner")
        with self.assertRaises(McpAccessDenied):
            guard.check_method("res.partner", "view_header_get", self.key_write)

    def test_rule_cannot_list_blocked_methods(self):
        for methods in ("unlink", "_read", "install_l10n_modules", "get_external_id", "sudo", "a-b"):
            with self.subTest(methods=methods), self.assertRaises(ValidationError), self.cr.savepoint():
                self.add_rule("res.partner", methods=methods)

    def test_any_public_method_setting(self):
        self.set_setting("any_public_method", "True")
        self.env.registry.clear_cache()
        guard = self.guard_for(self.key_write)
        self.assertIsNone(guard.callable_methods("res.partner"))
        self.assertEqual(guard.check_method("res.partner", "address_get", self.key_write)._name, "res.partner")
        for method in ("unlink", "install_l10n_modules", "get_external_id", "_read"):
            with self.subTest(method=method), self.assertRaises(McpAccessDenied):
                guard.check_method("res.partner", method, self.key_write)

    def test_blocked_substrings(self):
        guard = self.guard_for(self.key_ab)
        for method in ("install_l10n_modules", "button_immediate_install", "get_external_id",
                       "action_reset_password", "module_uninstall"):
            with self.subTest(method=method), self.assertRaises(McpAccessDenied) as catcher:
                guard.check_method("res.partner", method, self.key_ab)
            self.assertEqual(catcher.exception.message, MSG_METHOD_DENIED % {"method": method, "model": "res.partner"})

    def test_button_of_a_group_the_user_lacks_is_not_offered(self):
        view = self.env["ir.ui.view"].create({
            "name": "mcp test partner buttons", "model": "res.partner", "type": "form", "mode": "primary",
            "arch": '<form><header><button name="get_import_templates" type="object" string="X" '
                    'groups="base.group_system"/><button name="open_commercial_entity" type="object" '
                    'string="Y"/></header><field name="child_ids"><list><field name="name"/>'
                    '<button name="onchange_email" type="object"/></list></field></form>'})
        self.assertTrue(view)
        guard = self.guard_for(self.key_write)
        buttons = guard.button_methods("res.partner")
        self.assertIn("open_commercial_entity", buttons)
        self.assertNotIn("get_import_templates", buttons)  # base.group_system only
        self.assertNotIn("onchange_email", buttons)  # a button of the embedded child list
        # the admin sees the group_system button
        self.assertIn("get_import_templates", self.env(user=self.env.ref("base.user_admin"))["mcp.guard"]
                      .button_methods("res.partner"))

    def test_mixin_methods_keyword_arguments_checked(self):
        # the argument check alone (this database has no mail module: no message_post)
        guard = self.guard_for(self.key_write)
        partner = self.env["res.partner"].create({"name": "MCP chatter target"})
        guard._check_mixin_arguments("res.partner", "message_post", [], {"body": "hello", "subtype_xmlid": "mail.mt_note",
                                                          "partner_ids": [partner.id]}, self.key_write)
        bad = [
            ({"author_id": 3}, "does not accept the argument 'author_id'"),
            ({"body": 3}, "expected a string"),
            ({"subtype_xmlid": "mail.mt_anything"}, "expected one of mail.mt_note, mail.mt_comment"),
            ({"partner_ids": [999999999]}, "no res.partner record with id 999999999"),
        ]
        for kwargs, text in bad:
            with self.subTest(kwargs=kwargs), self.assertRaises(ToolError) as catcher:
                guard._check_mixin_arguments("res.partner", "message_post", [], kwargs, self.key_write)
            self.assertIn(text, catcher.exception.message)
        with self.assertRaises(ToolError) as catcher:
            guard._check_mixin_arguments("res.partner", "message_post", ["hello"], {}, self.key_write)
        self.assertIn("keyword arguments only", catcher.exception.message)

    def test_method_needs_write(self):
        guard = self.guard_for(self.key_read)
        with self.assertRaises(McpAccessDenied) as catcher:
            guard.check_method("res.partner", "address_get", self.key_read)
        self.assertEqual(catcher.exception.data["reason"], "scope")
        for method in ("message_post", "message_subscribe", "activity_schedule"):
            with self.assertRaises(McpAccessDenied):
                guard.check_method("res.partner", method, self.key_read)
        self.add_rule("res.partner", read=True, write=False)
        with self.assertRaises(McpAccessDenied) as catcher:
            self.guard_for(self.key_write).check_method("res.partner", "address_get", self.key_write)
        self.assertEqual(catcher.exception.data["reason"], "rule")

    def test_method_on_blocked_model(self):
        guard = self.guard_for(self.key_write)
        with self.assertRaises(McpAccessDenied) as catcher:
            guard.check_method("res.users", "action_reset_password", self.key_write)
        self.assertEqual(catcher.exception.data["reason"], "blocked")

    def test_not_a_method(self):
        guard = self.guard_for(self.key_write)
        for name in ("name", "ids", "display_name", "nonexistent_method", "_fields"[1:], "pool_x"):
            with self.subTest(name=name):
                with self.assertRaises(ToolError) as catcher:
                    guard.check_method("res.partner", name, self.key_write)
                # the guard's message may end with close method names ("Did you mean: ...?")
                self.assertTrue(catcher.exception.message.startswith(
                    MSG_METHOD_UNKNOWN % {"method": name, "model": "res.partner"}), catcher.exception.message)
        for name in ("not-valid", "a b", "", "class", None, 42, "x()", "name.upper"):
            with self.subTest(name=name):
                with self.assertRaises(ToolError) as catcher:
                    guard.check_method("res.partner", name, self.key_write)
                self.assertEqual(catcher.exception.message, MSG_METHOD_INVALID % {"method": name})


@tagged("post_install", "-at_install", "mcp_security")
class TestGuardContext(McpSecurityCase):
    def test_whitelist(self):
        guard = self.guard_for(self.key_write)
        context = {"lang": "en_US", "tz": "Europe/Brussels", "active_test": False, "uid": 1, "su": True,
                   "tracking_disable": True, "active_ids": [1], "default_user_ids": [1], "force_company": 2}
        self.assertEqual(guard.sanitize_context(context, self.key_write),
                         {"lang": "en_US", "tz": "Europe/Brussels", "active_test": False})
        self.assertEqual(guard.sanitize_context({"lang": "xx_XX", "tz": "Mars/Base", "active_test": "no"},
                                                self.key_write), {})
        self.assertEqual(guard.sanitize_context(None, self.key_write), {})
        with self.assertRaises(ToolError):
            guard.sanitize_context(["lang"], self.key_write)

    def test_allowed_company_ids(self):
        guard = self.guard_for(self.key_write)  # user_a: company A only
        self.assertEqual(guard.sanitize_context({"allowed_company_ids": [self.company_a.id]}, self.key_write),
                         {"allowed_company_ids": [self.company_a.id]})
        with self.assertRaises(McpAccessDenied) as catcher:
            guard.sanitize_context({"allowed_company_ids": [self.company_a.id, self.company_b.id]}, self.key_write)
        self.assertEqual(catcher.exception.message, MSG_CONTEXT_COMPANIES % {"companies": str(self.company_b.id)})
        for bad in ("1", [True], [], ["1"], 1):
            with self.assertRaises(ToolError):
                guard.sanitize_context({"allowed_company_ids": bad}, self.key_write)
        guard_ab = self.guard_for(self.key_ab)
        self.assertEqual(guard_ab.sanitize_context({"allowed_company_ids": [self.company_b.id]}, self.key_ab),
                         {"allowed_company_ids": [self.company_b.id]})
        key_a_only, _token = self.make_key(name="ab but A", user_id=self.user_ab.id, company_ids=[(6, 0, self.company_a.ids)])
        with self.assertRaises(McpAccessDenied):
            self.guard_for(key_a_only).sanitize_context({"allowed_company_ids": [self.company_b.id]}, key_a_only)

    def test_multi_company_records(self):
        partner_b = self.env["res.partner"].create({"name": "Secret B customer", "company_id": self.company_b.id})
        env_a = self.mcp_env(self.key_write)
        self.assertFalse(env_a["res.partner"].search([("id", "=", partner_b.id)]))
        env_ab = self.mcp_env(self.key_ab)
        self.assertTrue(env_ab["res.partner"].search([("id", "=", partner_b.id)]))


@tagged("post_install", "-at_install", "mcp_security")
class TestGuardMessagesTranslatable(McpSecurityCase):
    def test_every_guard_message_is_in_the_pot(self):
        """Each MSG_* of the guard's rules is a msgid of i18n/mcp_bridge.pot
        (regenerate it with Odoo's --i18n-export when a message changes)."""
        import os
        import re

        from odoo.tools.translate import PoFileReader

        from ..models import mcp_guard_rules
        pot = os.path.join(os.path.dirname(os.path.dirname(__file__)), "i18n", "mcp_bridge.pot")
        with open(pot, "rb") as handle:
            msgids = {entry["src"] for entry in PoFileReader(handle)}
        messages = {name: value for name, value in vars(mcp_guard_rules).items() if name.startswith("MSG_")}
        self.assertGreater(len(messages), 40)
        self.assertEqual(sorted(name for name, text in messages.items() if text not in msgids), [])
        # plain templates: %-formatting with their placeholders works
        for name, text in messages.items():
            with self.subTest(message=name):
                placeholders = dict.fromkeys(re.findall(r"%\((\w+)\)", text), "x")
                self.assertNotIn("%(", text % placeholders)

    def test_messages_are_translated_in_the_users_language(self):
        """The guard translates a message when it raises it, in the user's language."""
        from unittest.mock import patch

        from ..models.mcp_guard_rules import MSG_UNKNOWN_MODEL as template

        def fake(module, lang, source, args):
            text = "[%s] %s" % (lang, source) if lang == "fr_FR" and module == "mcp_bridge" else source
            return text % args if args else text
        self.env["res.lang"]._activate_lang("fr_FR")
        guard = self.guard_for(self.key_read).with_context(lang="fr_FR")
        with patch("odoo.api.get_translation", side_effect=fake), self.assertRaises(ToolError) as caught:
            guard.check_model("no.such.model", "read", self.key_read)
        self.assertTrue(caught.exception.message.startswith(
            "[fr_FR] " + template % {"model": "no.such.model"}), caught.exception.message)
