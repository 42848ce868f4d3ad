"""Server-Sent Events framing (WHATWG HTML "event stream interpretation").

One event = optional ``event:``/``id:``/``retry:`` lines, one ``data:`` line
per line of the payload, then a blank line. Lines end with ``\\n``.
MCP JSON-RPC messages travel as ``event: message`` (both the 2024-11-05
HTTP+SSE transport and Streamable HTTP); the legacy transport starts with
``event: endpoint`` whose data is the URI to POST to.
"""
import json
import re

CONTENT_TYPE = "text/event-stream"
#: Headers of every SSE response. ``X-Accel-Buffering: no`` keeps nginx from
#: buffering (the 2025-11-25+ transports recommend it); no hop-by-hop header
#: (``Connection``) as WSGI forbids them.
HEADERS = (
    ("Content-Type", CONTENT_TYPE),
    ("Cache-Control", "no-cache, no-transform"),
    ("X-Accel-Buffering", "no"),
)
MESSAGE_EVENT = "message"
ENDPOINT_EVENT = "endpoint"
#: Seconds between keepalive comments on an idle stream.
KEEPALIVE_SECONDS = 15

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _field(name, value):
    value = str(value)
    if _LINE_BREAK.search(value) or "\0" in value:
        raise ValueError("SSE %s must be one line without NUL" % name)
    return "%s: %s\n" % (name, value)


def format_event(data, event=None, id=None, retry=None):  # noqa: A002 (the SSE field name)
    """One SSE event as ``str``.

    ``data``: a ``str`` (split on ``\\r\\n``, ``\\r`` or ``\\n`` into one
    ``data:`` line each, so a receiver joins them back with ``\\n``) or any
    other JSON value (serialized compactly, which never contains a raw line
    break). ``data=""`` gives one empty ``data:`` line (the 2025-11-25 priming
    event); ``data=None`` gives no data line (e.g. a lone ``retry``).
    ``event``/``id`` must be single lines; ``id`` must not contain NUL (the
    spec then ignores it); ``retry`` is a non-negative integer (milliseconds).
    """
    out = []
    if event is not None:
        out.append(_field("event", event))
    if id is not None:
        out.append(_field("id", id))
    if retry is not None:
        if isinstance(retry, bool) or not isinstance(retry, int) or retry < 0:
            raise ValueError("SSE retry must be a non-negative integer (milliseconds)")
        out.append("retry: %d\n" % retry)
    if data is not None:
        if not isinstance(data, str):
            data = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        out.extend("data: %s\n" % line for line in _LINE_BREAK.split(data))
    if not out:
        raise ValueError("an SSE event needs at least one field")
    return "".join(out) + "\n"


def message_event(message, id=None):  # noqa: A002
    """A JSON-RPC message as ``event: message``."""
    return format_event(message, event=MESSAGE_EVENT, id=id)


def endpoint_event(uri):
    """The first event of the 2024-11-05 SSE stream: where to POST messages."""
    return format_event(uri, event=ENDPOINT_EVENT)


def keepalive(comment="keepalive"):
    """A comment line; receivers ignore it, proxies see traffic."""
    if _LINE_BREAK.search(comment):
        raise ValueError("an SSE comment must be one line")
    return ": %s\n\n" % comment
