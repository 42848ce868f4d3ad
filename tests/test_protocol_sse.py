"""SSE framing (plain pytest)."""
import pytest

from odoo.addons.mcp_bridge.protocol import sse


def test_single_line_data():
    assert sse.format_event("hello") == "data: hello\n\n"


@pytest.mark.parametrize("data", ["a\nb\nc", "a\r\nb\r\nc", "a\rb\rc", "a\r\nb\nc"])
def test_multiline_data_split_on_every_line_break(data):
    assert sse.format_event(data) == "data: a\ndata: b\ndata: c\n\n"


def test_empty_and_trailing_lines():
    assert sse.format_event("") == "data: \n\n"
    assert sse.format_event("a\n") == "data: a\ndata: \n\n"
    assert sse.format_event("\n\n") == "data: \ndata: \ndata: \n\n"


def test_all_fields_in_order():
    assert sse.format_event("x", event="message", id="s1-7", retry=3000) == (
        "event: message\nid: s1-7\nretry: 3000\ndata: x\n\n")
    assert sse.format_event(None, retry=0) == "retry: 0\n\n"
    assert sse.format_event("", id="prime-1") == "id: prime-1\ndata: \n\n"
    assert sse.format_event("x", id=5) == "id: 5\ndata: x\n\n"


def test_json_data_is_compact_and_one_line():
    message = {"jsonrpc": "2.0", "id": 1, "result": {"text": "line1\nline2", "n": "é"}}
    assert sse.format_event(message, event="message") == (
        'event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{"text":"line1\\nline2","n":"é"}}\n\n')
    assert sse.message_event({"a": 1}, id="e1") == 'event: message\nid: e1\ndata: {"a":1}\n\n'


def test_endpoint_event():
    assert sse.endpoint_event("/mcp/messages?session_id=abc") == (
        "event: endpoint\ndata: /mcp/messages?session_id=abc\n\n")


@pytest.mark.parametrize("kwargs", [
    {"event": "a\nb"}, {"event": "a\rb"}, {"id": "a\nb"}, {"id": "a\0b"},
    {"retry": -1}, {"retry": 1.5}, {"retry": True}, {"retry": "10"},
])
def test_invalid_fields(kwargs):
    with pytest.raises(ValueError):
        sse.format_event("x", **kwargs)


def test_event_needs_a_field():
    with pytest.raises(ValueError):
        sse.format_event(None)


def test_keepalive_and_headers():
    assert sse.keepalive() == ": keepalive\n\n"
    assert sse.keepalive("ping") == ": ping\n\n"
    with pytest.raises(ValueError):
        sse.keepalive("a\nb")
    assert dict(sse.HEADERS) == {"Content-Type": "text/event-stream",
                                 "Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no"}
    assert "Connection" not in dict(sse.HEADERS)
    assert sse.CONTENT_TYPE == "text/event-stream"
