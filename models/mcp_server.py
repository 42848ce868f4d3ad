"""Dispatch of MCP JSON-RPC messages (transport-independent).

The transports (``services/``) authenticate the bearer key (``mcp.api.key``),
build the request's :class:`~..tools.context.McpContext` and hand each
message to :meth:`McpServer._handle_message`. This model finds the handler,
runs it as the key's user inside a savepoint (tools receive the same
context), maps every exception to a JSON-RPC error or an ``isError`` tool
result in one place (``_map_exception``, ``mcp_server_errors.py``) and
writes the audit row; the transport takes the HTTP status from
``ctx.failure``. ``tools/list`` and ``tools/call`` are in
``mcp_server_tools.py``, the input requests in ``mcp_server_input.py``,
resource subscriptions in ``mcp_server_subscriptions.py``.
"""
import contextlib
import logging
import time

import psycopg2.extensions
from odoo import api, models

from ..protocol import (
    capabilities,
    errors,
    input_required,
    jsonrpc,
    notifications,
    pagination,
    revisions,
)
from ..services import replica
from ..tools import completion, instructions, prompts, registry, resources
from ..tools.context import McpContext  # noqa: F401 - built by the transports from here

_logger = logging.getLogger(__name__)

LOG_LEVELS = notifications.LOG_LEVELS  # kept importable from here
#: Items per page of the list methods (tools, prompts).
PAGE_SIZE = 100
#: Handlers that neither read nor write the database: no savepoint around them
#: (not tools/list: ``_mcp_tools()`` overrides of other addons may query).
NO_DATABASE_HANDLERS = frozenset({
    "_rpc_ping", "_rpc_server_discover", "_rpc_prompts_list", "_rpc_resources_templates_list",
})
#: Kept for code importing them from here: the instructions live in tools/instructions.py.
INSTRUCTIONS_START = instructions.START
READ_ONLY_INSTRUCTION = instructions.READ_ONLY_SCOPE


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
                with self._message_transaction(not (ctx.alone and method in replica.READ_METHODS)):
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
            self._audit(ctx, outcome, code, started,
                        lazy_commit=outcome != "input_required" and self._reads_only(message, ctx))

    @contextlib.contextmanager
    def _message_transaction(self, savepoint):
        """Where a handler (or a tool) runs: in a savepoint when
        ``savepoint``, rolled back when it raises; otherwise (a read alone
        in its request) in the request's transaction itself. Nothing written
        before it there matters (the session's last-seen stamp at most), so
        a failed statement (the statement timeout, a value PostgreSQL
        refuses), which aborts the transaction, rolls it back whole instead,
        and the audit row and the answer still go through. Two statements
        less per read."""
        if savepoint:
            with self.env.cr.savepoint():
                yield
            return
        try:
            yield
        except errors.InputRequired:
            self.env.cr.rollback()  # the handler asked: nothing of this run stays
            raise
        except Exception:
            if self.env.cr.connection.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INERROR:
                self.env.cr.rollback()
            raise

    @api.model
    def _reads_only(self, message, ctx):
        """True when request ``message`` is its Streamable HTTP request's only
        message and one that never writes (``services/replica.py``'s
        test: what may run on a read replica): its transaction then holds
        nothing but its audit row and the session's last-seen stamp."""
        return bool(ctx.alone) and ctx.transport == "streamable_http" and replica.is_read_message(
            message, self._tool_map() if message.get("method") == "tools/call" else {})

    @api.model
    def _audit(self, ctx, outcome, code, started, lazy_commit=False):
        """Write the audit row (in the request's transaction, written again
        in a cursor of its own should that roll back; ``lazy_commit``: see
        ``mcp.audit.log._record``)."""
        vals = dict(ctx.audit,
                    key_id=ctx.key.id if ctx.key else False,
                    user_id=(ctx.user_env.uid if ctx.user_env is not None else ctx.key.user_id.id)
                    if ctx.key else False,
                    ip=ctx.ip, transport=ctx.transport, outcome=outcome,
                    error_code=code or 0,
                    duration_ms=int((time.perf_counter() - started) * 1000) if started else 0)
        self.env["mcp.audit.log"]._record(vals, lazy_commit)

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

    def _rpc_ping(self, params, ctx):
        return {}

    def _rpc_server_discover(self, params, ctx):
        return capabilities.discover_result()

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
