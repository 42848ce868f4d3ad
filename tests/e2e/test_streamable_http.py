"""Streamable HTTP on /mcp against real Odoo servers (threaded and prefork):
every row of the endpoint table and every HTTP-level error, per revision."""
import json
import time

import pytest
import requests

from ...protocol.revisions import LATEST_HANDSHAKE, REVISIONS
from .rawmcp import RawMcp
from .sse import SseReader

SESSION_REVISIONS = [r for r in REVISIONS if r != "2026-07-28"]


@pytest.fixture
def mcp(server, token):
    client = RawMcp(server.url, token)
    client.initialize()
    return client


@pytest.mark.parametrize("revision", SESSION_REVISIONS)
def test_initialize_negotiates_each_revision(server, token, revision):
    client = RawMcp(server.url, token, revision)
    result = client.initialize(revision)
    assert result["protocolVersion"] == revision
    assert result["serverInfo"]["name"]
    assert "tools" in result["capabilities"]
    assert client.session_id and len(client.session_id) >= 32
    assert client.call("ping") == {}
    tools = client.call("tools/list")["tools"]
    assert {"search_read", "count", "list_models"} <= {t["name"] for t in tools}


def test_unknown_revision_gets_latest_handshake_revision(server, token):
    client = RawMcp(server.url, token)
    assert client.initialize("1999-01-01")["protocolVersion"] == LATEST_HANDSHAKE


def test_notification_is_202_without_body(mcp):
    response = mcp.notify("notifications/initialized")
    assert response.status_code == 202
    assert response.content == b""


def test_missing_session_is_400_unknown_is_404(server, token, mcp):
    anonymous = RawMcp(server.url, token)
    response = anonymous.request("ping")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32600
    anonymous.session_id = "not-a-session"
    response = anonymous.request("ping")
    assert response.status_code == 404
    assert response.json()["error"] == {"code": -32004, "message": "Session not found or expired"}


def test_session_of_another_key_is_404(server, e2e_keys, mcp):
    other = RawMcp(server.url, e2e_keys["tokens"]["other_admin"])
    other.session_id = mcp.session_id
    assert other.request("ping").status_code == 404


def test_unsupported_protocol_version_header_is_400(mcp):
    response = mcp.request("ping", MCP_Protocol_Version="2000-01-01")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == -32022
    assert error["data"]["requested"] == "2000-01-01"
    # Another *supported* revision than the negotiated one is served (the
    # conformance suite's server-sse-multiple-streams posts 2025-03-26 on a
    # 2025-11-25 session; the spec refuses only invalid/unsupported values).
    assert mcp.request("ping", MCP_Protocol_Version="2025-03-26").status_code == 200


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer mcp_wrong", "Basic YWRtaW46YWRtaW4="])
def test_bad_or_missing_key_is_401(server, authorization):
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if authorization:
        headers["Authorization"] = authorization
    response = requests.post(server.url + "/mcp", headers=headers, timeout=10,
                             data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {"jsonrpc": "2.0", "id": None,
                               "error": {"code": -32001, "message": "Invalid or expired API key"}}


def test_bad_origin_is_403(mcp):
    response = mcp.request("ping", Origin="http://evil.example")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Origin not allowed"


def test_loopback_origin_is_accepted_rebinding_host_is_not(mcp):
    assert mcp.request("ping", Origin=mcp.base).status_code == 200
    # DNS rebinding: the attacker's page controls both Host and Origin.
    response = mcp.request("ping", Origin="http://evil.example.com", Host="evil.example.com")
    assert response.status_code == 403


def test_body_over_limit_is_413(mcp):
    raw = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"pad": "x" * (2 << 20)}})
    response = mcp.post(None, raw=raw)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == -32600


def test_non_json_content_type_is_415(mcp):
    response = mcp.post(None, headers=mcp.headers(Content_Type="text/plain"), raw="ping")
    assert response.status_code == 415


def test_accept_fitting_nothing_is_406(mcp):
    response = mcp.request("ping", Accept="text/html")
    assert response.status_code == 406


