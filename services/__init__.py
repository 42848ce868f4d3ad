"""The HTTP side of MCP behind the routes of ``controllers/main.py`` (no
routes here): the Streamable HTTP and legacy HTTP+SSE transports, SSE
streams across workers, the health report and the guards around Odoo's own
request handling."""
