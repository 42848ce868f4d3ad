"""A stand-in MCP server (the 1.x SDK's FastMCP) behind a bearer check, used
only by test_client_tooling.py to prove the client helpers work without Odoo.

    python fake_mcp_server.py PORT TOKEN

Serves Streamable HTTP on /mcp and legacy HTTP+SSE on /sse + /messages/.
Requests without ``Authorization: Bearer TOKEN`` get 401; every
Authorization header seen is appended to $FAKE_MCP_AUTH_LOG when set.
"""
import os
import sys

import uvicorn
from mcp.server.fastmcp import FastMCP


def build_app(port, token):
    """The ASGI app: FastMCP's routes wrapped in a bearer check."""
    server = FastMCP("fake-odoo", host="127.0.0.1", port=port, streamable_http_path="/mcp")

    @server.tool()
    def echo(text: str) -> dict:
        """Return the text."""
        return {"echo": text}

    app = server.streamable_http_app()
    app.routes.extend(server.sse_app().routes)
    log_path = os.environ.get("FAKE_MCP_AUTH_LOG")

    async def guarded(scope, receive, send):
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            auth = headers.get(b"authorization", b"").decode()
            if log_path:
                with open(log_path, "a", encoding="utf-8") as log:
                    log.write("%s %s %s\n" % (scope["method"], scope["path"], auth or "-"))
            if auth != "Bearer %s" % token:
                await send({"type": "http.response.start", "status": 401,
                            "headers": [(b"www-authenticate", b"Bearer"), (b"content-type", b"application/json")]})
                await send({"type": "http.response.body", "body": b'{"error": "unauthorized"}'})
                return
        await app(scope, receive, send)

    return guarded


if __name__ == "__main__":
    port, token = int(sys.argv[1]), sys.argv[2]
    uvicorn.run(build_app(port, token), host="127.0.0.1", port=port, log_level="warning")
