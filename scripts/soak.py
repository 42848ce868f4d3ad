#!/usr/bin/env python3
"""Soak run: mixed MCP tool calls from several clients against a real
``--workers=2`` Odoo server on loopback, for a bounded time.

Prints requests served, unexpected errors (must be 0), intended denials,
HTTP 5xx (must be 0), acknowledged writes missing from the database (must be
0) and the RSS of the server processes at start and end. Exit status 1 when
an invariant fails.

Usually run through ``scripts/soak.sh`` (fresh database, module installed);
directly: ``soak.py --conf ODOO_CONF --db DB [--duration 120] [--clients 4]``.

``--scale-out``: a streaming replica of the cluster (``scripts/pg.sh replica
start``) and two Odoo servers on the database, both started with
``--db_replica_host/--db_replica_port``; each client sends its requests to
the two servers in turn (one session, served by both). Also prints
requests/s and p50/p95 latency per server, the transactions the replica
and the primary ran, and tools/call requests answered vs audit rows written.
"""
import argparse
import itertools
import os
import random
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

from e2e.harness import OdooServer  # noqa: E402
from e2e.rawmcp import RawMcp  # noqa: E402
from e2e.reliability import DbProbe, check_response, children_of, is_refusal, make_keys, rss_kb  # noqa: E402

# (key name, may write): each client uses its own key
CLIENT_KEYS = [("admin_write", True), ("employee_write", True), ("admin_read", False), ("employee_read", False),
               ("other_admin", True), ("spare", True)]


class Stats:
    """Counters shared by the client threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = self.ok = self.denied = self.errors = self.http_5xx = 0
        self.samples = []
        self.acknowledged = {}  # partner id -> expected comment
        self.latency = {}  # base URL -> [seconds of each answered request]
        self.tool_calls = 0  # tools/call requests answered with HTTP 200

    def add(self, **counts):
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


def run_client(bases, token, may_write, deadline, stats, seed):
    """Loop mixed calls until ``deadline``, to the servers of ``bases`` in
    turn; count outcomes."""
    rng = random.Random(seed)
    client = RawMcp(bases[0], token)
    client.initialize()
    stats.add(requests=2, ok=2)
    mine = []
    counter = itertools.count()
    turn = itertools.cycle(bases)

    def call(name, arguments, expect_denied=False):
        base = next(turn)
        client.url = base + "/mcp"
        try:
            started = time.monotonic()
            response = client.request("tools/call", {"name": name, "arguments": arguments})
            with stats.lock:
                stats.latency.setdefault(base, []).append(time.monotonic() - started)
                stats.tool_calls += response.status_code == 200
        except Exception as exc:  # noqa: BLE001 - counted as an error, the soak goes on
            stats.add(requests=1, errors=1)
            stats.samples.append(f"{name}: {exc!r}")
            return None
        stats.add(requests=1)
        if response.status_code >= 500:
            stats.add(http_5xx=1, errors=1)
            stats.samples.append(f"{name}: HTTP {response.status_code} {response.text[:200]}")
            return None
        try:
            body = check_response(response)
        except AssertionError as exc:
            stats.add(errors=1)
            stats.samples.append(f"{name}: {exc}")
            return None
        if is_refusal(body):
            if expect_denied:
                stats.add(denied=1)
            else:
                stats.add(errors=1)
                stats.samples.append(f"{name} {arguments}: {str(body)[:300]}")
            return None
        if expect_denied:
            stats.add(errors=1)
            stats.samples.append(f"{name}: expected a denial, got {str(body)[:200]}")
            return None
        stats.add(ok=1)
        return body["result"].get("structuredContent")

    reads = [
        ("list_models", {}),
        ("search_read", {"model": "res.partner", "fields": ["name", "email", "country_id"], "limit": 20}),
        ("count", {"model": "res.country"}),
        ("aggregate", {"model": "res.partner", "groupby": ["country_id"]}),
        ("name_search", {"model": "res.country", "name": "Bel"}),
        ("get_model_schema", {"model": "res.partner"}),
        ("search_read", {"model": "res.currency", "domain": [["active", "in", [True, False]]], "limit": 5}),
    ]
    while time.monotonic() < deadline:
        roll = rng.random()
        if roll < 0.6:
            name, arguments = rng.choice(reads)
            call(name, arguments)
        elif roll < 0.7:  # intended denials: blocked model / write with a read-only key
            if may_write:
                call("search_read", {"model": "res.users", "fields": ["login"]}, expect_denied=True)
            else:
                call("create", {"model": "res.partner", "values": {"name": "nope"}}, expect_denied=True)
        elif may_write:
            n = next(counter)
            if not mine or roll < 0.8:
                created = call("create", {"model": "res.partner", "values": {"name": f"soak {seed} {n}"}})
                if created:
                    mine.append(created["id"])
                    with stats.lock:
                        stats.acknowledged[created["id"]] = False
            elif roll < 0.95:
                target = rng.choice(mine)
                comment = f"soak {seed} update {n}"
                if call("update", {"model": "res.partner", "ids": [target], "values": {"comment": comment}}):
                    with stats.lock:
                        stats.acknowledged[target] = comment
            else:
                target = mine.pop(rng.randrange(len(mine)))
                if call("delete", {"model": "res.partner", "ids": [target]}):
                    with stats.lock:
                        stats.acknowledged[target] = None
        else:
            call("read", {"model": "res.partner", "ids": [1], "fields": ["name"]})


def server_rss(server):
    """RSS (KiB) of the master and of each child (workers, gevent)."""
    pids = [server.proc.pid] + children_of(server.proc.pid)
    return {pid: rss_kb(pid) for pid in pids}


def pg_replica(action):
    """``scripts/pg.sh replica ACTION``; the replica's port for ``start``."""
    out = subprocess.run([os.path.join(HERE, "pg.sh"), "replica", action], check=True,
                         capture_output=True, text=True, timeout=300).stdout
    return int(out.strip().rsplit("=", 1)[1]) if action == "start" else None


