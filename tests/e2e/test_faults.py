"""Faults: clients dropping SSE streams, a worker killed mid-write,
PostgreSQL going away and coming back.

Injected faults are counted in ``FAULTS`` and printed at the end of the module.
"""
import configparser
import os
import signal
import socket
import threading
import time

import pytest
import requests

from .rawmcp import RawMcp
from .reliability import (DbProbe, TcpProxy, children_of, connection_owner, cmdline, rel_env, start_server,
                          thread_count, wait_until)

FAULTS = {"sse_drops": 0, "worker_kills": 0, "pg_restarts": 0}


@pytest.fixture(scope="module", autouse=True)
def report_faults(request):
    """Print the number of injected faults at the end of the module."""
    yield
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\nfaults injected: {FAULTS}")


def _fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def _open_and_drop(base, path, headers, count):
    """Open ``count`` SSE streams, read their first bytes, then reset the TCP connections."""
    host, port = base.split("//")[1].split(":")
    for _ in range(count):
        sock = socket.create_connection((host, int(port)), timeout=10)
        head = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Accept: text/event-stream"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        first = sock.recv(4096)
        assert first.startswith(b"HTTP/1.") and b" 200 " in first.split(b"\r\n", 1)[0], first[:300]
        # RST instead of FIN: the rudest drop
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()
        FAULTS["sse_drops"] += 1


def _drop_round(server, token, count):
    """``count`` legacy /mcp/sse streams and ``count`` GET /mcp streams, dropped."""
    _open_and_drop(server.stream_url, "/mcp/sse", {"Authorization": f"Bearer {token}"}, count)
    for _ in range(count):
        client = RawMcp(server.url, token)
        client.initialize()
        _open_and_drop(server.stream_url, "/mcp", {"Authorization": f"Bearer {token}",
                                                   "Mcp-Session-Id": client.session_id,
                                                   "MCP-Protocol-Version": client.revision}, 1)


def _busy_backends(probe):
    return probe.value("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
                       "AND state IN ('active', 'idle in transaction')", (probe.db,))


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["threaded", "prefork"])
def test_dropped_sse_clients_leak_nothing(request, mode, token, e2e_conf):
    """Two rounds of 2×10 dropped streams: once the streams noticed (keepalive
    write fails, ≤ 2 keepalives), the stream process is back to its baseline
    of threads (threaded) / file descriptors, no database connection is held
    busy, the pool does not grow from round to round, and the server answers."""
    server = request.getfixturevalue(f"{mode}_server")
    pid = server.proc.pid if mode == "threaded" else next(
        p for p in children_of(server.proc.pid) if "gevent" in cmdline(p))
    probe = DbProbe(*e2e_conf)
    try:
        warm = RawMcp(server.url, token)
        warm.initialize()
        _open_and_drop(server.stream_url, "/mcp/sse", {"Authorization": f"Bearer {token}"}, 1)
        time.sleep(1)
        base_threads, base_fds = thread_count(pid), _fd_count(pid)
        connections = []
        for _ in range(2):
            _drop_round(server, token, 10)
            settled = wait_until(lambda: thread_count(pid) <= base_threads + 1 and _fd_count(pid) <= base_fds + 2,
                                 45, interval=1)
            assert settled, (mode, base_threads, thread_count(pid), base_fds, _fd_count(pid))
            assert wait_until(lambda: _busy_backends(probe) == 0, 10), _busy_backends(probe)
            connections.append(probe.connections())
        assert connections[1] <= connections[0] + 2, connections
        assert warm.call("ping") == {}
        assert requests.get(server.stream_url + "/mcp/health", timeout=10).status_code == 200
    finally:
        probe.close()


@pytest.fixture(scope="module")
def rel_prefork():
    """A prefork server (2 workers) on the reliability database."""
    conf, db, keys = rel_env()
    server = start_server(conf, db, workers=2)
    yield server, keys, DbProbe(conf, db)
    server.stop()


def _http_workers(server):
    return [p for p in children_of(server.proc.pid) if "gevent" not in cmdline(p)]


