"""Writes a human confirms or approves, as real clients see them (issue 18).

* *confirm* (2026-07-28 ``input_required``): the 2.x Python SDK answers the
  server's confirmation (its elicitation callback accepts) and the update is
  made; over raw HTTP a *decline* writes nothing and tells the agent so;
* *confirm* in a session (2025-x): the 1.x Python SDK's elicitation callback
  is shown the preview on the POST's SSE stream; accept writes, decline does
  not and the tool result says so;
* *approve*: the agent's update answers a pending approval at once; an MCP
  approver approves it (or rejects it with a note) through Odoo's JSON-RPC,
  as the back-end's button does; the agent's ``get_approval`` reports the
  outcome, and the record changed only after the approval.
"""
import asyncio
import json
import uuid

import pytest
from mcp import types

from . import clients, sdk1
from .attack_helpers import client, e2e_db, tool_ok, tool_raw
from .rawmcp import RawMcp
from .test_key_changes import OdooRpc

STATELESS = "2026-07-28"
META = {"io.modelcontextprotocol/protocolVersion": STATELESS,
        "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}},
        "io.modelcontextprotocol/clientInfo": {"name": "rawmcp", "version": "1.0"}}


def _partner(server, e2e_keys, phone):
    """A new contact (made with a direct key); its id."""
    mcp = client(server, e2e_keys["tokens"]["admin_write"])
    return tool_ok(tool_raw(mcp, "create", {"model": "res.partner", "values": {
        "name": f"Approval e2e {uuid.uuid4().hex[:8]}", "phone": phone}}))["id"]


def _phone(server, e2e_keys, partner_id):
    mcp = client(server, e2e_keys["tokens"]["admin_write"])
    return tool_ok(tool_raw(mcp, "read", {"model": "res.partner", "ids": [partner_id],
                                          "fields": ["phone"]}))["records"][0]["phone"]


