"""Helpers of the attack suite (tests/e2e/test_attacks_*.py).

- ``client(server, token, source_ip=None)``: an initialized :class:`RawMcp`,
  optionally connecting *from* another loopback address (127.0.0.x), so that
  authentication failures and lockouts of the attack suite are counted for
  that address and never lock out 127.0.0.1, which every other test uses;
- ``tool_raw`` / ``denied`` / ``tool_error_text``: a ``tools/call`` whose
  JSON-RPC error or ``isError`` result is returned for exact assertions;
- ``sql``: read the e2e database directly (psycopg2, the ``PG*`` variables
  exported by scripts/test.sh) to prove what did or did not reach it;
- ``odoo_shell``: run a Python snippet in ``odoo shell`` on a database and
  get back the JSON it prints;
- ``copy_database`` / ``drop_database``: a throwaway copy of the e2e
  database for a dedicated server whose global settings may be changed.
"""
import contextlib
import json
import os
import subprocess

import psycopg2
import pytest
import requests
from requests.adapters import HTTPAdapter

from ...protocol.oauth import ACCESS_TOKEN_PREFIX
from .harness import OdooServer, odoo_command
from .rawmcp import RawMcp

DENIED = -32003
UNAUTHORIZED = -32001
RATE_LIMITED = -32005
ACL_MESSAGE = "Access denied by Odoo access rights or record rules"


class SourceAddressAdapter(HTTPAdapter):
    """An HTTP adapter whose connections leave from ``source_ip``."""

    def __init__(self, source_ip, **kwargs):
        self.source_ip = source_ip
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source_ip, 0)
        super().init_poolmanager(*args, **kwargs)


@pytest.fixture(scope="module")
def sessions(threaded_server, e2e_keys):
    """Lazily opened sessions on the threaded server, one per key name."""
    opened = {}

    def get(name):
        if name not in opened:
            opened[name] = client(threaded_server, e2e_keys["tokens"][name])
        return opened[name]
    return get


def http_session(source_ip=None):
    """A ``requests.Session`` (bound to ``source_ip`` when given)."""
    session = requests.Session()
    if source_ip:
        adapter = SourceAddressAdapter(source_ip)
        session.mount("http://", adapter)
    return session


def client(server, token, source_ip=None, initialize=True):
    """A RawMcp on ``server`` with ``token`` (initialized unless told not to)."""
    mcp = RawMcp(server.url, token)
    mcp.http = http_session(source_ip)
    if initialize:
        mcp.initialize()
    return mcp


def post_initialize(server, token, source_ip=None, **headers):
    """One ``initialize`` POST (needs no session); return the response."""
    mcp = RawMcp(server.url, token)
    mcp.http = http_session(source_ip)
    body = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "attack", "version": "1"}}}
    return mcp.post(body, mcp.headers(**headers))


#: The ``max_batch_size`` setting's default: longer batches are refused whole.
MAX_BATCH = 50


def batch(server, token, calls):
    """Send ``calls`` (a list of ``(method, params)``) as JSON-RPC batches of
    at most ``MAX_BATCH`` messages (revision 2025-03-26, the last one with
    batches) and return the response bodies in the same order. Each message
    still runs the whole dispatch (auth, guard, tools, audit); only the HTTP
    round trips are saved."""
    mcp = RawMcp(server.url, token, revision="2025-03-26")
    assert mcp.initialize()["protocolVersion"] == "2025-03-26"
    messages = [{"jsonrpc": "2.0", "id": index, "method": method, "params": params}
                for index, (method, params) in enumerate(calls, start=1)]
    by_id = {}
    for start in range(0, len(messages), MAX_BATCH):
        response = mcp.post(messages[start:start + MAX_BATCH])
        assert response.status_code == 200, (response.status_code, response.text[:2000])
        by_id.update((body["id"], body) for body in response.json())
    assert sorted(by_id) == list(range(1, len(calls) + 1))
    return [by_id[index] for index in range(1, len(calls) + 1)]


def is_oauth(token):
    """Whether ``token`` is an OAuth access token (not an API key)."""
    return bool(token) and token.startswith(ACCESS_TOKEN_PREFIX)


def _refused_by_scope(body):
    error = body.get("error") if isinstance(body, dict) else None
    return isinstance(error, dict) and isinstance(error.get("data"), dict) and error["data"].get("reason") == "scope"


def rpc(mcp, method, params=None):
    """A JSON-RPC request; return the decoded body. HTTP 200 asserted, but
    for the one answer that differs by credential kind: a scope refusal of
    an OAuth access token (a read-only grant writing) is HTTP 403 with the
    ``insufficient_scope`` challenge (RFC 6750 §3.1) — asserted here — and
    the same JSON-RPC error body, which the test asserts as for a key."""
    response = mcp.request(method, params)
    if is_oauth(mcp.token) and response.status_code == 403:
        challenge = response.headers.get("WWW-Authenticate", "")
        assert challenge.startswith('Bearer realm="mcp", error="insufficient_scope", resource_metadata="http'), \
            challenge
        assert challenge.endswith('/.well-known/oauth-protected-resource/mcp", scope="mcp:read mcp:write"'), \
            challenge
        body = response.json()
        assert _refused_by_scope(body), body
        return body
    assert response.status_code == 200, (response.status_code, response.text)
    body = response.json()
    assert not (is_oauth(mcp.token) and _refused_by_scope(body)), ("an OAuth scope refusal must be HTTP 403", body)
    return body


