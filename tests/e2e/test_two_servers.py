"""Two Odoo server processes on one database, as behind a load balancer:
whichever server a request lands on, sessions, legacy streams, key
revocations, the rate limit's count and the lockout of an address are the
same (all of it lives in PostgreSQL; streams are woken by its NOTIFY)."""
import json
import os

import pytest
import requests

from ...models.mcp_api_key import MSG_LOCKED_OUT
from .attack_helpers import post_initialize
from .harness import OdooServer, shell_json
from .rawmcp import RawMcp
from .sse import SseReader
from .test_attacks_auth import assert_rate_limited, assert_unauthorized
from .test_key_changes import OdooRpc

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2024-11-05", "capabilities": {}, "clientInfo": {"name": "two-servers", "version": "0"}}}


@pytest.fixture(scope="module")
def servers(e2e_conf):
    """Server A (threaded) and server B (prefork, 2 workers + gevent)."""
    conf, db = e2e_conf
    first = OdooServer(conf, db, workers=0).start()
    try:
        second = OdooServer(conf, db, workers=2).start()
    except Exception:
        first.stop()
        raise
    yield first, second
    second.stop()
    first.stop()


def test_session_made_on_one_is_served_by_the_other(servers, token):
    first, second = servers
    client = RawMcp(first.url, token)
    client.initialize()
    client.url = second.url + "/mcp"
    assert client.call("tools/list")["tools"]
    assert "count" in client.tool("count", {"model": "res.partner"})["structuredContent"]
    client.url = first.url + "/mcp"
    assert client.http.delete(client.url, headers=client.headers(), timeout=10).status_code == 204
    client.url = second.url + "/mcp"
    gone = client.request("ping")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == -32004


def test_legacy_stream_on_one_gets_answers_posted_to_the_other(servers, token):
    first, second = servers
    response = requests.get(first.stream_url + "/mcp/sse", stream=True, timeout=30,
                            headers={"Authorization": f"Bearer {token}", "Accept": "text/event-stream"})
    assert response.status_code == 200, response.text
    reader = SseReader(response)
    try:
        endpoint = reader.next()
        assert endpoint["event"] == "endpoint"
        posted = requests.post(second.url + endpoint["data"], data=json.dumps(INIT), timeout=10,
                               headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        assert posted.status_code == 202, posted.text
        answer = reader.next_message()
        assert answer["id"] == 1 and answer["result"]["protocolVersion"] == "2024-11-05"
    finally:
        reader.close()


def test_key_revoked_on_one_is_refused_by_the_other_at_once(e2e_conf, servers, e2e_keys):
    conf, db = e2e_conf
    first, second = servers
    spare = shell_json(conf, db, os.path.join(os.path.dirname(__file__), "make_spare_key.py"))
    for server in (first, second, second, second):  # every server (and worker) caches the key's state
        assert RawMcp(server.url, spare["token"]).initialize()
    OdooRpc(first, db, **e2e_keys["key_manager"]).execute("mcp.api.key", "action_revoke", [spare["key_id"]])
    for server in (second, second, second, first):
        refused = RawMcp(server.url, spare["token"]).post(dict(INIT, params=dict(
            INIT["params"], protocolVersion="2025-06-18")))
        assert refused.status_code == 401 and refused.json()["error"]["code"] == -32001, refused.text


def _spare_key(conf, db, settings=None):
    """A fresh write key; ``settings`` ({setting: value}) are set first."""
    script = os.path.join(os.path.dirname(__file__), "make_spare_key.py")
    if not settings:
        return shell_json(conf, db, script)
    os.environ["MCP_SETTINGS"] = json.dumps(settings)
    try:
        return shell_json(conf, db, script)
    finally:
        del os.environ["MCP_SETTINGS"]


def test_rate_limit_counts_the_requests_of_both_servers(e2e_conf, servers):
    """A key's budget of the minute is one budget: its requests on either
    server count (the audit rows in PostgreSQL are the count)."""
    conf, db = e2e_conf
    first, second = servers
    limit = 6
    spare = _spare_key(conf, db, {"rate_limit_per_minute": limit})
    try:
        statuses = [RawMcp(server.url, spare["token"]).post(dict(INIT, params=dict(
            INIT["params"], protocolVersion="2025-06-18"))).status_code
            for server in [first, second] * (limit // 2 + 2)]
    finally:
        _spare_key(conf, db, {"rate_limit_per_minute": 100000})  # the e2e database's setting (make_keys.py)
    assert statuses == [200] * limit + [429] * 4, statuses


def test_address_locked_out_on_one_is_refused_by_the_other(e2e_conf, servers):
    """Wrong secrets sent to server A lock the client address out: server B
    (each of its workers) refuses that address's next requests, even with a
    good key, with the lockout's 429; another address is served."""
    conf, db = e2e_conf
    first, second = servers
    ip, other = "127.0.0.240", "127.0.0.241"  # no other test of the e2e database uses them
    spare = _spare_key(conf, db, {"lockout_threshold": 3, "lockout_duration": 20})
    try:
        for _attempt in range(3):
            assert_unauthorized(post_initialize(first, "mcp_0000000bad" + "x" * 43, ip))
        for server in (second, second, second, first):
            assert_rate_limited(post_initialize(server, spare["token"], ip), MSG_LOCKED_OUT, 20)
        assert post_initialize(second, spare["token"], other).status_code == 200
    finally:
        # the e2e database's settings (make_keys.py; the duration's default)
        _spare_key(conf, db, {"lockout_threshold": 10000, "lockout_duration": 900})
