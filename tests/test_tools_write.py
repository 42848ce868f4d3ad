from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..protocol.errors import McpAccessDenied, ToolError
from ..tools.values import convert_value
from .tools_common import ToolsCase


@tagged("post_install", "-at_install")
class TestWriteTools(ToolsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.be = cls.env.ref("base.be")
        cls.tag_a, cls.tag_b = cls.env["res.partner.category"].create([{"name": "MCP A"}, {"name": "MCP B"}])

    # create ------------------------------------------------------------------
    def test_create(self):
        result = self.run_tool("create", {"model": "res.partner", "values": {
            "name": "MCP Created", "email": "c@mcp.test", "is_company": True, "country_id": self.be.id,
            "category_id": [self.tag_a.id], "color": 3, "type": "contact", "comment": "<p>Hi</p>",
            "child_ids": [[0, 0, {"name": "MCP Child", "type": "invoice"}]],
        }})
        partner = self.env["res.partner"].browse(result["id"])
        self.assertEqual(result["display_name"], "MCP Created")
        self.assertEqual(partner.country_id, self.be)
        self.assertEqual(partner.category_id, self.tag_a)
        self.assertEqual(partner.child_ids.name, "MCP Child")
        self.assertEqual(partner.create_uid, self.user)

    def test_create_value_errors(self):
        cases = [
            ({"name": 12}, "expected a string"),
            ({"name": "x", "color": "3"}, "expected an integer"),
            ({"name": "x", "color": True}, "expected an integer"),
            ({"name": "x", "is_company": "yes"}, "true or false"),
            ({"name": "x", "country_id": "Belgium"}, "record id"),
            ({"name": "x", "country_id": 99999999}, "no res.country record with id 99999999"),
            ({"name": "x", "category_id": "MCP A"}, "list of record ids"),
            ({"name": "x", "category_id": [[2, self.tag_a.id]]}, "not allowed"),
            ({"name": "x", "category_id": [[7, 1]]}, "commands"),
            ({"name": "x", "type": "alien"}, "one of"),
            ({"name": "x", "nmae": "y"}, "Unknown field 'nmae'"),
            ({"name": "x", "display_name": "y"}, "set by Odoo"),
            ({"name": "x", "commercial_partner_id": 1}, "computed"),
            ({"name": "x", "child_ids": [[0, 0, {"name": 5}]]}, "expected a string"),
        ]
        for values, fragment in cases:
            with self.subTest(values=values):
                self.assertToolError("create", {"model": "res.partner", "values": values}, fragment)
        self.assertToolError("create", {"model": "res.partner", "values": {}}, "non-empty object")
        self.assertToolError("create", {"model": "res.partner", "values": []}, "JSON object")
        self.assertEqual(self.env["res.partner"].search_count([("name", "=", "x")]), 0)

    def test_create_dates_are_converted(self):
        field = self.env["res.partner"]._fields["write_date"]
        partner = self.uenv["res.partner"]
        call = self.make_call({})
        self.assertEqual(convert_value(call, partner, field, "2024-05-31T16:00:00+02:00", 0), "2024-05-31 14:00:00")
        self.assertEqual(convert_value(call, partner, field, "2024-05-31T14:00:00Z", 0), "2024-05-31 14:00:00")
        with self.assertRaises(ToolError):
            convert_value(call, partner, field, "yesterday", 0)
        date_field = self.env["res.currency.rate"]._fields["name"]
        rates = self.uenv["res.currency.rate"]
        self.assertEqual(convert_value(call, rates, date_field, "2024-02-29", 0), "2024-02-29")
        with self.assertRaises(ToolError):
            convert_value(call, rates, date_field, "2023-02-29", 0)

    def test_create_needs_access(self):
        with self.assertRaises(McpAccessDenied):
            self.tool("create").run(self.make_call({"model": "res.country", "values": {"name": "Atlantis"}}))

    # update ------------------------------------------------------------------
    def test_update(self):
        partners = self.env["res.partner"].create([{"name": "MCP U1"}, {"name": "MCP U2"}])
        result = self.run_tool("update", {"model": "res.partner", "ids": partners.ids,
                                          "values": {"phone": "+32 2 555 01 01",
                                                     "category_id": [[4, self.tag_b.id]]}})
        self.assertEqual(result["count"], 2)
        self.assertEqual(set(partners.mapped("phone")), {"+32 2 555 01 01"})
        self.assertEqual(partners[0].category_id, self.tag_b)
        self.run_tool("update", {"model": "res.partner", "ids": partners[:1].ids,
                                 "values": {"category_id": [[6, 0, [self.tag_a.id]]], "phone": None}})
        self.assertEqual(partners[0].category_id, self.tag_a)
        self.assertFalse(partners[0].phone)

    def test_update_missing_ids_changes_nothing(self):
        partner = self.env["res.partner"].create({"name": "MCP U3"})
        self.assertToolError("update", {"model": "res.partner", "ids": [partner.id, 99999999],
                                        "values": {"name": "changed"}}, "99999999", "nothing was updated")
        self.assertEqual(partner.name, "MCP U3")

    def test_validation_error_propagates(self):
        partner = self.env["res.partner"].create({"name": "MCP Loop"})
        with self.assertRaises(ValidationError):
            self.tool("update").run(self.make_call({"model": "res.partner", "ids": [partner.id],
                                                    "values": {"parent_id": partner.id}}))

    # delete ------------------------------------------------------------------
    def test_delete(self):
        partners = self.env["res.partner"].create([{"name": "MCP D1"}, {"name": "MCP D2"}])
        ids = partners.ids
        result = self.run_tool("delete", {"model": "res.partner", "ids": ids + [99999999]})
        self.assertEqual(result["deleted_ids"], ids)
        self.assertEqual(result["missing_ids"], [99999999])
        self.assertFalse(partners.exists())
        again = self.run_tool("delete", {"model": "res.partner", "ids": ids})
        self.assertEqual((again["count"], again["missing_ids"]), (0, ids))

    def test_delete_needs_access(self):
        with self.assertRaises(McpAccessDenied):
            self.tool("delete").run(self.make_call({"model": "res.country", "ids": [self.be.id]}))
        self.assertTrue(self.be.exists())

    def test_annotations(self):
        for name, destructive in (("create", False), ("update", True), ("delete", True)):
            annotations = self.tool(name).annotations
            self.assertFalse(annotations["readOnlyHint"])
            self.assertIs(annotations["destructiveHint"], destructive)
            self.assertFalse(annotations["openWorldHint"])