@pytest.mark.slow
def test_worker_killed_during_write_leaves_nothing(rel_prefork):
    """SIGKILL the worker while it runs a batch of 30 creates (100 children
    each, one transaction): no row of it remains, its backend goes away, the
    next request works and the master replaces the worker."""
    server, keys, probe = rel_prefork
    token = keys["tokens"]["admin_write"]
    client = RawMcp(server.url, token, "2025-03-26")  # the revision with JSON-RPC batches
    client.initialize("2025-03-26")
    tag = f"killme {time.time_ns()}"
    workers = _http_workers(server)
    assert len(workers) == 2, workers
    outcome = {}
    batch = [{"jsonrpc": "2.0", "id": n, "method": "tools/call", "params": {"name": "create", "arguments": {
        "model": "res.partner", "values": {"name": f"{tag} {n}", "child_ids": [
            [0, 0, {"name": f"{tag} {n} child {i}"}] for i in range(100)]}}}} for n in range(30)]

    def write():
        try:
            outcome["response"] = client.post(batch)
        except requests.RequestException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=write)
    thread.start()
    # the worker holding our connection, once the batch's transaction is under way
    busy = wait_until(lambda: probe.value(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
        "AND state IN ('active', 'idle in transaction') "
        "AND xact_start < now() - interval '500 milliseconds'", (probe.db,)), 60, interval=0.1)
    assert busy, "the write never showed up as a busy backend"
    victim_pid = connection_owner(server.port, workers)
    assert victim_pid in workers, (victim_pid, workers)
    assert thread.is_alive(), outcome
    os.kill(victim_pid, signal.SIGKILL)
    FAULTS["worker_kills"] += 1
    thread.join(60)
    assert "error" in outcome or outcome["response"].status_code != 200, \
        ("the killed batch reported success", outcome["response"].text[:300])
    assert wait_until(lambda: probe.value(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
        "AND state IN ('active', 'idle in transaction')", (probe.db,)) == 0, 20), "a backend is still busy"
    assert probe.value("SELECT count(*) FROM res_partner WHERE name LIKE %s", (f"{tag}%",)) == 0
    after = RawMcp(server.url, token)
    after.initialize()
    assert after.tool("count", {"model": "res.partner", "domain": [["name", "like", tag]]})[
        "structuredContent"]["count"] == 0
    assert wait_until(lambda: len(_http_workers(server)) == 2, 30), _http_workers(server)


@pytest.mark.slow
def test_postgresql_restart_health_503_then_recovers():
    """PostgreSQL goes away (all connections reset, new ones refused) and
    comes back: /mcp/health says 503 (JSON), /mcp a JSON-RPC 503, then both
    recover without restarting Odoo.

    The "restart" is a TCP forwarder between Odoo and the shared cluster
    being stopped and started: for Odoo that is exactly what a PostgreSQL
    restart looks like (sockets reset, connect refused, then accepted), and
    the cluster other test runs use is left alone."""
    conf, db, keys = rel_env()
    parser = configparser.ConfigParser()
    parser.read(conf)
    proxy = TcpProxy(parser["options"]["db_host"], parser["options"]["db_port"]).start()
    proxied = os.path.join(os.path.dirname(conf), f"odoo-proxied-{proxy.port}.conf")
    parser["options"]["db_port"] = str(proxy.port)
    with open(proxied, "w", encoding="utf-8") as f:
        parser.write(f)
    os.chmod(proxied, 0o600)
    server = start_server(proxied, db, workers=0)
    try:
        token = keys["tokens"]["admin_read"]
        client = RawMcp(server.url, token)
        client.initialize()
        assert client.call("ping") == {}
        proxy.stop()
        FAULTS["pg_restarts"] += 1

        def down():
            response = requests.get(server.url + "/mcp/health", timeout=15)
            return response if response.status_code == 503 else None
        health = wait_until(down, 30, interval=0.5)
        assert health is not None, "health never said 503"
        assert health.json()["status"] == "unavailable" and health.json()["database"]["reachable"] is False
        response = client.request("ping")
        assert response.status_code == 503, response.text[:300]
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.json()["error"]["code"] == -32603 and response.headers["Retry-After"]
        proxy.start()
        assert wait_until(lambda: requests.get(server.url + "/mcp/health", timeout=15).status_code == 200, 60)
        assert wait_until(lambda: client.request("ping").status_code == 200, 30)
        assert client.tool("count", {"model": "res.country"})["structuredContent"]["count"] > 0
    finally:
        server.stop()
        proxy.stop()
        os.unlink(proxied)
