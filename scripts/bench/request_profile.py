#!/usr/bin/env python3
"""Micro-benchmark: the whole request path in-process, through Odoo's WSGI
application (werkzeug's test client, no socket): CPU time and SQL statements
per request of ``tools/call search_read`` (1, 10 and 100 records) and
``tools/list`` on /mcp, next to the same search through native ``/jsonrpc``
``execute_kw``; the cases run interleaved, round after round, so that the
machine's load weighs on all of them alike.

usage: python scripts/bench/request_profile.py --conf <odoo.conf> --db <db> [--rounds 300]
       [--profile CASE] [--json FILE]

``--profile CASE`` (e.g. ``mcp-1``) also prints the cProfile hot spots of
that case (cumulative, the functions of Odoo, this module and werkzeug).
It creates a read-only MCP key of the admin user and sets the admin password
to ``admin`` for the native side and the rate limit to 100000 a minute
(a throwaway database), opens one MCP
session, and deletes the key at the end. Not part of the test suite.
"""
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import bench_key, open_registry, parse_args, superuser_env  # noqa: E402

REVISION = "2025-06-18"
FIELDS = ["name", "email", "phone", "city"]


class StatementCounter:
    """Counts the SQL statements every Odoo cursor runs (a wrapper of
    ``odoo.sql_db.Cursor.execute``)."""

    def __init__(self):
        from odoo import sql_db  # noqa: PLC0415

        self.count = 0
        self.log = None  # a list: the statements are kept there too
        original = sql_db.Cursor.execute
        counter = self

        def execute(cursor, query, params=None, log_exceptions=True):
            counter.count += 1
            if counter.log is not None:
                counter.log.append(" ".join(str(getattr(query, "code", query)).split())[:160])
            return original(cursor, query, params, log_exceptions)

        sql_db.Cursor.execute = execute


def post(client, path, body, headers=None):
    """POST ``body`` as JSON to ``path`` (from 127.0.0.1); the response."""
    return client.post(path, data=json.dumps(body), headers=dict(headers or {}, **{
        "Content-Type": "application/json"}), environ_base={"REMOTE_ADDR": "127.0.0.1"})


def post_json(client, path, body, headers=None):
    """POST ``body`` as JSON to ``path``; the decoded JSON answer."""
    response = post(client, path, body, headers)
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code} from {path}: {response.get_data(as_text=True)[:500]}")
    return json.loads(response.get_data())


def run(args, token, first_id, uid):
    """Measure (and profile) the cases with the MCP key ``token``; ``first_id``:
    the first partner id, ``uid``: the admin user's (password ``admin``)."""
    import odoo  # noqa: PLC0415
    from werkzeug.test import Client  # noqa: PLC0415

    client = Client(odoo.http.root)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json, text/event-stream"}
    init = post(client, "/mcp", {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": REVISION, "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}}, headers)
    headers.update({"Mcp-Session-Id": init.headers["Mcp-Session-Id"], "MCP-Protocol-Version": REVISION})
    post(client, "/mcp", {"jsonrpc": "2.0", "method": "notifications/initialized"}, headers)

    def mcp_search(limit):
        arguments = {"model": "res.partner", "domain": [["id", ">=", first_id]], "fields": FIELDS,
                     "limit": limit, "order": "id"}
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": {"name": "search_read", "arguments": arguments}}
        answer = post_json(client, "/mcp", body, headers)
        assert not answer["result"].get("isError"), answer
        return answer

    def native_search(limit):
        body = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
            "service": "object", "method": "execute_kw", "args": [
                args.db, uid, "admin", "res.partner", "search_read", [[["id", ">=", first_id]]],
                {"fields": FIELDS, "limit": limit, "order": "id"}]}}
        answer = post_json(client, "/jsonrpc", body)
        assert "result" in answer, answer
        return answer

    def tools_list():
        return post_json(client, "/mcp", {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, headers)

    cases = {
        "native-1": lambda: native_search(1), "mcp-1": lambda: mcp_search(1),
        "native-10": lambda: native_search(10), "mcp-10": lambda: mcp_search(10),
        "native-100": lambda: native_search(100), "mcp-100": lambda: mcp_search(100),
        "mcp-tools-list": tools_list,
    }
    counter = StatementCounter()
    samples = {name: {"cpu": [], "wall": [], "sql": []} for name in cases}
    for func in cases.values():  # warm: caches of the worker (keys, tools, validators, ormcache)
        func()
        func()
    for _round in range(args.rounds):
        for name, func in cases.items():
            counter.count = 0
            wall, cpu = time.perf_counter(), time.process_time()
            func()
            samples[name]["cpu"].append((time.process_time() - cpu) * 1e6)
            samples[name]["wall"].append((time.perf_counter() - wall) * 1e6)
            samples[name]["sql"].append(counter.count)
    if args.statements:
        for name, func in cases.items():
            counter.log = []
            func()
            print(f"{name}:\n  " + "\n  ".join(counter.log))
            counter.log = None
    results = {}
    for name, sample in samples.items():
        results[name] = {"cpu_us": statistics.median(sample["cpu"]), "wall_us": statistics.median(sample["wall"]),
                         "statements": statistics.median(sample["sql"])}
        print(f"{name:<16} CPU median {results[name]['cpu_us']:8.0f} µs   wall median "
              f"{results[name]['wall_us']:8.0f} µs   SQL statements {results[name]['statements']:.0f}")
    for limit in (1, 10, 100):
        mcp, native = results[f"mcp-{limit}"], results[f"native-{limit}"]
        print(f"ratio mcp/native at {limit}: CPU {mcp['cpu_us'] / native['cpu_us']:.2f}x, "
              f"wall {mcp['wall_us'] / native['wall_us']:.2f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f)
    if args.profile:
        profiler = cProfile.Profile(time.process_time)  # CPU time: waits on PostgreSQL do not count
        profiler.enable()
        for _i in range(max(50, args.rounds)):
            cases[args.profile]()
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("cumulative").print_stats("mcp_bridge|json|jsonschema|werkzeug", 60)
        if args.dump:
            stats.dump_stats(args.dump)
        print(out.getvalue())


def main():
    args = parse_args(__doc__, 300, extra=[
        ("--profile", {"help": "print cProfile hot spots (CPU time) of this case, e.g. mcp-1"}),
        ("--dump", {"help": "with --profile: also write the pstats file here"}),
        ("--statements", {"action": "store_true", "help": "print the SQL statements of one request of each case"})])
    import odoo  # noqa: PLC0415

    registry = open_registry(args.conf, args.db)
    odoo.tools.config["db_name"] = args.db  # requests without cookie: the one database
    with superuser_env(registry) as env, bench_key(env, "bench profile", scope="read") as (_key, token):
        admin = env.ref("base.user_admin")
        admin.password = "admin"
        # the rate limit on but out of reach, as in bench.py (prepare.py)
        env["ir.config_parameter"].set_param("mcp_bridge.rate_limit_per_minute", "100000")
        env.cr.execute("SELECT min(id) FROM res_partner")
        first_id = env.cr.fetchone()[0]
        env.cr.commit()
        run(args, token, first_id, admin.id)


if __name__ == "__main__":
    main()
