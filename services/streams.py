"""Server-sent-event streams fed across workers through PostgreSQL.

One listener thread per process and database LISTENs on ``mcp_bridge`` (the
shape of Odoo's ``bus``). A stream registers a wake-up event for its session,
then loops: fetch-and-delete its queued messages with a short cursor, yield
them, wait for a wake-up or the keepalive interval. While it waits it holds
no database cursor. Works in threaded mode and on the gevent port of a
prefork server (Odoo monkey-patches threading there).
"""
import contextlib
import logging
import selectors
import threading
import time

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.service.server import CommonServer

from ..models.mcp_session_message import NOTIFY_CHANNEL
from ..protocol import json_text, sse

_logger = logging.getLogger(__name__)

KEEPALIVE_SECONDS = 15
RETRY_MS = 3000
_stop = threading.Event()
CommonServer.on_stop(_stop.set)


class _Listener(threading.Thread):
    """LISTEN ``mcp_bridge`` on one database; wake the streams of a session."""

    def __init__(self, dbname):
        super().__init__(daemon=True, name=f"mcp_bridge.listener.{dbname}")
        self.dbname = dbname
        self._waiters = {}  # session id (int) -> set of threading.Event
        self._lock = threading.Lock()
        self.ready = threading.Event()

    def register(self, session_id, event):
        with self._lock:
            self._waiters.setdefault(session_id, set()).add(event)

    def unregister(self, session_id, event):
        with self._lock:
            events = self._waiters.get(session_id)
            if events:
                events.discard(event)
                if not events:
                    del self._waiters[session_id]

    def _wake(self, session_id):
        with self._lock:
            events = list(self._waiters.get(session_id, ()))
        for event in events:
            event.set()

    def _wake_all(self):
        with self._lock:
            events = [e for es in self._waiters.values() for e in es]
        for event in events:
            event.set()

    def _loop(self):
        with odoo.sql_db.db_connect(self.dbname).cursor() as cr, selectors.DefaultSelector() as sel:
            cr.execute(f"LISTEN {NOTIFY_CHANNEL}")
            cr.commit()
            conn = cr._cnx
            sel.register(conn, selectors.EVENT_READ)
            self.ready.set()
            # Anything queued while we were not listening is picked up now.
            self._wake_all()
            while not _stop.is_set():
                if sel.select(KEEPALIVE_SECONDS):
                    conn.poll()
                    while conn.notifies:
                        payload = conn.notifies.pop().payload
                        with contextlib.suppress(ValueError):
                            self._wake(int(payload))

    def run(self):
        while not _stop.is_set():
            try:
                self._loop()
            except Exception:  # noqa: BLE001 - keep listening whatever happened; logged
                self.ready.clear()
                _logger.exception("mcp_bridge listener on %s failed; retrying in 2 s", self.dbname)
                self._wake_all()
                time.sleep(2)


_listeners = {}
_listeners_lock = threading.Lock()


def listener(dbname):
    """The process-wide listener of ``dbname`` (started on first use)."""
    with _listeners_lock:
        lst = _listeners.get(dbname)
        if lst is None or not lst.is_alive():
            lst = _listeners[dbname] = _Listener(dbname)
            lst.start()
    lst.ready.wait(5)
    return lst


def _fetch(dbname, session_pk):
    """Take the queued messages of a session; ``None`` when it is gone.

    A session is gone when it was deleted or expired, or its key was revoked,
    deactivated or expired.
    """
    with Registry(dbname).cursor() as cr:
        cr.execute("""
            SELECT 1 FROM mcp_session s JOIN mcp_api_key k ON k.id = s.key_id
             WHERE s.id = %s AND s.expires_at > (now() at time zone 'UTC') AND k.active
               AND (k.expiry_date IS NULL OR k.expiry_date > (now() at time zone 'UTC'))
        """, (session_pk,))
        if not cr.fetchone():
            return None
        cr.execute("DELETE FROM mcp_session_message WHERE session_id = %s RETURNING id, payload, res_model, res_id",
                   (session_pk,))
        rows = sorted(cr.fetchall())
        if any(res_model for _id, _payload, res_model, _res_id in rows):
            # resources/updated of a record: only while the key may still read it
            Registry(dbname).check_signaling(cr)  # rules and caches as other workers left them
            subscriptions = api.Environment(cr, SUPERUSER_ID, {})["mcp.subscription"]
            rows = [row for row in rows if not row[2] or subscriptions._deliverable(session_pk, row[2], row[3])]
        return [payload for _id, payload, _res_model, _res_id in rows]


def session_stream(dbname, session_pk, first_events=(), max_seconds=None):
    """Generator of SSE bytes for a session: ``first_events`` then queued
    messages as ``event: message``, keepalive comments in between. Ends when
    the session is gone, the server stops, or after ``max_seconds``."""
    lst = listener(dbname)
    wake = threading.Event()
    lst.register(session_pk, wake)
    deadline = time.monotonic() + max_seconds if max_seconds else None
    try:
        yield f"retry: {RETRY_MS}\n\n".encode()  # reconnection delay; no data, not dispatched
        for event in first_events:
            yield event.encode()
        while not _stop.is_set():
            wake.clear()
            messages = _fetch(dbname, session_pk)
            if messages is None:
                return
            for payload in messages:
                yield sse.format_event(payload, event="message").encode()
            if deadline and time.monotonic() > deadline:
                return
            if not wake.wait(KEEPALIVE_SECONDS):
                yield sse.keepalive().encode()
    finally:
        lst.unregister(session_pk, wake)


def single_response_stream(messages):
    """SSE bytes for a POST answered as a stream (client accepts only SSE)."""
    for message in messages:
        yield sse.format_event(json_text.dumps(message), event="message").encode()
