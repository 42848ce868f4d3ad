import logging

from odoo import http
from odoo.http import request

from ..services import odoo_http  # noqa: F401 (JSON 503/413 for MCP paths in odoo.http)
from ..services.health import health_report
from ..services.legacy_sse import LegacyExchange
from ..services.transport import Exchange

_logger = logging.getLogger(__name__)

NO_STORE = [("Cache-Control", "no-store")]
ROUTE = dict(type="http", auth="none", csrf=False, save_session=False)


class McpController(http.Controller):
    """HTTP routes of the MCP server; logic lives in services/, models/ and protocol/."""

    @http.route("/mcp", **ROUTE)
    def mcp(self, **_kw):
        """Streamable HTTP: POST messages, GET stream, DELETE session, OPTIONS pre-flight."""
        return Exchange(request.env, request.httprequest).serve()

    @http.route("/mcp/sse", **ROUTE)
    def mcp_legacy_sse(self, **_kw):
        """Legacy HTTP+SSE transport (2024-11-05): the event stream."""
        return LegacyExchange(request.env, request.httprequest).legacy_sse()

    @http.route("/mcp/messages", **ROUTE)
    def mcp_legacy_messages(self, **_kw):
        """Legacy HTTP+SSE transport (2024-11-05): client messages."""
        return LegacyExchange(request.env, request.httprequest).legacy_messages()

    @http.route("/mcp/health", **ROUTE)
    def mcp_health(self, **_kw):
        """Public liveness/readiness probe: no secret, no user data."""
        if request.httprequest.method not in ("GET", "HEAD"):
            return request.make_json_response(
                {"error": "method not allowed", "allowed": ["GET", "HEAD"]},
                status=405,
                headers=NO_STORE + [("Allow", "GET, HEAD")],
            )
        report, healthy = health_report(request.db, request.env.cr if request.env else None)
        return request.make_json_response(report, status=200 if healthy else 503, headers=NO_STORE)
