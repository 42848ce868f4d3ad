"""The one error map of the MCP dispatcher: what the client sees of an
exception raised while a JSON-RPC message was handled
(:meth:`McpServerErrors._map_exception`) or out of the HTTP layer
(``_map_transport_exception``)."""
import psycopg2.errors
from odoo import api, models
from odoo.exceptions import AccessError, MissingError, RedirectWarning, UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..protocol import error_map, errors, oauth, revisions
from .mcp_server import _logger  # the dispatcher's log

#: Longest ValueError message passed to the agent.
MAX_VALUE_ERROR_MESSAGE = 500


class McpServerErrors(models.AbstractModel):
    _inherit = "mcp.server"

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
