#!/usr/bin/env bash
# Soak run from a fresh clone: a throwaway database with mcp_bridge installed,
# a real --workers=2 Odoo server on loopback, several MCP clients for a
# bounded time (scripts/soak.py prints the counts; exit 1 on any error).
#   scripts/soak.sh [--duration SECONDS] [--clients N]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$REPO/scripts/setup.sh"
eval "$("$REPO/scripts/pg.sh" start)"

DB="${MCP_SOAK_DB:-mcp_soak}"
CONF="$LOCAL/test/$DB/odoo.conf"
write_odoo_conf "$CONF" "log_level = warn"
cleanup() { dropdb --if-exists "$DB" 2>/dev/null || true; }
trap cleanup EXIT
cleanup
log "installing $MODULE into $DB"
odoo_cmd -c "$CONF" -d "$DB" -i "$MODULE" --stop-after-init --log-level=warn \
    >"$LOCAL/test/$DB/install.log" 2>&1 || { tail -n 40 "$LOCAL/test/$DB/install.log" >&2; die "install failed"; }
"$PYTHON" "$REPO/scripts/soak.py" --conf "$CONF" --db "$DB" "$@"
