"""The one context object of a request: what the dispatcher, its handlers
and the tools share (never stored)."""
from ..protocol import errors, input_required, notifications


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
    ``log_level``  the client's log threshold: the session's
                   ``logging/setLevel`` level, or the request's ``_meta``
                   logLevel in 2026-07-28 (``None``: no log is sent).
    ``client_capabilities``  what the client declared it can do (the
                   request's ``_meta`` clientCapabilities in 2026-07-28;
                   ``None``: not known, as in a session).
    ``notifications``  the notifications :meth:`progress` and :meth:`log`
                   collected; the transport sends them before the response
                   (on the POST's SSE stream, when the client accepts one).
    ``input_round``  the :class:`~..protocol.input_required.InputRound` of
                   the message (answers so far, :attr:`state`), set by the
                   dispatcher for ``tools/call``, ``prompts/get`` and
                   ``resources/read``.
    ``input_required``  the input requests the handler is waiting for
                   (``{key: {"method", "params"}}``) when it asked
                   (:meth:`ask`), for the transport; ``None`` otherwise.

    Asking the client (MRTR, DESIGN.md section 11): :meth:`ask`,
    :meth:`elicit`, :meth:`sample`, :meth:`list_roots` return the client's
    answer when it is there; else the handler stops, whatever it wrote is
    rolled back, the client is asked, and the handler runs again from the
    start with the answers (:attr:`input_responses`, :attr:`state`). So a
    handler asks before it writes, and does nothing it cannot do twice.
    """

    __slots__ = (
        "alone",
        "arguments",
        "audit",
        "client_capabilities",
        "failure",
        "input_required",
        "input_round",
        "ip",
        "key",
        "log_level",
        "notifications",
        "params",
        "revision",
        "session",
        "settings",
        "transport",
        "user_env",
    )

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
        self.log_level = None
        self.client_capabilities = None
        self.notifications = []
        self.input_round = input_required.InputRound()
        self.input_required = None

    def require_client_capability(self, name):
        """Refuse the request (-32021, HTTP 400 in 2026-07-28, with
        ``data.requiredCapabilities``) when the client declared its
        capabilities without ``name`` (``"sampling"``, ``"elicitation"``,
        ``"roots"``): a server must not rely on what the client did not declare."""
        declared = self.client_capabilities
        if isinstance(declared, dict) and not isinstance(declared.get(name), dict):
            raise errors.MissingRequiredClientCapability(
                f"This request needs the client capability '{name}', which the client did not declare",
                {name: {}})

    def progress(self, done, total=None, message=None):
        """Report progress of the request being handled: ``done`` out of
        ``total`` (numbers; ``total`` when known), with an optional
        ``message``. Sent as ``notifications/progress`` when the request
        asked for it (``_meta.progressToken``), else nothing. ``done`` must
        grow from one call to the next."""
        note = notifications.progress(notifications.progress_token(self.params), done, total, message,
                                      self.revision)
        if note is not None:
            self.notifications.append(note)

    def log(self, level, message, logger=None):
        """Log ``message`` (a string or any JSON value) at ``level`` (one of
        ``debug info notice warning error critical alert emergency``) to the
        client, as ``notifications/message``, when the client's threshold
        (:attr:`log_level`) lets it through. Never put secrets or data the
        user may not read in a message."""
        note = notifications.log_message(self.log_level, level, message, logger)
        if note is not None:
            self.notifications.append(note)

    @property
    def input_responses(self):
        """``{key: the client's result}`` of the input requests answered so
        far (earlier rounds', carried in the signed requestState, and this
        round's ``inputResponses``); ``{}`` on the first run."""
        return self.input_round.responses

    @property
    def state(self):
        """A dict the handler may read and write: carried (signed, readable
        by the client: no secrets) to the next round when it asks."""
        return self.input_round.state

    def ask(self, requests, bound=False):
        """Ask the client for input: ``requests`` is ``{key: {"method":
        "elicitation/create" | "sampling/createMessage" | "roots/list",
        "params": {...}}}``. Returns ``{key: response}`` when every key has
        an answer; otherwise raises :class:`~..protocol.errors.InputRequired`
        with the requests still unanswered (after checking the client
        declared the capability each needs: -32021 when it did not).

        ``bound=True`` accepts only answers to requests with these very
        params that this server asked in an earlier round (a verified
        requestState says so): a client cannot skip the question by
        answering up front. Use it to confirm writes."""
        input_required.check_requests(requests)
        found, missing = self.input_round.lookup(requests, bound)
        if missing:
            for request in missing.values():
                self.require_client_capability(input_required.METHOD_CAPABILITY[request["method"]])
            raise errors.InputRequired(missing)
        return found

    def elicit(self, key, message, requested_schema, **params):
        """Ask the user (``elicitation/create``, form mode) ``message`` for
        data of ``requested_schema`` (a flat JSON Schema object). Returns the
        ElicitResult: ``{"action": "accept"|"decline"|"cancel", "content"?}``."""
        request = dict(params, message=message, requestedSchema=requested_schema)
        return self.ask({key: {"method": "elicitation/create", "params": request}}, **self._bound(params))[key]

    def sample(self, key, messages, max_tokens, **params):
        """Ask the client's model (``sampling/createMessage``) to answer
        ``messages`` in at most ``max_tokens`` tokens (other
        CreateMessageRequest params as keywords). Returns the
        CreateMessageResult (``{"role", "content", "model", ...}``)."""
        request = dict(params, messages=messages, maxTokens=max_tokens)
        return self.ask({key: {"method": "sampling/createMessage", "params": request}}, **self._bound(params))[key]

    def list_roots(self, key, bound=False):
        """Ask the client for its roots (``roots/list``). Returns the
        ListRootsResult ``{"roots": [{"uri", "name"?}, ...]}``."""
        return self.ask({key: {"method": "roots/list", "params": {}}}, bound=bound)[key]

    @staticmethod
    def _bound(params):
        """``{"bound": ...}`` taken out of the keyword params of
        :meth:`elicit` / :meth:`sample` (not a request param)."""
        return {"bound": bool(params.pop("bound", False))}

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
