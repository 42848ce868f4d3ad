"""Limits of the real endpoint: body size, nesting, slow clients, idle
streams, per-key rate limit.

What Odoo's servers do with slow clients (checked on Odoo 18):

* prefork HTTP workers set a 2 s socket timeout on each connection
  (``ODOO_HTTP_SOCKET_TIMEOUT``): a client that stalls while sending its
  request is disconnected and the worker is free again;
* the threaded server (werkzeug) has no socket timeout: a stalled client
  holds one thread of its own until it goes away, other requests are served
  by other threads (``ODOO_MAX_HTTP_THREADS`` bounds them); a reverse proxy
  in front should buffer requests, as Odoo's deployment guide says;
* SSE streams send a keepalive comment every 15 s, so a vanished client is
  noticed at the next write; a stream ends when its session ends (DELETE,
  expiry after the session TTL, key revoked) — see test_faults.py for drops.
"""
import json
import socket
import time

import pytest
import requests

from .rawmcp import RawMcp
from .reliability import DbProbe, check_response, rel_env, start_server, thread_count, wait_until
from .sse import SseReader

PING = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}).encode()


def _raw_request(base, head_lines, body=b"", timeout=10.0):
    """Send raw HTTP; return (status line + headers + body bytes, seconds)."""
    host, port = base.split("//")[1].split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(("\r\n".join(head_lines) + "\r\n\r\n").encode() + body)
        chunks = []
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                chunks.append(data)
                if b"\r\n\r\n" in b"".join(chunks) and _complete(b"".join(chunks)):
                    break
        except socket.timeout:
            pass
    return b"".join(chunks), time.monotonic() - started


def _complete(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def _status(raw):
    return int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/") else None


def _headers(server, token, **extra):
    lines = ["POST /mcp HTTP/1.1", f"Host: 127.0.0.1:{server.port}", "Content-Type: application/json",
             "Accept: application/json, text/event-stream", f"Authorization: Bearer {token}"]
    return lines + [f"{k}: {v}" for k, v in extra.items()]


@pytest.mark.parametrize("length", [5 * 10 ** 6, 10 ** 9])
def test_declared_length_over_limit_is_413_without_reading(server, token, length):
    """A 5 MB / 1 GB Content-Length with a 10-byte body: JSON 413 at once
    (the body is never awaited; regression: over Odoo's 128 MiB cap werkzeug
    read the whole declared body, then answered an HTML page)."""
    raw, seconds = _raw_request(server.url, _headers(server, token, **{"Content-Length": str(length),
                                                                       "Connection": "close"}), b'{"jsonrpc"')
    assert _status(raw) == 413, raw[:300]
    body = json.loads(raw.partition(b"\r\n\r\n")[2])
    assert body["error"]["code"] == -32600 and "larger than" in body["error"]["message"]
    assert seconds < 5, seconds


def test_chunked_body_over_limit_is_413(server, token):
    """A chunked body (no Content-Length) is cut at the limit: 413, not a read
    of everything (regression: werkzeug's get_data read it whole)."""
    host, port = "127.0.0.1", server.port
    head = "\r\n".join(_headers(server, token, **{"Transfer-Encoding": "chunked", "Connection": "close"}))
    chunk = b"[" + b" " * 65534 + b"]"
    sent = 0
    started = time.monotonic()
    with socket.create_connection((host, port), timeout=20) as sock:
        sock.sendall(head.encode() + b"\r\n\r\n")
        try:
            for _ in range(64):  # up to 4 MiB, four times the default 1 MiB limit
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                sent += len(chunk)
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server stopped reading and closed: fine
        raw = b""
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                raw += data
        except OSError:
            pass
    assert _status(raw) == 413, raw[:300]
    assert time.monotonic() - started < 20


def test_deep_nesting_is_400_fast(server, token):
    """100 000 nested arrays (well inside the size limit): 400 -32600 in well under a second of work."""
    client = RawMcp(server.url, token)
    client.initialize()
    body = b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":' + b"[" * 100000 + b"]" * 100000 + b"}}"
    started = time.monotonic()
    response = client.post(None, raw=body)
    assert time.monotonic() - started < 5
    assert response.status_code == 400, response.text[:300]
    assert check_response(response)["error"]["code"] == -32600


