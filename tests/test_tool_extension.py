from unittest.mock import patch

from odoo.tests import tagged

from ..models.mcp_server import McpContext
from ..tools.base import Tool, ToolCall
from ..tools.registry import default_tools
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
                                 "name_search", "create", "update", "delete", "execute_method", "wizard", "duplicate",
                                 "print_report", "export_records", "read_messages", "post_message", "schedule_activity",
                                 "list_activities", "mark_activity_done", "whoami", "find_user", "list_actions", "get_approval"])
        for tool in default_tools():
            with self.subTest(tool=tool.name):
                self.assertIsInstance(tool, Tool)
                self.assertTrue(tool.title and tool.description and "Example" in tool.description)
                self.assertIs(tool.input_schema["additionalProperties"], False)
                self.assertEqual(tool.output_schema["type"], "object")
                # post_message's messages go out by email
                self.assertIs(tool.annotations["openWorldHint"], tool.name == "post_message")
                self.assertIn(tool.operation, (None, "read", "create", "write", "unlink"))
                entry = tool.describe("2025-06-18")
                self.assertEqual(entry["outputSchema"], tool.output_schema)

    def server_with(self, *extra):
        """``mcp.server`` whose ``_mcp_tools`` is overridden the way another
        addon does it (``super()._mcp_tools() + [...]``)."""
        server_class = type(self.env["mcp.server"])
        builtins = server_class._mcp_tools
        return patch.object(server_class, "_mcp_tools", lambda server: builtins(server) + list(extra))

    def dispatch(self, method, params=None, key=None):
        key = key or self.key
        ctx = McpContext(key, self.env["mcp.session"].browse(), "2025-06-18", self.env["mcp.server"]._settings(),
                         "streamable_http", "127.0.0.1", key._mcp_env(self.env))
        message = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or {}}
        return self.env["mcp.server"]._handle_message(message, ctx)

    def test_custom_tool_is_listed_and_called(self):
        """A tool added by another addon is listed (sorted by name, described
        for the revision) and called through the dispatcher."""
        with self.server_with(CountryCodeTool()):
            listed = self.dispatch("tools/list")["result"]["tools"]
            called = self.dispatch("tools/call", {"name": "country_by_code", "arguments": {"code": "be"}})
        names = [entry["name"] for entry in listed]
        self.assertEqual(len(names), 20)  # 19 built-in here (no mail app: no chatter tools) + 1
        self.assertEqual(names, sorted(names))
        entry = next(entry for entry in listed if entry["name"] == "country_by_code")
        self.assertEqual(entry, CountryCodeTool().describe("2025-06-18"))
        self.assertEqual(entry["title"], "Country by ISO code")
        self.assertEqual(called["result"]["structuredContent"], {"name": "Belgium"})
        self.assertIs(called["result"]["isError"], False)

    def test_custom_tool_run_with_tool_call(self):
        """``ToolCall`` (the name tools' own tests used before the contexts
        merged) still builds what ``run`` receives: an ``McpContext``."""
        call = ToolCall(env=self.uenv, key=self.key, guard=self.uenv["mcp.guard"], settings={"max_records": 5},
                        arguments={"code": "be"}, revision="2025-06-18")
        self.assertIsInstance(call, McpContext)
        self.assertEqual((call.env, call.key, call.revision, call.settings), (self.uenv, self.key, "2025-06-18",
                                                                              {"max_records": 5}))
        self.assertEqual(call.guard._name, "mcp.guard")
        self.assertEqual(call.guard.env.uid, self.user.id)
        self.assertEqual(CountryCodeTool().run(call), {"name": "Belgium"})
        self.assertEqual(CountryCodeTool().run(self.make_call({"code": "be"})), {"name": "Belgium"})

    def test_same_name_replaces_a_builtin(self):
        """A tool named like a built-in one replaces it: listed once, and
        ``tools/call`` runs the replacement."""
        class QuietCount(CountryCodeTool):
            name = "count"

        with self.server_with(QuietCount()):
            listed = [entry["name"] for entry in self.dispatch("tools/list")["result"]["tools"]]
            called = self.dispatch("tools/call", {"name": "count", "arguments": {"code": "be"}})
        self.assertEqual(len(listed), 19)
        self.assertEqual(listed.count("count"), 1)
        self.assertEqual(called["result"]["structuredContent"], {"name": "Belgium"})

    def test_server_hook_lists_the_registry(self):
        """``mcp.server._mcp_tools`` (the extension hook) starts from default_tools()."""
        names = [tool.name for tool in self.env["mcp.server"]._mcp_tools()]
        self.assertEqual(names, [tool.name for tool in default_tools()])