def test_parse_error_and_invalid_request_have_null_id(mcp):
    response = mcp.post(None, raw=b"{not json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32700
    assert response.json()["id"] is None
    response = mcp.post({"jsonrpc": "1.0", "id": 5, "method": "ping"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32600
    assert response.json()["id"] is None


def test_unknown_method_is_32601(mcp):
    body = mcp.request("no/such/method").json()
    assert body["error"]["code"] == -32601


def test_batches_only_in_2025_03_26(server, token):
    old = RawMcp(server.url, token, "2025-03-26")
    old.initialize()
    batch = [{"jsonrpc": "2.0", "id": 1, "method": "ping"}, {"jsonrpc": "2.0", "id": 2, "method": "ping"}]
    response = old.post(batch)
    assert response.status_code == 200
    assert sorted(r["id"] for r in response.json()) == [1, 2]
    new = RawMcp(server.url, token, "2025-06-18")
    new.initialize()
    response = new.post(batch)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32600


def test_sse_answer_when_client_accepts_only_sse(mcp):
    response = mcp.request("ping", Accept="text/event-stream")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    data = [line[5:].strip() for line in response.text.splitlines() if line.startswith("data:")]
    assert json.loads(data[0])["result"] == {}


def test_delete_ends_session(mcp):
    response = mcp.http.delete(mcp.url, headers=mcp.headers(), timeout=10)
    assert response.status_code == 204
    assert mcp.request("ping").status_code == 404
    assert mcp.http.delete(mcp.url, headers=mcp.headers(), timeout=10).status_code == 404


def test_other_http_methods_are_405(mcp):
    response = mcp.http.put(mcp.url, headers=mcp.headers(), timeout=10)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_cors_preflight_allows_only_allowed_origins(server):
    good = requests.options(server.url + "/mcp", timeout=10, headers={
        "Origin": "http://allowed.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, mcp-session-id"})
    assert good.status_code == 204
    assert good.headers["Access-Control-Allow-Origin"] == "http://allowed.example"
    allowed = good.headers["Access-Control-Allow-Headers"]
    for header in ("Authorization", "Content-Type", "Mcp-Session-Id", "MCP-Protocol-Version", "Last-Event-ID"):
        assert header in allowed
    assert "Mcp-Session-Id" in good.headers["Access-Control-Expose-Headers"]
    bad = requests.options(server.url + "/mcp", timeout=10, headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    assert bad.status_code == 403
    assert "Access-Control-Allow-Origin" not in bad.headers


def test_get_stream_threaded(threaded_server, token):
    client = RawMcp(threaded_server.url, token)
    client.initialize()
    response = client.http.get(client.url, headers=client.headers(Accept="text/event-stream"),
                               stream=True, timeout=30)
    try:
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/event-stream")
    finally:
        response.close()


def test_get_stream_prefork_on_gevent_port_only(prefork_server, token):
    client = RawMcp(prefork_server.url, token)
    client.initialize()
    on_worker = client.http.get(client.url, headers=client.headers(Accept="text/event-stream"), timeout=10)
    assert on_worker.status_code == 405
    response = client.http.get(prefork_server.stream_url + "/mcp",
                               headers=client.headers(Accept="text/event-stream"), stream=True, timeout=30)
    try:
        assert response.status_code == 200
    finally:
        response.close()


def test_stateless_2026_07_28_needs_no_session(server, token):
    client = RawMcp(server.url, token, revision=None)
    headers = client.headers(MCP_Protocol_Version="2026-07-28", Mcp_Method="tools/list")
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list",
            "params": {"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                                 "io.modelcontextprotocol/clientCapabilities": {}}}}
    response = client.post(body, headers)
    assert response.status_code == 200, response.text
    assert response.json()["result"]["tools"]
    assert "Mcp-Session-Id" not in response.headers
    mismatch = client.post(body, client.headers(MCP_Protocol_Version="2026-07-28", Mcp_Method="ping"))
    assert mismatch.status_code == 400


def test_tool_call_roundtrip(mcp):
    result = mcp.tool("count", {"model": "res.partner", "domain": []})
    assert result["isError"] is False
    assert result["structuredContent"]["count"] >= 1
    assert json.loads(result["content"][0]["text"]) == result["structuredContent"]


def test_legacy_sse_roundtrip(server, token):
    http = requests.Session()
    auth = {"Authorization": f"Bearer {token}"}
    stream = http.get(server.stream_url + "/mcp/sse", headers=dict(auth, Accept="text/event-stream"),
                      stream=True, timeout=30)
    assert stream.status_code == 200
    assert stream.headers["Deprecation"] == "true"
    reader = SseReader(stream)
    try:
        endpoint = reader.next()
        assert endpoint["event"] == "endpoint"
        assert endpoint["data"].startswith("/mcp/messages?session_id=")
        # Post on the main port: in prefork mode a worker, not the stream's gevent process.
        post = http.post(server.url + endpoint["data"], headers=dict(auth, **{"Content-Type": "application/json"}),
                         timeout=10, data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                             "protocolVersion": "2024-11-05", "capabilities": {},
                             "clientInfo": {"name": "raw", "version": "0"}}}))
        assert post.status_code == 202
        message = reader.next_message()
        assert message["id"] == 1
        assert message["result"]["protocolVersion"] == "2024-11-05"
        http.post(server.url + endpoint["data"], headers=dict(auth, **{"Content-Type": "application/json"}),
                  timeout=10, data=json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}))
        assert {"count"} <= {t["name"] for t in reader.next_message()["result"]["tools"]}
    finally:
        reader.close()


