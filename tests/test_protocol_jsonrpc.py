"""JSON-RPC framing: parse_body, classify, responses, batches (plain pytest)."""
import json

import pytest

from odoo.addons.mcp_bridge.protocol import errors, jsonrpc
from odoo.addons.mcp_bridge.protocol.errors import InvalidRequest, ParseError

REQ = {"jsonrpc": "2.0", "id": 1, "method": "ping"}


# -- parse_body -------------------------------------------------------------

def test_parse_valid_bytes_and_str():
    assert jsonrpc.parse_body(b'{"jsonrpc": "2.0", "id": 1, "method": "ping"}') == REQ
    assert jsonrpc.parse_body('[1, "é"]') == [1, "é"]
    assert jsonrpc.parse_body("é".join(['{"a": "', '"}']).encode("utf-8")) == {"a": "é"}


@pytest.mark.parametrize("raw", [b"", b"   \n", None])
def test_parse_empty_body(raw):
    with pytest.raises(ParseError) as info:
        jsonrpc.parse_body(raw)
    assert info.value.code == -32700
    assert info.value.http_status == 400


def test_parse_invalid_utf8():
    with pytest.raises(ParseError) as info:
        jsonrpc.parse_body(b'{"a": "\xff\xfe"}')
    assert info.value.code == -32700
    assert info.value.message == "Parse error: body is not valid UTF-8 (byte 7)"


@pytest.mark.parametrize("raw", [b"{", b"{'a': 1}", b'{"a": 1,}', b"NaN", b'{"a": Infinity}',
                                 b'{"a": -Infinity}', b"\xef\xbb\xbf{}", b'{"a": 1} x', b"undefined"])
def test_parse_invalid_json(raw):
    with pytest.raises(ParseError) as info:
        jsonrpc.parse_body(raw)
    assert info.value.code == -32700
    assert info.value.message.startswith("Parse error: ")


def test_parse_huge_integer_is_parse_error():
    with pytest.raises(ParseError):
        jsonrpc.parse_body(b'{"id": ' + b"9" * 5000 + b"}")


def test_parse_depth_limit_exact():
    ok = b"[" * 64 + b"]" * 64
    assert jsonrpc.parse_body(ok) is not None
    with pytest.raises(InvalidRequest) as info:
        jsonrpc.parse_body(b"[" * 65 + b"]" * 65)
    assert info.value.code == -32600
    assert info.value.message == "Invalid Request: JSON nested deeper than 64 levels"
    assert jsonrpc.parse_body(b'{"a": {"b": 1}}', max_depth=2) == {"a": {"b": 1}}
    with pytest.raises(InvalidRequest):
        jsonrpc.parse_body(b'{"a": {"b": []}}', max_depth=2)


def test_parse_hostile_depth_does_not_recurse():
    with pytest.raises(InvalidRequest):
        jsonrpc.parse_body(b"[" * 200000 + b"]" * 200000)
    with pytest.raises((InvalidRequest, ParseError)):
        jsonrpc.parse_body(b'{"a":' * 100000)


def test_parse_large_flat_body():
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "x", "params": {"v": ["y" * 100] * 20000}})
    assert len(jsonrpc.parse_body(body.encode())["params"]["v"]) == 20000


# -- classify ---------------------------------------------------------------

@pytest.mark.parametrize("id_", [0, 1, -5, 2**63, "", "abc", "é", 1.0])
def test_classify_request_ids_accepted(id_):
    assert jsonrpc.classify({"jsonrpc": "2.0", "id": id_, "method": "tools/list"}) == "request"


@pytest.mark.parametrize("id_", [None, True, False, 1.5, [], {}, [1], {"a": 1}, float("nan"), float("inf")])
def test_classify_request_ids_refused(id_):
    with pytest.raises(InvalidRequest) as info:
        jsonrpc.classify({"jsonrpc": "2.0", "id": id_, "method": "tools/list"})
    assert info.value.code == -32600
    expected = ('Invalid Request: "id" must not be null' if id_ is None
                else 'Invalid Request: "id" must be a string or an integer')
    assert info.value.message == expected


def test_classify_notification_and_extras():
    assert jsonrpc.classify({"jsonrpc": "2.0", "method": "notifications/initialized"}) == "notification"
    assert jsonrpc.classify({"jsonrpc": "2.0", "method": "n", "params": {}}) == "notification"
    assert jsonrpc.classify({"jsonrpc": "2.0", "id": "x", "method": "m", "extra": 1}) == "request"


