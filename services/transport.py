"""HTTP side of the MCP transports: Streamable HTTP on /mcp and the legacy
HTTP+SSE transport (2024-11-05) on /mcp/sse + /mcp/messages.

One request, one :class:`Exchange`: ``ir.http._authenticate`` creates it
(``ir.http._mcp_exchange``, the extension point for other addons) and runs
its admission (:meth:`Exchange.admit`: server enabled, Origin, bearer key —
cheapest first) as the route's ``auth="mcp_key"``; the route then calls
:meth:`Exchange.serve`: content type, Accept, body size, JSON, session,
and the JSON-RPC messages go to ``mcp.server`` (the dispatcher), whose
``ctx.failure`` gives the HTTP status of an error it answered.

Every refusal is an ``McpError`` carrying its HTTP status, raised out of
the route: the ``type="mcp"`` routing type (services/odoo_http.py) answers
it through :meth:`Exchange.error_response`, as the one error map
(``mcp.server._map_exception``) says, and the request's transaction rolls
back.
"""
import logging
from urllib.parse import urlsplit

import odoo
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.http import parse_accept_header
from werkzeug.wrappers import Response

from ..models.mcp_key_check import Rider
from ..models.mcp_server import McpContext
from ..models.mcp_session import MAX_SESSION_ID
from ..protocol import errors, json_text, jsonrpc, notifications, oauth, revisions, stateless
from . import input_loop, recent_writes, replica, streams

_logger = logging.getLogger(__name__)

JSON = "application/json"
SSE = "text/event-stream"
SESSION_HEADER = "Mcp-Session-Id"
VERSION_HEADER = "MCP-Protocol-Version"
METHOD_HEADER = "Mcp-Method"
ALLOWED_METHODS = "GET, POST, DELETE, OPTIONS"
ALLOWED_HEADERS = ("Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, "
                   "Last-Event-ID, Mcp-Method, Mcp-Name")
EXPOSED_HEADERS = "Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate, Retry-After"
STREAM_HEADERS = [("Cache-Control", "no-cache, no-store"), ("X-Accel-Buffering", "no")]


def json_response(body, status=200, headers=()):
    """A JSON response that is never cached."""
    data = json_text.dumps(body) if body is not None else ""
    response = Response(data, status=status, content_type=JSON if body is not None else None)
    response.headers["Cache-Control"] = "no-store"
    for name, value in headers:
        response.headers[name] = value
    return response


def error_response(failure, body, headers=()):
    """HTTP response carrying the JSON-RPC ``body`` of ``failure`` (a
    :class:`~..protocol.error_map.Failure`) with its status and headers."""
    return json_response(body, failure.http_status, list(headers) + list(failure.headers))


def method_not_allowed(allowed, headers=(), message="method not allowed"):
    """The plain 405 answer of an HTTP method the endpoint does not serve."""
    return json_response({"error": message}, 405, [("Allow", allowed)] + list(headers))


def _accept(httprequest):
    header = httprequest.headers.get("Accept", "").strip()
    return None if not header else parse_accept_header(header, MIMEAccept)


def _accepts(accept, mimetype):
    return accept is None or mimetype in accept


LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


def _origin_of(url):
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else None


def _is_own_origin(origin, env):
    """True for a loopback origin or the origin of ``web.base.url``."""
    try:
        host = urlsplit(origin).hostname
    except ValueError:
        return False
    if host in LOOPBACK_HOSTS:
        return True
    base_url = env["ir.config_parameter"].sudo().get_param("web.base.url")
    return _origin_of(origin) is not None and _origin_of(origin) == _origin_of(base_url)


def _is_prefork_worker():
    """True in a prefork HTTP worker, where a long stream would block it."""
    return bool(odoo.tools.config["workers"]) and not odoo.evented


