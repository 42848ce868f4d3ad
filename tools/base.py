"""The contract every MCP tool follows (the registry lists instances).

A tool's ``run`` receives the request's :class:`~.context.McpContext`
(``call.env``, ``call.key``, ``call.guard``, ``call.settings``,
``call.arguments``, ``call.revision``). ``ToolCall`` stays importable from
here for code written before the two context objects merged.
"""
from ..protocol import revisions
from .context import McpContext, ToolCall  # noqa: F401 - public names of this module


class Tool:
    """Base class of an MCP tool.

    Subclasses set the class attributes and implement :meth:`run`. ``run``
    returns the structured result (a JSON object matching ``output_schema``);
    the server wraps it into ``content`` + ``structuredContent``. Raise
    :class:`~..protocol.errors.ToolError` for a problem the agent can fix,
    :class:`~..protocol.errors.McpAccessDenied` (usually via the guard) for a
    refusal.
    """

    name = None
    title = None
    description = None
    input_schema = {"type": "object", "properties": {}, "additionalProperties": False}
    output_schema = None
    #: MCP annotations: readOnlyHint, destructiveHint, idempotentHint, openWorldHint
    annotations = {}
    #: CRUD operation the tool needs on its model: "read", "create", "write", "unlink" or None
    #: (none in particular). Anything but "read" makes it a write tool (:attr:`writes`).
    operation = "read"

    @property
    def writes(self):
        """True for a write tool (``operation`` is not "read"): the write fence
        watches its runs, and ``tools/list`` does not offer it to a read-only
        key (calling it anyway gets the guard's refusal)."""
        return self.operation != "read"

    @property
    def replica_safe(self):
        """True when a ``tools/call`` of this tool may run on a PostgreSQL
        read replica (services/replica.py): it never writes. Default: the
        read tools; a read tool that may still write (a report stored as an
        attachment) says False."""
        return not self.writes

    def available(self, env):
        """Whether ``tools/list`` offers this tool in ``env``'s database (the
        Odoo apps it needs are installed). ``tools/call`` still finds it:
        its ``run`` then says what is missing."""
        return True

    def describe(self, revision):
        """The ``tools/list`` entry of this tool for protocol ``revision``."""
        entry = {
            "name": self.name,
            "description": self.description or "",
            "inputSchema": self.input_schema,
        }
        if revisions.supports_tool_annotations(revision):
            entry["annotations"] = dict(self.annotations, title=self.title or self.name)
        if revisions.supports_title(revision):
            entry["title"] = self.title or self.name
        if self.output_schema and revisions.supports_structured_content(revision):
            entry["outputSchema"] = self.output_schema
        return entry

    def run(self, call):
        """Do the work for ``call`` (the request's :class:`~.context.McpContext`,
        ``call.arguments`` validated against ``input_schema``); return a dict."""
        raise NotImplementedError
