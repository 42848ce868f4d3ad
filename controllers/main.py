"""HTTP routes of the MCP server; logic lives in services/, models/ and protocol/.

MCP routes are ``type="mcp"`` (the routing type of services/odoo_http.py:
JSON-RPC errors, no form parsing) and ``auth="mcp_key"`` (the bearer API key,
``ir.http._auth_method_mcp_key`` in models/ir_http.py, which also creates the
request's exchange — services/transport.py — as ``request.mcp_exchange``).
"""
from odoo import http
from odoo.http import request

from ..services.health import health_report
from ..services.odoo_http import McpDispatcher
from ..services.replica import route_readonly
from ..services.transport import json_response

ROUTE = dict(type=McpDispatcher.routing_type, auth="mcp_key", save_session=False)


class McpController(http.Controller):
    """HTTP routes of the MCP server."""

    @http.route("/mcp", mcp_transport="streamable_http", readonly=route_readonly, **ROUTE)
    def mcp(self, **_kw):
        """Streamable HTTP: POST messages, GET stream, DELETE session, OPTIONS pre-flight."""
        return request.mcp_exchange.serve()

    @http.route("/mcp/sse", mcp_transport="legacy_sse", **ROUTE)
    def mcp_legacy_sse(self, **_kw):
        """Legacy HTTP+SSE transport (2024-11-05): the event stream."""
        return request.mcp_exchange.legacy_sse()

    @http.route("/mcp/messages", mcp_transport="legacy_sse", **ROUTE)
    def mcp_legacy_messages(self, **_kw):
        """Legacy HTTP+SSE transport (2024-11-05): client messages."""
        return request.mcp_exchange.legacy_messages()

    @http.route("/mcp/health", type="http", auth="none", csrf=False, save_session=False)
    def mcp_health(self, **_kw):
        """Public liveness/readiness probe: no secret, no user data."""
        if request.httprequest.method not in ("GET", "HEAD"):
            return json_response({"error": "method not allowed", "allowed": ["GET", "HEAD"]}, 405,
                                 [("Allow", "GET, HEAD")])
        report, healthy = health_report(request.db, request.env.cr if request.env else None)
        return json_response(report, 200 if healthy else 503)
