"""Progress and log notifications of a tool call, and the HTTP details of
2026-07-28 errors, through the real endpoint of a threaded server on the
conformance database (the fixture tools ``test_tool_with_progress`` and
``test_tool_with_logging`` call ``ctx.progress()`` / ``ctx.log()``)."""
import json

import pytest
import requests

from .rawmcp import ACCEPT_BOTH, RawMcp
from .sse import SseReader

STATELESS = "2026-07-28"
META = {"io.modelcontextprotocol/protocolVersion": STATELESS,
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "rawmcp", "version": "1.0"}}


def sse_messages(response):
    """The JSON-RPC messages of an SSE response body, in order."""
    assert response.headers["Content-Type"].startswith("text/event-stream"), response.text
    return [json.loads(line[len("data: "):]) for line in response.text.splitlines() if line.startswith("data: ")]


@pytest.fixture
def session(fixtures_server, fixtures_token):
    mcp = RawMcp(fixtures_server.url, fixtures_token, revision="2025-11-25")
    mcp.initialize()
    return mcp


def call_tool(mcp, name, meta=None, accept=ACCEPT_BOTH):
    params = {"name": name, "arguments": {}}
    if meta is not None:
        params["_meta"] = meta
    return mcp.request("tools/call", params, Accept=accept)


def test_progress_streams_before_the_result(session):
    messages = sse_messages(call_tool(session, "test_tool_with_progress", {"progressToken": "p-1"}))
    notes, result = messages[:-1], messages[-1]
    assert [n["params"] for n in notes] == [{"progressToken": "p-1", "progress": p, "total": 100}
                                            for p in (0, 50, 100)]
    assert all(n["method"] == "notifications/progress" and "id" not in n for n in notes)
    assert result["result"]["content"][0]["text"] == "Tool with progress executed successfully"


def test_no_progress_token_no_notification(session):
    response = call_tool(session, "test_tool_with_progress")
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["result"]["isError"] is False


def test_a_json_only_client_gets_the_result_alone(session):
    response = call_tool(session, "test_tool_with_progress", {"progressToken": 7}, accept="application/json")
    assert response.headers["Content-Type"].startswith("application/json")
    assert "result" in response.json()


def test_logging_honours_the_session_level(session):
    session.call("logging/setLevel", {"level": "debug"})
    messages = sse_messages(call_tool(session, "test_tool_with_logging"))
    assert [(m["method"], m["params"]["level"], m["params"]["data"]) for m in messages[:-1]] == [
        ("notifications/message", "info", "Tool execution started"),
        ("notifications/message", "info", "Tool processing data"),
        ("notifications/message", "info", "Tool execution completed")]
    session.call("logging/setLevel", {"level": "warning"})
    response = call_tool(session, "test_tool_with_logging")
    assert response.headers["Content-Type"].startswith("application/json")  # info < warning: nothing sent


def stateless_call(server, token, name, meta_extra=None, rpc_id=5):
    mcp = RawMcp(server.url, token, revision=None)
    meta = dict(META, **(meta_extra or {}))
    body = {"jsonrpc": "2.0", "id": rpc_id, "method": "tools/call",
            "params": {"name": name, "arguments": {}, "_meta": meta}}
    return mcp.post(body, mcp.headers(**{"MCP-Protocol-Version": STATELESS, "Mcp-Method": "tools/call",
                                         "Mcp-Name": name}))


def test_stateless_logs_only_with_the_request_level(fixtures_server, fixtures_token):
    response = stateless_call(fixtures_server, fixtures_token, "test_tool_with_logging")
    assert response.headers["Content-Type"].startswith("application/json")  # no _meta logLevel: no log
    assert response.json()["result"]["resultType"] == "complete"
    messages = sse_messages(stateless_call(fixtures_server, fixtures_token, "test_tool_with_logging",
                                           {"io.modelcontextprotocol/logLevel": "info"}))
    assert [m["params"]["data"] for m in messages[:-1]] == [
        "Tool execution started", "Tool processing data", "Tool execution completed"]
    assert messages[-1]["id"] == 5 and messages[-1]["result"]["resultType"] == "complete"


