# shellcheck shell=bash
# Common settings for the dev/test tooling. Sourced, never run.
# Everything local lives under $LOCAL (git-ignored).

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="${MCP_LOCAL_DIR:-$REPO/.local}"
PYTHON="${PYTHON:-python3}"
MODULE=mcp_bridge
# The addons folder Odoo loads this module from: the repo root may be cloned
# under any name, Odoo needs a folder named after the module.
ADDONS_LINK_DIR="$LOCAL/addons"

log() { printf '\033[1;34m[mcp]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[mcp] error:\033[0m %s\n' "$*" >&2; exit 1; }

ensure_addons_link() {
    mkdir -p "$ADDONS_LINK_DIR"
    local link="$ADDONS_LINK_DIR/$MODULE"
    if [ "$(readlink "$link" 2>/dev/null)" != "$REPO" ]; then
        rm -f "$link"
        ln -s "$REPO" "$link"
    fi
}

# Folder holding Odoo's own addons (odoo/addons and, for a source tree, ./addons).
odoo_addons_path() {
    "$PYTHON" - <<'PY'
import os, odoo
root = os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__)))
paths = [os.path.join(os.path.dirname(os.path.abspath(odoo.__file__)), "addons")]
if os.path.isdir(os.path.join(root, "addons", "web")):
    paths.append(os.path.join(root, "addons"))
print(",".join(paths))
PY
}

# Write an Odoo config file for database settings from pg.sh's env.
# usage: write_odoo_conf FILE [extra "key = value" lines...]
write_odoo_conf() {
    local file="$1"; shift
    ensure_addons_link
    mkdir -p "$(dirname "$file")" "$LOCAL/data"
    {
        echo "[options]"
        echo "addons_path = $(odoo_addons_path),$ADDONS_LINK_DIR"
        echo "data_dir = $LOCAL/data"
        echo "db_host = $PGHOST"
        echo "db_port = $PGPORT"
        echo "db_user = $PGUSER"
        echo "db_password = $PGPASSWORD"
        echo "list_db = False"
        for line in "$@"; do echo "$line"; done
    } >"$file"
    chmod 600 "$file"
}

# A free TCP port on 127.0.0.1, starting the search at $1.
free_port() {
    "$PYTHON" - "$1" <<'PY'
import socket, sys
start = int(sys.argv[1])
for port in range(start, start + 200):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
else:
    sys.exit("no free port near %d" % start)
PY
}

# The odoo launcher of $PYTHON (prefork mode re-executes argv, so not `-m odoo`).
odoo_script() {
    local script
    script="$("$PYTHON" -c 'import os, sys; print(os.path.join(os.path.dirname(sys.executable), "odoo"))')"
    [ -x "$script" ] || script="$(command -v odoo || true)"
    [ -n "$script" ] || die "the odoo launcher was not found (scripts/setup.sh installs it)"
    echo "$script"
}

odoo_cmd() { "$PYTHON" "$(odoo_script)" "$@"; }
