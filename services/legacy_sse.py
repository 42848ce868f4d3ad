"""The legacy HTTP+SSE transport of MCP 2024-11-05 (deprecated, still served):
GET /mcp/sse opens a session and its event stream, POST /mcp/messages?session_id=…
is accepted (202) and answered on that stream — across workers, through
``mcp.session.message`` and PostgreSQL NOTIFY (see ``services/streams.py``).
"""
import logging

from werkzeug.wrappers import Response

from ..protocol import errors
from . import streams
from .transport import SSE, STREAM_HEADERS, Exchange, _is_prefork_worker, json_response, method_not_allowed

_logger = logging.getLogger(__name__)
_legacy_warned = False


class LegacyExchange(Exchange):
    """One HTTP request to a legacy HTTP+SSE endpoint."""

    def __init__(self, env, httprequest):
        super().__init__(env, httprequest, "legacy_sse")

    def _deprecated(self):
        global _legacy_warned  # noqa: PLW0603 - warn once per process
        if not _legacy_warned:
            _legacy_warned = True
            _logger.warning("MCP legacy HTTP+SSE transport (/mcp/sse) in use: it is deprecated, "
                            "clients should move to Streamable HTTP on /mcp")
        return [("Deprecation", "true"), ("Link", '</mcp>; rel="successor-version"')]

    def admit(self):
        """The admission of Streamable HTTP, with the transport's own switch
        (404 while the legacy transport is disabled) after the server's."""
        if self.httprequest.method not in self.KEYED_METHODS:
            return
        self.check_enabled()
        if not self.settings["legacy_sse_enabled"]:
            self.refuse(errors.McpError("The legacy HTTP+SSE transport is disabled in Settings",
                                        code=errors.INVALID_REQUEST, http_status=404))
        self.check_origin()
        self.authenticate()

    def legacy_sse(self):
        """GET /mcp/sse: open a legacy session and its event stream."""
        if self.httprequest.method != "GET":
            return method_not_allowed("GET")
        if _is_prefork_worker():
            return json_response({"error": "streams are served on Odoo's gevent port in prefork mode "
                                           "(route /mcp/sse there in the reverse proxy)"}, 503)
        session = self.env["mcp.session"]._open(self.key, "legacy_sse", self.settings["session_ttl"], "2024-11-05")
        endpoint = f"/mcp/messages?session_id={session.session_id}"
        first = [f"event: endpoint\ndata: {endpoint}\n\n"]
        return Response(streams.session_stream(self.env.cr.dbname, session.id, first), status=200,
                        mimetype=SSE, headers=STREAM_HEADERS + self._deprecated() + self.cors)

    def legacy_messages(self):
        """POST /mcp/messages?session_id=…: accept (202); answer on the stream."""
        if self.httprequest.method != "POST":
            return method_not_allowed("POST")
        self.check_content_type()
        session = self.env["mcp.session"]._find(self.httprequest.args.get("session_id"), self.key)
        if not session or session.transport != "legacy_sse":
            self.refuse(errors.SessionNotFound("Session not found or expired"))
        session._touch(self.settings["session_ttl"])
        parsed = self.read_body()
        revision = session.revision or "2024-11-05"
        # a 2025-03-26 initialize on this transport allows batches: same rules as on /mcp
        messages, _is_batch = self.split_messages(parsed, revision)
        ctx = self.context(session, revision, messages)
        queue = self.env["mcp.session.message"]
        for message in messages:
            response = self.server._handle_message(message, ctx)
            for note in ctx.notifications:  # progress and log messages first, as they happened
                queue._enqueue(session, note)
            ctx.notifications = []
            if response is not None:
                queue._enqueue(session, response)
        return Response("Accepted", status=202, mimetype="text/plain", headers=self._deprecated() + self.cors)
