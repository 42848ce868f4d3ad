#!/usr/bin/env bash
# Command 1 of the README: a running Odoo with mcp_bridge and demo data.
#   - installs what is missing (scripts/setup.sh)
#   - starts the private PostgreSQL (scripts/pg.sh)
#   - creates database mcp_demo (mcp_bridge + demo data), or upgrades the
#     module when its files changed since the last run
#   - prints the URLs, a fresh demo API key and every client's config
#   - runs Odoo in the foreground on 127.0.0.1:8069 (Ctrl-C stops it)
# Environment: MCP_HTTP_PORT (8069), MCP_DEMO_DB (mcp_demo), MCP_DB_* (external PostgreSQL).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DB="${MCP_DEMO_DB:-mcp_demo}"
PORT="${MCP_HTTP_PORT:-8069}"
GEVENT_PORT="${MCP_GEVENT_PORT:-8072}"
RUN_DIR="$LOCAL/run"
CONF="$RUN_DIR/odoo.conf"
DEMO_MODULES="$MODULE,contacts,product"

"$REPO/scripts/setup.sh"
eval "$("$REPO/scripts/pg.sh" start)"
mkdir -p "$RUN_DIR"
write_odoo_conf "$CONF" "db_name = $DB" "dbfilter = ^$DB\$" "http_interface = 127.0.0.1" \
    "http_port = $PORT" "gevent_port = $GEVENT_PORT" "proxy_mode = False"

"$PYTHON" - "$PORT" <<'PY' || die "port $1 is busy on 127.0.0.1: stop what uses it or set MCP_HTTP_PORT"
import socket, sys
with socket.socket() as s:
    s.bind(("127.0.0.1", int(sys.argv[1])))
PY

module_hash() {
    (cd "$REPO" && git ls-files -co --exclude-standard -- . ':!tests' ':!scripts' ':!*.md' 2>/dev/null \
        | xargs -r sha1sum 2>/dev/null) | sha1sum | cut -c1-16
}

if ! psql -d postgres -qAt -c "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    log "creating database $DB with $DEMO_MODULES and demo data (first run: a few minutes)"
    odoo_cmd -c "$CONF" -d "$DB" -i "$DEMO_MODULES" --stop-after-init --log-level=warn >"$RUN_DIR/install.log" 2>&1 \
        || { tail -n 40 "$RUN_DIR/install.log" >&2; dropdb --if-exists "$DB"; die "install failed (log: $RUN_DIR/install.log)"; }
    module_hash >"$RUN_DIR/module.hash"
elif [ "$(cat "$RUN_DIR/module.hash" 2>/dev/null)" != "$(module_hash)" ]; then
    log "module files changed: upgrading $MODULE in $DB"
    odoo_cmd -c "$CONF" -d "$DB" -u "$MODULE" --stop-after-init --log-level=warn >"$RUN_DIR/upgrade.log" 2>&1 \
        || { tail -n 40 "$RUN_DIR/upgrade.log" >&2; die "upgrade failed (log: $RUN_DIR/upgrade.log)"; }
    module_hash >"$RUN_DIR/module.hash"
fi

# A fresh demo API key (the previous demo key is revoked) and the client configs (protocol/client_configs.py).
odoo_cmd shell -c "$CONF" -d "$DB" --no-http --log-level=error \
    <"$REPO/scripts/demo_key.py" 2>"$RUN_DIR/demo_key.log" | sed -n '/^MCP_DEMO_BEGIN$/,/^MCP_DEMO_END$/p' \
    | sed '1d;$d' >"$RUN_DIR/demo_key.txt" || true
"$PYTHON" "$REPO/scripts/print_connect.py" --url "http://127.0.0.1:$PORT" --db "$DB" --key-file "$RUN_DIR/demo_key.txt"
rm -f "$RUN_DIR/demo_key.txt"

log "starting Odoo on http://127.0.0.1:$PORT (Ctrl-C to stop; PostgreSQL keeps running: 'make stop' stops it)"
exec "$PYTHON" "$(odoo_script)" -c "$CONF" --log-level=info
