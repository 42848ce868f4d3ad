import datetime
from unittest.mock import patch

from odoo.tests import tagged

from ..protocol.errors import McpAccessDenied
from ..tools.execute_method import _readable_records, describe_result
from ..tools.serialize import json_safe
from .tools_common import ToolsCase


@tagged("post_install", "-at_install")
class TestExecuteMethodTool(ToolsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.partner"].create({"name": "MCP Exec Co", "is_company": True})
        cls.invoice = cls.env["res.partner"].create({"name": "MCP Exec Inv", "type": "invoice",
                                                     "parent_id": cls.company.id})
        # address_get and find_or_create are not buttons: the admin allows them on the rule
        cls.env["mcp.model.access"].create({
            "model_id": cls.env["ir.model"]._get_id("res.partner"), "perm_read": True, "perm_create": True,
            "perm_write": True, "perm_unlink": True, "allowed_methods": "address_get find_or_create"})

    def test_method_with_args(self):
        result = self.run_tool("execute_method", {"model": "res.partner", "method": "address_get",
                                                  "ids": [self.company.id], "args": [["invoice", "contact"]]})
        self.assertEqual(result["result"]["invoice"], self.invoice.id)
        self.assertEqual(result["hidden_records"], 0)

    def test_recordset_result(self):
        result = self.run_tool("execute_method", {"model": "res.partner", "method": "find_or_create",
                                                  "args": ["MCP Exec <exec@mcp.test>"]})
        partner = self.env["res.partner"].search([("email", "=", "exec@mcp.test")])
        self.assertEqual(result["result"], [{"id": partner.id, "display_name": partner.display_name}])

    def test_records_of_blocked_models_are_hidden(self):
        call = self.make_call({})
        hidden = []
        users = self.uenv["res.users"].browse(self.user.id)
        self.assertEqual(json_safe(users, lambda r: _readable_records(call, r, hidden)), [])
        self.assertEqual(hidden, [1])

    def test_result_names_of_unreadable_models_are_dropped(self):
        """A method returning read() dicts: many2one names of blocked models go."""
        call = self.make_call({})
        hidden = []
        partner = self.uenv["res.partner"]
        value = [{"id": 3, "user_id": (2, "Mitchell Admin"), "parent_id": (1, "My Company"), "name": "x"}]
        self.assertEqual(describe_result(call, partner, value, hidden),
                         [{"id": 3, "user_id": [2, None], "parent_id": [1, "My Company"], "name": "x"}])
        action = {"type": "ir.actions.act_window", "res_model": "res.users", "res_id": 2, "name": "Users"}
        self.assertEqual(describe_result(call, partner, action, hidden),
                         {"type": "ir.actions.act_window", "hidden": True})
        readable = {"type": "ir.actions.act_window", "res_model": "res.partner", "res_id": 3}
        self.assertEqual(describe_result(call, partner, readable, hidden), readable)
        self.assertEqual(hidden, [1])

    def test_context_is_sanitized(self):
        """The method runs with the whitelisted keys of the agent's context
        only: no ``uid``, no ``tracking_disable``; still as the key's user."""
        partner_class = type(self.env["res.partner"])
        original = partner_class.address_get
        received = []

        def address_get(records, adr_pref=None):
            if adr_pref == ["invoice"]:  # the tool's call (res.company computes call it too)
                received.append((records.ids, dict(records.env.context), records.env.uid))
            return original(records, adr_pref)

        with patch.object(partner_class, "address_get", address_get):
            result = self.run_tool("execute_method", {
                "model": "res.partner", "method": "address_get", "ids": [self.company.id],
                "args": [["invoice"]], "context": {"lang": "en_US", "active_test": False, "uid": 1,
                                                   "tracking_disable": True}})
        self.assertEqual(result["result"]["invoice"], self.invoice.id)
        self.assertEqual(len(received), 1)
        ids, context, uid = received[0]
        self.assertEqual((ids, uid), ([self.company.id], self.user.id))
        self.assertEqual((context.get("lang"), context.get("active_test")), ("en_US", False))
        self.assertNotIn("uid", context)
        self.assertNotIn("tracking_disable", context)

    def test_errors(self):
        self.assertToolError("execute_method", {"model": "res.partner", "method": "address_get",
                                                "ids": [self.company.id], "args": [1, 2, 3, 4]},
                             "Wrong arguments", "address_get")
        self.assertToolError("execute_method", {"model": "res.partner", "method": "adress_get",
                                                "ids": [self.company.id]}, "adress_get")
        self.assertToolError("execute_method", {"model": "res.partner", "method": "address_get",
                                                "ids": [99999999]}, "99999999")
        self.assertToolError("execute_method", {"model": "res.partner", "method": "address_get",
                                                "args": "invoice"}, "JSON array")
        for method in ("unlink", "write", "_compute_display_name", "sudo", "read"):
            with self.subTest(method=method), self.assertRaises(McpAccessDenied):
                self.tool("execute_method").run(self.make_call({"model": "res.partner", "method": method,
                                                                "ids": [self.company.id]}))
        self.assertTrue(self.company.exists())

    def test_json_safe_conversions(self):
        value = {
            "when": datetime.datetime(2024, 5, 31, 14, 0, 0), "day": datetime.date(2024, 5, 31),
            "blob": b"secret", "nan": float("nan"), "tuple": (1, 2), "obj": object(), 3: {"set": {1}},
        }
        self.assertEqual(json_safe(value), {
            "when": "2024-05-31T14:00:00Z", "day": "2024-05-31", "blob": None, "nan": None,
            "tuple": [1, 2], "obj": "<object>", "3": {"set": [1]},
        })

    def test_annotations_and_operation(self):
        tool = self.tool("execute_method")
        self.assertEqual(tool.operation, "write")
        self.assertFalse(tool.annotations["readOnlyHint"])
        self.assertTrue(tool.annotations["destructiveHint"])
