from odoo.tests import tagged

from ..tools.base import Tool
from ..tools.registry import default_tools, describe_tools, find_tool, merge_tools
from .tools_common import ToolsCase


class CountryCodeTool(Tool):
    """A test-only tool, defined the way another addon would define one."""

    name = "country_by_code"
    title = "Country by ISO code"
    description = "Return the name of the country with an ISO code. Example: {\"code\": \"BE\"}"
    input_schema = {"type": "object", "properties": {"code": {"type": "string"}},
                    "required": ["code"], "additionalProperties": False}
    output_schema = {"type": "object", "properties": {"name": {"type": ["string", "null"]}},
                     "required": ["name"]}
    annotations = {"readOnlyHint": True, "destructiveHint": False, "idempotentHint": True,
                   "openWorldHint": False}
    operation = "read"

    def run(self, call):
        Country = call.guard.check_model("res.country", "read", call.key)
        country = Country.search([("code", "=", call.arguments["code"].upper())], limit=1)
        return {"name": country.name or None}


@tagged("post_install", "-at_install")
class TestToolExtension(ToolsCase):
    def test_default_tools(self):
        names = [tool.name for tool in default_tools()]
        self.assertEqual(names, ["list_models", "get_model_schema", "search_read", "read", "count", "aggregate",
                                 "name_search", "create", "update", "delete", "execute_method"])
        for tool in default_tools():
            with self.subTest(tool=tool.name):
                self.assertIsInstance(tool, Tool)
                self.assertTrue(tool.title and tool.description and "Example" in tool.description)
                self.assertIs(tool.input_schema["additionalProperties"], False)
                self.assertEqual(tool.output_schema["type"], "object")
                self.assertIs(tool.annotations["openWorldHint"], False)
                self.assertIn(tool.operation, (None, "read", "create", "write", "unlink"))
                entry = tool.describe("2025-06-18")
                self.assertEqual(entry["outputSchema"], tool.output_schema)

    def test_custom_tool_list(self):
        tools = default_tools() + [CountryCodeTool()]
        tool = find_tool(tools, "country_by_code")
        self.assertIsInstance(tool, CountryCodeTool)
        result = tool.run(self.make_call({"code": "be"}))
        self.assertEqual(result, {"name": "Belgium"})
        self.assertIsNone(find_tool(tools, "nope"))
        entries = describe_tools(tools, "2025-06-18")
        self.assertEqual(entries[-1]["name"], "country_by_code")
        self.assertEqual(len(entries), 12)

    def test_merge_replaces_a_builtin(self):
        class QuietCount(CountryCodeTool):
            name = "count"

        merged = merge_tools(default_tools(), [QuietCount()])
        self.assertEqual(len(merged), 11)
        self.assertIsInstance(find_tool(merged, "count"), QuietCount)

    def test_server_hook_lists_the_registry(self):
        """``mcp.server._mcp_tools`` (the extension hook) starts from default_tools()."""
        if "mcp.server" not in self.env:
            self.skipTest("mcp.server not installed yet")
        names = [tool.name for tool in self.env["mcp.server"]._mcp_tools()]
        self.assertEqual(names[:11], [tool.name for tool in default_tools()])
