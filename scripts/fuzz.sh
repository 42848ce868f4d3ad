#!/usr/bin/env bash
# Long fuzz run of /mcp (tests/e2e/test_fuzz.py with many more examples,
# random seeds instead of the CI's derandomized ones).
#   scripts/fuzz.sh [EXAMPLES]       default 2000 examples per fuzz test
# Extra pytest options through MCP_FUZZ_PYTEST_ARGS (e.g. "-x -k raw").
set -euo pipefail
. "$(dirname "$0")/lib.sh"
export MCP_FUZZ_EXAMPLES="${1:-2000}"
export MCP_TEST_DB="${MCP_TEST_DB:-mcp_fuzz}"
log "fuzzing with $MCP_FUZZ_EXAMPLES examples per test on $MCP_TEST_DB"
# shellcheck disable=SC2086
exec "$REPO/scripts/test.sh" -q ${MCP_FUZZ_PYTEST_ARGS:-} "$ADDONS_LINK_DIR/$MODULE/tests/e2e/test_fuzz.py"
