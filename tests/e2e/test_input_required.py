"""Asking the client over real HTTP (2026-07-28 ``input_required``, MRTR) on
the conformance database, whose fixture addon ships ``test_write_then_ask``:
a write tool that creates a contact, then asks the user to confirm it
(``call.elicit(..., bound=True)``).

* the 2.x Python SDK (``mcp.Client``, stateless mode) answers the
  input_required result with its elicitation callback and gets the tool's
  result; exactly one contact exists afterwards (the first round's was
  rolled back);
* raw HTTP: the first round answers input_required and writes nothing; a
  tampered state is HTTP 400 / -32602; an answer sent up front without the
  state that asked (a client skipping the question) is not taken.
"""
import json
import uuid

import pytest

from . import clients
from .rawmcp import RawMcp

STATELESS = "2026-07-28"
META = {"io.modelcontextprotocol/protocolVersion": STATELESS,
        "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}},
        "io.modelcontextprotocol/clientInfo": {"name": "rawmcp", "version": "1.0"}}
INVALID_STATE = {"code": -32602, "message": "invalid requestState", "data": {"reason": "invalid_request_state"}}


def _post(server, token, method, params):
    """One 2026-07-28 request (no session, routing headers set)."""
    client = RawMcp(server.url, token, revision=None)
    headers = client.headers(MCP_Protocol_Version=STATELESS, Mcp_Method=method,
                             Mcp_Name=params.get("uri") if method == "resources/read" else params.get("name"))
    return client.post({"jsonrpc": "2.0", "id": 11, "method": method, "params": dict(params, _meta=META)}, headers)


def _contacts(server, token, name):
    """How many contacts named ``name`` exist (the count tool, stateless)."""
    response = _post(server, token, "tools/call", {"name": "count", "arguments": {
        "model": "res.partner", "domain": [["name", "=", name]]}})
    assert response.status_code == 200, response.text
    return response.json()["result"]["structuredContent"]["count"]


def _confirm(ok=True):
    return {"confirm_create": {"action": "accept", "content": {"ok": ok}}}


def test_sdk2_client_answers_the_input_required_result(fixtures_server, fixtures_token):
    """SDK 2.x: the call asks, the client's elicitation callback accepts,
    the SDK retries with the answer and the echoed state, the tool creates
    its contact: one, not one per round."""
    if not clients.installed(clients.VENV_MCP2_PYTHON):
        pytest.skip(clients.SETUP_HINT)
    name = f"MRTR SDK2 {uuid.uuid4().hex[:8]}"
    report = clients.run_mcp2_client(fixtures_server.url + "/mcp", fixtures_token, [
        "--mode", STATELESS, "--tool", "test_write_then_ask", "--args", json.dumps({"name": name}),
        "--elicit", json.dumps({"ok": True})])
    assert report["protocol_version"] == STATELESS
    assert report["elicited"] == [f"Create the contact {name}?"]
    call = report["call"]
    assert call.get("isError") is not True, call
    assert call["structuredContent"]["name"] == name
    assert _contacts(fixtures_server, fixtures_token, name) == 1


def test_first_round_writes_nothing_and_state_is_checked(fixtures_server, fixtures_token):
    """Raw HTTP: round one is an input_required result (HTTP 200) and no
    contact; a tampered state is refused; an up-front answer is asked
    again; the answer with the state completes the call, once."""
    name = f"MRTR Raw {uuid.uuid4().hex[:8]}"
    params = {"name": "test_write_then_ask", "arguments": {"name": name}}
    first = _post(fixtures_server, fixtures_token, "tools/call", params)
    assert first.status_code == 200, first.text
    result = first.json()["result"]
    assert result["resultType"] == "input_required"
    assert result["inputRequests"]["confirm_create"]["method"] == "elicitation/create"
    assert "ttlMs" not in result and "cacheScope" not in result
    assert _contacts(fixtures_server, fixtures_token, name) == 0, "the asking round was rolled back"

    tampered = _post(fixtures_server, fixtures_token, "tools/call", dict(
        params, inputResponses=_confirm(), requestState=result["requestState"] + "-TAMPERED"))
    assert tampered.status_code == 400
    assert tampered.json() == {"jsonrpc": "2.0", "id": 11, "error": INVALID_STATE}

    up_front = _post(fixtures_server, fixtures_token, "tools/call", dict(params, inputResponses=_confirm()))
    assert up_front.json()["result"]["resultType"] == "input_required", "a bound question is asked, not skipped"
    assert _contacts(fixtures_server, fixtures_token, name) == 0

    done = _post(fixtures_server, fixtures_token, "tools/call", dict(
        params, inputResponses=_confirm(), requestState=result["requestState"]))
    assert done.status_code == 200, done.text
    assert done.json()["result"]["structuredContent"]["name"] == name
    assert _contacts(fixtures_server, fixtures_token, name) == 1