def test_stateless_progress(fixtures_server, fixtures_token):
    messages = sse_messages(stateless_call(fixtures_server, fixtures_token, "test_tool_with_progress",
                                           {"progressToken": "s-1"}))
    assert [m["params"]["progress"] for m in messages[:-1]] == [0, 50, 100]


def test_http_level_errors_carry_the_request_id(fixtures_server, fixtures_token):
    """sep-2575: a request refused at the HTTP level (here: _meta without its
    protocol version, HTTP 400) is answered with its own id, not null."""
    mcp = RawMcp(fixtures_server.url, fixtures_token, revision=None)
    body = {"jsonrpc": "2.0", "id": 102, "method": "server/discover",
            "params": {"_meta": {"io.modelcontextprotocol/clientCapabilities": {}}}}
    response = mcp.post(body, mcp.headers(**{"MCP-Protocol-Version": STATELESS, "Mcp-Method": "server/discover"}))
    assert response.status_code == 400
    assert response.json()["id"] == 102 and response.json()["error"]["code"] == -32602


def test_initialize_under_the_stateless_revision_is_not_found(fixtures_server, fixtures_token):
    mcp = RawMcp(fixtures_server.url, fixtures_token, revision=None)
    body = {"jsonrpc": "2.0", "id": 9, "method": "initialize",
            "params": {"protocolVersion": STATELESS, "capabilities": {}, "clientInfo": {"name": "c", "version": "1"},
                       "_meta": META}}
    response = mcp.post(body, mcp.headers(**{"MCP-Protocol-Version": STATELESS, "Mcp-Method": "initialize"}))
    assert response.status_code == 404
    assert response.json() == {"jsonrpc": "2.0", "id": 9, "error": {"code": -32601,
                                                                    "message": "Method not found: initialize"}}


def test_a_capability_the_client_did_not_declare(fixtures_server, fixtures_token):
    """A tool needing the client's sampling capability: -32021 with HTTP 400
    when the request's _meta does not declare it, served when it does."""
    response = stateless_call(fixtures_server, fixtures_token, "test_missing_capability", rpc_id=401)
    assert response.status_code == 400
    body = response.json()
    assert body["id"] == 401 and body["error"]["code"] == -32021
    assert body["error"]["data"] == {"requiredCapabilities": {"sampling": {}}}
    response = stateless_call(fixtures_server, fixtures_token, "test_missing_capability",
                              {"io.modelcontextprotocol/clientCapabilities": {"sampling": {}}})
    assert response.status_code == 200 and response.json()["result"]["isError"] is False


def test_legacy_sse_transport_queues_notifications_before_the_answer(fixtures_server, fixtures_token):
    """2024-11-05 HTTP+SSE: the progress of a call travels on the session's
    stream, before the call's response."""
    http = requests.Session()
    auth = {"Authorization": f"Bearer {fixtures_token}"}
    stream = http.get(fixtures_server.stream_url + "/mcp/sse", headers=dict(auth, Accept="text/event-stream"),
                      stream=True, timeout=30)
    reader = SseReader(stream)
    try:
        endpoint = fixtures_server.url + reader.next()["data"]
        post = {"headers": dict(auth, **{"Content-Type": "application/json"}), "timeout": 10}
        http.post(endpoint, data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2024-11-05", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}}),
            **post)
        assert reader.next_message()["id"] == 1
        assert http.post(endpoint, data=json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "test_tool_with_progress", "arguments": {}, "_meta": {"progressToken": "legacy"}}}),
            **post).status_code == 202
        messages = [reader.next_message() for _ in range(4)]
        assert [m["params"]["progress"] for m in messages[:3]] == [0, 50, 100]
        assert messages[3]["id"] == 2 and messages[3]["result"]["isError"] is False
    finally:
        reader.close()
