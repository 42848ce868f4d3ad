"""Legacy HTTP+SSE transport (2024-11-05): isolation between sessions,
cross-worker delivery latency, disabled transport."""
import json
import queue
import time

import pytest
import requests

from .sse import SseReader

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2024-11-05", "capabilities": {}, "clientInfo": {"name": "legacy-test", "version": "0"}}}


def open_stream(server, token):
    """Open /mcp/sse; return (reader, messages URL on the worker port)."""
    response = requests.get(server.stream_url + "/mcp/sse", stream=True, timeout=30,
                            headers={"Authorization": f"Bearer {token}", "Accept": "text/event-stream"})
    assert response.status_code == 200, response.text
    reader = SseReader(response)
    endpoint = reader.next()
    assert endpoint["event"] == "endpoint"
    return reader, server.url + endpoint["data"]


def post(url, token, message):
    return requests.post(url, data=json.dumps(message), timeout=10,
                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})


def test_sessions_do_not_see_each_others_messages(server, e2e_keys):
    token = e2e_keys["tokens"]["admin_write"]
    reader_a, url_a = open_stream(server, token)
    reader_b, url_b = open_stream(server, token)
    try:
        assert post(url_a, token, INIT).status_code == 202
        assert reader_a.next_message()["id"] == 1
        with pytest.raises(queue.Empty):
            reader_b.next_message(timeout=1.5)
        assert post(url_b, token, dict(INIT, id=2)).status_code == 202
        assert reader_b.next_message()["id"] == 2
    finally:
        reader_a.close()
        reader_b.close()


def test_session_is_bound_to_its_key(server, e2e_keys):
    reader, url = open_stream(server, e2e_keys["tokens"]["admin_write"])
    try:
        response = post(url, e2e_keys["tokens"]["other_admin"], INIT)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == -32004
    finally:
        reader.close()


def test_cross_worker_delivery_latency(prefork_server, token):
    """POST on a prefork worker, stream held by the gevent process: the answer
    arrives through PostgreSQL NOTIFY, well under a second (typically a few ms)."""
    reader, url = open_stream(prefork_server, token)
    try:
        assert post(url, token, INIT).status_code == 202
        reader.next_message()
        latencies = []
        for i in range(20):
            started = time.perf_counter()
            assert post(url, token, {"jsonrpc": "2.0", "id": 100 + i, "method": "ping"}).status_code == 202
            message = reader.next_message(timeout=5)
            latencies.append(time.perf_counter() - started)
            assert message == {"jsonrpc": "2.0", "id": 100 + i, "result": {}}
        latencies.sort()
        print(f"legacy SSE cross-worker round trip: p50 {latencies[10] * 1000:.1f} ms, "
              f"max {latencies[-1] * 1000:.1f} ms")
        assert latencies[10] < 0.5
    finally:
        reader.close()
