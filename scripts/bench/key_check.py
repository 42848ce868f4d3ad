#!/usr/bin/env python3
"""Micro-benchmark: cost of one MCP key check (``mcp.api.key._authenticate``)
against Odoo's native API key check (``res.users.apikeys._check_credentials``,
pbkdf2), measured in the same run on the same database: with the key in the
worker's key cache (every request but the first of a key after a cache
clear), and with the key not cached (read, then cached from a fresh cursor).

usage: python scripts/bench/key_check.py --conf <odoo.conf> --db <db> [--rounds 2000] [--json FILE]

It creates one MCP key and one native key for the admin user, commits them
(the MCP check writes its counters from a cursor of its own, which must see
the key), measures (each call in a fresh transaction with a cold cache, as
in a request), then deletes both. Not part of the test suite.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import bench_key, measure, open_registry, parse_args, superuser_env  # noqa: E402


def main():
    args = parse_args(__doc__, 2000)
    registry = open_registry(args.conf, args.db)
    ip = "192.0.2.1"
    with superuser_env(registry) as env, bench_key(env, "bench") as (_key, token):
        cr = env.cr
        admin = env.ref("base.user_admin")
        params = env["ir.config_parameter"]
        saved_rate = params.get_param("mcp_bridge.rate_limit_per_minute")
        native_token = env["res.users.apikeys"].with_user(admin).sudo()._generate(None, "bench", None)
        cr.commit()
        try:
            Keys = env["mcp.api.key"]
            Native = env["res.users.apikeys"]
            results = {}
            params.set_param("mcp_bridge.rate_limit_per_minute", "0")
            cr.commit()
            Keys._authenticate(token, ip)  # warm caches, first last_used write
            results["mcp _authenticate (rate limit off)"] = measure(
                lambda: Keys._authenticate(token, ip), args.rounds, cr.rollback)
            params.set_param("mcp_bridge.rate_limit_per_minute", "100000")
            cr.commit()
            results["mcp _authenticate (rate limit on, the default)"] = measure(
                lambda: Keys._authenticate(token, ip), args.rounds, cr.rollback)

            def rollback_and_forget_key():
                cr.rollback()
                Keys._key_states().clear()
            results["mcp _authenticate (rate limit on, key not cached)"] = measure(
                lambda: Keys._authenticate(token, ip), max(20, args.rounds // 10), rollback_and_forget_key)
            # the floor of any check that asks PostgreSQL: the first statement
            # of a transaction (psycopg2 sends BEGIN first: two round trips)
            results["floor: SELECT 1, first statement of a transaction"] = measure(
                lambda: cr.execute("SELECT 1"), args.rounds, cr.rollback)
            results["native res.users.apikeys._check_credentials (pbkdf2)"] = measure(
                lambda: Native._check_credentials(scope="rpc", key=native_token), max(20, args.rounds // 20),
                cr.rollback)
            for label, (median, p95) in results.items():
                print(f"{label:<62} median {median:9.1f} µs   p95 {p95:9.1f} µs")
            base = results["native res.users.apikeys._check_credentials (pbkdf2)"][0]
            for label, (median, _p95) in results.items():
                if label.startswith("mcp"):
                    print(f"ratio native/mcp ({label[18:]}): {base / median:.1f}x")
            if args.json:
                keys = ("mcp_rate_limit_off", "mcp_rate_limit_on", "mcp_cache_miss", "floor_first_statement", "native")
                with open(args.json, "w") as f:
                    json.dump({name: {"median_us": median, "p95_us": p95}
                               for name, (median, p95) in zip(keys, results.values())}, f)
        finally:
            cr.rollback()
            params.set_param("mcp_bridge.rate_limit_per_minute", saved_rate or False)
            cr.execute("DELETE FROM res_users_apikeys WHERE name = 'bench' AND user_id = %s", (admin.id,))
            cr.commit()


if __name__ == "__main__":
    main()
