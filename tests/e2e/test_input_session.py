"""Asking a session's client (2025-06-18 / 2025-11-25): a tool's
``call.elicit()`` / ``call.sample()`` goes out on the POST's SSE stream, the
client's answer (POSTed to any worker) comes back through PostgreSQL and the
tool re-runs with it. Through the real endpoint, with the SDK 1.x client
(its elicitation and sampling callbacks) and a raw client, on the
conformance database (fixture tools; ``input_wait_seconds`` is 4 there, see
make_keys.py)."""
import asyncio
import json
import time
import uuid

import pytest
import requests
from mcp import ClientSession, types
from mcp.client.streamable_http import streamablehttp_client

from .harness import OdooServer
from .rawmcp import ACCEPT_BOTH, RawMcp
from .reliability import DbProbe


async def _call(url, token, tool, arguments, elicit=None, sample=None):
    async def on_elicit(_context, params):
        return elicit(params)

    async def on_sample(_context, params):
        return sample(params)

    kwargs = {}
    if elicit:
        kwargs["elicitation_callback"] = on_elicit
    if sample:
        kwargs["sampling_callback"] = on_sample
    headers = {"Authorization": f"Bearer {token}"}
    async with streamablehttp_client(url + "/mcp", headers=headers) as (r, w, _), \
            ClientSession(r, w, **kwargs) as session:
        await session.initialize()
        result = await session.call_tool(tool, arguments)
        return result.model_dump(mode="json", by_alias=True, exclude_none=True)


def _count_partners(server, token, name):
    mcp = RawMcp(server.url, token, revision="2025-11-25")
    mcp.initialize()
    result = mcp.call("tools/call", {"name": "count", "arguments": {
        "model": "res.partner", "domain": [["name", "=", name]]}})
    return result["structuredContent"]["count"]


def _events(response):
    """The JSON-RPC messages of a streamed SSE response, as they arrive."""
    for line in response.iter_lines(chunk_size=1, decode_unicode=True):  # as they arrive, unbuffered
        if line and line.startswith("data: "):
            yield json.loads(line[len("data: "):])


def _session(server, token, capabilities):
    mcp = RawMcp(server.url, token, revision="2025-11-25")
    response = mcp.post({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": capabilities,
        "clientInfo": {"name": "rawmcp", "version": "1.0"}}})
    mcp.session_id = response.headers["Mcp-Session-Id"]
    mcp.notify("notifications/initialized")
    return mcp


def _stream_call(mcp, tool, arguments, msg_id=7):
    return mcp.http.post(mcp.url, data=json.dumps({"jsonrpc": "2.0", "id": msg_id, "method": "tools/call",
                                                    "params": {"name": tool, "arguments": arguments}}),
                         headers=mcp.headers(), stream=True, timeout=30)


def test_sdk1_elicitation_answer_reaches_the_tool(fixtures_server, fixtures_token):
    asked = []

    def elicit(params):
        asked.append(params)
        return types.ElicitResult(action="accept", content={"username": "testuser", "email": "t@example.com"})

    result = asyncio.run(_call(fixtures_server.url, fixtures_token, "test_elicitation", {"message": "Who?"},
                               elicit=elicit))
    assert not result.get("isError"), result
    assert asked and asked[0].message == "Who?"
    assert "testuser" in result["content"][0]["text"] and "accept" in result["content"][0]["text"]


def test_sdk1_sampling_answer_reaches_the_tool(fixtures_server, fixtures_token):
    def sample(params):
        assert params.maxTokens == 100
        return types.CreateMessageResult(role="assistant", model="test-model",
                                         content=types.TextContent(type="text", text="forty-two"))

    result = asyncio.run(_call(fixtures_server.url, fixtures_token, "test_sampling", {"prompt": "Answer?"},
                               sample=sample))
    assert result["content"][0]["text"] == "LLM response: forty-two", result


