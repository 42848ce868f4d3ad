"""Two approvers press *Approve* on the same request at the same time
(issue 18): the write runs once.

Through a real threaded server, as the web client does it
(``/web/dataset/call_button``, one browser session per approver). To make the
two presses overlap for sure, the test holds a lock on the ``mcp_approval``
table while both are sent, and lets them go together once both wait on it:
both requests have then started their transactions and seen the request
pending. ``action_approve`` locks the request's row (``SELECT … FOR
UPDATE``): the second press waits for the first, then (Odoo's retry of the
serialization failure) finds the request decided. Without the row lock both
would run the tool; the database would roll one back, but the audit log
would keep the second approval too (its rows survive a rollback).
"""
import threading
import uuid

import psycopg2
import requests

from .attack_helpers import client, e2e_db, tool_ok, tool_raw
from .reliability import DbProbe, db_params, wait_until

ALREADY_DECIDED = "This request was already decided."


def _approver_session(server, login, password):
    """A logged-in browser session of an approver."""
    http = requests.Session()
    response = http.post(server.url + "/web/session/authenticate", json={"jsonrpc": "2.0", "params": {
        "db": e2e_db(), "login": login, "password": password}}, timeout=30)
    assert response.json().get("result", {}).get("uid"), response.text
    return http


def _press_approve(http, server, approval_id):
    """The web client's call of the form's Approve button: the JSON-RPC body."""
    return http.post(server.url + "/web/dataset/call_button/mcp.approval/action_approve", json={
        "jsonrpc": "2.0", "id": 1, "method": "call", "params": {
            "model": "mcp.approval", "method": "action_approve", "args": [[approval_id]], "kwargs": {}}},
        timeout=120).json()


def _waiting_on_locks(probe):
    return probe.value("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' "
                       "AND query ILIKE '%%mcp_approval%%'", (probe.db,))


def test_two_approvers_at_once_write_once(threaded_server, e2e_conf, e2e_keys):
    conf, db = e2e_conf
    name = f"Approved once {uuid.uuid4().hex[:8]}"
    agent = client(threaded_server, e2e_keys["tokens"]["approve_write"])
    pending = tool_ok(tool_raw(agent, "create", {"model": "res.partner", "values": {"name": name}}))
    approval_id = pending["approval"]["id"]
    approvers = [_approver_session(threaded_server, **e2e_keys["key_manager"]) for _i in range(2)]
    probe = DbProbe(conf, db)
    audit_before = probe.max_audit_id()

    blocker = psycopg2.connect(**db_params(conf, db))
    answers = [None, None]
    threads = []
    try:
        with blocker.cursor() as cr:
            cr.execute("LOCK TABLE mcp_approval IN ACCESS EXCLUSIVE MODE")

        def press(index):
            answers[index] = _press_approve(approvers[index], threaded_server, approval_id)

        threads = [threading.Thread(target=press, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        assert wait_until(lambda: _waiting_on_locks(probe) == 2, timeout=30), "both presses should wait"
    finally:
        blocker.rollback()  # both go on together
        blocker.close()
    for thread in threads:
        thread.join(timeout=120)

    successes = [a for a in answers if "result" in a]
    refusals = [a for a in answers if "error" in a]
    assert len(successes) == 1 and len(refusals) == 1, answers
    assert successes[0]["result"]["params"]["type"] == "success", successes
    error = refusals[0]["error"]["data"]
    assert (error["name"], error["message"]) == ("odoo.exceptions.UserError", ALREADY_DECIDED), error

    assert probe.value("SELECT count(*) FROM res_partner WHERE name = %s", (name,)) == 1
    assert probe.value("SELECT state FROM mcp_approval WHERE id = %s", (approval_id,)) == "done"
    audited = probe.query("SELECT rpc_method, tool FROM mcp_audit_log WHERE id > %s AND rpc_method IN "
                          "('approval/approve', 'tools/call') ORDER BY id", (audit_before,))
    assert audited == [("approval/approve", "create"), ("tools/call", "create")], audited
    assert not any(thread.is_alive() for thread in threads)
    probe.close()
