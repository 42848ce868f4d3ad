"""A real PostgreSQL streaming replica (``scripts/pg.sh replica start``:
``pg_basebackup -R`` of the test cluster, hot standby on a free loopback
port) behind an Odoo server started with ``--db_replica_host`` /
``--db_replica_port``: read requests are served by the replica, writes by
the primary, the bookkeeping of read requests lands on the primary, a key
reads its own writes (and a new session is served) while the replica lags,
and a replica that goes away leaves the server working on the primary."""
import os
import subprocess
import time
import uuid

import psycopg2
import pytest

from .harness import OdooServer
from .rawmcp import RawMcp
from .reliability import check_response, db_params

READS = 12
#: seconds a token's reads stay on the primary after its last primary
#: request (services/recent_writes.py ``WINDOW``)
WINDOW = 2.0
#: seconds after which an idle PostgreSQL backend has flushed its statistics
STATS_IDLE_FLUSH = 11
#: Odoo's WARNING when a request refused by the replica runs again on the primary
RETRY_LINE = "retrying with a read/write cursor"


def _pg(*args):
    repo = os.environ.get("MCP_REPO") or os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
    return subprocess.run([os.path.join(repo, "scripts", "pg.sh"), *args], check=True,
                          capture_output=True, text=True, timeout=300).stdout


@pytest.fixture(scope="module")
def replica_port(e2e_conf, e2e_credentials):
    """A fresh streaming replica of the cluster (made after the keys exist)."""
    if os.environ.get("MCP_DB_HOST"):
        pytest.skip("the replica is made from the private cluster (MCP_DB_HOST is set)")
    out = _pg("replica", "start")
    port = int(out.strip().rsplit("=", 1)[1])
    yield port
    _pg("replica", "stop")


def _replica_args(port):
    return ["--db_replica_host", "127.0.0.1", "--db_replica_port", str(port)]


@pytest.fixture(scope="module")
def replica_server(e2e_conf, replica_port):
    conf, db = e2e_conf
    server = OdooServer(conf, db, workers=2, extra_args=_replica_args(replica_port)).start()
    yield server
    server.stop()


#: scans of res_partner (search_read's table) run by one PostgreSQL server
PARTNER_SCANS = ("SELECT COALESCE(seq_scan, 0) + COALESCE(idx_scan, 0) FROM pg_stat_user_tables "
                 "WHERE relname = 'res_partner'")
TRANSACTIONS = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"


class ReplicaProbe:
    """Statistics of the test database on the replica (a new connection each
    time: a standby's statistics snapshot is per transaction)."""

    def __init__(self, conf, db, port):
        self.params = dict(db_params(conf, db), port=port)

    def value(self, sql, params=None):
        cnx = psycopg2.connect(**self.params)
        try:
            with cnx.cursor() as cr:
                cr.execute("SELECT pg_is_in_recovery()")
                assert cr.fetchone()[0], "the replica is not a standby"
                cr.execute(sql, params)
                return cr.fetchone()[0]
        finally:
            cnx.close()

    def partner_scans(self):
        return self.value(PARTNER_SCANS)

    def transactions(self):
        return self.value(TRANSACTIONS)


def _growing(read, before, at_least, timeout=10):
    """The counter ``read()`` once it grew by ``at_least`` (statistics are
    flushed about once a second)."""
    deadline = time.monotonic() + timeout
    while True:
        now = read()
        if now - before >= at_least or time.monotonic() > deadline:
            return now
        time.sleep(0.3)


def _audit_rows(probe, key_name):
    return probe.value("SELECT count(*) FROM mcp_audit_log a JOIN mcp_api_key k ON k.id = a.key_id "
                       "WHERE k.name = %s", (key_name,))


#: the name of the ``token`` fixture's key (make_keys.py)
KEY_NAME = "e2e admin_write"


