"""Attack suite: JSON-RPC batches against the rate limit, and the statement
timeout, through the real /mcp endpoint (and /mcp/messages).

One HTTP body of 2025-03-26 may carry many JSON-RPC messages. A batch longer
than ``max_batch_size`` is refused whole (-32600, HTTP 400); every request of
a batch counts against the key's rate limit, and a batch whose requests do
not all fit in the key's budget of the minute is refused whole (-32005, 429,
Retry-After). "Nothing ran" is checked in the database: a batch of ``create``
calls leaves no partner and no audit row of the key.

``statement_timeout_ms`` bounds every SQL statement of an MCP request: a
deliberately slow domain (an ``ilike`` over long names, ~9 s on 5,000 rows
without timeout) is cancelled after 1 s and answered as a tool error.

A dedicated threaded server runs on a copy of the e2e database with the
settings lowered (rate limit 10/min, batches of 6, timeout 1 s); each test
uses keys of its own, so their budgets do not mix.
"""
import json
import time

import pytest
import requests

from ...models.mcp_api_key import MSG_RATE_LIMITED
from ...protocol.errors import MSG_QUERY_CANCELLED
from ...protocol.jsonrpc import MSG_BATCH_TOO_LARGE
from .attack_helpers import RATE_LIMITED, client, dedicated_server, odoo_shell, sql, tool_error_text
from .sse import SseReader

RATE_LIMIT = 10
MAX_BATCH = 6
TIMEOUT_MS = 1000
INVALID_REQUEST = -32600
KEY_NAMES = ("too_large", "over_budget", "consume", "legacy", "stateless", "timeout")
#: Rows of the slow domain: 5,000 partners named "slow aaa…a<n>" (2,000 a's).
SLOW_ROWS = 5000
#: Each row costs ~1,000 × 1,000 character comparisons for this pattern
#: (PostgreSQL retries the literal run at every offset): ~9 s in all,
#: measured in psql without timeout.
SLOW_PATTERN = "a" * 1000 + "b"

SNIPPET = """
import json
params = env["ir.config_parameter"].sudo()
for name, value in %(settings)r.items():
    params.set_param("mcp_bridge." + name, str(value))
Key = env["mcp.api.key"].sudo()
admin = env.ref("base.user_admin")
tokens = {name: Key._generate_key({"name": "batches " + name, "user_id": admin.id, "scope": "write"})[1]
          for name in %(names)r}
keys = {name: Key.search([("name", "=", "batches " + name)]).id for name in %(names)r}
env.cr.commit()
print("OUT_BEGIN" + json.dumps({"tokens": tokens, "keys": keys}) + "OUT_END")
""" % {"settings": {"rate_limit_per_minute": RATE_LIMIT, "max_batch_size": MAX_BATCH,
                    "statement_timeout_ms": TIMEOUT_MS}, "names": KEY_NAMES}


@pytest.fixture(scope="module")
def limited(e2e_conf):
    """(server, keys, db): a threaded server on a copy of the e2e database
    with the lowered settings and the slow partners."""
    def prepare(conf, copy):
        keys = odoo_shell(conf, copy, SNIPPET)
        sql(copy, """
            INSERT INTO res_partner (name, complete_name, active, type, create_uid, write_uid,
                                     create_date, write_date)
            SELECT n, n, true, 'contact', 1, 1, now(), now()
              FROM (SELECT 'slow ' || repeat('a', 2000) || g AS n FROM generate_series(1, %s) g) AS names
        """, (SLOW_ROWS,))
        sql(copy, "ANALYZE res_partner")
        return keys

    with dedicated_server(e2e_conf, "batches", prepare) as (server, keys, copy):
        yield server, keys, copy


def batch_session(server, token):
    """An initialized 2025-03-26 session (the revision with batches): 1 request used."""
    mcp = client(server, token, initialize=False)
    mcp.revision = "2025-03-26"
    assert mcp.initialize()["protocolVersion"] == "2025-03-26"
    return mcp


def creates(tag, count):
    """A batch of ``count`` ``create`` calls of partners named ``<tag> <n>``."""
    return [{"jsonrpc": "2.0", "id": n, "method": "tools/call", "params": {
        "name": "create", "arguments": {"model": "res.partner", "values": {"name": f"{tag} {n}"}}}}
        for n in range(1, count + 1)]