def _read_at_most(stream, size):
    """Up to ``size`` bytes of ``stream`` (reads may return less: loop, bounded)."""
    chunks, total = [], 0
    while total < size:
        chunk = stream.read(min(65536, size - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


class Exchange:
    """One HTTP request to an MCP endpoint (Streamable HTTP: /mcp)."""

    #: HTTP methods whose requests need the bearer key (others: OPTIONS is a
    #: pre-flight, anything else is answered 405 without a key).
    KEYED_METHODS = ("GET", "POST", "DELETE")

    def __init__(self, env, httprequest, transport="streamable_http"):
        self.env = env
        self.httprequest = httprequest
        self.transport = transport
        self.server = env["mcp.server"]
        self.settings = self.server._settings()
        self.ip = httprequest.remote_addr
        self.cors = []
        self.key = self.user_env = None
        self.request_id = None  # the id of the request the body holds, once parsed (error responses carry it)
        self.session_row = False  # the session's row, once read with the key check (None: no such session)

    # -- admission (``auth="mcp_key"``) and refusals ---------------------
    def admit(self):
        """The checks every keyed request passes before its route runs,
        cheapest first: the server is enabled (503), the browser Origin is
        allowed (403), the bearer key is valid (401/429). Then
        ``self.user_env`` is the key user's environment. Run by
        ``ir.http._auth_method_mcp_key``; raises ``McpError``."""
        if self.httprequest.method not in self.KEYED_METHODS:
            return
        self.check_enabled()
        self.check_origin()
        self.authenticate()

    def refuse(self, exc, msg_id=None):
        """Stop with McpError ``exc`` as the answer (its HTTP status), as the
        response to request ``msg_id`` (default: the id of the request the
        body holds, once parsed; ``null`` before or for a batch)."""
        exc.request_id = msg_id
        raise exc

    def error_response(self, exc):
        """The HTTP answer of exception ``exc`` raised out of this exchange
        (a refusal, or a failure of the route), through the one error map."""
        failure = self.server._map_exception(exc, None, "transport")
        msg_id = getattr(exc, "request_id", None)
        return error_response(failure, failure.response(self.request_id if msg_id is None else msg_id), self.cors)

    def check_enabled(self):
        if not self.settings["enabled"]:
            self.refuse(errors.McpError("The MCP server is disabled in Settings", http_status=503))

    def check_origin(self):
        """Refuse a browser ``Origin`` that is not this server nor allowed (403).

        Allowed: the origins of the setting, the origin of ``web.base.url``,
        and loopback origins (localhost, 127.0.0.1, [::1]). The Host header is
        not trusted for this: a DNS-rebinding page controls it too.
        """
        origin = self.httprequest.headers.get("Origin")
        if not origin:
            return
        if self._origin_allowed(origin):
            self.cors = [("Access-Control-Allow-Origin", origin), ("Vary", "Origin"),
                         ("Access-Control-Expose-Headers", EXPOSED_HEADERS)]
            return
        if _is_own_origin(origin, self.env):
            return
        self.refuse(errors.McpError("Origin not allowed", code=errors.ACCESS_DENIED, http_status=403))

    def _origin_allowed(self, origin):
        """True when ``origin`` is in the allowed-origins setting (or it has "*")."""
        allowed = self.settings["allowed_origins"]
        return "*" in allowed or origin.rstrip("/").lower() in allowed

    def authenticate(self):
        """The ``mcp.api.key`` of the bearer token (401 / 429 otherwise).
        The session named by the request, if any, is read in the key check's
        own statement (``find_session`` then needs no query). A request on
        the primary marks the token as having written once it commits
        (``recent_writes``: its reads of the next seconds on the primary)."""
        token = recent_writes.bearer_token(self.httprequest.headers)
        session_id = self.httprequest.headers.get(SESSION_HEADER)
        Sessions = self.env["mcp.session"]
        rider = Rider(Sessions._row_sql(session_id)) if session_id and len(session_id) <= MAX_SESSION_ID else None
        try:
            self.key, facts = self.env["mcp.api.key"].sudo()._authenticate_request(
                token or None, self.ip, self.settings, rider,
                # only an OAuth access token has an audience to check: an API
                # key's request does not pay for the URLs (werkzeug's URL parsing)
                self.accepted_resources() if token and token.startswith(oauth.ACCESS_TOKEN_PREFIX) else None)
        except errors.Unauthorized as exc:
            self.refuse_audited(exc if token else errors.NoCredentials(exc.message))
        except errors.McpError as exc:
            self.refuse_audited(exc)
        if rider is not None:
            self.session_row = rider.value
        # read-your-writes: the token's next reads on the primary
        recent_writes.mark_on_commit(self.env.cr, token, self.httprequest)
        self.user_env = self.key._mcp_env(self.env, facts)
        return self.key

    def accepted_resources(self):
        """The ``resource`` values an OAuth access token may carry at this
        request: the canonical MCP URL (``web.base.url``) and the one of the
        scheme and host the request came to (``proxy_mode``: as the proxy's
        ``X-Forwarded-*`` headers say), see ``oauth.accepted_resources``."""
        return oauth.accepted_resources(self.env["mcp.settings"]._base_url(), self.httprequest.host_url)

    def refuse_audited(self, exc):
        """Refuse with ``exc`` and write the audit row of a refused request:
        without key, so that it never counts against a key's rate limit (the
        row survives the rollback of the refused request's transaction)."""
        self.server._audit(McpContext(None, None, None, self.settings, self.transport, self.ip, None),
                           "denied", exc.code, None)
        self.refuse(exc)

    def split_messages(self, parsed, revision):
        """``(messages, is_batch)`` of the parsed body, with nothing run yet.

        A batch is refused whole (HTTP 400, -32600) where ``revision`` has
        none, when it is empty, holds ``initialize`` or has more messages
        than the ``max_batch_size`` setting; and (``_check_batch_budget``)
        when its requests do not all fit in the key's rate-limit budget of
        the minute (429 + Retry-After; -32600 for more than the limit
        itself): each request of a batch counts like one sent alone.
        """
        try:
            messages, is_batch = jsonrpc.split_batch(parsed, revision, self.settings["max_batch_size"])
        except errors.McpError as exc:  # InvalidRequest: 400
            self.refuse(exc)
        if is_batch:
            try:
                self.key._check_batch_budget(jsonrpc.count_requests(messages), self.ip, self.settings)
            except errors.McpError as exc:
                self.refuse_audited(exc)
        return messages, is_batch

    def check_content_type(self):
        mimetype = self.httprequest.mimetype
        if mimetype != JSON:
            self.refuse(errors.InvalidRequest("Content-Type must be application/json", http_status=415))

    def read_body(self):
        """The parsed JSON body; 413 past the body limit, 400 for invalid JSON.

        A declared ``Content-Length`` over the limit is refused unread. A
        chunked body (no length) is read at most ``limit + 1`` bytes: werkzeug
        2.x applies ``max_content_length`` to form parsing only, its
        ``get_data`` would read a chunked body whole. The body is kept in the
        WSGI environ so that Odoo's retry of the request (serialization
        failure) reads it again.
        """
        limit = self.settings["body_limit"]
        too_large = errors.InvalidRequest(f"Request body larger than {limit} bytes", http_status=413)
        length = self.httprequest.content_length
        if length is not None and length > limit:
            self.refuse(too_large)
        environ = self.httprequest.environ
        data = environ.get("mcp_bridge.body")
        if data is None:
            try:
                # Odoo's HTTPRequest does not expose ``stream``: the werkzeug request's
                raw = getattr(self.httprequest, "_HTTPRequest__wrapped", self.httprequest)
                data = _read_at_most(raw.stream, limit + 1)
            except RequestEntityTooLarge:
                self.refuse(too_large)
            except (OSError, BadRequest):  # malformed chunks, client gone mid-body
                self.refuse(errors.ParseError("Parse error: the request body could not be read"))
            if len(data) > limit:
                self.refuse(too_large)
            environ["mcp_bridge.body"] = data
        try:
            parsed = jsonrpc.parse_body(data)
        except errors.McpError as exc:
            self.refuse(exc)
        if isinstance(parsed, dict) and parsed.get("jsonrpc") == "2.0" and isinstance(parsed.get("method"), str):
            self.request_id = jsonrpc.message_id(parsed)  # a request's id (JSON-RPC: null when not detectable)
        return parsed

    def check_version_header(self, session_revision=None):
        """The revision the request speaks: the session's negotiated one when
        there is a session, else the header's (missing: 2025-03-26); 400 when
        the header names an unsupported revision. Another *supported* value
        than the session's is served (with the session's revision): the
        transport spec refuses only invalid or unsupported values, and the
        reference SDKs and the conformance suite (server-sse-multiple-streams
        posts ``2025-03-26`` on a 2025-11-25 session) rely on that."""
        header = self.httprequest.headers.get(VERSION_HEADER)
        try:
            revision = revisions.check_header(header)
        except errors.McpError as exc:  # UnsupportedProtocolVersion: 400
            self.refuse(exc)
        return session_revision or revision

    def find_session(self, required=True):
        session_id = self.httprequest.headers.get(SESSION_HEADER)
        if not session_id:
            if required:
                self.refuse(errors.InvalidRequest(f"Missing {SESSION_HEADER} header"))
            return self.env["mcp.session"].sudo().browse()
        session = self.env["mcp.session"]._find(session_id, self.key, self.session_row)
        if not session and replica.on_replica(self.env.cr):
            replica.retry_on_primary("session not found")  # created an instant ago, not replayed yet?
        if not session:
            self.refuse(errors.SessionNotFound("Session not found or expired"))
        session._touch(self.settings["session_ttl"])
        return session

    def stateless_client_refusal(self):
        """The 405 (``Allow: POST``) of a GET/DELETE of a 2026-07-28 client
        (that revision has no sessions and no GET stream), else None."""
        if revisions.is_stateless(self.httprequest.headers.get(VERSION_HEADER)):
            return method_not_allowed("POST", self.cors,
                                      "2026-07-28 has no sessions nor GET stream: POST each request")
        return None

    def context(self, session, revision, messages=()):
        """The dispatcher's context of this request; ``messages``: the
        JSON-RPC messages it will handle (one alone: ``ctx.alone``)."""
        ctx = McpContext(self.key, session, revision, self.settings, self.transport, self.ip, self.user_env)
        ctx.alone = len(messages) == 1
        ctx.log_level = notifications.valid_level(session.log_level) if session else None
        if session:
            ctx.client_capabilities = session._client_capabilities()
        return ctx

    # -- Streamable HTTP --------------------------------------------------
    def options(self):
        """CORS pre-flight: allowed origins only."""
        origin = self.httprequest.headers.get("Origin")
        if not origin or not self._origin_allowed(origin):
            return json_response({"error": "origin not allowed"}, 403)
        return json_response(None, 204, [
            ("Access-Control-Allow-Origin", origin), ("Vary", "Origin"),
            ("Access-Control-Allow-Methods", ALLOWED_METHODS),
            ("Access-Control-Allow-Headers", ALLOWED_HEADERS),
            ("Access-Control-Expose-Headers", EXPOSED_HEADERS),
            ("Access-Control-Max-Age", "600"),
        ])

    def post(self):
        """POST /mcp: JSON-RPC message(s) in, JSON (or SSE) out."""
        self.check_content_type()
        accept = _accept(self.httprequest)
        if not (_accepts(accept, JSON) or _accepts(accept, SSE)):
            self.refuse(errors.InvalidRequest("Accept must allow application/json or text/event-stream",
                                              http_status=406))
        parsed = self.read_body()

        if jsonrpc.is_initialize(parsed) and not (self._names_stateless_revision(parsed)
                                                   and self._is_stateless_request(parsed)):
            return self._post_initialize(parsed, accept)

        if self._is_stateless_request(parsed):
            return self._post_stateless(parsed, accept)
        session = self.find_session()
        revision = self.check_version_header(session.revision)
        messages, is_batch = self.split_messages(parsed, revision)
        self.receive_client_messages(session, messages)
        ctx = self.context(session, revision, messages)
        responses = [r for r in (self.server._handle_message(m, ctx) for m in messages) if r is not None]
        if not responses:
            return json_response(None, 202, self.cors)
        if not is_batch and ctx.failure is not None and ctx.failure.http_status != 200:
            return error_response(ctx.failure, responses[0], self.cors)  # an invalid request: 400
        if not is_batch and ctx.input_required is not None:
            return self._ask_client(messages[0], responses[0], accept, session, ctx)
        body = responses if is_batch else responses[0]
        return self._answer(body, accept, session, ctx.notifications)

    def receive_client_messages(self, session, messages):
        """The client's responses to this server's input requests (and its
        ``notifications/cancelled`` of a request waiting for them), stored
        for the stream that waits (``mcp.session.input``); responses to ids
        this server did not send on this session are ignored."""
        inputs = self.env["mcp.session.input"]
        for message in messages:
            if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
                continue
            if "method" not in message and ("result" in message or "error" in message):
                inputs._receive(session, message)
            elif message.get("method") == "notifications/cancelled" and "id" not in message:
                params = message.get("params")
                if isinstance(params, dict) and jsonrpc.valid_id(params.get("requestId")):
                    inputs._cancel(session, params["requestId"])

    def _ask_client(self, message, response, accept, session, ctx):
        """A session request whose handler asked the client for input
        (``ctx.input_required``): the questions go out on the POST's SSE
        stream and the handler re-runs with the answers
        (``services/input_loop.py``); a client that accepts no SSE gets a
        failed call saying why."""
        if accept is None or SSE not in accept:
            body = input_loop.no_stream_response(message, ctx.input_required)
            return self._answer(body, accept, session, ctx.notifications)
        loop = input_loop.InputLoop(self.env.cr.dbname, ctx, message, response, ctx.notifications)
        headers = STREAM_HEADERS + [(SESSION_HEADER, session.session_id)] + list(self.cors)
        return Response(loop.stream(), status=200, mimetype=SSE, headers=headers)

    @staticmethod
    def _names_stateless_revision(parsed):
        """True when the body's ``params._meta`` names a stateless revision
        (then even ``initialize``, which that revision removed, is served as
        a 2026-07-28 request: -32601 with HTTP 404)."""
        return stateless.is_modern_request(parsed) and revisions.is_stateless(
            parsed["params"]["_meta"].get(stateless.META_PROTOCOL_VERSION))

    def _is_stateless_request(self, parsed):
        """True for a 2026-07-28 request: no session, and the
        ``MCP-Protocol-Version`` header names no handshake revision (as the
        reference SDK routes), or there is no header and the body's ``_meta``
        names a stateless revision."""
        if self.httprequest.headers.get(SESSION_HEADER):
            return False
        header_version = self.httprequest.headers.get(VERSION_HEADER)
        if header_version:  # an unknown one too: answered -32022 with the supported list
            return header_version.strip() not in revisions.HANDSHAKE_REVISIONS
        return self._names_stateless_revision(parsed)

    def _post_stateless(self, parsed, accept):
        """POST /mcp of a 2026-07-28 client: one self-contained request, no
        session. The envelope (``params._meta``) and the ``MCP-Protocol-Version``
        / ``Mcp-Method`` / ``Mcp-Name`` headers are checked first (400); a
        method the revision does not define is -32601 with HTTP 404; results
        get ``resultType``, ``_meta`` serverInfo and, for cacheable methods,
        ``ttlMs``/``cacheScope``."""
        revision = self.check_version_header()
        messages, _is_batch = self.split_messages(parsed, revision)  # 2026-07-28 has no batches
        message = messages[0]
        try:
            kind = jsonrpc.classify(message)
        except errors.McpError as exc:  # InvalidRequest: 400
            self.refuse(exc)
        if kind != jsonrpc.REQUEST:
            return json_response(None, 202, self.cors)
        msg_id = message["id"]
        try:
            meta = stateless.validate_request(message, self.httprequest.headers)
        except errors.McpError as exc:  # all 400
            self.refuse(exc, msg_id)
        revision = meta["protocol_version"]
        method = message["method"]
        if method not in revisions.client_methods(revision) or method not in self.server._get_rpc_handlers():
            self.refuse(stateless.method_not_found(method, revision), msg_id)
        ctx = self.context(self.env["mcp.session"].sudo().browse(), revision, messages)
        ctx.log_level = notifications.valid_level(meta["log_level"])  # none without it: no log at all
        ctx.client_capabilities = meta["client_capabilities"]
        response = self.server._handle_message(message, ctx)
        if "error" in response:  # the revision's status table (error_map.STATELESS_ERROR_STATUS)
            return error_response(ctx.failure, response, self.cors)
        if isinstance(response.get("result"), dict):
            stateless.finalize_result(response["result"], revision, method)
        return self._answer(response, accept, self.env["mcp.session"].sudo().browse(), ctx.notifications)

    def _post_initialize(self, message, accept):
        header_version = self.httprequest.headers.get(VERSION_HEADER)
        if header_version and header_version not in revisions.REVISIONS:
            self.refuse(errors.InvalidRequest(f"Unsupported {VERSION_HEADER}: {header_version}"))
        ctx = self.context(self.env["mcp.session"].sudo().browse(), None)
        response = self.server._handle_message(message, ctx)
        session = self.env["mcp.session"].sudo().browse()
        if response and "result" in response and not revisions.is_stateless(ctx.revision):
            params = message.get("params") or {}
            session = self.env["mcp.session"]._open(self.key, "streamable_http", self.settings["session_ttl"],
                                                    ctx.revision, params.get("clientInfo"), params.get("capabilities"))
        return self._answer(response, accept, session)

    def _answer(self, body, accept, session, notes=()):
        """The 200 answer carrying ``body`` (a response or a batch of them):
        JSON, or an SSE stream when the client accepts only SSE, or accepts
        SSE and the request sent ``notes`` (progress, log messages collected
        while it ran), which then precede the response on the stream. A
        client that accepts only JSON gets no notes."""
        headers = list(self.cors)
        if session:
            headers.append((SESSION_HEADER, session.session_id))
        sse_only = accept is not None and JSON not in accept and SSE in accept
        if sse_only or (notes and accept is not None and SSE in accept):
            messages = list(notes) + (body if isinstance(body, list) else [body])
            return Response(streams.single_response_stream(messages), status=200, mimetype=SSE,
                            headers=STREAM_HEADERS + headers)
        return json_response(body, 200, headers)

    def get(self):
        """GET /mcp: the server-to-client SSE stream of a session."""
        refusal = self.stateless_client_refusal()
        if refusal:
            return refusal
        if not self.settings["get_stream_enabled"] or _is_prefork_worker():
            return method_not_allowed("POST, DELETE, OPTIONS", self.cors, "no SSE stream on this endpoint")
        accept = _accept(self.httprequest)
        if accept is not None and SSE not in accept:
            self.refuse(errors.InvalidRequest("Accept must allow text/event-stream", http_status=406))
        session = self.find_session()
        self.check_version_header(session.revision)
        return Response(streams.session_stream(self.env.cr.dbname, session.id), status=200, mimetype=SSE,
                        headers=STREAM_HEADERS + [(SESSION_HEADER, session.session_id)] + self.cors)

    def delete(self):
        """DELETE /mcp: end the session (204)."""
        refusal = self.stateless_client_refusal()
        if refusal:
            return refusal
        session = self.find_session()
        session.action_end()
        return json_response(None, 204, self.cors)

    def serve(self):
        """Answer an admitted request to /mcp whatever its method."""
        method = self.httprequest.method
        handler = {"POST": self.post, "GET": self.get, "DELETE": self.delete, "OPTIONS": self.options}.get(method)
        if handler is None:
            return method_not_allowed(ALLOWED_METHODS)
        return handler()
