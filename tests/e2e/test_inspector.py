"""MCP Inspector CLI (``@modelcontextprotocol/inspector --cli``) against real
Odoo servers, threaded and prefork: ``tools/list`` and ``tools/call`` over
Streamable HTTP (/mcp) and over the legacy HTTP+SSE transport (/mcp/sse, on
the gevent port in prefork), bearer passed with ``--header``."""
import json

import pytest

from . import clients


pytestmark = pytest.mark.skipif(not clients.installed(clients.INSPECTOR_JS), reason=clients.SETUP_HINT)


def _url(server, transport):
    return server.url + "/mcp" if transport == "http" else server.stream_url + "/mcp/sse"


@pytest.mark.parametrize("transport", ["http", "sse"])
def test_inspector_tools_list(server, token, transport):
    listed = clients.run_inspector(_url(server, transport), token, transport, "tools/list")
    tools = {tool["name"]: tool for tool in listed["result"]["tools"]}
    assert len(tools) == 19  # the chatter tools need the mail app
    assert tools["count"]["inputSchema"]["required"] == ["model"]
    assert tools["delete"]["annotations"]["destructiveHint"] is True
    # The Inspector negotiates 2025-11-25 on both transports: outputSchema present.
    assert tools["count"]["outputSchema"]["required"] == ["model", "count"]


@pytest.mark.parametrize("transport", ["http", "sse"])
def test_inspector_tools_call(server, token, transport):
    called = clients.run_inspector(_url(server, transport), token, transport, "tools/call",
                                   tool_name="name_search", tool_args={"model": "res.partner", "name": "Azure"})
    result = called["result"]
    assert result["isError"] is False, result
    payload = json.loads(result["content"][0]["text"])
    assert payload == result["structuredContent"]
    assert payload["model"] == "res.partner"
    assert "Azure Interior" in [name for _id, name in payload["results"]], payload


def test_inspector_tool_error_and_bad_key(threaded_server, token):
    """A failing tool is shown as an ``isError`` result with the server's
    message; a wrong bearer makes the CLI fail."""
    called = clients.run_inspector(_url(threaded_server, "http"), token, "http", "tools/call",
                                   tool_name="count", tool_args={"model": "res.partnerr"})
    assert called["result"]["isError"] is True
    assert "res.partnerr" in called["result"]["content"][0]["text"]
    # 401 + WWW-Authenticate: Bearer makes the CLI try OAuth, which it cannot do unattended.
    with pytest.raises(clients.ClientToolError, match='"code":"auth_required"'):
        clients.run_inspector(_url(threaded_server, "http"), "mcp_wrong_token", "http", "tools/list", timeout=60)