def test_legacy_messages_of_unknown_session_is_404(server, token):
    response = requests.post(server.url + "/mcp/messages?session_id=nope", timeout=10,
                             headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                             data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}))
    assert response.status_code == 404


# -- 2026-07-28 stateless envelope ---------------------------------------------
STATELESS = "2026-07-28"
META = {"io.modelcontextprotocol/protocolVersion": STATELESS,
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "rawmcp", "version": "1.0"}}


def _stateless(server, token, method, params=None, meta=META, headers=None, msg_id=7):
    """POST one 2026-07-28 request (no session) with matching routing headers
    unless ``headers`` overrides them (a value of None drops a header)."""
    client = RawMcp(server.url, token, revision=None)
    params = dict(params or {})
    if meta is not None:
        params["_meta"] = meta
    all_headers = {"MCP-Protocol-Version": STATELESS, "Mcp-Method": method}
    name = params.get("uri") if method == "resources/read" else params.get("name")
    if method in ("tools/call", "prompts/get", "resources/read") and name is not None:
        all_headers["Mcp-Name"] = name
    all_headers.update(headers or {})
    body = {"jsonrpc": "2.0", "method": method, "params": params}
    if msg_id is not None:
        body["id"] = msg_id
    base = client.headers()
    base.update({k: v for k, v in all_headers.items() if v is not None})
    return client.post(body, base)


def test_stateless_results_carry_result_type_and_cache_hints(server, token):
    response = _stateless(server, token, "tools/list")
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert result["resultType"] == "complete"
    assert result["ttlMs"] == 0 and result["cacheScope"] == "private"
    assert result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "odoo-mcp-bridge"
    for method in ("resources/list", "resources/templates/list", "prompts/list"):
        result = _stateless(server, token, method).json()["result"]
        assert (result["resultType"], result["ttlMs"], result["cacheScope"]) == ("complete", 0, "private"), method
    discover = _stateless(server, token, "server/discover").json()["result"]
    assert discover["cacheScope"] == "public" and discover["supportedVersions"][0] == STATELESS
    call = _stateless(server, token, "tools/call", {"name": "count", "arguments": {"model": "res.partner"}})
    assert call.status_code == 200, call.text
    result = call.json()["result"]
    assert result["resultType"] == "complete" and result["isError"] is False
    assert "ttlMs" not in result and "cacheScope" not in result
    assert "Mcp-Session-Id" not in call.headers


def test_stateless_meta_fields_are_required(server, token):
    response = _stateless(server, token, "tools/list", meta=None)
    assert response.status_code == 400
    body = response.json()
    assert body["id"] == 7
    assert body["error"]["code"] == -32602
    assert "params._meta must be an object" in body["error"]["message"]
    response = _stateless(server, token, "tools/list",
                          meta={"io.modelcontextprotocol/protocolVersion": STATELESS})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": -32602,
        "message": "params._meta is missing required field(s): io.modelcontextprotocol/clientCapabilities"}


