import logging

from odoo import http
from odoo.http import request

from ..services.health import health_report

_logger = logging.getLogger(__name__)

NO_STORE = [("Cache-Control", "no-store")]


class McpController(http.Controller):
    """HTTP routes of the MCP server; logic lives in models/ and protocol/."""

    @http.route("/mcp/health", type="http", auth="none", csrf=False, save_session=False)
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
