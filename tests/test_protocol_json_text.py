"""The answer's JSON text: a tool result's JSON encoded once (plain pytest)."""
import copy
import json
import pickle

import pytest

from odoo.addons.mcp_bridge.protocol import jsonrpc, json_text, tool_result

RECORDS = {"model": "res.partner", "count": 2, "next_offset": None,
           "records": [{"id": 7, "name": "Zoë \"the\" Bäcker\n", "email": None, "tags": [1, 2]},
                       {"id": 8, "name": "\u2028 line separator, \x00 NUL", "amount": 1.5, "ok": True}]}


@pytest.mark.parametrize("revision", ["2025-06-18", "2025-11-25", "2026-07-28"])
def test_a_tool_answer_decodes_to_the_same_message(revision):
    message = jsonrpc.result_response(3, tool_result.tool_result(RECORDS, revision))
    text = json_text.dumps(message)
    assert json.loads(text) == json.loads(json.dumps(message))
    assert json.loads(text)["result"]["structuredContent"] == RECORDS


def test_the_text_block_is_written_as_structured_content_not_encoded_again():
    result = tool_result.tool_result(RECORDS, "2025-11-25")
    block = result["content"][0]["text"]
    text = json_text.dumps(jsonrpc.result_response(3, result))
    assert text.endswith(',"structuredContent":' + block + "}}")  # the text block's own separators
    assert json.dumps(RECORDS, separators=(",", ":"), ensure_ascii=False) not in text


def test_a_replaced_structured_content_is_encoded_for_itself():
    result = tool_result.tool_result(RECORDS, "2025-11-25")
    result["structuredContent"] = {"other": "value"}
    decoded = json.loads(json_text.dumps(jsonrpc.result_response(3, result)))
    assert decoded["result"]["structuredContent"] == {"other": "value"}
    assert json.loads(decoded["result"]["content"][0]["text"]) == RECORDS


def test_a_list_result_of_the_stateless_revision():
    result = tool_result.tool_result([1, {"a": "é"}], "2026-07-28")
    text = json_text.dumps(jsonrpc.result_response("x", result))
    assert text.endswith(',"structuredContent":[1, {"a": "é"}]}}')
    assert json.loads(text)["result"]["structuredContent"] == [1, {"a": "é"}]


def test_batches_and_other_messages_are_plain_compact_json():
    batch = [jsonrpc.result_response(1, tool_result.tool_result(RECORDS, "2025-06-18")),
             jsonrpc.result_response(2, {"tools": []}), {"jsonrpc": "2.0", "method": "notifications/x"}]
    decoded = json.loads(json_text.dumps(batch))
    assert decoded == json.loads(json.dumps(batch))
    assert json_text.dumps({"a": [1, "ü"]}) == '{"a":[1,"ü"]}'
    assert json_text.dumps([]) == "[]"


def test_a_string_result_has_no_json_text():
    result = tool_result.tool_result("plain words", "2026-07-28")
    assert type(result["content"][0]["text"]) is str
    assert json.loads(json_text.dumps(jsonrpc.result_response(1, result)))["result"]["structuredContent"] == \
        "plain words"


def test_a_copied_text_is_a_plain_string():
    text = tool_result.tool_result(RECORDS, "2025-11-25")["content"][0]["text"]
    for copied in (copy.deepcopy(text), pickle.loads(pickle.dumps(text)), copy.copy(text)):
        assert copied == text
        assert type(copied) is str
