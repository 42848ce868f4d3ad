"""Dispatch of MCP JSON-RPC messages (transport-independent).

The transports (``services/``) authenticate the bearer key (``mcp.api.key``),
build the request's :class:`~..tools.context.McpContext` and hand each
message to :meth:`McpServer._handle_message`. This model finds the handler,
runs it as the key's user inside a savepoint (tools receive the same
context), maps every exception to a JSON-RPC error or an ``isError`` tool
result in one place (:meth:`McpServer._map_exception`) and writes the audit
row; the transport takes the HTTP status from ``ctx.failure``.
"""
import contextlib
import logging
import time

import jsonschema
import psycopg2.errors
import psycopg2.extensions
from odoo import api, models
from odoo.exceptions import AccessError, MissingError, RedirectWarning, UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..protocol import (
    capabilities,
    error_map,
    errors,
    input_required,
    jsonrpc,
    notifications,
    oauth,
    pagination,
    revisions,
)
from ..protocol.tool_result import tool_result
from ..tools import completion, instructions, prompts, registry, resources
from ..tools.context import McpContext  # noqa: F401 - built by the transports from here

_logger = logging.getLogger(__name__)

LOG_LEVELS = notifications.LOG_LEVELS  # kept importable from here
PAGE_SIZE = 100
#: Longest ValueError message passed to the agent.
MAX_VALUE_ERROR_MESSAGE = 500
#: Handlers that neither read nor write the database: no savepoint around them
#: (not tools/list: ``_mcp_tools()`` overrides of other addons may query).
NO_DATABASE_HANDLERS = frozenset({
    "_rpc_ping", "_rpc_server_discover", "_rpc_prompts_list", "_rpc_resources_templates_list",
})
#: Kept for code importing them from here: the instructions live in tools/instructions.py.
INSTRUCTIONS_START = instructions.START
READ_ONLY_INSTRUCTION = instructions.READ_ONLY_SCOPE


_validators = {}


def _validator_for(schema):
    """A cached JSON Schema validator for a tool's ``input_schema``."""
    entry = _validators.get(id(schema))
    if entry is None or entry[0] is not schema:
        entry = _validators[id(schema)] = (schema, jsonschema.Draft202012Validator(schema))
    return entry[1]


