#!/usr/bin/env bash
# The whole test suite: Odoo test cases (pytest-odoo) and end-to-end tests
# against real Odoo server processes (tests/e2e), on throwaway databases.
# Extra arguments go to pytest (e.g. scripts/test.sh -k health -x).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$REPO/scripts/setup.sh"
eval "$("$REPO/scripts/pg.sh" start)"

DB="${MCP_TEST_DB:-mcp_test}"
E2E_DB="${DB}_e2e"
CONF="$LOCAL/test/$DB/odoo.conf"
write_odoo_conf "$CONF" "log_level = warn"

cleanup() { dropdb --if-exists "$DB" 2>/dev/null || true; dropdb --if-exists "$E2E_DB" 2>/dev/null || true; }
trap cleanup EXIT
cleanup

log "installing $MODULE into a fresh database $DB"
t0=$(date +%s)
odoo_cmd -c "$CONF" -d "$DB" -i "$MODULE" --stop-after-init --log-level=warn \
    >"$LOCAL/test/$DB/install.log" 2>&1 || { tail -n 60 "$LOCAL/test/$DB/install.log" >&2; die "module install failed (log: $LOCAL/test/$DB/install.log)"; }
grep -E "(ERROR|CRITICAL) " "$LOCAL/test/$DB/install.log" >&2 && die "errors while installing the module"
log "installed in $(( $(date +%s) - t0 ))s; copying it to $E2E_DB for the end-to-end tests"
createdb -T "$DB" "$E2E_DB"

export MCP_ODOO_CONF="$CONF" MCP_E2E_DB="$E2E_DB" MCP_REPO="$REPO"
cd "$REPO"
set +e
"$PYTHON" -m pytest -c "$ADDONS_LINK_DIR/$MODULE/pytest.ini" --rootdir "$ADDONS_LINK_DIR/$MODULE" -p no:cacheprovider \
    --odoo-config="$CONF" --odoo-database="$DB" --odoo-http --odoo-log-level=error \
    "$ADDONS_LINK_DIR/$MODULE/tests" "$@"
rc=$?
set -e
exit $rc
