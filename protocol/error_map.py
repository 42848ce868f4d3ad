"""What a client sees of a failure.

The one error map is ``mcp.server._map_exception`` (models/mcp_server.py):
it turns any exception of a request into a :class:`Failure`. This module
holds that value object and the pure part of the map, :func:`from_mcp_error`
(an :class:`~.errors.McpError` as JSON-RPC error + HTTP status + headers),
which also serves where there is no database to call the model on
(``services/odoo_http.py``).
"""
from . import errors
from .jsonrpc import error_response, result_response
from .revisions import is_stateless
from .tool_result import tool_error_result

#: 2026-07-28: HTTP status of a JSON-RPC error the dispatcher answers (the
#: reference SDK's table); other codes travel with 200.
STATELESS_ERROR_STATUS = {
    errors.PARSE_ERROR: 400, errors.INVALID_REQUEST: 400, errors.INVALID_PARAMS: 400,
    errors.HEADER_MISMATCH: 400, errors.MISSING_REQUIRED_CLIENT_CAPABILITY: 400,
    errors.UNSUPPORTED_PROTOCOL_VERSION: 400, errors.METHOD_NOT_FOUND: 404,
}
#: ``WWW-Authenticate`` of a 401 (RFC 6750).
WWW_AUTHENTICATE = 'Bearer realm="mcp", error="invalid_token"'
#: Codes audited as ``denied`` (the others as ``error``).
DENIED_CODES = frozenset({errors.ACCESS_DENIED, errors.UNAUTHORIZED})


class Failure:
    """One failure as the client sees it (read-only once built).

    Either a JSON-RPC error: ``code``, ``message``, ``data``, answered with
    ``http_status`` and ``headers`` where the transport has a response of
    its own; or, when ``is_tool_result``, a ``tools/call`` result with
    ``isError: true`` and ``message`` as its text (no code, HTTP 200).
    """

    __slots__ = ("code", "message", "data", "http_status", "headers", "is_tool_result")

    def __init__(self, code, message, data=None, http_status=200, headers=(), is_tool_result=False):
        for name, value in (("code", code), ("message", message), ("data", data), ("http_status", http_status),
                            ("headers", tuple(headers)), ("is_tool_result", is_tool_result)):
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        raise AttributeError("Failure is read-only")

    def __repr__(self):
        kind = "tool result" if self.is_tool_result else self.code
        return "Failure(%s, %r, status=%s)" % (kind, self.message, self.http_status)

    @classmethod
    def tool(cls, message):
        """A failed tool call the agent reads and may fix (``isError: true``)."""
        return cls(None, str(message), is_tool_result=True)

    def error(self):
        """The JSON-RPC ``error`` member."""
        error = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error

    def response(self, msg_id, revision=None):
        """The JSON-RPC response to the request ``msg_id``: an error
        response, or a tool failure's result shaped for ``revision``."""
        if self.is_tool_result:
            return result_response(msg_id, tool_error_result(self.message, revision))
        return error_response(msg_id, self.error())

    @property
    def audit(self):
        """``(outcome, error code)`` of the audit row."""
        if self.is_tool_result:
            return "error", None
        return ("denied" if self.code in DENIED_CODES else "error"), self.code


def from_mcp_error(exc, revision=None, dispatched=False, www_authenticate=None):
    """:class:`Failure` of the McpError ``exc``.

    The HTTP status is the exception's, but for an error the dispatcher
    answers (``dispatched``) to a 2026-07-28 request: that revision's table
    (:data:`STATELESS_ERROR_STATUS`). Headers: ``WWW-Authenticate`` for
    ``Unauthorized`` (``www_authenticate`` when given: the challenge naming
    the OAuth resource metadata, see ``protocol/oauth.py``; else
    :data:`WWW_AUTHENTICATE`), ``Retry-After`` when the exception has
    ``retry_after``.
    """
    status = exc.http_status
    if dispatched and is_stateless(revision):
        status = STATELESS_ERROR_STATUS.get(exc.code, 200)
    headers = []
    if isinstance(exc, errors.Unauthorized):
        headers.append(("WWW-Authenticate", www_authenticate or WWW_AUTHENTICATE))
    if exc.retry_after is not None:
        headers.append(("Retry-After", str(int(exc.retry_after))))
    return Failure(exc.code, exc.message, exc.data, status, headers)
