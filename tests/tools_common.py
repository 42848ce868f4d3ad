"""Shared fixtures of the tool tests: a demo user, its key, and a helper that
runs a tool as that user and validates the result against the tool's
output schema (not a test module itself)."""
import json

import jsonschema

from odoo.tests import TransactionCase, new_test_user

from ..protocol.errors import ToolError
from ..tools.context import McpContext


class ToolsCase(TransactionCase):
    """Runs tools as an internal user (Contact Creation rights) with a read-write key."""

    settings = {"max_records": 100}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env, login="mcp_tools_user", name="MCP Tools User",
            groups="base.group_user,base.group_partner_manager", tz="Europe/Brussels")
        cls.key, _token = cls.env["mcp.api.key"]._generate_key(
            {"name": "tools tests", "user_id": cls.user.id, "scope": "write"})
        cls.uenv = cls.env(user=cls.user)

    def make_call(self, arguments, settings=None, env=None):
        """The request context a tool receives: the key's user env, the real
        ``mcp.guard``, ``arguments``."""
        env = env or self.uenv
        call = McpContext(self.key, self.env["mcp.session"].browse(), "2025-06-18",
                          dict(self.settings, **(settings or {})), "streamable_http", "127.0.0.1", env)
        call.arguments = arguments
        return call

    def tool(self, name):
        """The tool ``mcp.server`` offers under ``name``."""
        tool = self.env["mcp.server"]._tool_map().get(name)
        self.assertIsNotNone(tool, name)
        return tool

    def run_tool(self, name, arguments, settings=None, env=None, check_input=True):
        """Run tool ``name``; assert arguments and result match its schemas."""
        tool = self.tool(name)
        if check_input:
            jsonschema.Draft202012Validator(tool.input_schema).validate(arguments)
        result = tool.run(self.make_call(arguments, settings, env))
        jsonschema.Draft202012Validator(tool.output_schema).validate(result)
        self.assertEqual(json.loads(json.dumps(result)), result, "result must be plain JSON")
        return result

    def assertToolError(self, name, arguments, *fragments, settings=None, exception=ToolError):
        """Running ``name`` raises ``exception`` whose message holds every fragment."""
        with self.assertRaises(exception) as caught:
            self.tool(name).run(self.make_call(arguments, settings))
        message = getattr(caught.exception, "message", None) or str(caught.exception)
        for fragment in fragments:
            self.assertIn(fragment, message)
        return caught.exception
