"""Transactions: failed tools leave nothing, concurrent writes lose nothing,
audit rows survive rollbacks."""
import threading
import time
import uuid

import pytest

from .rawmcp import RawMcp
from .reliability import check_response


def _client(server, token):
    client = RawMcp(server.url, token)
    client.initialize()
    return client


def _tool(client, name, arguments):
    response = client.request("tools/call", {"name": name, "arguments": arguments})
    body = check_response(response)
    return body["result"]


def test_create_failing_at_flush_leaves_nothing(threaded_server, token, probe):
    """A country whose 2nd nested state breaks unique(country_id, code) at
    flush: the country and the 1st state were inserted, then all rolled back."""
    tag = uuid.uuid4().hex[:6].upper()
    code = probe.value("SELECT c FROM (SELECT chr(65 + a) || chr(65 + b) AS c FROM generate_series(0, 25) a, "
                       "generate_series(0, 25) b) codes WHERE c NOT IN (SELECT code FROM res_country "
                       "WHERE code IS NOT NULL) LIMIT 1")
    before = probe.snapshot()
    result = _tool(_client(threaded_server, token), "create", {"model": "res.country", "values": {
        "name": f"Fuzzland {tag}", "code": code,
        "state_ids": [[0, 0, {"name": f"S1 {tag}", "code": "S1"}], [0, 0, {"name": f"S2 {tag}", "code": "S1"}]]}})
    assert result.get("isError"), result
    assert probe.value("SELECT count(*) FROM res_country WHERE name->>'en_US' = %s", (f"Fuzzland {tag}",)) == 0
    assert probe.value("SELECT count(*) FROM res_country_state WHERE name::text LIKE %s", (f"%{tag}%",)) == 0
    assert probe.snapshot() == before


def test_update_failing_on_second_record_leaves_first_unchanged(threaded_server, token, probe):
    """update of two currencies to the same name: the 1st UPDATE ran, the
    2nd broke unique(name); both keep their names."""
    rows = probe.query("SELECT id, name FROM res_currency ORDER BY id LIMIT 2")
    before = probe.snapshot()
    result = _tool(_client(threaded_server, token), "update", {
        "model": "res.currency", "ids": [rows[0][0], rows[1][0]], "values": {"name": "ZZQ"}})
    assert result.get("isError"), result
    assert probe.query("SELECT id, name FROM res_currency WHERE id = ANY(%s) ORDER BY id",
                       ([rows[0][0], rows[1][0]],)) == rows
    assert probe.snapshot() == before


def test_audit_row_survives_rolled_back_call(threaded_server, token, probe):
    """The failed (rolled back) tool call and a denied one still have their audit rows."""
    start = probe.max_audit_id()
    client = _client(threaded_server, token)
    result = _tool(client, "create", {"model": "res.country", "values": {
        "name": "Audit Fail", "code": None, "state_ids": [[0, 0, {"name": "A", "code": "AA"}], [0, 0, {"name": "B", "code": "AA"}]]}})
    assert result.get("isError")
    denied = client.request("tools/call", {"name": "search_read", "arguments": {"model": "res.users"}})
    assert check_response(denied)
    rows = probe.query("SELECT tool, model, outcome FROM mcp_audit_log WHERE id > %s ORDER BY id", (start,))
    assert ("create", "res.country", "error") in rows, rows
    assert any(tool == "search_read" and model == "res.users" and outcome in ("denied", "error")
               for tool, model, outcome in rows), rows
    assert probe.value("SELECT count(*) FROM res_country WHERE name->>'en_US' = 'Audit Fail'") == 0