def pings(count, first_id=1):
    return [{"jsonrpc": "2.0", "id": n, "method": "ping"} for n in range(first_id, first_id + count)]


def partners(db, tag):
    return sql(db, "SELECT count(*) FROM res_partner WHERE name LIKE %s", (f"{tag} %",))[0][0]


def key_requests(db, key_id, method=None):
    """Audit rows of the key's requests (what its rate limit counts)."""
    query = "SELECT count(*) FROM mcp_audit_log WHERE key_id = %s AND transport IS NOT NULL"
    if method:
        return sql(db, query + " AND rpc_method = %s", (key_id, method))[0][0]
    return sql(db, query, (key_id,))[0][0]


def assert_too_large(response, count):
    """HTTP 400, -32600 naming the count and the limit, id null."""
    assert response.status_code == 400, (response.status_code, response.text)
    assert response.json() == {"jsonrpc": "2.0", "id": None, "error": {
        "code": INVALID_REQUEST, "message": MSG_BATCH_TOO_LARGE % {"count": count, "limit": MAX_BATCH}}}


def assert_rate_limited(response):
    """HTTP 429 + Retry-After (1..60) + -32005 with the same hint."""
    assert response.status_code == 429, (response.status_code, response.text)
    retry = int(response.headers["Retry-After"])
    assert 1 <= retry <= 60
    assert response.json() == {"jsonrpc": "2.0", "id": None, "error": {
        "code": RATE_LIMITED, "message": MSG_RATE_LIMITED, "data": {"retryAfter": retry}}}


def test_batch_over_max_batch_size_is_refused_whole(limited):
    """7 create calls in one body (max 6) ⇒ 400 -32600 "batch of 7 … limit
    of 6"; no partner, no audit row of a call, no budget used."""
    server, keys, db = limited
    mcp = batch_session(server, keys["tokens"]["too_large"])
    tag = f"too large {time.time_ns()}"
    assert_too_large(mcp.post(creates(tag, MAX_BATCH + 1)), MAX_BATCH + 1)
    assert partners(db, tag) == 0
    assert key_requests(db, keys["keys"]["too_large"], "tools/call") == 0
    # exactly the limit runs (and the refused batch used none of the budget: 1 + 6 + 3 = 10)
    response = mcp.post(creates(tag, MAX_BATCH))
    assert response.status_code == 200, response.text
    assert [body["result"]["isError"] for body in response.json()] == [False] * MAX_BATCH
    assert partners(db, tag) == MAX_BATCH
    for _n in range(RATE_LIMIT - 1 - MAX_BATCH):
        assert mcp.request("ping").status_code == 200


def test_batch_over_remaining_budget_is_refused_whole(limited):
    """6 of 10 requests used, a batch of 5 creates ⇒ 429 + Retry-After and
    nothing ran; a batch of the 4 left runs; then the key is refused."""
    server, keys, db = limited
    mcp = batch_session(server, keys["tokens"]["over_budget"])
    for _n in range(5):
        assert mcp.request("ping").status_code == 200
    tag = f"over budget {time.time_ns()}"
    assert_rate_limited(mcp.post(creates(tag, 5)))
    assert partners(db, tag) == 0
    assert key_requests(db, keys["keys"]["over_budget"]) == 6
    response = mcp.post(creates(tag, 4))
    assert response.status_code == 200, response.text
    assert partners(db, tag) == 4
    assert_rate_limited(mcp.request("ping"))


def test_batch_inside_budget_consumes_one_per_request(limited):
    """A batch of 5 creates and a notification uses 5 of the budget (one
    audit row each): after it, 4 single requests pass and the 5th is
    refused."""
    server, keys, db = limited
    mcp = batch_session(server, keys["tokens"]["consume"])
    tag = f"consume {time.time_ns()}"
    body = creates(tag, 5) + [{"jsonrpc": "2.0", "method": "notifications/progress",
                               "params": {"progressToken": "x", "progress": 1}}]
    response = mcp.post(body)
    assert response.status_code == 200, response.text
    assert sorted(answer["id"] for answer in response.json()) == [1, 2, 3, 4, 5]
    assert partners(db, tag) == 5
    assert key_requests(db, keys["keys"]["consume"], "tools/call") == 5
    for _n in range(RATE_LIMIT - 1 - 5):
        assert mcp.request("ping").status_code == 200
    assert_rate_limited(mcp.request("ping"))


