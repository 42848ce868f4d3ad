#!/usr/bin/env bash
# A private PostgreSQL cluster under .local/pg (git-ignored), or an existing
# server when MCP_DB_HOST is set.
#
#   scripts/pg.sh start    create (first use) and start the cluster; print env
#   scripts/pg.sh env      print PGHOST/PGPORT/PGUSER/PGPASSWORD lines to eval
#   scripts/pg.sh stop     stop the private cluster
#   scripts/pg.sh status
#   scripts/pg.sh replica start|stop|status
#                          a hot-standby streaming replica of the private
#                          cluster (pg_basebackup -R into .local/pg-replica,
#                          fresh at each start); start prints REPLICA_PORT
#   scripts/pg.sh replica pause|resume
#                          stop / restart the standby's WAL replay (it lags
#                          behind the primary until resumed: tests of lag)
#
# External server: MCP_DB_HOST, MCP_DB_PORT (5432), MCP_DB_USER, MCP_DB_PASSWORD;
# that role needs CREATEDB. PostgreSQL refuses to run as root, so as root the
# cluster runs as the unprivileged system user "mcp-pg".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PGROOT="$LOCAL/pg"
PGDATA="$PGROOT/data"
PGRUN="$PGROOT/run"
REPLICA_ROOT="$LOCAL/pg-replica"
REPLICA_DATA="$REPLICA_ROOT/data"
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
    allow_replication || true
}

# Streaming replication from loopback for our role (wal_level=replica and
# max_wal_senders are PostgreSQL's defaults); idempotent, for clusters made
# before this line existed too. Returns 0 when pg_hba.conf was changed.
allow_replication() {
    local line="host replication $ROLE 127.0.0.1/32 scram-sha-256"
    as_pg grep -qxF "$line" "$PGDATA/pg_hba.conf" && return 1
    echo "$line" | as_pg tee -a "$PGDATA/pg_hba.conf" >/dev/null
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
    if allow_replication; then as_pg "$bin/pg_ctl" -D "$PGDATA" reload >/dev/null; fi
    # Our own role (Odoo refuses the postgres superuser); idempotent.
    as_pg "$bin/psql" -h "$PGRUN" -p "$port" -U "$ADMIN" -d postgres -qAt -v ON_ERROR_STOP=1 \
        -v role="$ROLE" -v pw="$(cat "$PGROOT/password")" >/dev/null <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEDB', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L REPLICATION', :'role', :'pw') \gexec
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

replica_running() {
    [ -f "$REPLICA_DATA/postmaster.pid" ] && as_pg "$(pg_bin)/pg_ctl" -D "$REPLICA_DATA" status >/dev/null 2>&1
}

replica_stop() {
    if replica_running; then
        log "stopping the PostgreSQL replica"
        as_pg "$(pg_bin)/pg_ctl" -D "$REPLICA_DATA" -m immediate -w stop >/dev/null
    fi
}

# A fresh hot standby of the private cluster on a free loopback port.
replica_start() {
    [ -z "${MCP_DB_HOST:-}" ] || die "the replica is made from the private cluster only (MCP_DB_HOST is set)"
    is_running || die "private PostgreSQL is not running (scripts/pg.sh start)"
    local bin; bin=$(pg_bin)
    replica_stop
    as_pg rm -rf "$REPLICA_DATA"
    mkdir -p "$REPLICA_ROOT"
    [ "$(id -u)" = 0 ] && chown "$OS_USER" "$REPLICA_ROOT"
    log "making a streaming replica in $REPLICA_DATA (pg_basebackup -R)"
    as_pg env PGPASSWORD="$(cat "$PGROOT/password")" "$bin/pg_basebackup" -h 127.0.0.1 -p "$(cat "$PGROOT/port")" \
        -U "$ROLE" -D "$REPLICA_DATA" -R -X stream -c fast >"$REPLICA_ROOT/basebackup.log" 2>&1 \
        || { cat "$REPLICA_ROOT/basebackup.log" >&2; die "pg_basebackup failed"; }
    local port; port=$(free_port "$(( $(cat "$PGROOT/port") + 1 ))")
    echo "$port" >"$REPLICA_ROOT/port"
    as_pg mkdir -p "$REPLICA_ROOT/run"
    as_pg "$bin/pg_ctl" -D "$REPLICA_DATA" -l "$REPLICA_ROOT/postgresql.log" \
        -o "-p $port -c hot_standby=on -c unix_socket_directories=$REPLICA_ROOT/run" -w -t 60 start >/dev/null \
        || { tail -n 20 "$REPLICA_ROOT/postgresql.log" >&2; die "the replica did not start"; }
    echo "export REPLICA_PORT=$port"
}

# pg_wal_replay_pause() / pg_wal_replay_resume() on the standby (superuser).
replica_replay() {
    replica_running || die "the replica is not running"
    as_pg "$(pg_bin)/psql" -h "$REPLICA_ROOT/run" -p "$(cat "$REPLICA_ROOT/port")" -U "$ADMIN" -d postgres \
        -qAt -v ON_ERROR_STOP=1 -c "SELECT pg_wal_replay_$1()" >/dev/null
}

case "${1:-start}" in
    start) start ;;
    env) if [ -n "${MCP_DB_HOST:-}" ]; then external_env; else is_running || die "private PostgreSQL is not running (scripts/pg.sh start)"; private_env; fi ;;
    stop) stop ;;
    status) if is_running; then echo "running on port $(cat "$PGROOT/port")"; else echo "stopped"; exit 3; fi ;;
    replica) case "${2:-start}" in
        start) replica_start ;;
        stop) replica_stop ;;
        pause|resume) replica_replay "$2" ;;
        status) if replica_running; then echo "running on port $(cat "$REPLICA_ROOT/port")"; else echo "stopped"; exit 3; fi ;;
        *) die "usage: $0 replica start|stop|status|pause|resume" ;;
        esac ;;
    *) die "usage: $0 start|env|stop|status|replica start|stop|status|pause|resume" ;;
esac