@pytest.mark.slow
def test_concurrent_updates_of_one_record_lose_nothing(prefork_server, token, probe):
    """Two clients on the prefork server (2 workers) each link N tags to the
    same partner while rewriting its row: the row conflicts
    (serialization failures) are retried by Odoo; every call succeeds and
    all 2×N links are there, none lost."""
    n = 12
    setup = _client(prefork_server, token)
    partner = _tool(setup, "create", {"model": "res.partner", "values": {"name": "concurrency target"}})
    partner_id = partner["structuredContent"]["id"]
    tags = [_tool(setup, "create", {"model": "res.partner.category", "values": {"name": f"cc tag {uuid.uuid4().hex}"}})
            ["structuredContent"]["id"] for _ in range(2 * n)]
    errors, barrier = [], threading.Barrier(2)

    def worker(index):
        client = _client(prefork_server, token)
        barrier.wait(30)
        for i in range(n):
            tag = tags[index * n + i]
            try:
                result = _tool(client, "update", {"model": "res.partner", "ids": [partner_id], "values": {
                    "category_id": [[4, tag]], "comment": f"client {index} call {i}"}})
                if result.get("isError"):
                    errors.append(result)
            except AssertionError as exc:  # check_response failed: recorded, asserted below
                errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert time.monotonic() - started < 180
    assert not errors, errors[:3]
    linked = {row[0] for row in probe.query(
        "SELECT category_id FROM res_partner_res_partner_category_rel WHERE partner_id = %s", (partner_id,))}
    assert linked == set(tags), f"lost links: {sorted(set(tags) - linked)}"
    probe.query("DELETE FROM res_partner_res_partner_category_rel WHERE partner_id = %s", (partner_id,))
    probe.query("DELETE FROM res_partner_category WHERE id = ANY(%s)", (tags,))
    probe.query("DELETE FROM res_partner WHERE id = %s", (partner_id,))


def test_request_stamping_last_used_is_served_once(threaded_server, token, probe):
    """The first request of a key in a minute stamps the key's last use.
    That stamp must not conflict with the request's own writes: a
    serialization failure makes Odoo sleep up to 2 s and run the request
    again (two audit rows for one request). Each round forgets the stamp,
    and signals a cache clear as another Odoo process would, so that the
    server drops what its key cache remembers of the last stamp."""
    key_id = probe.value("SELECT id FROM mcp_api_key WHERE key_index = %s", (token[4:12],))
    for _round in range(3):
        probe.query("DELETE FROM mcp_key_usage WHERE key_id = %s", (key_id,))
        probe.query("SELECT nextval('base_cache_signaling_default')")
        start = probe.max_audit_id()
        log_start = threaded_server.log_size()
        started = time.monotonic()
        _tool(_client(threaded_server, token), "search_read", {"model": "res.partner", "limit": 1})
        elapsed = time.monotonic() - started
        rows = probe.query("SELECT rpc_method FROM mcp_audit_log WHERE id > %s AND key_id = %s ORDER BY id",
                           (start, key_id))
        assert rows == [("initialize",), ("tools/call",)], rows
        assert "could not serialize" not in threaded_server.log_text(since=log_start)
        assert elapsed < 5
        assert probe.value("SELECT count(*) FROM mcp_key_usage WHERE key_id = %s", (key_id,)) == 1


def test_database_error_in_a_tool_is_a_tool_error_and_is_audited(threaded_server, token, probe):
    """A value PostgreSQL refuses (a bad date in a domain) aborts the SQL
    statement: the call's savepoint rolls back, the result is a readable tool
    error, the audit row of that very request is written, the session goes on."""
    start = probe.max_audit_id()
    client = _client(threaded_server, token)
    result = _tool(client, "search_read", {"model": "res.currency.rate", "domain": [["name", "=", "not-a-date"]]})
    assert result.get("isError"), result
    assert "Invalid value" in result["content"][0]["text"] or "Invalid" in result["content"][0]["text"], result
    assert probe.query("SELECT tool, outcome FROM mcp_audit_log WHERE id > %s AND rpc_method = 'tools/call'",
                       (start,)) == [("search_read", "error")]
    assert _tool(client, "count", {"model": "res.partner"})["structuredContent"]["count"] > 0
