"""Helpers of the reliability tests (fuzz, limits, transactions, faults) and
of ``scripts/soak.py``: direct PostgreSQL probes, response invariants, keys
and dedicated servers on the reliability database (``MCP_REL_DB``)."""
import configparser
import json
import os
import time

import psycopg2

from .harness import OdooServer, shell_json

#: Tables whose row count and last write must not move after a refused call.
WATCHED_TABLES = ("res_partner", "res_country", "res_currency", "res_partner_category",
                  "res_partner_bank", "res_company", "res_country_state")
HTML_MARKERS = ("<html", "<!doctype", "traceback (most recent call last)", "<title>")


def db_params(conf, db):
    """psycopg2 connection keywords for database ``db`` from Odoo config ``conf``."""
    parser = configparser.ConfigParser()
    parser.read(conf)
    options = parser["options"]
    params = {"dbname": db}
    for key in ("host", "port", "user", "password"):
        value = options.get(f"db_{key}")
        if value and value not in ("False", "None"):
            params[key] = value
    return params


class DbProbe:
    """Reads the database behind a server directly (autocommit, one connection)."""

    def __init__(self, conf, db, port=None):
        self.conf = conf
        self.db = db
        params = db_params(conf, db)
        if port:  # another server of the cluster (a replica)
            params["port"] = port
        self.cnx = psycopg2.connect(**params)
        self.cnx.autocommit = True

    def query(self, sql, params=None):
        """All rows of ``sql``."""
        with self.cnx.cursor() as cr:
            cr.execute(sql, params)
            return cr.fetchall() if cr.description else []

    def value(self, sql, params=None):
        """The first column of the first row of ``sql``."""
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    def snapshot(self):
        """Row count, max id and last write of each watched table."""
        state = {}
        for table in WATCHED_TABLES:
            state[table] = self.query(
                f"SELECT count(*), max(id), max(write_date) FROM {table}")[0]  # noqa: S608 (constant names)
        return state

    def connections(self, exclude_self=True):
        """Backends connected to this database (this probe's excluded)."""
        sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
        if exclude_self:
            sql += " AND pid <> pg_backend_pid()"
        return self.value(sql, (self.db,))

    def max_audit_id(self):
        """Highest ``mcp_audit_log`` id (0 when empty)."""
        return self.value("SELECT coalesce(max(id), 0) FROM mcp_audit_log")

    def set_param(self, key, value):
        """Set an ``ir.config_parameter`` (servers started afterwards read it)."""
        self.query("DELETE FROM ir_config_parameter WHERE key = %s", (key,))
        self.query("INSERT INTO ir_config_parameter (key, value, create_date, write_date) "
                   "VALUES (%s, %s, now() at time zone 'UTC', now() at time zone 'UTC')", (key, str(value)))

    def close(self):
        self.cnx.close()


def check_response(response, allow_result=True):
    """Assert the reliability invariants of one HTTP answer of /mcp.

    Never 5xx, never an HTML page or a traceback; 202 has no body; anything
    else is JSON: a JSON-RPC error or result (or a batch of them), or a
    small ``{"error": ...}`` object for pure HTTP refusals (405).
    Returns the decoded body (``None`` for 202/204).
    """
    status = response.status_code
    text = response.text
    assert status < 500, (status, text[:500])
    lowered = text[:2000].lower()
    assert not any(marker in lowered for marker in HTML_MARKERS), (status, text[:500])
    if status in (202, 204):
        assert response.content == b"", (status, text[:200])
        return None
    assert response.headers.get("Content-Type", "").startswith("application/json"), (
        status, response.headers.get("Content-Type"), text[:300])
    body = json.loads(text)
    for message in body if isinstance(body, list) else [body]:
        check_message(message, allow_result)
    return body


def check_message(message, allow_result=True):
    """Assert ``message`` is a well-formed JSON-RPC response (or an HTTP refusal object)."""
    assert isinstance(message, dict), message
    if "jsonrpc" not in message:  # plain HTTP refusal, e.g. 405
        assert isinstance(message.get("error"), str), message
        return
    assert message["jsonrpc"] == "2.0", message
    assert "id" in message, message
    assert message["id"] is None or isinstance(message["id"], (str, int, float)), message
    assert ("result" in message) != ("error" in message), message
    if "error" in message:
        error = message["error"]
        assert isinstance(error.get("code"), int) and isinstance(error.get("message"), str), message
        assert "Traceback" not in error["message"], message
        assert error["code"] != -32603, ("internal error: an unexpected exception", message)
    else:
        assert allow_result, message
        result = message["result"]
        assert isinstance(result, dict), message
        if result.get("isError"):
            assert result["content"] and result["content"][0]["type"] == "text", message
            assert "Traceback" not in result["content"][0]["text"], message