def test_reads_on_the_replica_writes_on_the_primary(e2e_conf, replica_port, replica_server, token, probe):
    """initialize (primary), read tools and lists (replica), a write tool
    (primary): all answered, audit rows of every call on the primary, no
    retry on a read/write cursor in the log."""
    conf, db = e2e_conf
    on_replica = ReplicaProbe(conf, db, replica_port)
    since = replica_server.log_size()
    client = RawMcp(replica_server.url, token)
    client.initialize()  # before the fix: HTTP 500 (the audit INSERT on a read-only transaction)
    audit_before = _audit_rows(probe, KEY_NAME)
    # the key's reads are back on the replica (initialize ran on the primary:
    # read-your-writes), and the statistics of what ran before are flushed: an
    # idle backend flushes its pending counts after 10 s (PostgreSQL 15+'s
    # PGSTAT_IDLE_INTERVAL), else they would be counted with the reads below
    time.sleep(max(WINDOW + 0.5, STATS_IDLE_FLUSH))
    scans_before = (on_replica.partner_scans(), probe.value(PARTNER_SCANS))
    xact_before = (on_replica.transactions(), probe.value(TRANSACTIONS))
    for _ in range(READS // 2):
        result = client.tool("search_read", {"model": "res.partner", "fields": ["name"], "limit": 3})
        assert not result.get("isError"), result
        assert client.call("tools/list")["tools"]
    # the replica ran the searches (before the fix: only Odoo's route matching, the primary the rest)
    replica_scans = _growing(on_replica.partner_scans, scans_before[0], READS // 2) - scans_before[0]
    primary_scans = probe.value(PARTNER_SCANS) - scans_before[1]
    xact = (on_replica.transactions() - xact_before[0], probe.value(TRANSACTIONS) - xact_before[1])
    print(f"\n{READS} reads: res_partner scans replica {replica_scans} / primary {primary_scans}; "
          f"transactions replica {xact[0]} / primary {xact[1]}")
    assert replica_scans >= READS // 2 and primary_scans < READS // 2, (replica_scans, primary_scans)
    # the primary has the audit row of each of them
    assert _audit_rows(probe, KEY_NAME) - audit_before == READS

    tag = f"Replica {uuid.uuid4().hex[:8]}"
    created = client.tool("create", {"model": "res.partner", "values": {"name": tag}})
    assert not created.get("isError"), created
    assert probe.value("SELECT count(*) FROM res_partner WHERE name = %s", (tag,)) == 1

    batcher = RawMcp(replica_server.url, token, revision="2025-03-26")  # the last revision with batches
    batcher.initialize()
    batch = batcher.post([{"jsonrpc": "2.0", "id": 901, "method": "ping"},
                          {"jsonrpc": "2.0", "id": 902, "method": "tools/list"}])
    assert batch.status_code == 200 and {r["id"] for r in batch.json()} == {901, 902}
    health = client.http.get(replica_server.url + "/mcp/health", timeout=10).json()
    assert health["database"]["replica"] == "in use" and health["audit"]["write_failures"] == 0
    text = replica_server.log_text(since)
    assert RETRY_LINE not in text and "MCP audit: could not write" not in text, text


def test_session_made_an_instant_ago_is_found(replica_server, token):
    """A read right after initialize: the replica may not have replayed the
    new session yet; the request runs on the primary from the start."""
    since = replica_server.log_size()
    for _ in range(5):
        client = RawMcp(replica_server.url, token)
        client.initialize()
        check_response(client.request("ping"))
    assert RETRY_LINE not in replica_server.log_text(since)


def _name_of(client, partner_id):
    result = client.tool("search_read", {"model": "res.partner", "domain": [["id", "=", partner_id]],
                                         "fields": ["name"]})
    assert not result.get("isError"), result
    return result["structuredContent"]["records"][0]["name"]


def _until(check, timeout=20):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_a_key_reads_its_own_writes_while_the_replica_lags(e2e_conf, replica_port, replica_server, e2e_keys):
    """With the standby's replay paused: a key's update then its immediate
    read returns the new value (the primary), another key's read of the
    record returns the old one (the replica, which has not replayed the
    write), and a session opened meanwhile is served from its first request
    without Odoo's retry on a read/write cursor."""
    conf, db = e2e_conf
    on_replica = ReplicaProbe(conf, db, replica_port)
    url = replica_server.url
    writer = RawMcp(url, e2e_keys["tokens"]["admin_write"])
    writer.initialize()
    reader = RawMcp(url, e2e_keys["tokens"]["admin_read"])
    reader.initialize()
    tag = f"RYW {uuid.uuid4().hex[:8]}"
    partner_id = writer.tool("create", {"model": "res.partner", "values": {"name": f"{tag} old"}})[
        "structuredContent"]["id"]
    name_sql = "SELECT (SELECT name FROM res_partner WHERE id = %s)"  # NULL until replayed
    _until(lambda: on_replica.value(name_sql, (partner_id,)) == f"{tag} old")
    time.sleep(WINDOW + 0.5)  # both keys' reads are back on the replica
    assert _name_of(reader, partner_id) == f"{tag} old"

    since = replica_server.log_size()
    _pg("replica", "pause")
    try:
        updated = writer.tool("update", {"model": "res.partner", "ids": [partner_id], "values": {"name": f"{tag} new"}})
        assert not updated.get("isError"), updated
        # the writer reads what it wrote, at once and again a moment later
        assert _name_of(writer, partner_id) == f"{tag} new"
        time.sleep(WINDOW / 2)
        assert _name_of(writer, partner_id) == f"{tag} new"
        # the replica lags: another key reads there, the old value
        assert on_replica.value(name_sql, (partner_id,)) == f"{tag} old"
        assert _name_of(reader, partner_id) == f"{tag} old"
        # a session opened while the replica lags (not there yet) is served
        fresh = RawMcp(url, e2e_keys["tokens"]["other_admin"])
        fresh.initialize()
        assert fresh.call("tools/list")["tools"]
        check_response(fresh.request("ping"))
        assert _name_of(fresh, partner_id) == f"{tag} new"
        text = replica_server.log_text(since)
    finally:
        _pg("replica", "resume")
    assert RETRY_LINE not in text, text
    # once the replica caught up, the other key reads the new value there too
    _until(lambda: on_replica.value(name_sql, (partner_id,)) == f"{tag} new")
    assert _name_of(reader, partner_id) == f"{tag} new"


def test_across_servers_of_this_machine_and_of_another(e2e_conf, replica_port, replica_server, e2e_keys, tmp_path):
    """Two more servers on the replica: one of this machine (same temporary
    folder: it shares the read-your-writes marks) and one standing for
    another machine (a temporary folder of its own). With the standby's
    replay paused: a key's update on the first server is read back at once
    on this machine's other server; a session opened on the first server is
    served by the other machine's server from its first request (its id
    says it is new), without a retry on a read/write cursor."""
    conf, db = e2e_conf
    on_replica = ReplicaProbe(conf, db, replica_port)
    tmp_path.chmod(0o700)
    same = OdooServer(conf, db, workers=0, extra_args=_replica_args(replica_port))
    other = OdooServer(conf, db, workers=0, extra_args=_replica_args(replica_port),
                       env=dict(os.environ, TMPDIR=str(tmp_path)))
    with same, other:
        writer = RawMcp(replica_server.url, e2e_keys["tokens"]["admin_write"])
        writer.initialize()
        tag = f"RYW servers {uuid.uuid4().hex[:8]}"
        partner_id = writer.tool("create", {"model": "res.partner", "values": {"name": f"{tag} old"}})[
            "structuredContent"]["id"]
        name_sql = "SELECT (SELECT name FROM res_partner WHERE id = %s)"
        _until(lambda: on_replica.value(name_sql, (partner_id,)) == f"{tag} old")
        time.sleep(WINDOW + 0.5)
        since = other.log_size()
        _pg("replica", "pause")
        try:
            updated = writer.tool("update", {"model": "res.partner", "ids": [partner_id],
                                             "values": {"name": f"{tag} new"}})
            assert not updated.get("isError"), updated
            writer.url = same.url + "/mcp"
            assert _name_of(writer, partner_id) == f"{tag} new"
            assert on_replica.value(name_sql, (partner_id,)) == f"{tag} old"  # the replica lags
            fresh = RawMcp(replica_server.url, e2e_keys["tokens"]["other_admin"])
            fresh.initialize()
            fresh.url = other.url + "/mcp"
            assert fresh.call("tools/list")["tools"]
            assert _name_of(fresh, partner_id) == f"{tag} new"
            text = other.log_text(since)
        finally:
            _pg("replica", "resume")
    assert RETRY_LINE not in text, text


def test_replica_stopped_mid_run_calls_keep_working(replica_port, replica_server, token):
    """Stop the replica: read calls still answer (on the primary)."""
    client = RawMcp(replica_server.url, token)
    client.initialize()
    assert not client.tool("count", {"model": "res.partner"}).get("isError")
    _pg("replica", "stop")
    answered = 0
    for _ in range(6):
        response = client.request("tools/call", {"name": "count", "arguments": {"model": "res.partner"}})
        if response.status_code == 200 and not response.json().get("result", {}).get("isError"):
            answered += 1
    assert answered >= 5, answered  # at most a first call on a connection that just died
    health = client.http.get(replica_server.url + "/mcp/health", timeout=10)
    assert health.status_code == 200
