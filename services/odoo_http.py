"""Where MCP meets ``odoo.http``: the ``type="mcp"`` routing type, and the
one patch of Odoo's request handling (there is no hook for it).

**The routing type** (:class:`McpDispatcher`, Odoo's own extension point for
request kinds, as OCA ``fastapi`` uses it). Routes ``type="mcp",
auth="mcp_key"`` (controllers/main.py) run as any Odoo route — registry,
transaction, Odoo's retry on concurrency errors, ``ir.http`` hooks — with
three differences from ``type="http"``:

* the body is not parsed as a form: the transport reads it, bounded by the
  body-limit setting (werkzeug 2.x form parsing would *read and discard* a
  body declared over Odoo's 128 MiB cap, for as long as the client sends,
  before an HTML 413);
* no CSRF token (bearer-authenticated API; browsers are held off by the
  Origin check of the transport);
* any exception that leaves the route or its authentication — a refusal of
  the transport or of the key check (``McpError``), a lost database
  connection, a bug — is answered as a JSON-RPC error by the one error map
  (``mcp.server._map_exception``), never as an HTML page. The request's
  transaction is rolled back; the audit row of a refused request survives
  it (``mcp.audit.log._record``).

Authentication is ``ir.http._auth_method_mcp_key`` (models/ir_http.py).

**The patch**: with PostgreSQL down or restarting, Odoo finds no usable
database and serves the request "nodb", where no registry exists — no
``ir.http``, no routes of this module: /mcp would be Odoo's HTML 404. MCP
paths answer JSON 503 instead (health report / JSON-RPC error,
``Retry-After``); recovery needs no Odoo restart. Every other path keeps
Odoo's behaviour.
"""
import logging

from odoo import http

from ..protocol import errors
from ..protocol.error_map import from_mcp_error
from .health import health_report
from .transport import json_response

_logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
MSG_UNAVAILABLE = "Service unavailable: the database cannot be reached"


def is_mcp_path(path):
    """True for /mcp and the paths below it."""
    return path == "/mcp" or path.startswith("/mcp/")


def unavailable_response(dbname, path):
    """The 503 JSON answer of an MCP path while the database is unreachable."""
    if path == "/mcp/health":
        body, _healthy = health_report(dbname, None)
        return json_response(body, 503, [("Retry-After", str(RETRY_AFTER_SECONDS))])
    failure = from_mcp_error(errors.ServiceUnavailable(MSG_UNAVAILABLE, retry_after=RETRY_AFTER_SECONDS))
    return json_response(failure.response(None), failure.http_status, failure.headers)


class McpDispatcher(http.Dispatcher):
    """The ``type="mcp"`` routing type (see the module docstring)."""

    routing_type = "mcp"

    @classmethod
    def is_compatible_with(cls, request):
        """Any request: the transport checks content type and body itself."""
        return True

    def dispatch(self, endpoint, args):
        """Call the route with its URL arguments only (no form parsing)."""
        self.request.params = dict(args)
        return self.request.registry["ir.http"]._dispatch(endpoint)

    def handle_error(self, exc):
        """The JSON-RPC answer of ``exc`` (see :meth:`Exchange.error_response`);
        a plain 503 when the failure came before any exchange existed."""
        exchange = getattr(self.request, "mcp_exchange", None)
        if exchange is None:
            _logger.warning("MCP: %s failed before its exchange: %s", self.request.httprequest.path, exc)
            return unavailable_response(self.request.db, self.request.httprequest.path)
        return exchange.error_response(exc)


def _patch_serve_nodb():
    """Wrap ``odoo.http.Request._serve_nodb`` once (see the module docstring)."""
    if getattr(http.Request._serve_nodb, "_mcp_bridge_wrapped", False):
        return
    serve_nodb = http.Request._serve_nodb

    def _serve_nodb(self):
        if not is_mcp_path(self.httprequest.path):
            return serve_nodb(self)
        _logger.warning("MCP: no usable database for %s: answering 503", self.httprequest.path)
        return unavailable_response(None, self.httprequest.path)

    _serve_nodb._mcp_bridge_wrapped = True
    http.Request._serve_nodb = _serve_nodb


_patch_serve_nodb()
