"""Real Python MCP SDK clients against real Odoo servers (threaded and prefork).

* mcp 1.x (Odoo's Python): ``streamablehttp_client`` on /mcp and the legacy
  ``sse_client`` on /mcp/sse (the gevent port in prefork), bearer header;
* mcp 2.x (``mcp.Client`` in .local/venv-mcp2): ``auto`` (probes
  ``server/discover``; we list 2026-07-28 so it stays stateless), ``legacy``
  (initialize handshake) and the pinned stateless ``2026-07-28`` mode.
"""
import asyncio
import json

import pytest

from . import clients, sdk1

SDK1_LATEST = "2025-11-25"


def _count_args():
    return {"model": "res.partner", "domain": [["is_company", "=", True]]}


def _check_count_call(call):
    """A successful ``count`` result: text and structured content agree."""
    assert call["isError"] is False, call
    structured = call["structuredContent"]
    assert structured["model"] == "res.partner"
    assert structured["count"] >= 1
    assert json.loads(call["content"][0]["text"]) == structured


@pytest.mark.parametrize("transport", ["http", "sse"])
def test_sdk1_initialize_list_call(server, token, transport):
    """SDK 1.x: initialize negotiates its latest revision, lists the 14
    tools and calls ``count``, on Streamable HTTP and on legacy SSE."""
    url = server.url + "/mcp" if transport == "http" else server.stream_url + "/mcp/sse"
    report = asyncio.run(sdk1.session_report(url, token, transport=transport, tool="count",
                                             arguments=_count_args()))
    init = report["initialize"]
    assert init["protocolVersion"] == SDK1_LATEST
    assert init["serverInfo"]["name"] == "odoo-mcp-bridge"
    assert {"tools", "resources", "prompts", "completions", "logging"} <= set(init["capabilities"])
    assert sorted(report["tools"]) == sorted([
        "aggregate", "count", "create", "delete", "duplicate", "execute_method", "export_records", "find_user",
        "get_approval", "get_model_schema", "list_actions", "list_models", "name_search", "print_report", "read", "search_read",
        "update", "whoami", "wizard"])
    _check_count_call(report["call"])


def test_sdk1_bad_token_is_refused(server):
    """SDK 1.x with a wrong bearer: the connection fails (HTTP 401), no session."""
    with pytest.raises(Exception) as info:  # noqa: PT011 - the SDK wraps the HTTP error in task groups
        asyncio.run(sdk1.initialize(server.url + "/mcp", "mcp_not_a_key"))
    assert "401" in repr(info.value) or "401" in str(getattr(info.value, "exceptions", ""))


@pytest.mark.parametrize("mode", ["auto", "2026-07-28"])
def test_sdk2_stateless(server, token, mode):
    """SDK 2.x ``auto`` probes ``server/discover`` and, finding 2026-07-28
    there, speaks it statelessly; the pinned mode does the same directly."""
    report = clients.run_mcp2_client(server.url + "/mcp", token,
                                     ["--mode", mode, "--tool", "count", "--args", json.dumps(_count_args())])
    assert report["protocol_version"] == "2026-07-28"
    if mode == "auto":  # from server/discover (a pinned client skips it)
        assert report["server_info"]["name"] == "odoo-mcp-bridge"
        assert "completions" in report["capabilities"]
    assert "count" in report["tools"] and len(report["tools"]) == 19
    _check_count_call(report["call"])
    assert report["call"]["resultType"] == "complete"
    assert report["call"]["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "odoo-mcp-bridge"


def test_sdk2_legacy_handshake(server, token):
    """SDK 2.x ``legacy`` mode: initialize handshake, session, 2025-11-25."""
    report = clients.run_mcp2_client(server.url + "/mcp", token,
                                     ["--mode", "legacy", "--tool", "count", "--args", json.dumps(_count_args())])
    assert report["protocol_version"] == SDK1_LATEST
    assert report["server_info"]["name"] == "odoo-mcp-bridge"
    assert len(report["tools"]) == 19
    _check_count_call(report["call"])


def test_sdk2_tool_error_is_a_result(threaded_server, token):
    """SDK 2.x stateless: a failing tool comes back as ``isError`` with the
    server's message (not a transport error)."""
    report = clients.run_mcp2_client(threaded_server.url + "/mcp", token, [
        "--mode", "2026-07-28", "--tool", "count", "--args", json.dumps({"model": "no.such.model"})])
    call = report["call"]
    assert call["isError"] is True
    assert "no.such.model" in call["content"][0]["text"]
