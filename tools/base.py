"""The contract every MCP tool follows (the registry lists instances)."""


class ToolCall:
    """What a tool gets when it runs.

    ``env``        Odoo env of the key's user (``with_user``), allowed companies
                   and the whitelisted agent context applied: Odoo ACLs and
                   record rules hold for everything done through it.
    ``key``        the ``mcp.api.key`` record (sudo-free reads of its own fields
                   go through ``key.sudo()`` only for scope/companies).
    ``guard``      ``env['mcp.guard']``: ask it before touching any model.
    ``settings``   dict of effective settings (``max_records`` ...).
    ``arguments``  the validated ``arguments`` object of ``tools/call``.
    ``revision``   negotiated MCP protocol revision (e.g. "2025-06-18").
    """

    __slots__ = ("env", "key", "guard", "settings", "arguments", "revision")

    def __init__(self, env, key, guard, settings, arguments, revision):
        self.env = env
        self.key = key
        self.guard = guard
        self.settings = settings
        self.arguments = arguments
        self.revision = revision


class Tool:
    """Base class of an MCP tool.

    Subclasses set the class attributes and implement :meth:`run`. ``run``
    returns the structured result (a JSON object matching ``output_schema``);
    the server wraps it into ``content`` + ``structuredContent``. Raise
    :class:`~..protocol.errors.ToolError` for a problem the agent can fix,
    :class:`~..protocol.errors.AccessDenied` (usually via the guard) for a
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
    operation = "read"

    def describe(self, revision):
        """The ``tools/list`` entry of this tool for protocol ``revision``."""
        entry = {
            "name": self.name,
            "description": self.description or "",
            "inputSchema": self.input_schema,
        }
        if revision >= "2025-03-26":
            entry["annotations"] = dict(self.annotations, title=self.title or self.name)
        if revision >= "2025-06-18":
            entry["title"] = self.title or self.name
            if self.output_schema:
                entry["outputSchema"] = self.output_schema
        return entry

    def run(self, call):
        """Do the work for ``call`` (a :class:`ToolCall`); return a dict."""
        raise NotImplementedError