def test_legacy_messages_batch_follows_the_same_rules(limited):
    """/mcp/messages of a legacy session initialized with 2025-03-26 (which
    has batches): too long ⇒ 400, over the budget ⇒ 429, nothing ran."""
    server, keys, db = limited
    token = keys["tokens"]["legacy"]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    stream = requests.get(server.url + "/mcp/sse", stream=True, timeout=30,
                          headers={"Authorization": f"Bearer {token}", "Accept": "text/event-stream"})
    assert stream.status_code == 200, stream.text
    reader = SseReader(stream)
    try:
        url = server.url + reader.next()["data"]

        def post(body):
            return requests.post(url, data=json.dumps(body), headers=headers, timeout=30)

        init = {"jsonrpc": "2.0", "id": 100, "method": "initialize", "params": {
            "protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "legacy", "version": "1"}}}
        assert post(init).status_code == 202
        assert reader.next_message()["result"]["protocolVersion"] == "2025-03-26"
        tag = f"legacy {time.time_ns()}"
        assert_too_large(post(creates(tag, MAX_BATCH + 1)), MAX_BATCH + 1)
        assert post(pings(4, first_id=200)).status_code == 202  # 1 + 4 used
        assert sorted(reader.next_message()["id"] for _n in range(4)) == [200, 201, 202, 203]
        assert_rate_limited(post(creates(tag, 6)))
        assert partners(db, tag) == 0
        assert key_requests(db, keys["keys"]["legacy"], "tools/call") == 0
    finally:
        reader.close()


def test_stateless_revision_has_no_batches(limited):
    """2026-07-28 (no session): a JSON array body ⇒ 400 -32600, nothing ran."""
    server, keys, db = limited
    mcp = client(server, keys["tokens"]["stateless"], initialize=False)
    tag = f"stateless {time.time_ns()}"
    response = mcp.post(creates(tag, 2), mcp.headers(MCP_Protocol_Version="2026-07-28", Mcp_Method="tools/call"))
    assert response.status_code == 400, response.text
    assert response.json() == {"jsonrpc": "2.0", "id": None, "error": {
        "code": INVALID_REQUEST,
        "message": "Invalid Request: JSON-RPC batches are not supported in protocol revision 2026-07-28"}}
    assert partners(db, tag) == 0


def test_slow_domain_is_cancelled_by_the_statement_timeout(limited):
    """An ilike that takes ~9 s ⇒ the tool answers "took too long" after
    ~1 s; the audit row is written; the session keeps working and the next
    request is fast."""
    server, keys, db = limited
    mcp = client(server, keys["tokens"]["timeout"])
    started = time.monotonic()
    body = mcp.request("tools/call", {"name": "count", "arguments": {
        "model": "res.partner", "domain": [["name", "ilike", SLOW_PATTERN]]}}).json()
    elapsed = time.monotonic() - started
    assert tool_error_text(body) == MSG_QUERY_CANCELLED
    assert TIMEOUT_MS / 1000 <= elapsed < TIMEOUT_MS / 1000 + 3, elapsed
    rows = sql(db, "SELECT outcome, tool, duration_ms FROM mcp_audit_log WHERE key_id = %s AND rpc_method = "
                   "'tools/call' ORDER BY id DESC LIMIT 1", (keys["keys"]["timeout"],))
    assert rows and rows[0][:2] == ("error", "count") and rows[0][2] >= TIMEOUT_MS, rows
    assert mcp.request("ping").json()["result"] == {}
    started = time.monotonic()
    result = mcp.tool("count", {"model": "res.partner", "domain": [["name", "=like", "slow a%"]]})
    assert result["structuredContent"]["count"] == SLOW_ROWS
    assert time.monotonic() - started < 1.5, time.monotonic() - started
