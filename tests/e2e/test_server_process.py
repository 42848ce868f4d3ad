"""The harness starts real Odoo processes that serve /mcp/health."""
import requests

from ...protocol.revisions import REVISIONS


def test_health_on_real_server(server):
    response = requests.get(server.url + "/mcp/health", timeout=10)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert body["status"] == "ok"
    assert body["protocol_versions"] == list(REVISIONS)
    assert body["database"]["reachable"] is True


def test_prefork_gevent_port_serves_routes(prefork_server):
    response = requests.get(prefork_server.stream_url + "/mcp/health", timeout=10)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
