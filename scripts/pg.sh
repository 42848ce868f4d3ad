#!/usr/bin/env bash
# A private PostgreSQL cluster under .local/pg (git-ignored), or an existing
# server when MCP_DB_HOST is set.
#
#   scripts/pg.sh start    create (first use) and start the cluster; print env
#   scripts/pg.sh env      print PGHOST/PGPORT/PGUSER/PGPASSWORD lines to eval
#   scripts/pg.sh stop     stop the private cluster
#   scripts/pg.sh status
#
# External server: MCP_DB_HOST, MCP_DB_PORT (5432), MCP_DB_USER, MCP_DB_PASSWORD;
# that role needs CREATEDB. PostgreSQL refuses to run as root, so as root the
# cluster runs as the unprivileged system user "mcp-pg".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PGROOT="$LOCAL/pg"
PGDATA="$PGROOT/data"
PGRUN="$PGROOT/run"
ROLE=odoo_mcp
ADMIN=pgadmin
OS_USER=mcp-pg

pg_bin() {
    if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return; fi
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$d" ] && command -v pg_ctl >/dev/null; then d=$(dirname "$(command -v pg_ctl)"); fi
    [ -n "$d" ] && [ -x "$d/initdb" ] || die "PostgreSQL server binaries (initdb, pg_ctl) not found: install PostgreSQL (e.g. apt-get install postgresql) or set PG_BINDIR, or point MCP_DB_HOST at an existing server."
    echo "$d"
}

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u "$OS_USER" -- "$@"; else "$@"; fi
}

external_env() {
    echo "export PGHOST=${MCP_DB_HOST}"
    echo "export PGPORT=${MCP_DB_PORT:-5432}"
    echo "export PGUSER=${MCP_DB_USER:-$USER}"
    echo "export PGPASSWORD=${MCP_DB_PASSWORD:-}"
}

private_env() {
    echo "export PGHOST=127.0.0.1"
    echo "export PGPORT=$(cat "$PGROOT/port")"
    echo "export PGUSER=$ROLE"
    echo "export PGPASSWORD=$(cat "$PGROOT/password")"
}

is_running() {
    [ -f "$PGDATA/postmaster.pid" ] && as_pg "$(pg_bin)/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1
}

init_cluster() {
    local bin; bin=$(pg_bin)
    mkdir -p "$PGROOT"
    if [ "$(id -u)" = 0 ]; then
        id "$OS_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$OS_USER"
        chown "$OS_USER" "$PGROOT"
        as_pg test -w "$PGROOT" || die "user $OS_USER cannot write $PGROOT (a parent folder is not traversable?). Run as a normal user, or set MCP_LOCAL_DIR to a folder it can reach."
    fi
    log "creating the private PostgreSQL cluster in $PGDATA"
    local pw; pw=$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(24))')
    umask 077
    printf '%s\n' "$pw" >"$PGROOT/password"
    as_pg "$bin/initdb" -D "$PGDATA" -U "$ADMIN" --auth-local=trust --auth-host=scram-sha-256 \
        -E UTF8 --locale=C.UTF-8 >"$PGROOT/initdb.log" 2>&1 || { cat "$PGROOT/initdb.log" >&2; die "initdb failed"; }
    as_pg mkdir -p "$PGRUN"
    {
        echo "listen_addresses = '127.0.0.1'"
        echo "unix_socket_directories = '$PGRUN'"
        echo "unix_socket_permissions = 0700"
        echo "max_connections = 200"
        echo "fsync = off"                # a disposable dev/test cluster
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
    } | as_pg tee -a "$PGDATA/postgresql.conf" >/dev/null
}

start() {
    if [ -n "${MCP_DB_HOST:-}" ]; then external_env; return; fi
    local bin; bin=$(pg_bin)
    [ -f "$PGDATA/PG_VERSION" ] || init_cluster
    if ! is_running; then
        local port; port=$(free_port "${MCP_PG_PORT:-54329}")
        echo "$port" >"$PGROOT/port"
        log "starting PostgreSQL on 127.0.0.1:$port"
        as_pg "$bin/pg_ctl" -D "$PGDATA" -l "$PGROOT/postgresql.log" -o "-p $port" -w -t 60 start >/dev/null \
            || { tail -n 20 "$PGROOT/postgresql.log" >&2; die "PostgreSQL did not start"; }
    fi
    local port; port=$(cat "$PGROOT/port")
    # Our own role (Odoo refuses the postgres superuser); idempotent.
    as_pg "$bin/psql" -h "$PGRUN" -p "$port" -U "$ADMIN" -d postgres -qAt -v ON_ERROR_STOP=1 \
        -v role="$ROLE" -v pw="$(cat "$PGROOT/password")" >/dev/null <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEDB', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'role', :'pw') \gexec
SQL
    private_env
}

stop() {
    [ -n "${MCP_DB_HOST:-}" ] && return 0
    if is_running; then
        log "stopping PostgreSQL"
        as_pg "$(pg_bin)/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
    fi
}

case "${1:-start}" in
    start) start ;;
    env) if [ -n "${MCP_DB_HOST:-}" ]; then external_env; else is_running || die "private PostgreSQL is not running (scripts/pg.sh start)"; private_env; fi ;;
    stop) stop ;;
    status) if is_running; then echo "running on port $(cat "$PGROOT/port")"; else echo "stopped"; exit 3; fi ;;
    *) die "usage: $0 start|env|stop|status" ;;
esac
