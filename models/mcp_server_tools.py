"""``tools/list`` and ``tools/call`` of the MCP dispatcher: which tools a
key is offered, the arguments checked against the tool's input schema, the
transaction a tool runs in (:meth:`McpServerTools._tool_transaction`)."""
from odoo import models

from ..protocol import errors, pagination, schema_check
from ..protocol.tool_result import tool_result
from ..tools import instructions
from .mcp_server import PAGE_SIZE


class McpServerTools(models.AbstractModel):
    _inherit = "mcp.server"

    def _instructions(self, ctx):
        """``instructions`` of the initialize result (``tools/instructions.py``):
        for a read-only key its last sentence says which tools are not offered."""
        hidden = ()
        if ctx.key and ctx.guard.is_read_only(ctx.key):
            hidden = sorted(tool.name for tool in self._tool_map().values()
                            if tool.writes and tool.available(ctx.user_env))
        return instructions.build(ctx.user_env or self.env, ctx.key, ctx.guard, hidden)

    def _tool_map(self):
        """{name: tool} of :meth:`_mcp_tools` (a later tool replaces a same-named one)."""
        return {tool.name: tool for tool in self._mcp_tools()}

    def _listed_tools(self, ctx):
        """The tools ``tools/list`` offers to ``ctx``'s key, by name: all of
        them (but those whose apps are not installed, ``Tool.available``),
        but no write tool (:attr:`~..tools.base.Tool.writes`) for a
        read-only key. ``tools/call`` still finds every tool, so calling a
        write tool with a read-only key gets the guard's refusal."""
        tools = [tool for tool in self._tool_map().values() if tool.available(ctx.user_env)]
        if ctx.key and ctx.guard.is_read_only(ctx.key):
            tools = [tool for tool in tools if not tool.writes]
        return sorted(tools, key=lambda t: t.name)

    def _rpc_tools_list(self, params, ctx):
        tools = self._listed_tools(ctx)
        page, next_cursor = pagination.paginate(tools, params.get("cursor"), PAGE_SIZE)
        result = {"tools": [tool.describe(ctx.revision) for tool in page]}
        if next_cursor:
            result["nextCursor"] = next_cursor
        return result

    def _rpc_tools_call(self, params, ctx):
        name = params.get("name")
        tool = self._tool_map().get(name) if isinstance(name, str) else None
        if tool is None:
            raise errors.InvalidParams(f"Unknown tool: {name}")
        ctx.audit["tool"] = tool.name
        arguments = params.get("arguments", {})
        if arguments is None:
            arguments = {}
        if not isinstance(arguments, dict):
            raise errors.ToolError("arguments must be a JSON object")
        if isinstance(arguments.get("model"), str):
            ctx.audit["model"] = arguments["model"][:128]
        if isinstance(arguments.get("method"), str):  # execute_method
            ctx.audit["method"] = arguments["method"][:128]
        if isinstance(arguments.get("ids"), list) and arguments["ids"]:
            ctx.audit["record_ids"] = arguments["ids"]
        problems = self._validate_arguments(tool, arguments)
        if problems:
            raise errors.ToolError("Invalid arguments: " + "; ".join(problems))
        ctx.arguments = arguments
        # what the tool raises is answered by _map_exception (via _handle_message),
        # after _tool_transaction rolled back whatever it wrote
        with self._tool_transaction(tool, ctx), ctx.user_env["mcp.write.fence"].watch(tool.operation):
            structured = tool.run(ctx)
        return tool_result(structured, ctx.revision)

    def _tool_transaction(self, tool, ctx):
        """Where a tool runs (:meth:`_message_transaction`): in a savepoint,
        rolled back when the tool raises — but for a read tool that is its
        request's only message (``ctx.alone``)."""
        return self._message_transaction(tool.writes or not ctx.alone)

    @staticmethod
    def _validate_arguments(tool, arguments):
        """Up to 5 readable problems of ``arguments`` against the tool's input
        schema (``protocol/schema_check.py``: valid arguments pass a compiled
        check, the others get jsonschema's messages)."""
        return schema_check.problems(tool.input_schema, arguments)
