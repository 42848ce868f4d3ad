"""Guards around Odoo's own request handling, for MCP paths only.

Two things happen in ``odoo.http`` before an MCP route runs, and would answer
agents with HTML pages:

* With PostgreSQL down or restarting, Odoo finds no usable database (the
  database list is empty, or opening the registry fails) and serves the
  request "nodb", where only server-wide modules have routes: /mcp/health
  and /mcp would be Odoo's HTML 404. A connection lost in the middle of a
  request raises ``OperationalError`` out of ``_serve_db``. MCP paths answer
  JSON 503 instead (health report / JSON-RPC error, ``Retry-After``);
  recovery needs no Odoo restart: the next request opens new connections.
* Odoo parses form data of every ``type="http"`` request; werkzeug 2.x then
  *reads and discards the whole body* when the declared ``Content-Length`` is
  over Odoo's 128 MiB cap, before answering an HTML 413 (a 1 GB header
  keeps a thread reading for as long as the client sends). MCP paths answer
  a JSON 413 at once when the declared length exceeds the highest possible
  body limit setting; the exact setting is enforced by the transport.

Every other path keeps Odoo's behaviour.
"""
import json
import logging

import psycopg2

from odoo import http

from ..models.mcp_settings import SETTINGS_SPEC
from ..protocol import errors
from ..protocol.error_map import from_mcp_error
from .health import health_report

_logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
#: The body limit setting can never exceed this (its upper bound).
MAX_BODY_LIMIT = SETTINGS_SPEC["body_limit"][3]


def is_mcp_path(path):
    """True for /mcp and the paths below it."""
    return path == "/mcp" or path.startswith("/mcp/")


def _json(body, status, headers=()):
    from werkzeug.wrappers import Response  # noqa: PLC0415
    response = Response(json.dumps(body), status=status, content_type="application/json")
    response.headers["Cache-Control"] = "no-store"
    for name, value in headers:
        response.headers[name] = value
    return response


def _error_json(exc, headers=()):
    """The JSON answer of McpError ``exc`` (no registry here to call
    ``mcp.server._map_exception`` on: its pure part, ``from_mcp_error``)."""
    failure = from_mcp_error(exc)
    return _json(failure.response(None), failure.http_status, list(failure.headers) + list(headers))


def unavailable_response(dbname, path):
    """The 503 JSON answer of an MCP path while the database is unreachable."""
    if path == "/mcp/health":
        body, _healthy = health_report(dbname, None)
        return _json(body, 503, [("Retry-After", str(RETRY_AFTER_SECONDS))])
    return _error_json(errors.ServiceUnavailable("Service unavailable: the database cannot be reached",
                                                 retry_after=RETRY_AFTER_SECONDS))


def too_large_response():
    """The 413 JSON answer of a body declared larger than any body limit."""
    return _error_json(errors.InvalidRequest(f"Request body larger than {MAX_BODY_LIMIT} bytes", http_status=413),
                       [("Connection", "close")])


def _patch_requests():
    """Wrap ``odoo.http.Request._serve_nodb`` and ``_serve_db`` once."""
    if getattr(http.Request._serve_nodb, "_mcp_bridge_wrapped", False):
        return
    serve_nodb, serve_db = http.Request._serve_nodb, http.Request._serve_db

    def _serve_nodb(self):
        if not is_mcp_path(self.httprequest.path):
            return serve_nodb(self)
        _logger.warning("MCP: no usable database for %s: answering 503", self.httprequest.path)
        return unavailable_response(None, self.httprequest.path)

    def _serve_db(self):
        if not is_mcp_path(self.httprequest.path):
            return serve_db(self)
        if (self.httprequest.content_length or 0) > MAX_BODY_LIMIT:
            return too_large_response()
        try:
            return serve_db(self)
        except psycopg2.OperationalError as exc:
            _logger.warning("MCP: database %s unreachable (%s): answering 503", self.db, exc)
            return unavailable_response(self.db, self.httprequest.path)

    _serve_nodb._mcp_bridge_wrapped = True
    http.Request._serve_nodb = _serve_nodb
    http.Request._serve_db = _serve_db


_patch_requests()
