# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Hidden fields of a model-access rule (``mcp.model.access.hidden_field_ids``):
every path refuses them the way it refuses a field of groups the user lacks,
or leaves them out silently, for a plain user's key and an admin's; dotted
paths from another model, related fields, method results and the schema
included. The rule still lets the model be read."""
import json

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..models.mcp_guard_rules import MSG_FIELD_DENIED, MSG_REPORT_HIDDEN_FIELDS, MSG_REPORT_RULE
from ..protocol.errors import McpAccessDenied
from ..protocol.tool_result import tool_result
from ..tools import completion, resources
from ..tools import preview as preview_tools
from .tools_common import ToolsCase

SECRET = "7 Secret Lane"
SECRET_EMAIL = "secret@hidden.test"


@tagged("post_install", "-at_install")
class TestHiddenFields(ToolsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Fields = cls.env["ir.model.fields"]
        cls.street2 = Fields._get("res.partner", "street2")
        # email: in every default field list (a priority field, a list view column)
        cls.email = Fields._get("res.partner", "email")
        cls.rule = cls.env["mcp.model.access"].create({
            "model_id": cls.env["ir.model"]._get_id("res.partner"), "perm_read": True, "perm_create": True,
            "perm_write": True, "perm_unlink": True, "allowed_methods": "onchange_parent_id",
            "hidden_field_ids": [(6, 0, (cls.street2 | cls.email).ids)]})
        cls.parent = cls.env["res.partner"].create({
            "name": "MCP Hidden Co", "is_company": True, "street": "1 Open Street", "street2": SECRET,
            "city": "Brussels", "zip": "1000", "email": SECRET_EMAIL, "phone": "+32 2 555 01 02"})
        cls.child = cls.env["res.partner"].create({
            "name": "MCP Hidden Contact", "type": "contact", "parent_id": cls.parent.id})
        admin = cls.env.ref("base.user_admin")
        cls.admin_key, _token = cls.env["mcp.api.key"]._generate_key(
            {"name": "hidden admin", "user_id": admin.id, "scope": "write"})
        cls.admin_env = cls.env(user=admin)

    def as_admin(self):
        """Run the next tools with the admin's key and environment."""
        self.patch(self, "key", self.admin_key)
        self.patch(self, "uenv", self.admin_env)

    def assert_hidden(self, name, arguments, field="street2", model="res.partner"):
        """``name`` is refused exactly as for a field of groups the user lacks."""
        with self.assertRaises(McpAccessDenied) as caught:
            self.tool(name).run(self.make_call(arguments))
        error = caught.exception
        self.assertEqual(error.message, MSG_FIELD_DENIED % {"field": field, "model": model})
        self.assertEqual(error.data, {"model": model, "field": field, "reason": "field"})
        return error

    def each_key(self):
        """Yield once for the plain user's key, once for the admin's."""
        with self.subTest(key="user"):
            yield "user"
        self.as_admin()
        with self.subTest(key="admin"):
            yield "admin"

    # ------------------------------------------------------------------
    # the rule
    # ------------------------------------------------------------------
    def test_rule_fields_belong_to_its_model(self):
        country_code = self.env["ir.model.fields"]._get("res.country", "code")
        with self.assertRaises(ValidationError):
            self.rule.hidden_field_ids = [(4, country_code.id)]
        with self.assertRaises(ValidationError):
            self.rule.hidden_field_ids = [(4, self.env["ir.model.fields"]._get("res.partner", "id").id)]

    def test_rule_change_is_seen_at_once(self):
        guard = self.uenv["mcp.guard"]
        self.assertEqual(guard.hidden_fields("res.partner"), {"street2", "email"})
        self.rule.hidden_field_ids = [(4, self.env["ir.model.fields"]._get("res.partner", "city").id)]
        self.assertEqual(guard.hidden_fields("res.partner"), {"street2", "email", "city"})
        self.rule.active = False
        self.assertEqual(guard.hidden_fields("res.partner"), frozenset())
        self.rule.active = True
        self.rule.hidden_field_ids = [(5, 0, 0)]
        self.assertEqual(guard.hidden_fields("res.partner"), frozenset())
        result = self.run_tool("read", {"model": "res.partner", "ids": self.parent.ids, "fields": ["street2"]})
        self.assertEqual(result["records"][0]["street2"], SECRET)
        self.assertIn("street2", self.run_tool("get_model_schema", {"model": "res.partner", "fields": ["street2"]})[
            "fields"][0]["name"])

    # ------------------------------------------------------------------
    # reads
    # ------------------------------------------------------------------
    def test_read_refuses_it_by_name_and_leaves_it_out_by_default(self):
        for _key in self.each_key():
            self.assert_hidden("read", {"model": "res.partner", "ids": self.parent.ids, "fields": ["name", "street2"]})
            record = self.run_tool("read", {"model": "res.partner", "ids": self.parent.ids})["records"][0]
            self.assertEqual(record["phone"], "+32 2 555 01 02")  # the model stays readable
            self.assertNotIn("email", record)
            self.assertNotIn(SECRET_EMAIL, str(record))

    def test_search_read_domain_order_and_default_fields(self):
        for _key in self.each_key():
            base = {"model": "res.partner", "domain": [["id", "=", self.parent.id]]}
            self.assert_hidden("search_read", dict(base, fields=["street2"]))
            self.assert_hidden("search_read", {"model": "res.partner", "domain": [["street2", "=", SECRET]]})
            self.assert_hidden("search_read", {"model": "res.partner", "domain": [["street2", "!=", False]]})
            self.assert_hidden("search_read", dict(base, order="street2 desc"))
            self.assert_hidden("count", {"model": "res.partner", "domain": [["street2", "ilike", "Secret"]]})
            self.assert_hidden("name_search", {"model": "res.partner", "name": "MCP",
                                               "domain": [["street2", "ilike", "Secret"]]})
            rows = self.run_tool("search_read", base)["records"]
            self.assertEqual([row["id"] for row in rows], self.parent.ids)
            self.assertEqual(rows[0]["phone"], "+32 2 555 01 02")
            self.assertNotIn("email", rows[0])
            self.assertNotIn(SECRET_EMAIL, str(rows))

    def test_names_are_not_searched_through_it(self):
        """Odoo's name search of a partner matches its e-mail (``_rec_names_search``): with the e-mail
        hidden, a text only the e-mail holds finds nothing, the name still finds the partner, and a
        ``display_name`` condition (which would match the e-mail) is refused."""
        for _key in self.each_key():
            found = self.run_tool("name_search", {"model": "res.partner", "name": SECRET_EMAIL})
            self.assertEqual(found["results"], [])
            found = self.run_tool("name_search", {"model": "res.partner", "name": "MCP Hidden Co"})
            # the company and its contact, whose full name starts with the company's
            self.assertEqual(dict(found["results"]), {self.parent.id: self.parent.display_name,
                                                      self.child.id: self.child.display_name})
            self.assert_hidden("search_read", {"model": "res.partner",
                                               "domain": [["display_name", "ilike", "secret@"]]}, field="email")
            self.assert_hidden("count", {"model": "res.partner",
                                         "domain": [["parent_id.display_name", "ilike", "secret@"]]}, field="email")

    def test_a_text_on_a_link_is_not_matched_through_it(self):
        """A text compared with a relational field is matched by the comodel's
        name search (e-mail included): refused like ``display_name`` while
        the comodel's searched e-mail is hidden; a comodel whose name search
        hides nothing still takes a text."""
        for _key in self.each_key():
            for domain in ([["parent_id", "ilike", "secret@"]], [["parent_id", "=", SECRET_EMAIL]],
                           [["parent_id", "in", ["x", SECRET_EMAIL]]], [["child_ids", "ilike", "secret@"]],
                           [["parent_id.parent_id", "not ilike", "secret@"]]):
                self.assert_hidden("count", {"model": "res.partner", "domain": domain}, field="email")
            self.assert_hidden("search_read", {"model": "res.company", "domain": [["partner_id", "ilike", "secret@"]]},
                               field="email")
            found = self.run_tool("search_read", {"model": "res.partner", "fields": ["name"], "domain": [
                ["id", "=", self.child.id], ["parent_id", "=", self.parent.id], ["country_id", "not ilike", "zz"]]})
            self.assertEqual([row["id"] for row in found["records"]], self.child.ids, "ids and other comodels pass")

    def test_a_model_s_own_name_search_is_checked_too(self):
        """res.country.state searches display names its own way: "Texas (US)"
        also matches the country's code. With res.country's code hidden,
        that text finds nothing through name_search and is refused on a link
        or ``display_name``; the state's own name, and the country's name in
        the state's own search, still find it."""
        code = self.env["ir.model.fields"]._get("res.country", "code")
        self.env["mcp.model.access"].create({
            "model_id": self.env["ir.model"]._get_id("res.country"), "perm_read": True,
            "hidden_field_ids": [(6, 0, code.ids)]})
        texas = self.env.ref("base.state_us_44")
        for _key in self.each_key():
            found = self.run_tool("name_search", {"model": "res.country.state", "name": "Texas (US)"})
            self.assertEqual(found["results"], [])
            for text in ("Texas", "Texas (United States)"):  # its own name, the country's name: still found
                found = self.run_tool("name_search", {"model": "res.country.state", "name": text})
                self.assertIn(texas.id, [rid for rid, _name in found["results"]], text)
            for domain in ([["state_id", "ilike", "Texas (US)"]], [["state_id.display_name", "=", "Texas (US)"]]):
                self.assert_hidden("count", {"model": "res.partner", "domain": domain},
                                   field="country_id.code", model="res.country.state")
            self.run_tool("count", {"model": "res.partner", "domain": [["state_id", "ilike", "Texas"]]})

    def test_dotted_paths_from_another_model(self):
        """``parent_id.street2`` and ``partner_id.street2`` (from res.company)
        are refused at the hidden hop, in domains, orders, any and groupby."""
        for _key in self.each_key():
            self.assert_hidden("search_read", {"model": "res.partner", "domain": [["parent_id.street2", "=", SECRET]]})
            self.assert_hidden("search_read", {"model": "res.company", "domain": [["partner_id.street2", "=", SECRET]]})
            self.assert_hidden("search_read", {"model": "res.company", "order": "partner_id.street2"})
            self.assert_hidden("search_read", {"model": "res.company", "domain": [
                ["partner_id", "any", [["street2", "ilike", "Secret"]]]]})
            self.assert_hidden("search_read", {"model": "res.partner", "domain": [
                ["child_ids", "any", [["street2", "ilike", "Secret"]]]]})
            self.assert_hidden("aggregate", {"model": "res.company", "groupby": ["partner_id.street2"]})

    def test_related_field_reading_a_hidden_field(self):
        """res.partner.country_code is related to country_id.code: hiding the
        country's code hides it too (refused by name, left out by default)."""
        self.env["mcp.model.access"].create({
            "model_id": self.env["ir.model"]._get_id("res.country"), "perm_read": True,
            "hidden_field_ids": [(6, 0, self.env["ir.model.fields"]._get("res.country", "code").ids)]})
        self.parent.country_id = self.env.ref("base.be")
        for _key in self.each_key():
            self.assert_hidden("read", {"model": "res.partner", "ids": self.parent.ids, "fields": ["country_code"]},
                               field="country_code")
            self.assert_hidden("search_read", {"model": "res.partner", "domain": [["country_id.code", "=", "BE"]]},
                               field="code", model="res.country")
            fields = self.uenv["mcp.guard"].readable_fields("res.partner", self.key)
            self.assertNotIn("country_code", fields)
            self.assertIn("country_id", fields)

    def test_aggregate_and_groupby(self):
        for _key in self.each_key():
            self.assert_hidden("aggregate", {"model": "res.partner", "groupby": ["street2"]})
            self.assert_hidden("aggregate", {"model": "res.partner", "measures": ["street2:count_distinct"]})
            self.assert_hidden("aggregate", {"model": "res.partner", "measures": ["__count"],
                                             "domain": [["street2", "=", SECRET]]})

    def test_export_leaves_it_out_or_refuses_it(self):
        for _key in self.each_key():
            self.assert_hidden("export_records", {"model": "res.partner", "fields": ["name", "street2"]})
            output = self.tool("export_records").run(self.make_call(
                {"model": "res.partner", "domain": [["id", "=", self.parent.id]]}))
            self.assertIn("phone", output.structured["fields"])
            self.assertNotIn("email", output.structured["fields"])
            csv_text = tool_result(output, "2025-06-18")["content"][1]["resource"]["text"]
            self.assertIn("+32 2 555 01 02", csv_text)
            self.assertNotIn(SECRET_EMAIL, csv_text)

    def test_schema_never_names_it(self):
        for _key in self.each_key():
            schema = self.run_tool("get_model_schema", {"model": "res.partner"})
            names = [entry["name"] for entry in schema["fields"]]
            self.assertIn("street", names)
            self.assertNotIn("street2", names)
            self.assertNotIn("street2", schema["blocked_fields"])
            asked = self.run_tool("get_model_schema", {"model": "res.partner", "fields": ["street2"]})
            self.assertEqual((asked["fields"], asked["blocked_fields"]), ([], []))
            self.assertNotIn("unknown_fields", asked)
            suggestions = self.uenv["mcp.guard"].field_suggestions(self.uenv["res.partner"], "street_2")
            self.assertNotIn("street2", suggestions)

    def test_resources_and_completion_leave_it_out(self):
        for _key in self.each_key():
            ctx = self.make_call({})
            record = json.loads(resources.read_resource(
                ctx, "odoo://record/res.partner/%d" % self.parent.id)["contents"][0]["text"])["record"]
            self.assertEqual(record["phone"], "+32 2 555 01 02")
            self.assertNotIn("email", json.dumps(record))
            schema = resources.read_resource(ctx, "odoo://model/res.partner")["contents"][0]["text"]
            self.assertIn('"street"', schema)
            self.assertNotIn('"street2"', schema)
            values = completion.complete(ctx, {"type": "ref/prompt", "name": "analyze_data"},
                                         {"name": "groupby", "value": "stree"}, {"model": "res.partner"})[
                "completion"]["values"]
            self.assertIn("street", values)
            self.assertNotIn("street2", values)

    # ------------------------------------------------------------------
    # writes
    # ------------------------------------------------------------------
    def test_writes_refuse_it(self):
        for _key in self.each_key():
            self.assert_hidden("create", {"model": "res.partner", "values": {"name": "X", "street2": "y"}})
            self.assert_hidden("update", {"model": "res.partner", "ids": self.parent.ids, "values": {"street2": "y"}})
            self.assert_hidden("update", {"model": "res.partner", "ids": self.parent.ids, "values": {
                "child_ids": [[0, 0, {"name": "Child", "street2": "y"}]]}})
            self.assert_hidden("duplicate", {"model": "res.partner", "id": self.parent.id,
                                             "default": {"street2": "y"}})
            self.assert_hidden("execute_method", {"model": "res.partner", "method": "onchange_parent_id",
                                                  "ids": self.child.ids, "kwargs": {"street2": "y"}})
        self.assertEqual(self.parent.street2, SECRET)

    def test_duplicate_copies_it_without_showing_it(self):
        result = self.run_tool("duplicate", {"model": "res.partner", "id": self.parent.id})
        self.assertEqual(set(result), {"model", "source_id", "id", "display_name"})
        self.assertEqual(self.env["res.partner"].browse(result["id"]).street2, SECRET)

    def test_preview_never_shows_it(self):
        call = self.make_call({})
        partner = call.env["res.partner"].browse(self.parent.id)
        preview = preview_tools.build_preview(call, "update", partner.browse(), partner,
                                              {"street2": "Other", "city": "Ghent"})
        self.assertEqual([c["field"] for c in preview["records"][0]["changes"]], ["city"])
        self.assertEqual(preview["hidden_fields"], 1)
        self.assertNotIn("Secret", preview["text"])

    # ------------------------------------------------------------------
    # methods and reports
    # ------------------------------------------------------------------
    def test_method_result_leaves_it_out(self):
        """onchange_parent_id returns the parent's address values: the hidden
        one is not among them, the others are."""
        for _key in self.each_key():
            result = self.run_tool("execute_method", {"model": "res.partner", "method": "onchange_parent_id",
                                                      "ids": self.child.ids})["result"]
            self.assertEqual(result["value"]["street"], "1 Open Street")
            self.assertEqual(result["value"]["city"], "Brussels")
            self.assertNotIn("street2", result["value"])
            self.assertNotIn(SECRET, str(result))

    def test_method_argument_naming_it(self):
        self.assert_hidden("execute_method", {"model": "res.partner", "method": "onchange_parent_id",
                                              "ids": self.child.ids, "args": ["street2"]})

    def test_report_refused_unless_the_rule_allows_reports(self):
        """A report prints what its template holds, hidden fields too: refused
        (before any report is looked up) while the rule does not tick Allow
        Reports."""
        for _key in self.each_key():
            with self.assertRaises(McpAccessDenied) as caught:
                self.tool("print_report").run(self.make_call(
                    {"model": "res.partner", "report": "base.report_anything", "ids": self.parent.ids}))
            self.assertEqual(caught.exception.message, MSG_REPORT_RULE % {"model": "res.partner"})
            self.assertEqual(caught.exception.data, {"model": "res.partner", "reason": "rule"})

    def report_refusal(self, model):
        """The ``data`` of the refusal of a report of ``model``, checked to
        come before any report is looked up when it is ``hidden_fields``."""
        with self.assertRaises(McpAccessDenied) as caught:
            self.tool("print_report").run(self.make_call(
                {"model": model, "report": "base.report_anything", "ids": [self.env.ref("base.be").id]}))
        if caught.exception.data["reason"] == "hidden_fields":
            self.assertEqual(caught.exception.message, MSG_REPORT_HIDDEN_FIELDS % {"model": model})
        return caught.exception.data

    def test_reports_are_opt_in_once_a_field_is_hidden(self):
        """Another model's report may print a related record's hidden field
        (a customer's VAT on an invoice): while a rule hides fields, a model
        without a rule of its own prints no report, a model whose rule ticks
        Allow Reports does; with no field hidden, Odoo's rights decide."""
        for _key in self.each_key():
            self.assertEqual(self.report_refusal("res.country"), {"model": "res.country", "reason": "hidden_fields"})
        country_rule = self.env["mcp.model.access"].create({
            "model_id": self.env["ir.model"]._get_id("res.country"), "perm_read": True, "allow_reports": True})
        self.assertEqual(self.report_refusal("res.country")["reason"], "report")  # looked up: not a report
        country_rule.unlink()
        self.rule.hidden_field_ids = [(5, 0, 0)]
        self.assertEqual(self.report_refusal("res.country")["reason"], "report")
