"""Asking a session's client (MCP 2025-06-18 / 2025-11-25): the server-driven
side of DESIGN.md section 11.

A ``tools/call`` (``prompts/get``, ``resources/read``) of a session whose
handler asks for input (``ctx.input_required``) is answered an SSE stream:
the input requests go out on it as server-to-client JSON-RPC requests; the
client POSTs its responses (any worker, any server: ``mcp.session.input``
and PostgreSQL NOTIFY); the generator waits for them holding **no cursor**
(a short one per poll), bounded by the ``input_wait_seconds`` setting, then
re-runs the message with a fresh cursor, the answers and the signed
``requestState`` of the round (so every answer is *bound*: this server
asked it), and loops until the handler answers. The tool's response ends
the stream. Nothing the handler did before it asked survives (its savepoint
rolled back); a client that does not answer in time gets an ``isError``
result and nothing is written.
"""
import json
import logging
import secrets
import threading
import time

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..models.mcp_session_input import CANCELLED
from ..protocol import json_text, jsonrpc, notifications, sse
from ..tools.context import McpContext
from . import streams

_logger = logging.getLogger(__name__)

#: Most rounds of questions one request may ask.
MAX_ROUNDS = 8
#: Seconds between two polls when no NOTIFY woke the stream.
POLL_SECONDS = 5
#: Retries of a re-run that hit a serialization failure.
RERUN_ATTEMPTS = 3
MSG_NO_STREAM = ("This tool needs to ask the client for input ({methods}): send the request with "
                 "'Accept: application/json, text/event-stream' so that the question can go out on its stream.")
MSG_TIMEOUT = "The client did not answer the input request within {seconds} seconds: nothing was done."
MSG_CANCELLED = "The request was cancelled while waiting for the client's answer: nothing was done."
MSG_REFUSED = "The client answered the input request with an error ({error}): nothing was done."
MSG_GONE = "The session ended while waiting for the client's answer: nothing was done."
MSG_ROUNDS = "The tool asked for input more than {rounds} times: stopped, nothing was done."


def wait_bound(settings):
    """Seconds a stream waits for an answer: the ``input_wait_seconds``
    setting, kept within the request time limit of a prefork HTTP worker
    (``limit_time_real``, which would kill the worker)."""
    seconds = int(settings.get("input_wait_seconds") or 300)
    config = odoo.tools.config
    if config["workers"] and not odoo.evented:
        seconds = min(seconds, max(2, int(config["limit_time_real"]) - 15))
    return seconds


def failure_response(message, msg_id, text):
    """The answer of a request whose handler could not get its input:
    an ``isError`` result for ``tools/call``, a -32603 error otherwise."""
    if message.get("method") == "tools/call":
        return jsonrpc.result_response(msg_id, {"content": [{"type": "text", "text": text}], "isError": True})
    return jsonrpc.error_response(msg_id, {"code": -32603, "message": text})


def no_stream_response(message, requests):
    """The answer when the client accepts no SSE stream on its POST."""
    methods = ", ".join(sorted({request["method"] for request in requests.values()}))
    return failure_response(message, message.get("id"), MSG_NO_STREAM.format(methods=methods))