def _stateless(server, token, params):
    mcp = RawMcp(server.url, token, revision=None)
    headers = mcp.headers(MCP_Protocol_Version=STATELESS, Mcp_Method="tools/call", Mcp_Name=params["name"])
    response = mcp.post({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": dict(params, _meta=META)},
                        headers)
    assert response.status_code == 200, response.text
    return response.json()["result"]


def test_sdk2_confirms_an_update(threaded_server, e2e_keys):
    if not clients.installed(clients.VENV_MCP2_PYTHON):
        pytest.skip(clients.SETUP_HINT)
    partner_id = _partner(threaded_server, e2e_keys, "+32 2 000 00 01")
    report = clients.run_mcp2_client(threaded_server.url + "/mcp", e2e_keys["tokens"]["confirm_write"], [
        "--mode", STATELESS, "--tool", "update", "--args", json.dumps({
            "model": "res.partner", "ids": [partner_id], "values": {"phone": "+32 2 555 01 01"},
            "reason": "The customer gave a new number"}),
        "--elicit", json.dumps({"confirm": True})])
    (message,) = report["elicited"]
    assert "Phone: +32 2 000 00 01 → +32 2 555 01 01" in message
    assert "Reason given by the agent: The customer gave a new number" in message
    assert report["call"].get("isError") is not True, report["call"]
    assert report["call"]["structuredContent"]["fields"] == ["phone"]
    assert _phone(threaded_server, e2e_keys, partner_id) == "+32 2 555 01 01"


async def _sdk1_update(url, token, arguments, action):
    """A confirmed ``update`` through the 1.x SDK, whose elicitation callback
    answers ``action``: ``(messages shown, tool result)``."""
    shown = []

    async def on_elicit(_context, params):
        shown.append(params.message)
        if action == "accept":
            return types.ElicitResult(action="accept", content={"confirm": True})
        return types.ElicitResult(action=action)

    async with sdk1.open_session(url + "/mcp", token, elicitation_callback=on_elicit) as (session, _init):
        result = await session.call_tool("update", arguments)
    return shown, result.model_dump(mode="json", by_alias=True, exclude_none=True)


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_sdk1_session_accepts_or_declines_an_update(threaded_server, e2e_keys, action):
    partner_id = _partner(threaded_server, e2e_keys, "+32 2 000 00 04")
    arguments = {"model": "res.partner", "ids": [partner_id], "values": {"phone": "+32 2 555 04 04"},
                 "reason": "Number from the customer's email"}
    shown, result = asyncio.run(_sdk1_update(threaded_server.url, e2e_keys["tokens"]["confirm_write"],
                                             arguments, action))
    (message,) = shown
    assert message.startswith("Update 1 Contact (res.partner) record(s):"), message
    assert "Phone: +32 2 000 00 04 → +32 2 555 04 04" in message
    assert "Reason given by the agent: Number from the customer's email" in message
    if action == "accept":
        assert result.get("isError") is not True, result
        assert result["structuredContent"]["fields"] == ["phone"]
        assert _phone(threaded_server, e2e_keys, partner_id) == "+32 2 555 04 04"
    else:
        assert result["isError"] is True
        assert result["content"][0]["text"] == "The user declined this write in the client: nothing was written."
        assert _phone(threaded_server, e2e_keys, partner_id) == "+32 2 000 00 04"


def test_raw_decline_writes_nothing(threaded_server, e2e_keys):
    partner_id = _partner(threaded_server, e2e_keys, "+32 2 000 00 02")
    params = {"name": "update", "arguments": {"model": "res.partner", "ids": [partner_id],
                                              "values": {"phone": "+32 2 555 02 02"}}}
    token = e2e_keys["tokens"]["confirm_write"]
    first = _stateless(threaded_server, token, params)
    assert first["resultType"] == "input_required", first
    (key,) = first["inputRequests"]
    second = _stateless(threaded_server, token, dict(params, requestState=first["requestState"],
                                                    inputResponses={key: {"action": "decline"}}))
    assert second["isError"] is True
    assert second["content"][0]["text"] == "The user declined this write in the client: nothing was written."
    assert _phone(threaded_server, e2e_keys, partner_id) == "+32 2 000 00 02"


def test_approve_and_reject_in_odoo_then_polled(threaded_server, e2e_keys):
    approver = OdooRpc(threaded_server, e2e_db(), **e2e_keys["key_manager"])  # MCP managers are approvers
    mcp = client(threaded_server, e2e_keys["tokens"]["approve_write"])
    outcomes = {}
    for decision in ("approve", "reject"):
        partner_id = _partner(threaded_server, e2e_keys, "+32 2 000 00 03")
        pending = tool_ok(tool_raw(mcp, "update", {"model": "res.partner", "ids": [partner_id],
                                                   "values": {"phone": "+32 2 555 03 03"}}))
        approval_id = pending["approval"]["id"]
        assert pending["approval"]["state"] == "pending"
        assert "get_approval" in pending["message"]
        assert tool_ok(tool_raw(mcp, "get_approval", {"id": approval_id}))["state"] == "pending"
        assert _phone(threaded_server, e2e_keys, partner_id) == "+32 2 000 00 03"
        if decision == "approve":
            action = approver.execute("mcp.approval", "action_approve", [approval_id])
            assert action["params"]["type"] == "success", action
        else:
            approver.execute("mcp.approval", "write", [approval_id], {"decision_note": "Wrong number"})
            approver.execute("mcp.approval", "action_reject", [approval_id])
        outcomes[decision] = (tool_ok(tool_raw(mcp, "get_approval", {"id": approval_id})),
                              _phone(threaded_server, e2e_keys, partner_id))
    approved, phone = outcomes["approve"]
    assert (approved["state"], approved["result"]["fields"], phone) == ("done", ["phone"], "+32 2 555 03 03")
    rejected, phone = outcomes["reject"]
    assert (rejected["state"], rejected["note"], phone) == ("rejected", "Wrong number", "+32 2 000 00 03")