def test_classify_responses():
    assert jsonrpc.classify({"jsonrpc": "2.0", "id": 1, "result": {}}) == "response"
    assert jsonrpc.classify({"jsonrpc": "2.0", "id": "a", "result": None}) == "response"
    assert jsonrpc.classify({"jsonrpc": "2.0", "id": 1, "error": {"code": -1, "message": "x"}}) == "response"
    assert jsonrpc.classify({"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "x"}}) == "response"
    assert jsonrpc.classify({"jsonrpc": "2.0", "error": {"code": -32600, "message": "x"}}) == "response"


@pytest.mark.parametrize("message, text", [
    ([], "a JSON-RPC message must be an object"),
    ("x", "a JSON-RPC message must be an object"),
    (None, "a JSON-RPC message must be an object"),
    ({"id": 1, "method": "m"}, '"jsonrpc" must be exactly "2.0"'),
    ({"jsonrpc": "1.0", "id": 1, "method": "m"}, '"jsonrpc" must be exactly "2.0"'),
    ({"jsonrpc": 2.0, "id": 1, "method": "m"}, '"jsonrpc" must be exactly "2.0"'),
    ({"jsonrpc": "2.0", "id": 1, "method": ""}, '"method" must be a non-empty string'),
    ({"jsonrpc": "2.0", "id": 1, "method": 5}, '"method" must be a non-empty string'),
    ({"jsonrpc": "2.0", "id": 1, "method": None}, '"method" must be a non-empty string'),
    ({"jsonrpc": "2.0", "id": 1, "method": "m", "params": [1]}, '"params" must be an object'),
    ({"jsonrpc": "2.0", "id": 1, "method": "m", "params": None}, '"params" must be an object'),
    ({"jsonrpc": "2.0", "id": 1, "method": "m", "result": {}},
     'a message cannot have both "method" and "result"/"error"'),
    ({"jsonrpc": "2.0", "id": 1}, 'a message needs "method", or exactly one of "result" and "error"'),
    ({"jsonrpc": "2.0"}, 'a message needs "method", or exactly one of "result" and "error"'),
    ({"jsonrpc": "2.0", "id": 1, "result": {}, "error": {"code": 1, "message": "m"}},
     'a message needs "method", or exactly one of "result" and "error"'),
    ({"jsonrpc": "2.0", "result": {}}, 'a result response needs a string or integer "id"'),
    ({"jsonrpc": "2.0", "id": None, "result": {}}, 'a result response needs a string or integer "id"'),
    ({"jsonrpc": "2.0", "id": 1, "error": "boom"}, '"error" needs an integer "code" and a string "message"'),
    ({"jsonrpc": "2.0", "id": 1, "error": {"code": "1", "message": "m"}},
     '"error" needs an integer "code" and a string "message"'),
    ({"jsonrpc": "2.0", "id": 1, "error": {"code": True, "message": "m"}},
     '"error" needs an integer "code" and a string "message"'),
    ({"jsonrpc": "2.0", "id": 1, "error": {"code": 1}}, '"error" needs an integer "code" and a string "message"'),
    ({"jsonrpc": "2.0", "id": [1], "error": {"code": 1, "message": "m"}},
     '"id" must be a string or an integer'),
])
def test_classify_invalid(message, text):
    with pytest.raises(InvalidRequest) as info:
        jsonrpc.classify(message)
    assert info.value.message == "Invalid Request: " + text
    assert info.value.to_error() == {"code": -32600, "message": "Invalid Request: " + text}


def test_message_id():
    assert jsonrpc.message_id({"id": 7}) == 7
    assert jsonrpc.message_id({"id": "x"}) == "x"
    assert jsonrpc.message_id({"id": True}) is None
    assert jsonrpc.message_id({"id": 1.5}) is None
    assert jsonrpc.message_id({}) is None
    assert jsonrpc.message_id([1]) is None


# -- responses --------------------------------------------------------------

def test_result_response():
    assert jsonrpc.result_response(3, {"a": 1}) == {"jsonrpc": "2.0", "id": 3, "result": {"a": 1}}
    assert jsonrpc.result_response("s", {}) == {"jsonrpc": "2.0", "id": "s", "result": {}}


def test_error_response_from_errors():
    assert jsonrpc.error_response(None, ParseError("Parse error: x")) == {
        "jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error: x"}}
    err = errors.InvalidParams("bad", data={"field": "x"})
    assert jsonrpc.error_response(5, err) == {
        "jsonrpc": "2.0", "id": 5, "error": {"code": -32602, "message": "bad", "data": {"field": "x"}}}
    assert jsonrpc.error_response(1, {"code": -32601, "message": "Method not found"})["error"] == {
        "code": -32601, "message": "Method not found"}
    # serializable as-is, id null on the wire
    assert json.dumps(jsonrpc.error_response(None, InvalidRequest("x"))) == (
        '{"jsonrpc": "2.0", "id": null, "error": {"code": -32600, "message": "x"}}')


# -- batches ----------------------------------------------------------------

def test_single_message_is_not_a_batch_in_every_revision():
    for revision in ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"):
        assert jsonrpc.split_batch(REQ, revision) == ([REQ], False)


def test_batch_accepted_in_2025_03_26_only():
    batch = [REQ, {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1}}]
    messages, is_batch = jsonrpc.split_batch(batch, "2025-03-26")
    assert (messages, is_batch) == (batch, True)
    assert messages is not batch
    for revision in ("2024-11-05", "2025-06-18", "2025-11-25", "2026-07-28"):
        with pytest.raises(InvalidRequest) as info:
            jsonrpc.split_batch(batch, revision)
        assert info.value.message == (
            "Invalid Request: JSON-RPC batches are not supported in protocol revision %s" % revision)
        assert info.value.http_status == 400


