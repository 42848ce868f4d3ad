# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The write fence (models/mcp_write_fence.py), through the dispatcher's
``_rpc_tools_call`` as a client's ``tools/call`` would run."""
from unittest.mock import patch

from odoo.tests import tagged

from ..models.mcp_guard_rules import MSG_SIDE_EFFECT
from ..models.mcp_server import McpContext
from ..protocol.errors import McpAccessDenied
from ..tools.base import Tool
from ..tools.registry import default_tools
from .common import McpSecurityCase


class SideEffectTool(Tool):
    """A test-only write tool running ``effect(env)`` as the key's user
    (what a business method with a side effect would do)."""

    name = "side_effect"
    description = "test only"
    input_schema = {"type": "object", "properties": {}, "additionalProperties": True}
    output_schema = {"type": "object"}
    operation = "write"
    effect = None

    def run(self, call):
        type(self).effect(call.env)
        return {"done": True}


class ReadSideEffectTool(SideEffectTool):
    name = "read_side_effect"
    operation = "read"


@tagged("post_install", "-at_install")
class TestWriteFence(McpSecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        cls.key_admin, _token = cls.make_key(name="fence admin", user_id=cls.admin.id, scope="write")

    def call_tool(self, key, name, arguments, effect=None):
        """``tools/call`` of ``name`` through the dispatcher as ``key``."""
        ctx = McpContext(key, self.env["mcp.session"].browse(), "2025-06-18", self.env["mcp.settings"]._get_settings(),
                         "streamable_http", "127.0.0.1", key._mcp_env(self.env))
        SideEffectTool.effect = staticmethod(effect) if effect else None
        tools = default_tools() + [SideEffectTool(), ReadSideEffectTool()]
        with patch.object(type(self.env["mcp.server"]), "_mcp_tools", lambda server: tools):
            return self.env["mcp.server"]._rpc_tools_call({"name": name, "arguments": arguments}, ctx)

    def assertSideEffect(self, model_name, key, name, arguments, effect=None):
        with self.assertRaises(McpAccessDenied) as caught:
            self.call_tool(key, name, arguments, effect)
        self.assertEqual(caught.exception.message, MSG_SIDE_EFFECT % {"model": model_name})
        self.assertEqual(caught.exception.data, {"model": model_name, "reason": "side_effect"})

    def test_protected_tables(self):
        """Tables of the fenced models and their own many2many tables; never
        the partner tables res.users inherits (tagging a contact is fine)."""
        tables = {table: model for _oid, table, model in self.env["mcp.write.fence"]._fenced_tables()}
        for table, model in (("res_users", "res.users"), ("res_groups_users_rel", "res.users"),
                             ("res_company_users_rel", "res.users"), ("res_groups", "res.groups"),
                             ("res_groups_implied_rel", "res.groups"), ("ir_module_module", "ir.module.module"),
                             ("ir_config_parameter", "ir.config_parameter"), ("ir_filters", "ir.filters"),
                             ("ir_default", "ir.default"), ("mcp_api_key", "mcp.api.key"),
                             ("res_users_apikeys", "res.users.apikeys"), ("ir_ui_view", "ir.ui.view")):
            self.assertEqual(tables.get(table), model, table)
        self.assertNotIn("res_partner", tables)
        self.assertNotIn("res_partner_res_partner_category_rel", tables)

    def test_raw_sql_side_effect_is_rolled_back(self):
        """A write tool whose code changes res_users with raw SQL: refused,
        the row is as before."""
        login = self.user_a.login

        def effect(env):
            env.cr.execute("UPDATE res_users SET login = 'fenced' WHERE id = %s", [self.user_a.id])

        self.assertSideEffect("res.users", self.key_write, "side_effect", {}, effect)
        self.env.cr.execute("SELECT login FROM res_users WHERE id = %s", [self.user_a.id])
        self.assertEqual(self.env.cr.fetchone()[0], login)

    def test_unflushed_orm_side_effect(self):
        """An ORM write still pending in the cache when the tool returns
        (flushed by the fence) is seen and rolled back."""
        param = self.env["ir.config_parameter"].sudo()

        def effect(env):
            env["ir.config_parameter"].sudo().set_param("mcp_fence.test", "x")

        self.assertSideEffect("ir.config_parameter", self.key_write, "side_effect", {}, effect)
        self.assertFalse(param.get_param("mcp_fence.test"))

    def test_many2many_side_effect(self):
        """Linking a user to a company (res_company_users_rel) from the code
        of a tool: refused as a change of res.users."""
        def effect(env):
            env.cr.execute("INSERT INTO res_company_users_rel (cid, user_id) VALUES (%s, %s)",
                           [self.company_b.id, self.user_a.id])

        self.assertSideEffect("res.users", self.key_write, "side_effect", {}, effect)
        self.assertNotIn(self.company_b, self.user_a.company_ids)

    def test_side_effect_undone_inside_the_tool_still_counts(self):
        """A change attempted and rolled back inside the tool (its own
        savepoint) still refuses the call: attempts are counted."""
        def effect(env):
            try:
                with env.cr.savepoint(flush=False):
                    env.cr.execute("UPDATE ir_default SET json_value = json_value")
                    raise ValueError("undo")
            except ValueError:
                pass

        self.env["ir.default"].set("res.partner", "comment", "fence")  # at least one row to update
        self.assertSideEffect("ir.default", self.key_write, "side_effect", {}, effect)

    def test_currency_activation_changes_groups(self):
        """Activating a second currency adds every employee to
        base.group_multi_currency (res.currency's own write): refused."""
        eur = self.env.ref("base.EUR")
        if eur.active or self.env["res.currency"].search_count([]) != 1:
            self.skipTest("needs a database with one active currency")
        group_user, group_mc = self.env.ref("base.group_user"), self.env.ref("base.group_multi_currency")
        self.assertSideEffect("res.users", self.key_admin, "update",
                              {"model": "res.currency", "ids": [eur.id], "values": {"active": True}})
        self.assertFalse(eur.active)
        self.assertNotIn(group_mc, group_user.implied_ids)

    def test_normal_writes_pass(self):
        """Ordinary creates/updates/deletes/methods are not refused: a partner
        (and a user's own contact), a tag, a method writing only its own model."""
        created = self.call_tool(self.key_write, "create", {"model": "res.partner", "values": {
            "name": "Fence Partner", "category_id": [[0, 0, {"name": "Fence Tag"}]]}})
        self.assertFalse(created["isError"], created)
        partner_id = created["structuredContent"]["id"]
        for name, arguments in (
                ("update", {"model": "res.partner", "ids": [partner_id], "values": {"city": "Fence City"}}),
                ("update", {"model": "res.partner", "ids": [self.user_a.partner_id.id],
                            "values": {"phone": "+32 2 000 00 00"}}),
                ("execute_method", {"model": "res.partner", "method": "create_company", "ids": [partner_id]}),
                ("delete", {"model": "res.partner", "ids": [partner_id]})):
            with self.subTest(tool=name):
                result = self.call_tool(self.key_admin, name, arguments)
                self.assertFalse(result["isError"], result)
        self.assertEqual(self.user_a.partner_id.phone, "+32 2 000 00 00")

    def test_read_tools_are_not_watched(self):
        """Only tools whose operation is not 'read' pay for the fence."""
        with patch.object(type(self.env["mcp.write.fence"]), "_counters", side_effect=AssertionError("queried")):
            result = self.call_tool(self.key_write, "search_read", {"model": "res.partner", "limit": 1})
            self.assertFalse(result["isError"], result)
            self.assertRaises(AssertionError, self.call_tool, self.key_write, "side_effect", {}, lambda env: None)