class InputLoop:
    """One POST's exchange of questions and answers (the generator of its stream)."""

    def __init__(self, dbname, ctx, message, response, notes):
        self.dbname = dbname
        self.session_pk = ctx.session.id
        self.key_id = ctx.key.id
        self.revision = ctx.revision
        self.settings = dict(ctx.settings)
        self.transport, self.ip = ctx.transport, ctx.ip
        self.message = message
        self.msg_id = message.get("id")
        self.requests = ctx.input_required
        self.state = response["result"]["requestState"]
        self.notes = list(notes)
        self.wait = wait_bound(self.settings)

    def _event(self, message):
        return sse.format_event(json_text.dumps(message), event="message").encode()

    def stream(self):
        """The SSE bytes: notes, then per round the requests, then the final response."""
        lst = streams.listener(self.dbname)
        wake = threading.Event()
        lst.register(self.session_pk, wake)
        try:
            yield f"retry: {streams.RETRY_MS}\n\n".encode()
            for _round in range(MAX_ROUNDS):
                for note in self.notes:
                    yield self._event(note)
                ids = {key: f"odoo-input-{secrets.token_urlsafe(12)}" for key in self.requests}
                self._expect(ids)
                for key, request in self.requests.items():
                    yield self._event({"jsonrpc": "2.0", "id": ids[key], "method": request["method"],
                                       "params": request.get("params", {})})
                answers, problem = yield from self._wait(ids, wake)
                if problem:
                    yield self._event(failure_response(self.message, self.msg_id, problem))
                    return
                response, ctx = self._rerun(answers)
                self.notes = ctx.notifications
                if ctx.input_required is None or "result" not in response:
                    for note in self.notes:
                        yield self._event(note)
                    yield self._event(response)
                    return
                self.requests, self.state = ctx.input_required, response["result"]["requestState"]
            yield self._event(failure_response(self.message, self.msg_id, MSG_ROUNDS.format(rounds=MAX_ROUNDS)))
        finally:
            lst.unregister(self.session_pk, wake)

    def _expect(self, ids):
        with Registry(self.dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["mcp.session.input"]._expect(self.session_pk, self.msg_id, list(ids.values()))

    def _poll(self, ids):
        """``(answers by request id, alive)`` read with a short cursor."""
        with Registry(self.dbname).cursor() as cr:
            cr.execute("""
                SELECT 1 FROM mcp_session s JOIN mcp_api_key k ON k.id = s.key_id
                 WHERE s.id = %s AND s.expires_at > (now() at time zone 'UTC') AND k.active
                   AND (k.expiry_date IS NULL OR k.expiry_date > (now() at time zone 'UTC'))
            """, (self.session_pk,))
            if not cr.fetchone():
                return {}, False
            cr.execute("SELECT request_id, payload FROM mcp_session_input WHERE session_id = %s "
                       "AND request_id IN %s AND payload IS NOT NULL",
                       (self.session_pk, tuple(json.dumps(i) for i in ids.values())))
            return {json.loads(rid): json.loads(payload) for rid, payload in cr.fetchall()}, True

    def _wait(self, ids, wake):
        """Wait (no cursor held between polls) for every answer; yields
        keepalives. Returns ``(answers by key, problem text or None)``."""
        deadline = time.monotonic() + self.wait
        while not streams._stop.is_set():
            wake.clear()
            got, alive = self._poll(ids)
            if not alive:
                return {}, MSG_GONE
            if any(payload == CANCELLED for payload in got.values()):
                return {}, MSG_CANCELLED
            if len(got) == len(ids):
                answers = {}
                for key, request_id in ids.items():
                    payload = got[request_id]
                    if not isinstance(payload.get("result"), dict):
                        error = payload.get("error") if isinstance(payload.get("error"), dict) else {}
                        return {}, MSG_REFUSED.format(error=str(error.get("message", "no result"))[:200])
                    answers[key] = payload["result"]
                return answers, None
            left = deadline - time.monotonic()
            if left <= 0:
                return {}, MSG_TIMEOUT.format(seconds=self.wait)
            if not wake.wait(min(left, POLL_SECONDS, streams.KEEPALIVE_SECONDS)):
                yield sse.keepalive().encode()
        return {}, MSG_GONE

    def _rerun(self, answers):
        """Run the message again with ``answers``, in a fresh cursor, as the key's user."""
        params = dict(self.message.get("params") or {}, inputResponses=answers, requestState=self.state)
        message = dict(self.message, params=params)
        for attempt in range(RERUN_ATTEMPTS):
            try:
                with Registry(self.dbname).cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    ctx = self._context(env)
                    response = env["mcp.server"]._handle_message(message, ctx)
                    return response, ctx
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                if attempt == RERUN_ATTEMPTS - 1:
                    raise
                time.sleep(0.1 * (attempt + 1))
        raise AssertionError("unreachable")

    def _context(self, env):
        """The request's context rebuilt in ``env`` (the way the transport builds it)."""
        key = env["mcp.api.key"].sudo().browse(self.key_id)
        session = env["mcp.session"].sudo().browse(self.session_pk)
        ctx = McpContext(key, session, self.revision, self.settings, self.transport, self.ip,
                         key._mcp_env(env))
        ctx.alone = True
        ctx.log_level = notifications.valid_level(session.log_level)
        ctx.client_capabilities = session._client_capabilities()
        return ctx
