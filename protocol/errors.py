"""JSON-RPC / MCP error codes and the exceptions that carry them.

Every layer raises these; the one error map (``mcp.server._map_exception``,
with its value object in ``protocol/error_map.py``) turns them into JSON-RPC
error objects, HTTP statuses and headers.
"""
import logging

# JSON-RPC 2.0
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
# Implementation-defined server errors: -32000..-32019 (2026-07-28 reserves
# -32020..-32099 for errors the specification defines)
UNAUTHORIZED = -32001        # missing/invalid/expired key, IP not allowed
ACCESS_DENIED = -32003       # blocklist, model-access rule, scope, Odoo ACL/record rule
SESSION_NOT_FOUND = -32004   # unknown/expired Mcp-Session-Id
RATE_LIMITED = -32005        # per-key rate limit or per-IP lockout
QUERY_CANCELLED = -32006     # a statement ran past the statement timeout setting
RESOURCE_NOT_FOUND = -32002  # MCP: resources/read on an unknown URI


class McpError(Exception):
    """A JSON-RPC error: ``code``, human ``message``, optional JSON ``data``.

    ``http_status`` is the status of the HTTP response carrying it where the
    transport allows one (Streamable HTTP POST); 200 otherwise.
    ``retry_after`` (seconds), when set, goes to the ``Retry-After`` header.
    """

    code = INTERNAL_ERROR
    http_status = 200
    retry_after = None
    #: id of the JSON-RPC request a refusal of the transport answers (None: unknown)
    request_id = None
    #: level at which Odoo logs one that leaves a route (odoo.http): the audit log has it
    loglevel = logging.DEBUG

    def __init__(self, message, data=None, code=None, http_status=None):
        super().__init__(message)
        self.message = message
        self.data = data
        if code is not None:
            self.code = code
        if http_status is not None:
            self.http_status = http_status

    def to_error(self):
        """The JSON-RPC ``error`` member."""
        error = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


class ParseError(McpError):
    code = PARSE_ERROR
    http_status = 400


class InvalidRequest(McpError):
    code = INVALID_REQUEST
    http_status = 400


class MethodNotFound(McpError):
    code = METHOD_NOT_FOUND


class InvalidParams(McpError):
    code = INVALID_PARAMS


class Unauthorized(McpError):
    """Authentication failed. Never says which check failed beyond ``message``."""

    code = UNAUTHORIZED
    http_status = 401


class NoCredentials(Unauthorized):
    """The request carried no bearer token at all: its 401 challenge names
    no error code (RFC 6750 §3.1), only where to get one."""


class McpAccessDenied(McpError):
    """The security layer or Odoo's ACLs refuse the operation (-32003).

    ``data`` should name the ``model`` (and ``field``/``method``/``reason``)
    but never any record content. Not ``odoo.exceptions.AccessDenied``
    (Odoo's failed login), whose name it used to share.
    """

    code = ACCESS_DENIED


#: Former name, kept for tools of other addons that import it; new code
#: uses :class:`McpAccessDenied`.
AccessDenied = McpAccessDenied


class RateLimited(McpError):
    """Too many requests; ``retry_after`` seconds go to the Retry-After header."""

    code = RATE_LIMITED
    http_status = 429

    def __init__(self, message, retry_after=60, data=None):
        super().__init__(message, data=dict(data or {}, retryAfter=retry_after))
        self.retry_after = retry_after


#: A statement of the request ran past ``statement_timeout_ms`` (PostgreSQL
#: cancelled it): a tool's ``isError`` text, or the message of ``QueryCancelled``.
MSG_QUERY_CANCELLED = "The query took too long and was cancelled."
#: A ValueError of Odoo's business code, as a tool result (``%s``: its first line).
MSG_VALUE_ERROR = "Odoo refused the call: %s"
#: PostgreSQL refused a date or datetime value (the agent's domain or values).
MSG_BAD_DATE_VALUE = ("Invalid date or datetime value: use \"YYYY-MM-DD\" for dates and "
                      "\"YYYY-MM-DD HH:MM:SS\" (UTC) for datetimes.")


