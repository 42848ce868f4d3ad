#!/usr/bin/env python3
"""Micro-benchmark: fixed per-request costs of the MCP layer, in-process
(no HTTP), each step timed on its own with a cold ORM cache (the cursor is
rolled back between calls, as between two requests).

usage: python scripts/bench/layer_costs.py --conf <odoo.conf> --db <db> [--rounds 500] [--json FILE]

Steps: audit row (``mcp.audit.log._record``), key check
(``_authenticate_request``), env switch (``_mcp_env``), settings read, tool map,
argument validation. Not part of the test suite; used by bench.py and to
measure optimizations before/after.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import bench_key, measure, open_registry, parse_args, superuser_env  # noqa: E402


def main():
    args = parse_args(__doc__, 500)
    registry = open_registry(args.conf, args.db)
    ip = "127.0.0.1"
    with superuser_env(registry) as env, bench_key(env, "bench layer") as (key, token):
        cr = env.cr
        Server = env["mcp.server"]
        Keys = env["mcp.api.key"]
        Audit = env["mcp.audit.log"]
        tool = Server._tool_map()["search_read"]
        arguments = {"model": "res.partner", "domain": [["id", ">", 0]], "fields": ["name", "email"],
                     "limit": 100, "order": "id"}
        audit_vals = {"key_id": key.id, "user_id": key.user_id.id, "ip": ip, "transport": "streamable_http",
                      "rpc_method": "tools/call", "tool": "search_read", "model": "res.partner",
                      "outcome": "ok", "error_code": 0, "duration_ms": 3}
        _key, facts = Keys._authenticate_request(token, ip)
        steps = {
            "audit row (_record, INSERT in the request transaction)": lambda: Audit._record(audit_vals),
            # the audit step above leaves its rows (rollback hook): the key
            # check then counts a key with ~rounds requests in the minute
            "key check (one statement; key with recent requests)": lambda: Keys._authenticate_request(token, ip),
            "env switch (_mcp_env with the key check's facts)": lambda: key._mcp_env(env, facts),
            "env switch (_mcp_env alone: one query)": lambda: key._mcp_env(env),
            "settings (_get_settings)": lambda: env["mcp.settings"]._get_settings(),
            "tool map (_tool_map)": lambda: Server._tool_map(),
            "argument validation (schema_check)": lambda: Server._validate_arguments(tool, arguments),
        }
        results = {}
        for label, func in steps.items():
            func()
            results[label] = measure(func, args.rounds, cr.rollback)
            print(f"{label:<52} median {results[label][0]:8.1f} µs   p95 {results[label][1]:8.1f} µs")
        if args.json:
            with open(args.json, "w") as f:
                json.dump({k: {"median_us": m, "p95_us": p} for k, (m, p) in results.items()}, f)


if __name__ == "__main__":
    main()