def is_refusal(message):
    """True when ``message`` (one JSON-RPC response) refused the call."""
    return "error" in message or bool(message.get("result", {}).get("isError"))


def make_keys(conf, db):
    """Run make_keys.py on ``db`` through ``odoo shell``; the keys JSON."""
    return shell_json(conf, db, os.path.join(os.path.dirname(__file__), "make_keys.py"))


def start_server(conf, db, workers=0, timeout=240, extra_args=(), env=None):
    """Start an ``OdooServer`` (with extra environment variables ``env``)."""
    server = OdooServer(conf, db, workers=workers, extra_args=extra_args)
    if not env:
        return server.start(timeout)
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        return server.start(timeout)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def wait_until(predicate, timeout, interval=0.25):
    """Poll ``predicate`` until it is truthy or ``timeout`` seconds pass; its last value."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value


def children_of(pid):
    """Process ids whose parent is ``pid`` (from /proc)."""
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(entry))
    return kids


def cmdline(pid):
    """The arguments of ``pid`` (empty when gone)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().decode(errors="replace").split("\0")
    except OSError:
        return []


def thread_count(pid):
    """Threads of process ``pid``."""
    return len(os.listdir(f"/proc/{pid}/task"))


def rss_kb(pid):
    """Resident memory of ``pid`` in KiB (0 when gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


class TcpProxy:
    """A loopback TCP forwarder to PostgreSQL: ``stop()`` drops every
    connection and refuses new ones, ``start()`` accepts again on the same
    port. From Odoo's side this is a PostgreSQL restart (connections reset,
    then refused, then accepted), without touching the shared cluster."""

    def __init__(self, target_host, target_port, port=None):
        import socket  # noqa: PLC0415
        import threading  # noqa: PLC0415
        from .harness import free_port  # noqa: PLC0415
        self._socket, self._threading = socket, threading
        self.target = (target_host, int(target_port))
        self.port = port or free_port()
        self._server = None
        self._conns = []
        self._lock = threading.Lock()

    def start(self):
        """Listen (again) and forward."""
        sock = self._socket.socket()
        sock.setsockopt(self._socket.SOL_SOCKET, self._socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(64)
        self._server = sock
        self._threading.Thread(target=self._accept, args=(sock,), daemon=True).start()
        return self

    def _accept(self, server):
        while True:
            try:
                client, _addr = server.accept()
            except OSError:
                return
            try:
                upstream = self._socket.create_connection(self.target, timeout=10)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                self._threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.close()
                except OSError:
                    pass

    def stop(self):
        """Close the listener and every forwarded connection."""
        if self._server:
            try:
                self._server.shutdown(self._socket.SHUT_RDWR)  # wakes the blocked accept()
            except OSError:
                pass
            self._server.close()
            self._server = None
        with self._lock:
            conns, self._conns = self._conns, []
        for s in conns:
            try:
                s.shutdown(self._socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


_KEYS_CACHE = {}


def rel_env():
    """``(conf, db, keys)`` of the reliability database (keys made once per process)."""
    import pytest  # noqa: PLC0415
    conf, db = os.environ.get("MCP_ODOO_CONF"), os.environ.get("MCP_REL_DB")
    if not (conf and db):
        pytest.skip("reliability tests run through scripts/test.sh (MCP_ODOO_CONF, MCP_REL_DB)")
    if db not in _KEYS_CACHE:
        _KEYS_CACHE[db] = make_keys(conf, db)
    return conf, db, _KEYS_CACHE[db]


def connection_owner(port, pids):
    """The process among ``pids`` holding an established TCP connection
    accepted on local ``port`` (from /proc/net/tcp), or ``None``."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table, encoding="ascii") as f:
                lines = f.readlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                inodes.add(f"socket:[{fields[9]}]")
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                        return pid
                except OSError:
                    continue
        except OSError:
            continue
    return None