class QueryCancelled(McpError):
    """PostgreSQL cancelled a statement of the request (statement timeout)."""

    code = QUERY_CANCELLED

    def __init__(self, message=MSG_QUERY_CANCELLED, data=None):
        super().__init__(message, data=data)


class ServiceUnavailable(McpError):
    """The database cannot be reached (HTTP 503 + ``Retry-After``)."""

    http_status = 503

    def __init__(self, message, retry_after):
        super().__init__(message)
        self.retry_after = retry_after


class SessionNotFound(McpError):
    code = SESSION_NOT_FOUND
    http_status = 404


class ResourceNotFound(McpError):
    code = RESOURCE_NOT_FOUND


class ToolError(Exception):
    """A tool could not do what was asked (bad arguments, unknown field,
    UserError...). Reported to the agent as a ``tools/call`` result with
    ``isError: true`` and this message, not as a JSON-RPC error."""

    def __init__(self, message, data=None):
        super().__init__(message)
        self.message = message
        self.data = data


class InvalidQuery(ToolError):
    """A query built from agent input that Odoo or PostgreSQL refused:
    ``what`` names the part of the input (``"domain"``…), ``exc`` is Odoo's
    ``ValueError`` (domain parser) or PostgreSQL's ``DataError`` (a value of
    the wrong type for a column)."""

    def __init__(self, what, exc):
        if isinstance(exc, ValueError):
            message = "Invalid %s: %s" % (what, exc)
        else:
            detail = (getattr(exc, "pgerror", None) or str(exc)).strip().splitlines()[0]
            message = "Invalid value in %s: %s" % (what, detail)
        super().__init__(message)


# MCP 2026-07-28 (basic/index "Error Codes"): -32020..-32099 is reserved for
# codes the specification defines; these three are the ones it defines. Each
# travels with HTTP 400 on Streamable HTTP.
HEADER_MISMATCH = -32020
MISSING_REQUIRED_CLIENT_CAPABILITY = -32021
UNSUPPORTED_PROTOCOL_VERSION = -32022


class HeaderMismatch(McpError):
    """2026-07-28: an ``MCP-Protocol-Version`` / ``Mcp-Method`` / ``Mcp-Name``
    header is missing, malformed or disagrees with the body (HTTP 400)."""

    code = HEADER_MISMATCH
    http_status = 400


class MissingRequiredClientCapability(McpError):
    """2026-07-28: the request needs a client capability it did not declare in
    ``_meta``; ``data.requiredCapabilities`` names them (HTTP 400)."""

    code = MISSING_REQUIRED_CLIENT_CAPABILITY
    http_status = 400

    def __init__(self, message, required_capabilities):
        super().__init__(message, data={"requiredCapabilities": required_capabilities})


class UnsupportedProtocolVersion(McpError):
    """A protocol version this server does not speak (HTTP 400).

    2026-07-28 gives it code -32022 with ``data = {"supported": [...],
    "requested": ...}``; earlier revisions only require the 400 status for an
    unsupported ``MCP-Protocol-Version`` header, and the same body serves them.
    """

    code = UNSUPPORTED_PROTOCOL_VERSION
    http_status = 400

    def __init__(self, requested, supported, message="Unsupported protocol version"):
        super().__init__(message, data={"supported": list(supported), "requested": requested})
        self.requested = requested


class InputRequired(Exception):
    """A handler (tool, prompt, resource) needs input from the client
    before it can finish: ``requests`` is ``{key: {"method", "params"}}``
    of the input requests still unanswered (``elicitation/create``,
    ``sampling/createMessage``, ``roots/list``).

    Not an :class:`McpError`: the error map never sees it. The dispatcher
    rolls the handler's savepoint back and answers an ``input_required``
    result (2026-07-28, MRTR) carrying the requests and a signed
    ``requestState``; the handler re-runs from the start with the answers.
    Raised by ``McpContext.ask`` (and ``elicit``/``sample``/``list_roots``).
    """

    def __init__(self, requests):
        super().__init__("input required: " + ", ".join(sorted(requests)))
        self.requests = requests