def test_sdk1_accept_writes_decline_writes_nothing(fixtures_server, fixtures_token):
    url, name = fixtures_server.url, f"elicit-{uuid.uuid4().hex[:8]}"
    declined = asyncio.run(_call(url, fixtures_token, "test_confirm_create", {"name": name},
                                 elicit=lambda _p: types.ElicitResult(action="decline")))
    assert declined["isError"] and "decline" in declined["content"][0]["text"]
    assert _count_partners(fixtures_server, fixtures_token, name) == 0
    accepted = asyncio.run(_call(url, fixtures_token, "test_confirm_create", {"name": name},
                                 elicit=lambda _p: types.ElicitResult(action="accept", content={"ok": True})))
    assert not accepted.get("isError"), accepted
    assert _count_partners(fixtures_server, fixtures_token, name) == 1  # one run's partner, not two


def test_a_client_that_never_answers_is_cut_off_and_nothing_is_written(fixtures_server, fixtures_token):
    mcp = _session(fixtures_server, fixtures_token, {"elicitation": {}})
    name = f"silent-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    with _stream_call(mcp, "test_confirm_create", {"name": name}) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        messages = list(_events(response))
    assert messages[0]["method"] == "elicitation/create" and "id" in messages[0]
    final = messages[-1]
    assert final["id"] == 7 and final["result"]["isError"], final
    assert "did not answer" in final["result"]["content"][0]["text"]
    assert 3.5 < time.monotonic() - started < 20
    assert _count_partners(fixtures_server, fixtures_token, name) == 0


def test_cancelled_request_ends_the_wait(fixtures_server, fixtures_token):
    mcp = _session(fixtures_server, fixtures_token, {"elicitation": {}})
    with _stream_call(mcp, "test_elicitation", {"message": "m"}, msg_id=9) as response:
        events = _events(response)
        assert next(events)["method"] == "elicitation/create"
        mcp.notify("notifications/cancelled", {"requestId": 9})
        final = next(events)
    assert final["id"] == 9 and "cancelled" in final["result"]["content"][0]["text"], final


def test_a_client_without_the_capability_is_refused(fixtures_server, fixtures_token):
    mcp = _session(fixtures_server, fixtures_token, {})
    body = mcp.request("tools/call", {"name": "test_elicitation", "arguments": {"message": "m"}},
                       Accept="application/json").json()
    assert body["error"]["code"] == -32021, body


def test_a_json_only_client_gets_a_tool_error(fixtures_server, fixtures_token):
    mcp = _session(fixtures_server, fixtures_token, {"elicitation": {}})
    body = mcp.request("tools/call", {"name": "test_elicitation", "arguments": {"message": "m"}},
                       Accept="application/json").json()
    assert body["result"]["isError"] and "text/event-stream" in body["result"]["content"][0]["text"], body


def test_an_answer_to_an_id_never_sent_is_ignored(fixtures_server, fixtures_token):
    mcp = _session(fixtures_server, fixtures_token, {"elicitation": {}})
    response = mcp.post({"jsonrpc": "2.0", "id": "odoo-input-forged", "result": {"action": "accept"}})
    assert response.status_code == 202


@pytest.fixture(scope="module")
def prefork_fixtures_server(fixtures_db):
    conf, db = fixtures_db
    server = OdooServer(conf, db, workers=2).start()
    yield server
    server.stop()


def _open_transactions(probe):
    """Backends of the database inside a transaction open for over a second."""
    return probe.value("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
                       "AND xact_start < now() - interval '1 second'", (probe.db,))


def test_the_answer_reaches_the_stream_through_another_worker(prefork_fixtures_server, fixtures_token,
                                                              fixtures_db):
    """prefork (--workers=2): the waiting POST keeps one HTTP worker, so the
    answer is served by the other, and reaches the stream through
    PostgreSQL. No transaction of ours is open while the stream waits."""
    server = prefork_fixtures_server
    mcp = _session(server, fixtures_token, {"elicitation": {}})
    with _stream_call(mcp, "test_elicitation", {"message": "m"}) as response:
        events = _events(response)
        asked = next(events)
        assert asked["method"] == "elicitation/create"
        time.sleep(1.5)
        assert _open_transactions(DbProbe(*fixtures_db)) == 0
        other = requests.post(mcp.url, data=json.dumps({"jsonrpc": "2.0", "id": asked["id"], "result": {
            "action": "accept", "content": {"username": "w2", "email": "w2@example.com"}}}),
            headers=dict(mcp.headers(), Accept=ACCEPT_BOTH), timeout=10)
        assert other.status_code == 202
        final = next(events)
    assert final["id"] == 7 and "w2" in final["result"]["content"][0]["text"], final
