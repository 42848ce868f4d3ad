#!/usr/bin/env bash
# Real MCP clients for the end-to-end tests, installed under .local (git-ignored):
#   .local/node/        Node 22 (npm package `node`), @modelcontextprotocol/inspector
#                       and @modelcontextprotocol/conformance, exactly as pinned by
#                       scripts/node/package.json + package-lock.json (`npm ci`);
#   .local/venv-mcp2/   a virtualenv with the 2.x Python MCP SDK
#                       (scripts/requirements-mcp2.txt): it cannot share Odoo's
#                       Python, its dependencies upgrade idna.
# Idempotent and quick: a stamp per input checksum under .local/stamps.
# Called by scripts/setup.sh; MCP_SKIP_NODE=1 skips it (no npm at hand).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

STAMPS="$LOCAL/stamps"
NODE_DIR="$LOCAL/node"
VENV_MCP2="$LOCAL/venv-mcp2"
mkdir -p "$STAMPS"

ensure_node_tools() {
    local src="$REPO/scripts/node" sum
    sum=$(cat "$src/package.json" "$src/package-lock.json" | sha1sum | cut -c1-12)
    if [ -f "$STAMPS/node-$sum" ] && [ -x "$NODE_DIR/node_modules/.bin/node" ]; then return; fi
    command -v npm >/dev/null || die "npm is needed to install the Node e2e tools (apt-get install npm), or set MCP_SKIP_NODE=1"
    log "installing Node 22, MCP Inspector and the MCP conformance suite into $NODE_DIR (pinned, npm ci)"
    mkdir -p "$NODE_DIR"
    cp "$src/package.json" "$src/package-lock.json" "$NODE_DIR/"
    # The `node` package's preinstall fetches its platform binary (node-<os>-<arch>) from npm.
    npm ci --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error >"$LOCAL/npm-ci.log" 2>&1 \
        || { tail -n 40 "$LOCAL/npm-ci.log" >&2; die "npm ci failed (log: $LOCAL/npm-ci.log)"; }
    local version
    version=$("$NODE_DIR/node_modules/.bin/node" --version) || die "the Node 22 binary did not install ($NODE_DIR/node_modules/.bin/node)"
    case "$version" in v22.*) ;; *) die "expected Node 22 in $NODE_DIR, got $version" ;; esac
    rm -f "$STAMPS"/node-*; touch "$STAMPS/node-$sum"
}

ensure_mcp2_venv() {
    local req="$REPO/scripts/requirements-mcp2.txt" sum
    sum=$(sha1sum <"$req" | cut -c1-12)
    if [ -f "$STAMPS/mcp2-$sum" ] && [ -x "$VENV_MCP2/bin/python" ]; then return; fi
    log "creating $VENV_MCP2 with the 2.x MCP SDK (scripts/requirements-mcp2.txt)"
    [ -x "$VENV_MCP2/bin/python" ] || "$PYTHON" -m venv "$VENV_MCP2"
    "$VENV_MCP2/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
    "$VENV_MCP2/bin/python" -c 'import mcp' || die "mcp does not import in $VENV_MCP2"
    rm -f "$STAMPS"/mcp2-*; touch "$STAMPS/mcp2-$sum"
}

if [ "${MCP_SKIP_NODE:-}" = 1 ]; then
    log "MCP_SKIP_NODE=1: not installing the Node e2e tools"
else
    ensure_node_tools
fi
ensure_mcp2_venv