def transactions(probe, port=None):
    """Transactions run in the soak database (on the replica at ``port``)."""
    sql = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
    if port is None:
        return probe.value(sql)
    replica = DbProbe(probe.conf, probe.db, port=port)
    try:
        return replica.value(sql)
    finally:
        replica.close()


def print_latency(stats, servers, elapsed):
    """requests/s and p50/p95 of each server."""
    for number, server in enumerate(servers, 1):
        times = sorted(stats.latency.get(server.url, []))
        if not times:
            continue
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(f"server {number} ({server.url}, workers={server.workers}): {len(times) / elapsed:.1f} req/s, "
              f"p50 {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conf", default=os.environ.get("MCP_ODOO_CONF"), required="MCP_ODOO_CONF" not in os.environ)
    parser.add_argument("--db", default=os.environ.get("MCP_SOAK_DB"), required="MCP_SOAK_DB" not in os.environ)
    parser.add_argument("--duration", type=float, default=120, help="seconds (bounded to 1800)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (1-6)")
    parser.add_argument("--scale-out", action="store_true",
                        help="two servers on the database + a streaming replica (see the module docstring)")
    args = parser.parse_args()
    duration = max(5.0, min(args.duration, 1800.0))
    clients = max(1, min(args.clients, len(CLIENT_KEYS)))

    keys = make_keys(args.conf, args.db)["tokens"]
    probe = DbProbe(args.conf, args.db)
    probe.set_param("mcp_bridge.rate_limit_per_minute", 0)  # the soak measures the server, not the limiter
    replica_port, extra = None, []
    if args.scale_out:
        replica_port = pg_replica("start")
        extra = ["--db_replica_host", "127.0.0.1", "--db_replica_port", str(replica_port)]
    servers = [OdooServer(args.conf, args.db, workers=2, extra_args=extra).start()]
    if args.scale_out:
        servers.append(OdooServer(args.conf, args.db, workers=2, extra_args=extra).start())
    server = servers[0]
    stats = Stats()
    try:
        warm = RawMcp(server.url, keys["admin_read"])
        warm.initialize()
        for _ in range(20):  # load the registry in both workers before measuring memory
            warm.call("ping")
        rss_start = server_rss(server)
        xact_start = (transactions(probe), transactions(probe, replica_port) if replica_port else None)
        audit_start = probe.value("SELECT COALESCE(max(id), 0) FROM mcp_audit_log")
        deadline = time.monotonic() + duration
        threads = [threading.Thread(target=run_client, daemon=True, args=(
            [s.url for s in servers], keys[CLIENT_KEYS[i][0]], CLIENT_KEYS[i][1], deadline, stats, i))
            for i in range(clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(duration + 120)
        elapsed = time.monotonic() - started
        rss_end = server_rss(server)
        time.sleep(1.5)  # PostgreSQL flushes its statistics about once a second
        xact_end = (transactions(probe), transactions(probe, replica_port) if replica_port else None)
        audited = probe.value("SELECT count(*) FROM mcp_audit_log WHERE id > %s AND rpc_method = 'tools/call'",
                              (audit_start,))
        lost = 0
        for partner_id, expected in stats.acknowledged.items():
            row = probe.query("SELECT comment FROM res_partner WHERE id = %s", (partner_id,))
            if expected is None:
                lost += bool(row)
            elif not row or (expected and row[0][0] != expected and row[0][0] != f"<p>{expected}</p>"):
                lost += 1
        log = "".join(s.log_text() for s in servers)
    finally:
        for each in servers:
            each.stop()
        probe.close()
        if replica_port:
            pg_replica("stop")

    # a request the replica refused (e.g. a session it has not replayed yet,
    # after the read-your-writes window): Odoo reruns it on the primary and
    # logs the exception with its traceback
    reruns = log.count("retrying with a read/write cursor")
    tracebacks = log.count("Traceback (most recent call last)") - reruns
    print(f"duration: {elapsed:.0f} s, clients: {clients}")
    print(f"requests served: {stats.requests} ({stats.requests / elapsed:.1f}/s)")
    print(f"ok: {stats.ok}, intended denials: {stats.denied}, unexpected errors: {stats.errors}, "
          f"HTTP 5xx: {stats.http_5xx}")
    print(f"acknowledged writes checked: {len(stats.acknowledged)}, rows lost: {lost}")
    print(f"server tracebacks in log: {tracebacks}")
    if args.scale_out:
        print(f"reruns on the primary (refused by the replica): {reruns}")
    print(f"tools/call answered: {stats.tool_calls}, audit rows written: {audited}")
    print_latency(stats, servers, elapsed)
    print(f"transactions on the primary: {xact_end[0] - xact_start[0]}"
          + (f", on the replica: {xact_end[1] - xact_start[1]}" if replica_port else ""))
    for pid in sorted(set(rss_start) | set(rss_end)):
        print(f"rss pid {pid}: start {rss_start.get(pid, 0) / 1024:.1f} MiB, end {rss_end.get(pid, 0) / 1024:.1f} MiB")
    for sample in stats.samples[:10]:
        print("sample error:", sample)
    return 0 if not (stats.errors or stats.http_5xx or lost or tracebacks or audited < stats.tool_calls) else 1


if __name__ == "__main__":
    sys.exit(main())