def test_prefork_drops_a_stalled_client(prefork_server, token):
    """Prefork: a client that sends half a body and stalls is disconnected
    after Odoo's 2 s socket timeout; the server keeps answering meanwhile."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", prefork_server.port), timeout=30) as sock:
        sock.sendall(("\r\n".join(_headers(prefork_server, token, **{"Content-Length": "100"}))
                      + "\r\n\r\n").encode() + b'{"jsonrpc"')
        assert requests.get(prefork_server.url + "/mcp/health", timeout=10).status_code == 200
        try:
            data = sock.recv(65536)
        except (ConnectionResetError, socket.timeout):
            data = b""
    elapsed = time.monotonic() - started
    # Closed (or answered 4xx) by the server, not by our 30 s timeout.
    assert elapsed < 15, elapsed
    assert not data or (_status(data) or 0) < 500, data[:200]


def test_threaded_stalled_client_holds_only_its_thread(threaded_server, token):
    """Threaded: a stalled client keeps one thread; others are served; the
    thread ends when the client goes away."""
    pid = threaded_server.proc.pid
    baseline = thread_count(pid)
    socks = []
    try:
        for _ in range(3):
            sock = socket.create_connection(("127.0.0.1", threaded_server.port), timeout=10)
            sock.sendall(("\r\n".join(_headers(threaded_server, token, **{"Content-Length": "100"}))
                          + "\r\n\r\n").encode() + b'{"jsonrpc"')
            socks.append(sock)
        client = RawMcp(threaded_server.url, token)
        client.initialize()
        assert client.call("ping") == {}
    finally:
        for sock in socks:
            sock.close()
    assert wait_until(lambda: thread_count(pid) <= baseline + 1, 20), (baseline, thread_count(pid))


@pytest.mark.slow
def test_idle_stream_ends_with_its_session(threaded_server, token):
    """An idle GET /mcp stream (keepalives only) ends once its session is deleted."""
    client = RawMcp(threaded_server.url, token)
    client.initialize()
    response = client.http.get(client.url, headers=client.headers(Accept="text/event-stream"), stream=True,
                               timeout=60)
    assert response.status_code == 200
    reader = SseReader(response)
    deleted = client.http.delete(client.url, headers=client.headers(), timeout=10)
    assert deleted.status_code == 204
    started = time.monotonic()
    event = reader.next(timeout=40)
    while event["event"] != "closed":
        event = reader.next(timeout=40)
    assert time.monotonic() - started < 40
    reader.close()


@pytest.fixture(scope="module")
def rate_limited_server():
    """A threaded server on the reliability database with 20 requests/minute per key."""
    conf, db, keys = rel_env()
    probe = DbProbe(conf, db)
    probe.set_param("mcp_bridge.rate_limit_per_minute", 20)
    server = start_server(conf, db, workers=0)
    yield server, keys, probe
    server.stop()
    probe.query("DELETE FROM ir_config_parameter WHERE key = 'mcp_bridge.rate_limit_per_minute'")
    probe.close()


def test_flood_from_one_key_hits_the_rate_limit(rate_limited_server):
    """80 quick requests of one key: 20 served, the rest 429 + Retry-After;
    the refused ones run nothing (no audit row of the key, which is also the
    rate count; no tool); other keys unaffected."""
    server, keys, probe = rate_limited_server
    token = keys["tokens"]["spare"]
    key_id = probe.value("SELECT id FROM mcp_api_key WHERE name = 'e2e spare' ORDER BY id DESC LIMIT 1")
    audit_before = probe.max_audit_id()
    wrong_secret = token[:12] + ("A" if token[12] != "A" else "B") + token[13:]
    for _ in range(5):  # refused attempts with the key's index do not use its budget
        assert RawMcp(server.url, wrong_secret).request("ping", {}).status_code == 401
    client = RawMcp(server.url, token)
    client.initialize()  # initialize: 1 of the 20 (the notification is not a request)
    statuses = []
    for _ in range(80):
        response = client.request("tools/call", {"name": "count", "arguments": {"model": "res.partner"}})
        check_response(response)
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) >= 1
            assert response.json()["error"]["code"] == -32005
    served = [s for s in statuses if s != 429]
    assert 15 <= len(served) <= 19, statuses
    assert statuses.count(429) >= 61, statuses
    assert probe.value("SELECT count(*) FROM mcp_audit_log WHERE key_id = %s AND id > %s",
                       (key_id, audit_before)) == len(served) + 1  # + initialize
    other = RawMcp(server.url, keys["tokens"]["other_admin"])
    other.initialize()
    assert other.call("ping") == {}


def test_malformed_chunked_body_is_400_json(server, token):
    """A broken chunk header is a JSON 400 parse error (regression: the
    OSError of werkzeug's de-chunker was an HTTP 500)."""
    head = "\r\n".join(_headers(server, token, **{"Transfer-Encoding": "chunked", "Connection": "close"}))
    raw, _seconds = _raw_request(server.url, [head], b"zz\r\n{}\r\n0\r\n\r\n")
    assert _status(raw) == 400, raw[:300]
    assert json.loads(raw.partition(b"\r\n\r\n")[2])["error"]["code"] == -32700
