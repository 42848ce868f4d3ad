# Run through `odoo shell` by scripts/bench/run.sh on the bench database:
#   - settings for the bench (max_records 1000; rate limit kept ON but high, so
#     the per-request rate-limit upsert that a default install pays is measured);
#   - >= 100k res.partner rows (plain SQL, a second or two; idempotent);
#   - a fresh read-only MCP key of the admin user (older bench keys deleted);
# then prints a JSON summary between markers. Never used in production.
import json

N_ROWS = int(__import__("os").environ.get("MCP_BENCH_ROWS", "100000"))
RANGE = 1500  # bench rows selected by the overhead domain (an id range: index scan)

cr = env.cr  # noqa: F821 (env is provided by odoo shell)
params = env["ir.config_parameter"].sudo()  # noqa: F821
params.set_param("mcp_bridge.max_records", "1000")
params.set_param("mcp_bridge.rate_limit_per_minute", "100000")

admin = env.ref("base.user_admin")  # noqa: F821
admin.password = "admin"  # the demo password, set explicitly (native RPC logs in with it)

cr.execute("SELECT count(*) FROM res_partner WHERE ref LIKE 'bench-%%'")
have = cr.fetchone()[0]
if have < N_ROWS:
    countries = [env.ref(x).id for x in ("base.us", "base.be", "base.fr", "base.de", "base.in")]  # noqa: F821
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, ref, email, phone, city, street, zip, country_id,
                                 active, type, is_company, lang, color, partner_share,
                                 create_uid, write_uid, create_date, write_date)
        SELECT 'Bench Partner ' || g, 'Bench Partner ' || g, 'bench-' || g,
               'bench' || g || '@example.com', '+1 555 ' || lpad((g %% 10000)::text, 4, '0'),
               'City ' || (g %% 500), g || ' Bench Street', lpad((g %% 99999)::text, 5, '0'),
               (%(countries)s)[1 + g %% 5],
               true, 'contact', g %% 10 = 0, 'en_US', 0, true,
               %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
          FROM generate_series(%(start)s, %(stop)s) AS g
        """,
        {"countries": countries, "uid": admin.id, "start": have + 1, "stop": N_ROWS},
    )
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE commercial_partner_id IS NULL")
    cr.execute("ANALYZE res_partner")
    env.invalidate_all()  # noqa: F821

cr.execute("SELECT id FROM res_partner WHERE ref LIKE 'bench-%%' ORDER BY id LIMIT %s", (RANGE,))
ids = [row[0] for row in cr.fetchall()]
cr.execute("SELECT count(*) FROM res_partner WHERE active")
active_total = cr.fetchone()[0]

Key = env["mcp.api.key"].sudo()  # noqa: F821
Key.with_context(active_test=False).search([("name", "=like", "bench %")]).unlink()
key, token = Key._generate_key({"name": "bench admin", "user_id": admin.id, "scope": "read"})
cr.commit()

print("MCP_BENCH_BEGIN")
print(json.dumps({
    "token": token,
    "uid": admin.id,
    "login": admin.login,
    "password": "admin",
    "id_range": [ids[0], ids[-1]],
    "range_rows": len(ids),
    "partners_active": active_total,
}))
print("MCP_BENCH_END")