def test_empty_batch():
    with pytest.raises(InvalidRequest) as info:
        jsonrpc.split_batch([], "2025-03-26")
    assert info.value.message == "Invalid Request: empty batch"


def test_batch_with_initialize_refused():
    batch = [{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}, REQ]
    with pytest.raises(InvalidRequest) as info:
        jsonrpc.split_batch(batch, "2025-03-26")
    assert info.value.message == "Invalid Request: initialize must not be part of a batch"


def test_mixed_batch_elements_are_classified_one_by_one():
    batch = [REQ, 1, {"jsonrpc": "2.0", "method": "n"}, {"jsonrpc": "2.0", "id": 2, "result": {}}, {}]
    messages, is_batch = jsonrpc.split_batch(batch, "2025-03-26")
    assert is_batch
    kinds = []
    for message in messages:
        try:
            kinds.append(jsonrpc.classify(message))
        except InvalidRequest:
            kinds.append("invalid")
    assert kinds == ["request", "invalid", "notification", "response", "invalid"]


def test_batch_longer_than_max_size_refused_whole():
    batch = [REQ] * 5
    assert jsonrpc.split_batch(batch, "2025-03-26", max_size=5) == (batch, True)
    with pytest.raises(InvalidRequest) as info:
        jsonrpc.split_batch(batch + [REQ], "2025-03-26", max_size=5)
    assert info.value.message == "Invalid Request: a batch of 6 messages is over the limit of 5 messages per batch"
    assert (info.value.code, info.value.http_status) == (-32600, 400)
    assert jsonrpc.split_batch(REQ, "2025-03-26", max_size=0) == ([REQ], False), "a single message is no batch"


def test_count_requests_counts_what_the_dispatcher_runs():
    """Requests only: not notifications, responses or invalid messages."""
    messages = [REQ, dict(REQ, id="b"), {"jsonrpc": "2.0", "method": "n"}, {"jsonrpc": "2.0", "id": 2, "result": {}},
                {"jsonrpc": "2.0", "id": None, "method": "ping"}, 1, {}]
    assert jsonrpc.count_requests(messages) == 2
    assert jsonrpc.count_requests([]) == 0


@pytest.mark.parametrize("value", [1, "x", None, True, 1.5])
def test_non_object_top_level(value):
    with pytest.raises(InvalidRequest) as info:
        jsonrpc.split_batch(value, "2025-03-26")
    assert info.value.message == "Invalid Request: the body must be a JSON-RPC message object"


# -- helpers used by the transport ---------------------------------------------

def test_is_initialize():
    assert jsonrpc.is_initialize({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}})
    assert not jsonrpc.is_initialize(REQ)
    assert not jsonrpc.is_initialize([{"method": "initialize"}])
    assert not jsonrpc.is_initialize(None)


def test_check_method_header():
    jsonrpc.check_method_header([REQ], "ping")
    jsonrpc.check_method_header([{"jsonrpc": "2.0", "method": "notifications/cancelled"}], None)
    for header in (None, "", "PING", "tools/list"):
        with pytest.raises(errors.HeaderMismatch) as info:
            jsonrpc.check_method_header([REQ], header)
        assert info.value.to_error() == {
            "code": -32020, "message": "Header mismatch: Mcp-Method header does not match the body's method"}
        assert info.value.http_status == 400
