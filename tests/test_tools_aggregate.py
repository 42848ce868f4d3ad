from odoo.tests import tagged

from ..models.mcp_guard_rules import (
    AGGREGATE_FUNCTIONS, MSG_AGGREGATE_NOT_NUMERIC, MSG_BAD_GRANULARITY, MSG_BAD_GROUPBY, MSG_GROUPBY_PATH,
    MSG_UNKNOWN_AGGREGATE,
)
from ..protocol.errors import McpAccessDenied
from .tools_common import ToolsCase


@tagged("post_install", "-at_install")
class TestAggregateTool(ToolsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.be, cls.fr = cls.env.ref("base.be"), cls.env.ref("base.fr")
        cls.partners = cls.env["res.partner"].create(
            [{"name": "MCP Agg BE %d" % i, "country_id": cls.be.id, "color": i, "is_company": i < 2}
             for i in range(5)]
            + [{"name": "MCP Agg FR %d" % i, "country_id": cls.fr.id, "color": 10} for i in range(3)]
            + [{"name": "MCP Agg none"}])
        cls.domain = [["name", "=like", "MCP Agg %"]]

    def test_group_by_many2one_with_measures(self):
        result = self.run_tool("aggregate", {
            "model": "res.partner", "domain": self.domain, "groupby": ["country_id"],
            "measures": ["__count", "color:sum", "color:max"], "order": "__count desc",
        })
        groups = result["groups"]
        self.assertEqual(groups[0], {"country_id": [self.be.id, "Belgium"], "__count": 5,
                                     "color:sum": 10, "color:max": 4})
        self.assertEqual(groups[1]["country_id"], [self.fr.id, "France"])
        self.assertEqual(groups[1]["color:sum"], 30)
        self.assertIn({"country_id": None, "__count": 1, "color:sum": 0, "color:max": 0}, groups)
        self.assertEqual(result["count"], 3)
        self.assertIsNone(result["next_offset"])

    def test_group_by_boolean_selection_and_date_granularity(self):
        result = self.run_tool("aggregate", {"model": "res.partner", "domain": self.domain,
                                             "groupby": ["is_company", "type"], "order": "is_company"})
        self.assertEqual(result["groups"][0]["is_company"], False)
        self.assertEqual(result["groups"][0]["type"], {"value": "contact", "label": "Contact"})
        self.assertEqual(sum(g["__count"] for g in result["groups"]), 9)
        monthly = self.run_tool("aggregate", {"model": "res.partner", "domain": self.domain,
                                              "groupby": ["create_date:month"]})
        self.assertEqual(len(monthly["groups"]), 1)
        self.assertRegex(monthly["groups"][0]["create_date:month"], r"^\d{4}-\d{2}-01")

    def test_no_groupby_gives_totals(self):
        result = self.run_tool("aggregate", {"model": "res.partner", "domain": self.domain,
                                             "measures": ["__count", "color:avg"]})
        self.assertEqual(result["groups"], [{"__count": 9, "color:avg": 40 / 9}])

    def test_limit_and_pagination(self):
        first = self.run_tool("aggregate", {"model": "res.partner", "domain": self.domain,
                                            "groupby": ["name"], "order": "name", "limit": 4})
        self.assertEqual((first["count"], first["next_offset"]), (4, 4))
        rest = self.run_tool("aggregate", {"model": "res.partner", "domain": self.domain,
                                           "groupby": ["name"], "order": "name", "limit": 100, "offset": 4})
        self.assertEqual((rest["count"], rest["next_offset"]), (5, None))
        capped = self.run_tool("aggregate", {"model": "res.partner", "domain": self.domain, "groupby": ["name"],
                                             "limit": 1000}, settings={"max_records": 3})
        self.assertEqual((capped["count"], capped["limit"], capped["next_offset"]), (3, 3, 3))

    def test_errors(self):
        self.assertToolError("aggregate", {"model": "res.partner", "groupby": ["contry_id"]},
                             "contry_id", "country_id")
        self.assertToolError("aggregate", {"model": "res.partner", "groupby": ["name:month"]}, "name")
        self.assertToolError("aggregate", {"model": "res.partner", "groupby": ["create_date:fortnight"]},
                             "fortnight")
        self.assertToolError("aggregate", {"model": "res.partner", "measures": ["name:sum"]}, "numeric")
        self.assertToolError("aggregate", {"model": "res.partner", "measures": ["color:median"]}, "median")
        self.assertToolError("aggregate", {"model": "res.partner", "measures": ["name"]}, "needs a function")
        self.assertToolError("aggregate", {"model": "res.partner", "groupby": ["country_id"],
                                           "order": "name desc"}, "groupby or measures")
        self.assertToolError("aggregate", {"model": "res.partner", "groupby": ["country_id"],
                                           "order": "__count; drop table"}, "Invalid order")
        self.assertToolError("aggregate", {"model": "res.partner", "measures": []}, "non-empty")

    def test_groupby_and_measure_rules_are_the_guards(self):
        """One message per rule, from the guard, whatever the path."""
        cases = [
            ({"groupby": ["country_id.name"]}, MSG_GROUPBY_PATH % {"path": "country_id.name", "field": "country_id"}),
            ({"groupby": ["create_date:fortnight"]}, MSG_BAD_GROUPBY % {"groupby": "create_date:fortnight"}),
            ({"groupby": ["name:month"]}, MSG_BAD_GRANULARITY % {"granularity": "month", "field": "name"}),
            ({"measures": ["name:sum"]}, MSG_AGGREGATE_NOT_NUMERIC % {"function": "sum", "field": "name",
                                                                      "type": "char"}),
        ]
        for function in ("median", "array_agg", "recordset"):
            cases.append(({"measures": ["color:" + function]}, MSG_UNKNOWN_AGGREGATE % {
                "function": function, "spec": "color:" + function, "functions": ", ".join(AGGREGATE_FUNCTIONS)}))
        for arguments, message in cases:
            with self.subTest(arguments=arguments):
                exc = self.assertToolError("aggregate", dict(arguments, model="res.partner"))
                self.assertEqual(exc.message, message)

    def test_groupby_through_a_blocked_model_is_refused(self):
        with self.assertRaises(McpAccessDenied):
            self.tool("aggregate").run(self.make_call({"model": "res.partner", "groupby": ["user_id.login"]}))
