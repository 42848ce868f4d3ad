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
INSTALL_DB="${DB}_inst"
REL_DB="${DB}_rel"   # reliability tests: their own servers/settings (rate limit, faults)
BIZ_DB="${DB}_biz"   # business flows (tests/e2e/biz): copied from a template kept across runs
CONF_DB="${DB}_conf" # conformance suite: gets the test-only fixture addon (tests/fixtures) on first use
CONF="$LOCAL/test/$DB/odoo.conf"
write_odoo_conf "$CONF" "log_level = warn"
# The same, with tests/fixtures on the addons path: only the conformance database uses it.
FIXTURES_CONF="$LOCAL/test/$DB/odoo-fixtures.conf"
write_odoo_conf "$FIXTURES_CONF" "log_level = warn"
sed -i "s#^addons_path = .*#&,$REPO/tests/fixtures#" "$FIXTURES_CONF"

cleanup() { for d in "$DB" "$E2E_DB" "$INSTALL_DB" "$REL_DB" "$BIZ_DB" "$CONF_DB"; do dropdb --if-exists "$d" 2>/dev/null || true; done; }
trap cleanup EXIT
cleanup

log "installing $MODULE into a fresh database $DB"
t0=$(date +%s)
odoo_cmd -c "$CONF" -d "$DB" -i "$MODULE" --stop-after-init --log-level=warn \
    >"$LOCAL/test/$DB/install.log" 2>&1 || { tail -n 60 "$LOCAL/test/$DB/install.log" >&2; die "module install failed (log: $LOCAL/test/$DB/install.log)"; }
grep -E "(ERROR|CRITICAL) " "$LOCAL/test/$DB/install.log" >&2 && die "errors while installing the module"
log "installed in $(( $(date +%s) - t0 ))s; copying it to $E2E_DB for the end-to-end tests"
createdb -T "$DB" "$E2E_DB"
createdb -T "$DB" "$INSTALL_DB"
createdb -T "$DB" "$REL_DB"
createdb -T "$DB" "$CONF_DB"

export MCP_FIXTURES_CONF="$FIXTURES_CONF" MCP_CONF_DB="$CONF_DB"
export MCP_ODOO_CONF="$CONF" MCP_E2E_DB="$E2E_DB" MCP_INSTALL_DB="$INSTALL_DB" MCP_REL_DB="$REL_DB" MCP_BIZ_DB="$BIZ_DB" MCP_REPO="$REPO"
cd "$REPO"
# Test paths given as arguments replace the default (the whole tests/ folder).
targets=("$ADDONS_LINK_DIR/$MODULE/tests")
for arg in "$@"; do case "$arg" in -*) ;; */*|*.py) targets=(); break ;; esac; done
set +e
"$PYTHON" "$REPO/scripts/run_pytest.py" -c "$ADDONS_LINK_DIR/$MODULE/pytest.ini" --rootdir "$ADDONS_LINK_DIR/$MODULE" -p no:cacheprovider \
    --odoo-config="$CONF" --odoo-database="$DB" --odoo-http --odoo-log-level=error \
    "${targets[@]}" "$@"
rc=$?
set -e
exit $rc