def tool_raw(mcp, name, arguments):
    """``tools/call``; return the whole JSON-RPC response body."""
    return rpc(mcp, "tools/call", {"name": name, "arguments": arguments})


def denied(body, message, data):
    """Assert ``body`` is exactly the JSON-RPC error -32003 ``message`` with ``data``."""
    assert "result" not in body, body
    assert body["error"] == {"code": DENIED, "message": message, "data": data}, body["error"]


def tool_error_text(body):
    """The text of an ``isError`` tool result (asserts it is one)."""
    assert "error" not in body, body
    result = body["result"]
    assert result["isError"] is True, result
    assert "structuredContent" not in result, result
    return result["content"][0]["text"]


def tool_ok(body):
    """The ``structuredContent`` of a successful tool result."""
    assert "error" not in body, body
    result = body["result"]
    assert result["isError"] is False, result
    return result["structuredContent"]


# ----------------------------------------------------------------------
# database access
# ----------------------------------------------------------------------
def sql(db, query, params=None):
    """Run ``query`` on ``db`` (autocommit) and return all rows (or [])."""
    connection = psycopg2.connect(dbname=db)
    try:
        connection.autocommit = True
        with connection.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall() if cr.description else []
    finally:
        connection.close()


def odoo_shell(conf, db, code, timeout=300):
    """Run ``code`` in ``odoo shell`` on ``db``; it must ``print(json.dumps(x))``
    between the markers ``OUT_BEGIN`` / ``OUT_END``; return ``x``."""
    out = subprocess.run([*odoo_command(), "shell", "-c", conf, "-d", db, "--no-http", "--log-level", "error"],
                         input=code.encode(), capture_output=True, timeout=timeout)
    text = out.stdout.decode()
    if "OUT_BEGIN" not in text:
        raise RuntimeError("odoo shell snippet failed:\n" + text[-3000:] + out.stderr.decode()[-3000:])
    return json.loads(text.split("OUT_BEGIN", 1)[1].split("OUT_END", 1)[0])


def drop_database(db):
    """Drop ``db`` if it exists."""
    subprocess.run(["dropdb", "--if-exists", db], check=True, capture_output=True, timeout=120)


def copy_database(source, target):
    """Make ``target`` a copy of ``source``: ``createdb -T`` when nobody is
    connected to ``source``, else (servers running on it) a dump/restore."""
    drop_database(target)
    done = subprocess.run(["createdb", "-T", source, target], capture_output=True, timeout=300)
    if done.returncode == 0:
        return
    subprocess.run(["createdb", target], check=True, capture_output=True, timeout=120)
    dump = subprocess.Popen(["pg_dump", "-Fc", source], stdout=subprocess.PIPE)
    restore = subprocess.run(["pg_restore", "--no-owner", "-d", target], stdin=dump.stdout,
                             capture_output=True, timeout=600)
    dump.stdout.close()
    if dump.wait(timeout=600) != 0 or restore.returncode != 0:
        raise RuntimeError("copying %s to %s failed: %s" % (source, target, restore.stderr.decode()[-2000:]))


@contextlib.contextmanager
def dedicated_server(e2e_conf, suffix, prepare=None, workers=0):
    """A server of its own on a copy ``<e2e db>_<suffix>`` of the e2e
    database, for tests that change global settings or write a lot: yields
    ``(server, prepared, copy)`` where ``prepared`` is what
    ``prepare(conf, copy)`` returned (run on the copy before the server
    starts). The copy is dropped afterwards, also when starting fails."""
    conf, db = e2e_conf
    copy = f"{db}_{suffix}"
    copy_database(db, copy)
    try:
        prepared = prepare(conf, copy) if prepare else None
        server = OdooServer(conf, copy, workers=workers,
                            log_path=os.path.join(os.path.dirname(conf), f"e2e-{copy}.log")).start()
    except Exception:
        drop_database(copy)
        raise
    try:
        yield server, prepared, copy
    finally:
        server.stop()
        drop_database(copy)


def dump_database_text(db):
    """The whole data of ``db`` as text (``pg_dump --data-only``)."""
    out = subprocess.run(["pg_dump", "--data-only", db], capture_output=True, timeout=600, check=True)
    return out.stdout.decode("utf-8", "replace")


def e2e_db():
    """Name of the e2e database (set by scripts/test.sh)."""
    return os.environ["MCP_E2E_DB"]
