# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Issue 16, people and the bugs found: whoami, find_user and users' display
names (the two windows into res.users, closed by a setting), and the fixes of
the error map, domains, field suggestions, yearly groups, execute_method's
keyword arguments and the audit row, through the dispatcher as a client
calls them."""
import psycopg2.errors
from odoo.tests import new_test_user, tagged

from ..models.mcp_guard_rules import (
    MSG_DOMAIN_FLAT,
    MSG_DOMAIN_NOT_DATE,
    MSG_IDENTITY_CLOSED,
    MSG_PATH_DENIED,
)
from ..protocol import errors
from ..tools.execute_method import field_args, field_kwargs
from .test_dispatcher import DispatcherCase, _raiser

REVISION = "2025-06-18"


@tagged("post_install", "-at_install")
class TestPeople(DispatcherCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.marc = new_test_user(cls.env, login="mcp_marc", name="Marc Peoplemann", groups="base.group_user")
        cls.gone = new_test_user(cls.env, login="mcp_gone", name="Marc Archived", groups="base.group_user")
        cls.gone.active = False
        cls.portal_marc = new_test_user(cls.env, login="mcp_portal_marc", name="Marc Portalman",
                                        groups="base.group_portal")
        cls.partner = cls.env["res.partner"].create({"name": "MCP People Partner", "user_id": cls.marc.id})

    def tool(self, name, arguments, ctx=None):
        response, _ctx = self.handle("tools/call", {"name": name, "arguments": arguments}, ctx)
        self.assertNotIn("error", response, response)
        return response["result"]

    def ok(self, name, arguments, ctx=None):
        result = self.tool(name, arguments, ctx)
        self.assertFalse(result["isError"], result)
        return result["structuredContent"]

    def error_text(self, name, arguments):
        result = self.tool(name, arguments)
        self.assertTrue(result["isError"], result)
        return result["content"][0]["text"]

    # ------------------------------------------------------------------
    # identity
    # ------------------------------------------------------------------
    def test_whoami(self):
        me = self.ok("whoami", {"models": ["res.partner", "res.users", "res.company", "no.such.model"]})
        self.assertEqual(me["user"], {"id": self.user_a.id, "name": self.user_a.name})
        self.assertEqual(me["company"]["id"], self.company_a.id)
        self.assertEqual([c["id"] for c in me["companies"]], self.company_a.ids)
        self.assertEqual(me["scope"], "write")
        self.assertEqual(me["access"]["res.partner"], {"read": True, "create": True, "write": True, "unlink": True})
        self.assertEqual(me["access"]["res.users"], dict.fromkeys(("read", "create", "write", "unlink"), False))
        self.assertEqual(me["access"]["res.company"], {"read": True, "create": False, "write": False,
                                                       "unlink": False})
        self.assertFalse(any(me["access"]["no.such.model"].values()))
        self.assertGreater(me["readable_models"], 5)
        read_only = self.ok("whoami", {"models": ["res.partner"]}, self.ctx(self.key_read))
        self.assertEqual(read_only["scope"], "read")
        self.assertEqual(read_only["access"]["res.partner"], {"read": True, "create": False, "write": False,
                                                              "unlink": False})

    def test_find_user_id_and_name_of_active_internal_users_only(self):
        found = self.ok("find_user", {"name": "peoplemann"})
        self.assertEqual(found["users"], [{"id": self.marc.id, "name": "Marc Peoplemann"}])
        self.assertNotIn(self.gone.id, [u["id"] for u in self.ok("find_user", {"name": "marc"})["users"]])
        self.assertEqual(self.ok("find_user", {"name": "Portalman"})["users"], [], "portal users are not found")
        self.assertEqual(self.ok("find_user", {"name": "Archived"})["users"], [], "archived users are not found")
        self.assertEqual(self.ok("find_user", {"name": "mcp_marc"})["users"], [], "logins are not searched")

    def test_user_names_in_values(self):
        record = self.ok("read", {"model": "res.partner", "ids": [self.partner.id], "fields": ["user_id"]})
        self.assertEqual(record["records"][0]["user_id"], [self.marc.id, "Marc Peoplemann"])
        groups = self.ok("aggregate", {"model": "res.partner", "groupby": ["user_id"],
                                       "domain": [["id", "=", self.partner.id]]})
        self.assertEqual(groups["groups"][0]["user_id"], [self.marc.id, "Marc Peoplemann"])
        schema = self.ok("get_model_schema", {"model": "res.partner", "fields": ["user_id"]})
        self.assertEqual(schema["fields"][0]["relation"], "res.users")
        # "my partners": the user id in a domain, as before
        mine = self.ok("count", {"model": "res.partner", "domain": [["user_id", "=", self.marc.id]]})
        self.assertEqual(mine["count"], 1)

    def test_nothing_else_of_users(self):
        for path in ("user_id.login", "user_id.name", "user_id.groups_id", "user_id.share"):
            with self.subTest(path=path):
                response, _ctx = self.handle("tools/call", {"name": "search_read", "arguments": {
                    "model": "res.partner", "domain": [[path, "!=", False]]}})
                self.assertEqual(response["error"]["code"], errors.ACCESS_DENIED)
                self.assertEqual(response["error"]["message"], MSG_PATH_DENIED % {"path": path, "model": "res.users"})
        response, _ctx = self.handle("tools/call", {"name": "search_read", "arguments": {
            "model": "res.partner", "domain": [["user_id", "ilike", "marc"]]}})
        self.assertEqual(response["error"]["code"], errors.ACCESS_DENIED, "no name search on users")
        response, _ctx = self.handle("tools/call", {"name": "read", "arguments": {
            "model": "res.users", "ids": [self.marc.id], "fields": ["name"]}})
        self.assertEqual(response["error"]["code"], errors.ACCESS_DENIED)

    def test_setting_closes_both_windows(self):
        self.set_setting("identity_windows", False)
        self.env["mcp.settings"].env.registry.clear_cache()
        record = self.ok("read", {"model": "res.partner", "ids": [self.partner.id], "fields": ["user_id"]})
        self.assertEqual(record["records"][0]["user_id"], [self.marc.id, None])
        response, _ctx = self.handle("tools/call", {"name": "find_user", "arguments": {"name": "marc"}})
        self.assertEqual(response["error"], {"code": errors.ACCESS_DENIED, "message": MSG_IDENTITY_CLOSED,
                                             "data": {"model": "res.users", "reason": "blocked"}})
        schema = self.ok("get_model_schema", {"model": "res.partner", "fields": ["user_id"]})
        self.assertEqual(schema["blocked_fields"], ["user_id"])

    # ------------------------------------------------------------------
    # discovery
    # ------------------------------------------------------------------
    def test_list_models_finds_menus(self):
        admin_key, _token = self.make_key(name="admin read", user_id=self.env.ref("base.user_admin").id, scope="read")
        found = self.ok("list_models", {"query": "companies"}, self.ctx(admin_key))
        first = found["models"][0]
        self.assertEqual(first["model"], "res.company")
        self.assertEqual(first["menus"][0]["menu"], "Settings/Users & Companies/Companies")
        # a plain user sees no Settings menu: the model is found by its name only
        found = self.ok("list_models", {"query": "companies"})
        self.assertNotIn("menus", found["models"][0] if found["models"] else {})

    # ------------------------------------------------------------------
    # the bugs found
    # ------------------------------------------------------------------
    def test_value_error_of_business_code_is_a_tool_error(self):
        result, _ctx = self.call_raising(_raiser(ValueError("Invalid field 'lost_reason' on model 'crm.lead'\n"
                                                            "Traceback (most recent call last): secret")))
        self.assertTrue(result["result"]["isError"])
        self.assertEqual(result["result"]["content"][0]["text"],
                         errors.MSG_VALUE_ERROR % "Invalid field 'lost_reason' on model 'crm.lead'")
        self.assertEqual(self.last_audit(), ("tools/call", "raising", "error", 0))

    def test_bad_dates(self):
        text = self.error_text("search_read", {"model": "res.partner", "domain": [["create_date", ">", "2026-13-45"]]})
        self.assertEqual(text, MSG_DOMAIN_NOT_DATE % {"value": '"2026-13-45"', "type": "datetime",
                                                      "field": "create_date"})
        self.ok("count", {"model": "res.partner", "domain": [["create_date", ">", "2020-01-01"],
                                                              ["create_date", "<", "2099-01-01 10:00:00"]]})
        result, _ctx = self.call_raising(_raiser(psycopg2.errors.InvalidDatetimeFormat()))
        self.assertEqual(result["result"]["content"][0]["text"], errors.MSG_BAD_DATE_VALUE)

    def test_flat_domain(self):
        text = self.error_text("search_read", {"model": "res.partner", "domain": ["name", "=", 5]})
        self.assertEqual(text, MSG_DOMAIN_FLAT % {"term": '["name", "=", 5]'})

    def test_field_suggestions_by_label_never_blocked(self):
        text = self.error_text("search_read", {"model": "res.partner", "fields": ["salesperson"]})
        self.assertIn("Did you mean: user_id", text)
        text = self.error_text("search_read", {"model": "res.partner", "fields": ["user_idss"]})
        self.assertNotIn("user_ids", text.replace("user_idss", ""), "a hidden field is never suggested")
        schema = self.ok("get_model_schema", {"model": "res.partner", "fields": ["name", "salesperson"]})
        self.assertEqual([f["name"] for f in schema["fields"]], ["name"])
        self.assertEqual(schema["unknown_fields"], [{"name": "salesperson", "suggestions": ["user_id"]}])

    def test_yearly_and_quarterly_groups(self):
        year = self.ok("aggregate", {"model": "res.partner", "groupby": ["create_date:year"],
                                     "domain": [["id", "=", self.partner.id]]})
        self.assertRegex(year["groups"][0]["create_date:year"], r"^\d{4}$")
        quarter = self.ok("aggregate", {"model": "res.partner", "groupby": ["create_date:quarter"],
                                        "domain": [["id", "=", self.partner.id]]})
        self.assertRegex(quarter["groups"][0]["create_date:quarter"], r"^\d{4}-Q[1-4]$")

    def test_execute_method_kwargs_named_like_fields_are_update_values(self):
        ctx = self.ctx()
        ctx.arguments = {}
        records = ctx.env["res.partner"].browse(self.partner.id)
        self.assertEqual(field_kwargs(ctx, records, "some_button", {"reason": "x", "name": "New"}),
                         {"reason": "x", "name": "New"})
        with self.assertRaises(errors.ToolError) as caught:
            field_kwargs(ctx, records, "some_button", {"name": 5})
        self.assertIn("expected a string", caught.exception.message)
        with self.assertRaises(errors.McpAccessDenied):
            field_kwargs(ctx, records, "some_button", {"user_ids": [self.marc.id]})
        with self.assertRaises(errors.ToolError):  # a link to a record the user may not read
            field_kwargs(ctx, records, "some_button", {"parent_id": 999999})
        self.assertEqual(field_kwargs(ctx, records, "activity_schedule", {"user_id": 5}), {"user_id": 5},
                         "chatter methods keep their own argument check")

    def test_execute_method_positional_objects_named_like_fields_are_update_values(self):
        """A ``vals`` dict passed by position (a method a rule allows) gets
        the checks of an update value, as a keyword argument does."""
        ctx = self.ctx()
        ctx.arguments = {}
        records = ctx.env["res.partner"].browse(self.partner.id)
        self.assertEqual(field_args(ctx, records, "some_method", [{"reason": "x", "name": "New"}, 3, "text"]),
                         [{"reason": "x", "name": "New"}, 3, "text"])
        with self.assertRaises(errors.ToolError) as caught:
            field_args(ctx, records, "some_method", [{"name": 5}])
        self.assertIn("expected a string", caught.exception.message)
        with self.assertRaises(errors.McpAccessDenied):
            field_args(ctx, records, "some_method", [{"user_ids": [self.marc.id]}])
        with self.assertRaises(errors.ToolError):  # a list of vals dicts: each one checked
            field_args(ctx, records, "some_method", [[{"name": "ok"}, {"parent_id": 999999}]])
        self.assertEqual(field_args(ctx, records, "activity_schedule", [{"user_id": 5}]), [{"user_id": 5}],
                         "chatter methods keep their own argument check")

    def test_audit_names_method_and_record_ids(self):
        self.handle("tools/call", {"name": "execute_method", "arguments": {
            "model": "res.partner", "method": "no_such_button", "ids": [self.partner.id, 7]}})
        self.env.cr.execute("SELECT tool, method, record_ids FROM mcp_audit_log WHERE key_id = %s "
                            "ORDER BY id DESC LIMIT 1", (self.key_write.id,))
        self.assertEqual(self.env.cr.fetchone(), ("execute_method", "no_such_button", f"{self.partner.id}, 7"))

    def test_initialize_instructions(self):
        response, _ctx = self.handle("initialize", {"protocolVersion": REVISION, "capabilities": {},
                                                    "clientInfo": {"name": "t", "version": "1"}})
        text = response["result"]["instructions"]
        self.assertIn("Main models: res.partner (contacts, customers and vendors). ", text,
                      "models not installed are not in the map")
        self.assertIn("whoami", text)
        self.assertIn("list_actions", text)

