"""The one context object of a request: what the dispatcher, its handlers
and the tools share (never stored)."""


class McpContext:
    """Per-request facts, also what a tool's ``run`` receives.

    Built by the transport: ``McpContext(key, session, revision, settings,
    transport, ip, user_env)``; the dispatcher then sets ``params`` and
    ``arguments`` for each message it handles.

    ``key``        the ``mcp.api.key`` record (reads of its own fields go
                   through ``key.sudo()`` only for scope/companies).
    ``session``    the ``mcp.session`` record (empty without a session).
    ``revision``   negotiated MCP protocol revision (e.g. "2025-06-18").
    ``settings``   dict of effective settings (``max_records`` ...).
    ``transport``  name of the transport (audit log).
    ``ip``         the client's address (audit log).
    ``user_env``   Odoo env of the key's user (``with_user``, allowed companies
                   of the key, the user's lang/tz): Odoo ACLs and record rules
                   hold for everything done through it. Also ``env``.
    ``guard``      ``env['mcp.guard']``: ask it before touching any model.
    ``arguments``  the validated ``arguments`` object of ``tools/call``.
    ``params``     the params of the message being handled.
    ``audit``      the audit row's values of that message.
    ``failure``    the :class:`~..protocol.error_map.Failure` of the last
                   message handled (``None``: it succeeded).
    ``alone``      the message is its request's only one (set by the
                   transport; see ``mcp.server._tool_transaction``).
    """

    __slots__ = ("key", "session", "revision", "settings", "transport", "ip", "user_env", "audit", "params",
                 "arguments", "failure", "alone")

    def __init__(self, key, session, revision, settings, transport, ip, user_env):
        self.key = key
        self.session = session
        self.revision = revision
        self.settings = settings
        self.transport = transport
        self.ip = ip
        self.user_env = user_env
        self.audit = {}
        self.params = {}
        self.arguments = {}
        self.failure = None
        self.alone = False

    @property
    def env(self):
        """The key user's env (``user_env``): what tools work through."""
        return self.user_env

    @property
    def guard(self):
        """``mcp.guard`` in the key user's env."""
        return self.user_env["mcp.guard"]


class ToolCall(McpContext):
    """Compatibility constructor for code written against 18.0.1.0 (tools'
    own tests built ``ToolCall(env=..., key=..., guard=..., settings=...,
    arguments=..., revision=...)``): an :class:`McpContext` without session,
    transport or IP. ``guard`` is ignored — it is always ``env['mcp.guard']``.
    New code builds an :class:`McpContext`."""

    __slots__ = ()

    def __init__(self, env, key, guard=None, settings=None, arguments=None, revision="2025-06-18"):
        super().__init__(key, env["mcp.session"].browse(), revision, settings or {}, None, None, env)
        self.arguments = arguments or {}
