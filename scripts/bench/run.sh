#!/usr/bin/env bash
# Benchmarks of mcp_bridge (`make bench`): not tests, ratios measured side by side.
#   - installs what is missing (scripts/setup.sh) and, in its own venv
#     .local/venv-bench-ext, the external bridge mcp-server-odoo and py-spy (pinned);
#   - starts the private PostgreSQL (scripts/pg.sh);
#   - creates database mcp_bench (mcp_bridge + contacts + demo data), re-created
#     when the module's files changed; adds >= 100k res.partner rows and a key;
#   - starts its own Odoo servers on free loopback ports (threaded, then
#     --workers=2; for measurement 7 three more, and a streaming replica made and
#     stopped by scripts/pg.sh), runs the measurements (scripts/bench/bench.py), prints each
#     ratio with its goal and PASS/MISS, and stops the servers.
# Options: --quick (fewer repetitions), --profile (py-spy hot spots of /mcp),
#          --only 1,3 (some measurements), --fresh (re-create the database).
# Environment: MCP_BENCH_DB (mcp_bench), MCP_BENCH_ROWS (100000), MCP_DB_* (external PostgreSQL).
# Output: stdout, and .local/bench/last.txt / last.json.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

DB="${MCP_BENCH_DB:-mcp_bench}"
BENCH_DIR="$LOCAL/bench"
CONF="$BENCH_DIR/odoo.conf"
EXT_VENV="$LOCAL/venv-bench-ext"
EXT_REQS="mcp-server-odoo==0.9.0 py-spy==0.4.3"
MODULES="$MODULE,contacts"

fresh=0
bench_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --fresh) fresh=1 ;;
        --quick|--profile) bench_args+=("$1") ;;
        --only) bench_args+=("--only" "$2"); shift ;;
        *) die "unknown option $1 (--quick, --profile, --only LIST, --fresh)" ;;
    esac
    shift
done

"$REPO/scripts/setup.sh"
eval "$("$REPO/scripts/pg.sh" start)"
mkdir -p "$BENCH_DIR"
write_odoo_conf "$CONF" "log_level = warn"

# The external bridge and the profiler live in a venv of their own: their
# dependencies (mcp 2.x, httpx ...) must not touch Odoo's Python.
ext_sum=$(echo "$EXT_REQS" | sha1sum | cut -c1-12)
if [ ! -f "$LOCAL/stamps/bench-ext-$ext_sum" ] || [ ! -x "$EXT_VENV/bin/python" ]; then
    log "creating $EXT_VENV with $EXT_REQS"
    if "$PYTHON" -m venv "$EXT_VENV" && "$EXT_VENV/bin/pip" install -q --disable-pip-version-check $EXT_REQS \
        >"$BENCH_DIR/venv-ext.log" 2>&1; then
        mkdir -p "$LOCAL/stamps"; rm -f "$LOCAL/stamps"/bench-ext-*; touch "$LOCAL/stamps/bench-ext-$ext_sum"
    else
        log "warning: could not install $EXT_REQS (log: $BENCH_DIR/venv-ext.log); measurement 2 and --profile will say so"
    fi
fi

module_hash() {
    (cd "$REPO" && git ls-files -co --exclude-standard -- . ':!tests' ':!scripts' ':!*.md' 2>/dev/null \
        | xargs -r sha1sum 2>/dev/null) | sha1sum | cut -c1-16
}

exists=$(psql -d postgres -qAt -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")
if [ "$fresh" = 1 ] || [ -z "$exists" ] || [ "$(cat "$BENCH_DIR/module.hash" 2>/dev/null)" != "$(module_hash)" ]; then
    dropdb --if-exists "$DB"
    log "creating database $DB ($MODULES, demo data; about a minute)"
    t0=$(date +%s)
    odoo_cmd -c "$CONF" -d "$DB" -i "$MODULES" --stop-after-init --log-level=warn >"$BENCH_DIR/install.log" 2>&1 \
        || { tail -n 40 "$BENCH_DIR/install.log" >&2; dropdb --if-exists "$DB"; die "install failed (log: $BENCH_DIR/install.log)"; }
    module_hash >"$BENCH_DIR/module.hash"
    log "installed in $(( $(date +%s) - t0 ))s"
fi

log "preparing $DB: settings, ${MCP_BENCH_ROWS:-100000} bench partners, a fresh key"
odoo_cmd shell -c "$CONF" -d "$DB" --no-http --log-level=error <"$REPO/scripts/bench/prepare.py" \
    >"$BENCH_DIR/prepare.out" 2>"$BENCH_DIR/prepare.log" || { tail -n 40 "$BENCH_DIR/prepare.log" >&2; die "prepare failed"; }
# settle the freshly inserted rows (statistics, visibility map) before timing anything
psql -d "$DB" -qc "VACUUM ANALYZE" >/dev/null 2>&1 || log "warning: VACUUM ANALYZE of $DB failed"
sed -n '/^MCP_BENCH_BEGIN$/,/^MCP_BENCH_END$/p' "$BENCH_DIR/prepare.out" | sed '1d;$d' >"$BENCH_DIR/info.json"
chmod 600 "$BENCH_DIR/info.json"
[ -s "$BENCH_DIR/info.json" ] || { cat "$BENCH_DIR/prepare.out" "$BENCH_DIR/prepare.log" | tail -n 40 >&2; die "prepare printed nothing"; }

log "running the benchmarks (servers on free loopback ports; they stop by themselves)"
"$PYTHON" "$REPO/scripts/bench/bench.py" --conf "$CONF" --db "$DB" --info "$BENCH_DIR/info.json" \
    --ext-python "$EXT_VENV/bin/python" --py-spy "$EXT_VENV/bin/py-spy" --logdir "$BENCH_DIR" \
    --json-out "$BENCH_DIR/last.json" "${bench_args[@]}" | tee "$BENCH_DIR/last.txt"