def test_stateless_headers_must_mirror_the_body(server, token):
    params = {"name": "count", "arguments": {"model": "res.partner"}}
    cases = {
        "Mcp-Method": {"Mcp-Method": "tools/list"},
        "missing Mcp-Method": {"Mcp-Method": None},
        "Mcp-Name": {"Mcp-Name": "search_read"},
        "missing Mcp-Name": {"Mcp-Name": None},
        "missing MCP-Protocol-Version": {"MCP-Protocol-Version": None},
    }
    for label, headers in cases.items():
        response = _stateless(server, token, "tools/call", params, headers=headers)
        assert response.status_code == 400, label
        error = response.json()["error"]
        assert error["code"] == -32020, (label, error)
        assert error["message"].startswith("Header mismatch: "), label
    # Mcp-Name may be base64-encoded (=?base64?…?=).
    response = _stateless(server, token, "tools/call", params, headers={"Mcp-Name": "=?base64?Y291bnQ=?="})
    assert response.status_code == 200, response.text
    # The _meta version must equal the header's.
    response = _stateless(server, token, "tools/list",
                          meta=dict(META, **{"io.modelcontextprotocol/protocolVersion": "2025-11-25"}))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32020


def test_stateless_unsupported_version_is_32022(server, token):
    response = _stateless(server, token, "tools/list", headers={"MCP-Protocol-Version": "2099-01-01"},
                          meta=dict(META, **{"io.modelcontextprotocol/protocolVersion": "2099-01-01"}))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == -32022
    assert error["data"]["requested"] == "2099-01-01"
    assert error["data"]["supported"][0] == STATELESS


def test_stateless_unknown_or_removed_method_is_404(server, token):
    for method in ("no/such/method", "ping", "logging/setLevel"):
        response = _stateless(server, token, method)
        assert response.status_code == 404, (method, response.text)
        assert response.json() == {"jsonrpc": "2.0", "id": 7,
                                   "error": {"code": -32601, "message": f"Method not found: {method}"}}


def test_stateless_errors_use_the_status_table(server, token):
    # Unknown tool: -32602 travels with HTTP 400 in 2026-07-28.
    response = _stateless(server, token, "tools/call", {"name": "nope", "arguments": {}})
    assert response.status_code == 400
    assert response.json()["error"] == {"code": -32602, "message": "Unknown tool: nope"}
    # A missing record is -32602 (not -32002) in 2026-07-28.
    uri = "odoo://record/res.partner/999999999"
    response = _stateless(server, token, "resources/read", {"uri": uri})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32602


def test_stateless_notification_is_202(server, token):
    response = _stateless(server, token, "notifications/cancelled", {"requestId": 1}, msg_id=None)
    assert response.status_code == 202
    assert response.content == b""


def test_stateless_client_get_and_delete_are_405(server, token):
    headers = {"Authorization": f"Bearer {token}", "MCP-Protocol-Version": STATELESS,
               "Accept": "text/event-stream"}
    for method in ("GET", "DELETE"):
        response = requests.request(method, server.stream_url + "/mcp", headers=headers, timeout=10)
        assert response.status_code == 405, method
        assert response.headers["Allow"] == "POST"


def test_legacy_sse_delivery_across_workers_is_prompt(prefork_server, token):
    """Prefork: the stream lives on the gevent process, the POSTs land on the
    HTTP workers; each answer reaches the stream through PostgreSQL
    NOTIFY within 2 s (worst case printed: the protocol issue records it)."""
    http = requests.Session()
    auth = {"Authorization": f"Bearer {token}"}
    stream = http.get(prefork_server.stream_url + "/mcp/sse", headers=dict(auth, Accept="text/event-stream"),
                      stream=True, timeout=30)
    reader = SseReader(stream)
    try:
        endpoint = reader.next()["data"]
        post_headers = dict(auth, **{"Content-Type": "application/json"})
        delays = []
        for msg_id in range(1, 11):
            started = time.monotonic()
            post = http.post(prefork_server.url + endpoint, headers=post_headers, timeout=10,
                             data=json.dumps({"jsonrpc": "2.0", "id": msg_id, "method": "ping"}))
            assert post.status_code == 202
            message = reader.next_message(timeout=10)
            delays.append(time.monotonic() - started)
            assert message == {"jsonrpc": "2.0", "id": msg_id, "result": {}}
    finally:
        reader.close()
    print("legacy SSE delivery across workers: worst %.3fs, median %.3fs over %d"  # noqa: T201
          % (max(delays), sorted(delays)[len(delays) // 2], len(delays)))
    assert max(delays) < 2.0, delays
