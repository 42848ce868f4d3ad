"""Measurement 7 of ``make bench``: read-only tool calls on one Odoo server,
on one server with a PostgreSQL streaming replica, and on two servers with
the replica (issue 19), side by side in one run.

The replica is made by ``scripts/pg.sh replica start`` (``pg_basebackup -R``
of the private cluster, hot standby on a free loopback port) and stopped at
the end. The three setups are up at once (``--workers=2`` each) and their
rounds alternate, so machine noise hits them alike. Each round: concurrent
loopback clients, each with its own MCP session, send ``search_read`` calls
(10 records); on two servers every client sends its calls to both in turn
(one session, served by both, as behind a load balancer without affinity).

Besides calls/s and latency it prints, per setup, the transactions the
primary and the replica ran per call (PostgreSQL's ``pg_stat_database``;
a backend reports its counts up to ten seconds late when it goes idle, so
the counts are read after the servers have been idle that long), and the
reruns on the primary Odoo logged ("retrying with a read/write cursor").
On one machine the servers, both PostgreSQL instances and the clients share
the same cores: this shows that it works and where it saturates, not what
more machines would add.
"""
import configparser
import os
import statistics
import subprocess
import time

import psycopg2
from load import load_round

HERE = os.path.dirname(os.path.abspath(__file__))
PG_SH = os.path.join(os.path.dirname(HERE), "pg.sh")
#: PostgreSQL backends flush their statistics at most this late once idle
#: (``PGSTAT_IDLE_INTERVAL``), plus a margin
STATS_SETTLE = 11.5
#: a new session's first seconds are served by the primary
#: (``services/recent_writes.py``: ``WINDOW``), plus a margin
SESSION_SETTLE = 2.5
RERUN = "retrying with a read/write cursor"
SETUPS = (("1 server", False, 1), ("1 server + replica", True, 1), ("2 servers + replica", True, 2))


def replica(action):
    """``scripts/pg.sh replica ACTION``; the replica's port for ``start``."""
    done = subprocess.run([PG_SH, "replica", action], check=True, capture_output=True, text=True, timeout=600)
    return int(done.stdout.strip().rsplit("=", 1)[1]) if action == "start" else None


def db_params(conf, db, port=None):
    """psycopg2 keywords for ``db`` from Odoo config ``conf`` (another
    ``port``: the replica)."""
    parser = configparser.ConfigParser()
    parser.read(conf)
    params = {"dbname": db}
    for key in ("host", "port", "user", "password"):
        value = parser["options"].get(f"db_{key}")
        if value and value not in ("False", "None"):
            params[key] = value
    if port:
        params["port"] = port
    return params


def transactions(params):
    """Transactions committed or rolled back in the database so far."""
    cnx = psycopg2.connect(**params)
    try:
        cnx.autocommit = True
        with cnx.cursor() as cr:
            cr.execute("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()")
            return cr.fetchone()[0]
    finally:
        cnx.close()


def bench_scale_out(harness, conf, db, info, logdir, quick, out, results, server_args=()):
    """Run measurement 7 and print it with ``out``; figures go in
    ``results["scale_out"]``. ``server_args``: more options of every Odoo
    server (the bench's single-database setup)."""
    clients, per_client, rounds = (4, 40, 1) if quick else (6, 100, 2)
    out(f"== 7. Scale-out (issue 19): read-only tools/call search_read (10 records), {clients} concurrent "
        f"loopback clients x {per_client} calls, {rounds} round(s) per setup, alternating ==")
    try:
        replica_port = replica("start")
    except (subprocess.SubprocessError, OSError, ValueError) as error:
        out(f"  NOT MEASURED: no streaming replica ({error})")
        results["scale_out"] = None
        out()
        return
    primary = db_params(conf, db)
    standby = db_params(conf, db, replica_port)
    on_replica = ["--db_replica_host", "127.0.0.1", "--db_replica_port", str(replica_port)]
    servers = {}
    try:
        for label, with_replica, count in SETUPS:
            servers[label] = [harness.OdooServer(
                conf, db, workers=2, extra_args=[*server_args, *(on_replica if with_replica else [])],
                log_path=os.path.join(logdir, f"odoo-scale-{label.replace(' ', '_').replace('+', 'r')}-{i}.log"),
            ).start() for i in range(count)]
        out(f"  replica on port {replica_port}; servers (workers=2 each): "
            + "; ".join(f"{label}: " + ", ".join(s.url for s in group) for label, group in servers.items()))
        figures = {label: {"rates": [], "latencies": [], "calls": 0, "primary": 0, "replica": 0}
                   for label, _r, _c in SETUPS}
        time.sleep(STATS_SETTLE)  # what ran before is all reported
        for _round in range(rounds):
            for label, _with_replica, _count in SETUPS:
                # the wait after the previous round serves this one too
                before = transactions(primary), transactions(standby)
                rate, latencies = load_round("mcp", [s.url for s in servers[label]], info, db, clients, per_client,
                                             10, settle=SESSION_SETTLE)
                time.sleep(STATS_SETTLE)
                after = transactions(primary), transactions(standby)
                each = figures[label]
                each["rates"].append(rate)
                each["latencies"].extend(latencies)
                # each client's initialize, notification and warm-up call are counted too
                each["calls"] += len(latencies) + 3 * clients
                each["primary"] += after[0] - before[0]
                each["replica"] += after[1] - before[1]
        reruns = {label: sum(s.log_text().count(RERUN) for s in group) for label, group in servers.items()}
    finally:
        for group in servers.values():
            for server in group:
                server.stop()
        replica("stop")
    report(figures, reruns, out, results)


def report(figures, reruns, out, results):
    """Print the table and the ratios; store them in ``results``."""
    results["scale_out"] = {}
    out(f"  {'setup':<22} {'calls/s':>8}   {'p50':>7} {'p95':>7} (ms)   {'primary':>7} {'replica':>7} "
        "tx/request   reruns   rounds")
    for label, each in figures.items():
        ordered = sorted(each["latencies"])
        p50 = statistics.median(ordered) * 1000
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000
        rate = statistics.mean(each["rates"])
        row = {"calls_per_s": rate, "p50_ms": p50, "p95_ms": p95, "reruns": reruns[label],
               "primary_tx_per_request": each["primary"] / each["calls"],
               "replica_tx_per_request": each["replica"] / each["calls"]}
        results["scale_out"][label] = row
        out(f"  {label:<22} {rate:8.1f}   {p50:7.2f} {p95:7.2f}        {row['primary_tx_per_request']:7.2f} "
            f"{row['replica_tx_per_request']:7.2f}              {reruns[label]:>3}   "
            + ", ".join(f"{r:.0f}" for r in each["rates"]))
    one, with_replica, two = (results["scale_out"][label]["calls_per_s"] for label, _r, _c in SETUPS)
    results["scale_out"]["replica_vs_none"] = with_replica / one
    results["scale_out"]["two_vs_one"] = two / with_replica
    out(f"  replica vs none (1 server): {with_replica / one:.2f}x calls/s; two servers vs one (with the replica): "
        f"{two / with_replica:.2f}x calls/s (one machine: servers, PostgreSQL and clients share its cores)")
    out()