class McpServer(models.AbstractModel):
    _name = "mcp.server"
    _description = "MCP Server dispatcher"

    # ------------------------------------------------------------------
    # extension points
    # ------------------------------------------------------------------
    @api.model
    def _mcp_tools(self):
        """Tools offered to agents. Other addons extend this list::

            class McpServer(models.AbstractModel):
                _inherit = "mcp.server"

                def _mcp_tools(self):
                    return super()._mcp_tools() + [MyTool()]
        """
        return registry.default_tools()

    @api.model
    def _mcp_resource_templates(self):
        """``resources/templates/list`` entries (static data: no database
        access). Other addons add theirs: ``super()._mcp_resource_templates()
        + [{"uriTemplate": ..., "name": ..., "mimeType": ...}]`` and serve
        their URIs in :meth:`_mcp_read_resource`."""
        return resources.list_templates()

    @api.model
    def _mcp_read_resource(self, ctx, uri):
        """``resources/read`` of ``uri`` for ``ctx`` (the request's
        McpContext): ``{"contents": [...]}``. Other addons serve their own
        URIs and call ``super()`` for the others; an unknown URI raises
        :class:`~..protocol.errors.ResourceNotFound`."""
        return resources.read_resource(ctx, uri)

    @api.model
    def _mcp_prompts(self):
        """``prompts/list`` entries (static data: no database access). Other
        addons add theirs (``super()._mcp_prompts() + [...]``) and render
        them in :meth:`_mcp_get_prompt`."""
        return prompts.list_prompts()

    @api.model
    def _mcp_get_prompt(self, ctx, name, arguments):
        """``prompts/get`` of prompt ``name`` with ``arguments`` (a dict):
        ``{"description", "messages"}``. Other addons render their own
        prompts and call ``super()`` for the others."""
        return prompts.get_prompt(ctx, name, arguments)

    @api.model
    def _get_rpc_handlers(self):
        """JSON-RPC method name -> handler method name on this model."""
        return {
            "initialize": "_rpc_initialize",
            "ping": "_rpc_ping",
            "tools/list": "_rpc_tools_list",
            "tools/call": "_rpc_tools_call",
            "resources/list": "_rpc_resources_list",
            "resources/templates/list": "_rpc_resources_templates_list",
            "resources/read": "_rpc_resources_read",
            "prompts/list": "_rpc_prompts_list",
            "prompts/get": "_rpc_prompts_get",
            "completion/complete": "_rpc_completion_complete",
            "logging/setLevel": "_rpc_logging_set_level",
            "server/discover": "_rpc_server_discover",
        }

    @api.model
    def _settings(self):
        """Effective settings (defaults and bounds applied)."""
        return self.env["mcp.settings"]._get_settings()

    # ------------------------------------------------------------------
    # one message
    # ------------------------------------------------------------------
    @api.model
    def _handle_message(self, message, ctx):
        """Handle one JSON-RPC message; return the response dict or ``None``.

        Each request that touches the database runs in a savepoint: whatever
        fails leaves nothing behind. Whatever a handler raises is answered as
        :meth:`_map_exception` says; ``ctx.failure`` keeps that
        :class:`~..protocol.error_map.Failure` (``None`` after a success) for
        the transport to take the HTTP status and headers from. Concurrency
        errors propagate so that Odoo retries the whole request.

        A ``tools/call``, ``prompts/get`` or ``resources/read`` handler that
        asks the client for input (``ctx.ask``) is answered an
        ``input_required`` result (:meth:`_input_required_result`), after
        its savepoint rolled back; ``ctx.input_required`` then holds the
        requests, for a transport that asks them itself (session revisions):
        it re-runs the message with the answers as ``params.inputResponses``
        and the result's ``requestState``, so they count as answers to what
        this server asked (``bound``).
        """
        ctx.failure, ctx.params, ctx.arguments = None, {}, {}
        ctx.input_round, ctx.input_required = input_required.InputRound(), None
        try:
            kind = jsonrpc.classify(message)
        except errors.InvalidRequest as exc:
            ctx.failure = self._map_exception(exc, ctx, None)
            return ctx.failure.response(None)
        if kind != "request":
            return None  # notifications and client responses: nothing to answer
        msg_id = message.get("id")
        method = message.get("method")
        started = time.perf_counter()
        ctx.audit = {"rpc_method": method[:64] if isinstance(method, str) else None}
        outcome, code = "ok", None
        try:
            handler = self._get_rpc_handlers().get(method)
            if not handler:
                raise errors.MethodNotFound(f"Method not found: {method}")
            params = message.get("params", {})
            if params is None:
                params = {}
            if not isinstance(params, dict):
                raise errors.InvalidParams("params must be an object")
            ctx.params = params
            if method in input_required.INPUT_METHODS:
                ctx.input_round = self._input_round(method, params, ctx)
            if handler == "_rpc_tools_call":  # it runs the tool in a savepoint of its own
                result = self._rpc_tools_call(params, ctx)
            elif handler in NO_DATABASE_HANDLERS:
                result = getattr(self, handler)(params, ctx)
            else:
                with self.env.cr.savepoint():
                    result = getattr(self, handler)(params, ctx)
            if isinstance(result, dict) and result.get("isError"):
                outcome = "error"
            return jsonrpc.result_response(msg_id, result)
        except errors.InputRequired as exc:  # the handler's savepoint is rolled back
            outcome = "input_required"
            ctx.input_required = exc.requests
            return jsonrpc.result_response(msg_id, self._input_required_result(exc.requests, method, params, ctx))
        except Exception as exc:
            failure = self._map_exception(exc, ctx, method)
            if failure is None:
                outcome, code = "error", errors.INTERNAL_ERROR  # this attempt; Odoo retries the request
                raise
            ctx.failure = failure
            outcome, code = failure.audit
            return failure.response(msg_id, ctx.revision)
        finally:
            self._audit(ctx, outcome, code, started)

    @api.model
    def _map_exception(self, exc, ctx, where):
        """The one error map: what the client sees of exception ``exc``.

        ``where`` is the JSON-RPC method being handled (``ctx.params`` holds
        its params), ``None`` for a message that is not even a valid
        request, or ``"transport"`` for a refusal of the HTTP layer (then
        ``ctx`` may be ``None``). Returns a
        :class:`~..protocol.error_map.Failure` (a JSON-RPC error with its HTTP
        status and headers, or for ``tools/call`` an ``isError`` result the
        agent can act on), or ``None`` for a concurrency error, which must
        propagate so that Odoo retries the request.

        =====================================  ===================================  ==========================
        exception                              ``tools/call``                       other methods
        =====================================  ===================================  ==========================
        ``McpError`` (guard, fence, handlers)  its code/message/data                same
        ``ToolError``                          ``isError``: its message             -32602 with its message
        ``AccessError``                        -32003 ``{"reason": "acl", model}``  same in resources/read,
                                                                                    else -32603
        ``MissingError``                       ``isError``: record not found        resources/read: resource
                                                                                    not found, else -32603
        ``UserError``/``RedirectWarning``      ``isError``: Odoo's text, user       -32603
                                               names redacted
        ``ValueError`` (business code)         ``isError``: its first line, user    -32603
                                               names redacted, at most 500 chars
        PostgreSQL statement timeout           ``isError``: took too long           -32006
        PostgreSQL bad date/time value         ``isError``: the date format to use  -32603
        PostgreSQL data/integrity error        ``isError``: the database refused    -32603
        concurrency, a write on a replica      ``None``: propagates                 same
        (Odoo retries)
        anything else                          -32603 "Internal error" (logged)     same
        =====================================  ===================================  ==========================

        Extension point: override, handle your own exception kinds and call
        ``super()`` for the others.
        """
        if where == "transport":
            return self._map_transport_exception(exc)
        if isinstance(exc, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY + (psycopg2.errors.ReadOnlySqlTransaction,)):
            return None  # a write on a replica cursor: Odoo runs the request again on the primary
        revision = ctx.revision if ctx is not None else None
        params = (ctx.params if ctx is not None else None) or {}
        in_tool = where == "tools/call"
        if isinstance(exc, errors.ResourceNotFound):
            exc.code = revisions.resource_not_found_code(revision)  # -32602 in 2026-07-28
        elif isinstance(exc, errors.ToolError):
            if in_tool:
                return error_map.Failure.tool(exc.message)
            exc = errors.InvalidParams(exc.message)
        elif isinstance(exc, AccessError) and where in ("tools/call", "resources/read"):
            data = {"reason": "acl"}
            if ctx.audit.get("model"):
                data["model"] = ctx.audit["model"]
            exc = errors.McpAccessDenied("Access denied by Odoo access rights or record rules", data=data)
        elif isinstance(exc, MissingError) and in_tool:
            return error_map.Failure.tool("Record not found (deleted, or not visible to this user).")
        elif isinstance(exc, MissingError) and where == "resources/read":
            exc = errors.ResourceNotFound("Resource not found", data={"uri": params.get("uri")},
                                          code=revisions.resource_not_found_code(revision))
        elif isinstance(exc, (UserError, RedirectWarning)) and in_tool:
            # ValidationError too: messages meant for users, verbatim but for
            # the names of users ("Linked active users: ...")
            message = str(exc.args[0] if exc.args else exc)
            return error_map.Failure.tool(self.env["mcp.guard"].redact_user_names(message, params.get("arguments")))
        elif isinstance(exc, ValueError) and in_tool:
            # business code refusing a value ("Invalid field 'lost_reason' on
            # model 'crm.lead'", a bad selection value): the agent can fix it.
            # First line only (never a traceback), bounded, users' names out.
            message = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:MAX_VALUE_ERROR_MESSAGE]
            _logger.info("MCP %s: ValueError answered as a tool error: %s", where, message)
            return error_map.Failure.tool(errors.MSG_VALUE_ERROR % self.env["mcp.guard"].redact_user_names(
                message, params.get("arguments")))
        elif isinstance(exc, psycopg2.errors.QueryCanceled):  # statement_timeout_ms
            if in_tool:
                return error_map.Failure.tool(errors.MSG_QUERY_CANCELLED)
            exc = errors.QueryCancelled()
        elif isinstance(exc, (psycopg2.errors.InvalidDatetimeFormat, psycopg2.errors.DatetimeFieldOverflow)) \
                and in_tool:
            return error_map.Failure.tool(errors.MSG_BAD_DATE_VALUE)
        elif isinstance(exc, (psycopg2.errors.DataError, psycopg2.errors.IntegrityError)) and in_tool:
            return error_map.Failure.tool(f"The database refused the values: {exc.diag.message_primary}")
        elif not isinstance(exc, errors.McpError):
            _logger.error("MCP %s failed", where, exc_info=exc)
            exc = errors.McpError("Internal error")
        elif self._is_oauth_scope_refusal(exc, ctx):
            return error_map.Failure(exc.code, exc.message, exc.data, 403, [(
                "WWW-Authenticate", oauth.www_authenticate(self.env["mcp.settings"]._base_url(),
                                                           error="insufficient_scope", scope=" ".join(oauth.SCOPES)))])
        return error_map.from_mcp_error(exc, revision, dispatched=True)

    @api.model
    def _is_oauth_scope_refusal(self, exc, ctx):
        """Whether ``exc`` refuses a write to an OAuth access token whose
        grant is read-only: answered HTTP 403 ``insufficient_scope`` with the
        scope needed (RFC 6750 §3.1), so that the app can ask the user for
        more. An API key's scope refusal stays a JSON-RPC error (HTTP 200):
        no client can step up a key."""
        data = exc.data if isinstance(exc.data, dict) else {}
        return (data.get("reason") == "scope" and ctx is not None and bool(ctx.key)
                and bool(ctx.key.sudo().oauth_grant_id))

    @api.model
    def _map_transport_exception(self, exc):
        """The :class:`~..protocol.error_map.Failure` of an exception that
        left the HTTP layer (``_map_exception(exc, None, "transport")``): a
        refusal (``McpError``) as it says; the database lost, or still
        conflicting after Odoo's retries, 503 + ``Retry-After``; anything
        else -32603 with HTTP 500 (logged). A 401's ``WWW-Authenticate``
        names the OAuth protected resource metadata (RFC 9728 §5.1), with
        ``error="invalid_token"`` unless no token was sent (RFC 6750 §3.1)."""
        if isinstance(exc, errors.Unauthorized):
            return error_map.from_mcp_error(exc, www_authenticate=oauth.www_authenticate(
                self.env["mcp.settings"]._base_url(),
                error=None if isinstance(exc, errors.NoCredentials) else "invalid_token"))
        if isinstance(exc, errors.McpError):
            return error_map.from_mcp_error(exc)
        if isinstance(exc, psycopg2.OperationalError):
            _logger.warning("MCP request failed on the database: %s", exc)
            return error_map.from_mcp_error(errors.ServiceUnavailable(
                "Service unavailable: the database cannot serve the request now", retry_after=5))
        _logger.error("MCP request failed", exc_info=exc)
        return error_map.from_mcp_error(errors.McpError("Internal error", http_status=500))

    @api.model
    def _audit(self, ctx, outcome, code, started):
        """Write the audit row (own cursor: survives a rollback)."""
        vals = dict(ctx.audit,
                    key_id=ctx.key.id if ctx.key else False,
                    user_id=(ctx.user_env.uid if ctx.user_env is not None else ctx.key.user_id.id)
                    if ctx.key else False,
                    ip=ctx.ip, transport=ctx.transport, outcome=outcome,
                    error_code=code or 0,
                    duration_ms=int((time.perf_counter() - started) * 1000) if started else 0)
        self.env["mcp.audit.log"]._record(vals)

    # ------------------------------------------------------------------
    # handlers
    # ------------------------------------------------------------------
    def _rpc_initialize(self, params, ctx):
        requested = params.get("protocolVersion")
        if not isinstance(requested, str):
            raise errors.InvalidParams("initialize needs a protocolVersion string")
        revision = revisions.negotiate(requested)
        ctx.revision = revision
        if ctx.session:
            ctx.session.write(dict(ctx.session._client_values(params.get("clientInfo")), revision=revision,
                                   client_capabilities=ctx.session._capabilities_value(params.get("capabilities"))))
        return capabilities.initialize_result(revision, self._instructions(ctx))

    def _instructions(self, ctx):
        """``instructions`` of the initialize result (``tools/instructions.py``):
        for a read-only key its last sentence says which tools are not offered."""
        hidden = ()
        if ctx.key and ctx.guard.is_read_only(ctx.key):
            hidden = sorted(tool.name for tool in self._tool_map().values()
                            if tool.writes and tool.available(ctx.user_env))
        return instructions.build(ctx.user_env or self.env, ctx.key, ctx.guard, hidden)

    def _rpc_ping(self, params, ctx):
        return {}

    def _rpc_server_discover(self, params, ctx):
        return capabilities.discover_result()

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

    @contextlib.contextmanager
    def _tool_transaction(self, tool, ctx):
        """Where a tool runs: in a savepoint, rolled back when the tool
        raises — but for a read tool that is its request's only message
        (``ctx.alone``). Nothing written before it in that transaction
        matters (the session's last-seen stamp at most), so a failed
        statement (the statement timeout, a value PostgreSQL refuses), which
        aborts the transaction, rolls it back whole instead, and the audit
        row and the answer still go through. Two statements less per read."""
        if tool.writes or not ctx.alone:
            with self.env.cr.savepoint():
                yield
            return
        try:
            yield
        except errors.InputRequired:
            self.env.cr.rollback()  # the tool asked: nothing of this run stays
            raise
        except Exception:
            if self.env.cr.connection.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INERROR:
                self.env.cr.rollback()
            raise

    @staticmethod
    def _validate_arguments(tool, arguments):
        """Up to 5 readable problems of ``arguments`` against the tool's input schema."""
        validator = _validator_for(tool.input_schema)
        problems = []
        for error in sorted(validator.iter_errors(arguments), key=lambda e: list(e.path))[:5]:
            where = "/".join(str(p) for p in error.path) or "arguments"
            problems.append(f"{where}: {error.message}")
        return problems

    def _rpc_resources_list(self, params, ctx):
        return resources.list_resources(ctx, params.get("cursor"))

    def _rpc_resources_templates_list(self, params, ctx):
        return {"resourceTemplates": self._mcp_resource_templates()}

    def _rpc_resources_read(self, params, ctx):
        uri = params.get("uri")
        if not isinstance(uri, str):
            raise errors.InvalidParams("resources/read needs a uri string")
        model = resources.uri_model(uri)
        if model:
            ctx.audit["model"] = model[:128]
        return self._mcp_read_resource(ctx, uri)

    def _rpc_prompts_list(self, params, ctx):
        items = self._mcp_prompts()
        page, next_cursor = pagination.paginate(items, params.get("cursor"), PAGE_SIZE)
        result = {"prompts": page}
        if next_cursor:
            result["nextCursor"] = next_cursor
        return result

    def _rpc_prompts_get(self, params, ctx):
        name = params.get("name")
        if not isinstance(name, str):
            raise errors.InvalidParams("prompts/get needs a prompt name")
        arguments = params.get("arguments") or {}
        if not isinstance(arguments, dict):
            raise errors.InvalidParams("arguments must be an object")
        return self._mcp_get_prompt(ctx, name, arguments)

    def _rpc_completion_complete(self, params, ctx):
        context_args = (params.get("context") or {}).get("arguments") or {}
        try:
            return completion.complete(ctx, params.get("ref"), params.get("argument"),
                                       context_args)
        except errors.ToolError as exc:
            raise errors.InvalidParams(exc.message) from None

    def _rpc_logging_set_level(self, params, ctx):
        level = params.get("level")
        if level not in LOG_LEVELS:
            raise errors.InvalidParams(f"level must be one of: {', '.join(LOG_LEVELS)}")
        if ctx.session:
            ctx.session.log_level = level
        ctx.log_level = level
        return {}
