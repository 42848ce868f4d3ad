"""Helpers shared by the in-process micro-benchmarks (key_check.py,
layer_costs.py, request_profile.py): their command line, Odoo's registry, a
superuser environment, a throwaway MCP key, the timing loop."""
import argparse
import contextlib
import statistics
import time


def parse_args(doc, rounds, extra=()):
    """The options of a micro-benchmark whose module docstring is ``doc``
    (first paragraph: the description) and default round count ``rounds``;
    ``extra``: more ``(flag, add_argument keywords)``."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--conf", required=True, help="Odoo configuration file")
    parser.add_argument("--db", required=True, help="database with mcp_bridge installed")
    parser.add_argument("--rounds", type=int, default=rounds)
    parser.add_argument("--json", help="also write the figures to this JSON file (used by bench.py)")
    for flag, options in extra:
        parser.add_argument(flag, **options)
    return parser.parse_args()


def open_registry(conf, db):
    """Odoo's registry of database ``db``, configured from file ``conf``."""
    import odoo  # noqa: PLC0415 (scripts/bench/run.sh checks that Odoo is importable first)

    odoo.tools.config.parse_config(["-c", conf, "--log-level=warn"])
    return odoo.modules.registry.Registry(db)


@contextlib.contextmanager
def superuser_env(registry):
    """A superuser environment on a cursor of ``registry`` (closed at the end)."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {})


@contextlib.contextmanager
def bench_key(env, name, **values):
    """``(key, token)``: an MCP key of the admin user named ``name``,
    committed (the key check reads it from cursors of its own); at the end
    it is deleted with its audit rows and sessions, and that is committed."""
    admin = env.ref("base.user_admin")
    key, token = env["mcp.api.key"]._generate_key(dict(values, name=name, user_id=admin.id))
    env.cr.commit()
    try:
        yield key, token
    finally:
        env.cr.rollback()
        env.cr.execute("DELETE FROM mcp_audit_log WHERE key_id = %s", (key.id,))
        env.cr.execute("DELETE FROM mcp_session WHERE key_id = %s", (key.id,))
        env["mcp.api.key"].browse(key.id).unlink()
        env.cr.commit()


def measure(func, rounds, between=None):
    """Median and p95 duration of ``func()`` in microseconds; ``between()``
    (not timed) runs after each call, e.g. to end the transaction like the
    end of an HTTP request does."""
    samples = []
    for _i in range(rounds):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1e6)
        if between:
            between()
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]
