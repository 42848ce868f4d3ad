"""Which MCP requests run on a PostgreSQL read replica.

Odoo 18 opens a route's transaction on the replica (``--db_replica_host`` /
``--db_replica_port``) when the route's ``readonly`` says so; a callable
decides per request (``odoo.http.Request._serve_db``). :func:`route_readonly`
is that callable for ``/mcp``: a POST whose JSON-RPC message(s) only read —
``tools/call`` of a read tool (:attr:`~..tools.base.Tool.replica_safe`),
``tools/list``, ``resources/*``, ``prompts/*``, ``completion/complete``,
``ping``, ``server/discover`` — and a batch only when all its messages do.
Everything else (``initialize``, notifications, ``logging/setLevel``, write
tools, GET streams, DELETE, the legacy transport) runs on the primary from
the start: Odoo's retry on a read/write cursor after a refused write is a
fallback, never the plan. So do the reads of a bearer token that committed a
request on the primary an instant ago (read-your-writes) and the requests of
a session created an instant ago (``recent_writes.py``).

The callable runs before the route, with no usable cursor: it reads the
body the way :meth:`~.transport.Exchange.read_body` keeps it (the WSGI
environ, read once), only when its ``Content-Length`` is declared and at
most :data:`PEEK_LIMIT` bytes; anything else is a primary request.

What a read request still writes (audit row, session touch; the key check's
stamps and failure counts have their own cursor already) goes to the primary
in a short cursor of its own (:func:`on_replica` tells the code it is on a
read-only cursor). Without a replica, Odoo's "read-only" cursor is a primary
one and nothing changes.
"""
import json
import logging

import psycopg2.errors
from odoo.http import request

from . import recent_writes

_logger = logging.getLogger(__name__)

#: Where the transport keeps the request body (``Exchange.read_body``).
BODY_KEY = "mcp_bridge.body"
#: Largest body the routing decision reads (the default body limit): a
#: larger or chunked body makes the request a primary one.
PEEK_LIMIT = 1048576
#: JSON-RPC methods that never write (``tools/call`` depends on the tool).
READ_METHODS = frozenset({
    "ping", "server/discover", "tools/list", "resources/list", "resources/templates/list",
    "resources/read", "prompts/list", "prompts/get", "completion/complete",
})


def on_replica(cr):
    """True when ``cr`` is a read-only (replica) cursor: writes must go to
    the primary in a cursor of their own."""
    return bool(getattr(cr, "readonly", False))


def retry_on_primary(reason):
    """Make Odoo run the request again on a read/write (primary) cursor, as it
    does after a write refused by the replica (e.g. a session created an
    instant ago that the replica has not replayed yet)."""
    raise psycopg2.errors.ReadOnlySqlTransaction(f"MCP: {reason} on the replica")


def peek_body(httprequest):
    """The raw body when it is small enough to decide on, else None (kept in
    the environ: the transport reads it from there, never twice)."""
    environ = httprequest.environ
    data = environ.get(BODY_KEY)
    if data is not None:
        return data
    length = httprequest.content_length
    if length is None or length > PEEK_LIMIT:
        return None
    raw = getattr(httprequest, "_HTTPRequest__wrapped", httprequest)
    chunks, total = [], 0
    while total < length:
        chunk = raw.stream.read(min(65536, length - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    data = environ[BODY_KEY] = b"".join(chunks)
    return data


def is_read_message(message, tools):
    """True when JSON-RPC ``message`` only reads; ``tools``: {name: tool}."""
    if not isinstance(message, dict) or "id" not in message:
        return False  # a notification or a response: may write (session state, answers)
    method = message.get("method")
    if method in READ_METHODS:
        return True
    if method != "tools/call" or not isinstance(message.get("params"), dict):
        return False
    tool = tools.get(message["params"].get("name"))
    return tool is not None and tool.replica_safe


def is_read_body(parsed, tools):
    """True when the parsed body (one message or a batch) only reads."""
    messages = parsed if isinstance(parsed, list) else [parsed]
    return bool(messages) and all(is_read_message(m, tools) for m in messages)


def route_readonly(_controller):
    """The ``readonly`` of the /mcp route (see the module docstring)."""
    if not recent_writes.replica_configured():
        return False  # every cursor is a primary one: no need to read the body
    httprequest = request.httprequest
    if httprequest.method != "POST" or httprequest.mimetype != "application/json":
        return False
    if request.registry.test_cr is not None:
        # Odoo's test cursors refuse a read/write cursor opened while a
        # read-only one is: the bookkeeping could not be written. The real
        # replica is tested end to end (tests/e2e/test_replicas.py).
        return False
    try:
        data = peek_body(httprequest)
        if data is None:
            return False
        parsed = json.loads(data)
        # the tool list of the registry's mcp.server (static data: the
        # cursor of the route matching is closed by now)
        tools = request.env["mcp.server"]._tool_map()
    except Exception as exc:  # noqa: BLE001 - any doubt: the primary
        _logger.debug("MCP: %s served on the primary: %s", httprequest.path, exc)
        return False
    if not is_read_body(parsed, tools):
        return False
    if recent_writes.session_is_new(httprequest.headers.get("Mcp-Session-Id")) or recent_writes.wrote_recently(
            request.registry.db_name, recent_writes.bearer_token(httprequest.headers)):
        # what the client just wrote or opened may not be on the replica yet
        httprequest.environ[recent_writes.READ_ON_PRIMARY] = True
        return False
    return True
