"""The real-client tooling works (without Odoo): Node 22, the Inspector and
conformance CLIs, the bearer preload, the 2.x SDK venv, and every client
helper against a stand-in FastMCP server behind a bearer check.

Skipped when the tools are not installed (scripts/setup.sh installs them).
"""
import asyncio
import importlib.util
import json
import os
import shlex
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from . import clients, sdk1

TOKEN = "test-token-123"


def _load_client_configs():
    """protocol/client_configs.py, loaded by path as scripts/print_connect.py does."""
    spec = importlib.util.spec_from_file_location(
        "mcp_client_configs", os.path.join(clients.REPO, "protocol", "client_configs.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


client_configs = _load_client_configs()


pytestmark = pytest.mark.skipif(not clients.installed(clients.VENV_MCP2_PYTHON), reason=clients.SETUP_HINT)


class _EchoHeaders(BaseHTTPRequestHandler):
    """Answers every request with the request's headers as JSON."""

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def echo_servers():
    """Two header-echo servers on loopback: (target_url, other_url)."""
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _EchoHeaders) for _ in range(2)]
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    yield tuple("http://127.0.0.1:%d" % s.server_address[1] for s in servers)
    for server in servers:
        server.shutdown()
        server.server_close()


def _run(cmd, **kwargs):
    """subprocess.run without the address-space limit an Odoo process sets."""
    return subprocess.run(cmd, preexec_fn=clients._lift_address_space_limit, **kwargs)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def fake_server(tmp_path_factory):
    """The stand-in MCP server; yields (base_url, auth_log_path)."""
    port = _free_port()
    log = tmp_path_factory.mktemp("fake") / "auth.log"
    env = dict(os.environ, FAKE_MCP_AUTH_LOG=str(log))
    proc = subprocess.Popen([sys.executable, os.path.join(clients.HERE, "fake_mcp_server.py"), str(port), TOKEN],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=clients._lift_address_space_limit)
    base = "http://127.0.0.1:%d" % port
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("the fake MCP server did not start")
    yield base, log
    proc.terminate()
    proc.wait(10)


def test_node_is_22():
    out = _run([clients.node_bin(), "--version"], capture_output=True, text=True, check=True).stdout
    assert out.startswith("v22.")


def test_inspector_cli_help_lists_the_flags_we_use():
    cmd = [clients.node_bin(), clients.INSPECTOR_JS, "--cli", "--help"]
    out = _run(cmd, capture_output=True, text=True, env=clients._node_env(), timeout=60).stdout
    for flag in ("--transport", "--header", "--method", "--tool-name", "--tool-args-json", "--format"):
        assert flag in out


def test_conformance_help_and_scenarios():
    node = clients.node_bin()
    help_text = _run([node, clients.CONFORMANCE_JS, "server", "--help"],
                               capture_output=True, text=True, timeout=60).stdout
    assert "--url" in help_text and "--scenario" in help_text and "--header" not in help_text
    listing = _run([node, clients.CONFORMANCE_JS, "list"], capture_output=True, text=True, timeout=60).stdout
    for scenario in ("server-initialize", "ping", "tools-list", "resources-list", "prompts-list",
                     "dns-rebinding-protection", "server-sse-multiple-streams", "logging-set-level",
                     "completion-complete"):
        assert "- %s " % scenario in listing


def test_mcp2_venv_has_the_2x_client():
    code = "import importlib.metadata as m, mcp; print(m.version('mcp'), hasattr(mcp, 'Client'))"
    out = _run([clients.VENV_MCP2_PYTHON, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["2.3.0", "True"]


def test_preload_injects_bearer_for_the_target_origin_only(echo_servers):
    target, other = echo_servers
    probe = """
import { request } from "undici";
const get = async (p) => (await p).json();
const out = {
  fetch_target: await get(fetch("%(t)s/mcp", {method: "POST", body: "{}"})),
  fetch_other: await get(fetch("%(o)s/mcp")),
  fetch_request_obj: await get(fetch(new Request("%(t)s/x", {headers: {"x-keep": "1"}}))),
  fetch_own_auth: await get(fetch("%(t)s/x", {headers: {Authorization: "Bearer mine"}})),
  undici_target: await (await request("%(t)s/mcp", {method: "POST", body: "{}",
                                                   headers: {Host: "evil.example", Origin: "http://evil.example"}})).body.json(),
  undici_other: await (await request("%(o)s/mcp")).body.json(),
};
console.log(JSON.stringify(out));
""" % {"t": target, "o": other}
    # The probe must resolve undici like the conformance suite does: from .local/node.
    probe_path = os.path.join(clients.NODE_DIR, "preload-probe-%d.mjs" % os.getpid())
    with open(probe_path, "w", encoding="utf-8") as handle:
        handle.write(probe)
    try:
        env = dict(os.environ, MCP_BEARER="s3cret", MCP_BEARER_ORIGIN=target + "/mcp")
        proc = _run([clients.node_bin(), "--import", clients.PRELOAD, probe_path],
                              capture_output=True, text=True, env=env, timeout=60)
    finally:
        os.unlink(probe_path)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["fetch_target"]["authorization"] == "Bearer s3cret"
    assert "authorization" not in out["fetch_other"]
    assert out["fetch_request_obj"]["authorization"] == "Bearer s3cret"
    assert out["fetch_request_obj"]["x-keep"] == "1"
    assert out["fetch_own_auth"]["authorization"] == "Bearer mine"
    assert out["undici_target"]["authorization"] == "Bearer s3cret"
    assert out["undici_target"]["host"] == "evil.example"
    assert "authorization" not in out["undici_other"]


def test_preload_without_env_changes_nothing(echo_servers):
    target, _other = echo_servers
    script = 'console.log(JSON.stringify(await (await fetch("%s/")).json()))' % target
    env = {k: v for k, v in os.environ.items() if k not in ("MCP_BEARER", "MCP_BEARER_ORIGIN")}
    proc = _run([clients.node_bin(), "--import", clients.PRELOAD, "--input-type=module", "-e", script],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "authorization" not in json.loads(proc.stdout)


def test_parse_conformance_output():
    suite = ("\u2713 ping: 1 passed, 0 failed\n\u2717 tools-call-image: 0 passed, 1 failed\n"
             "\n\x1b[1mTotal: 25 passed, 3 failed\x1b[0m\n")
    assert clients.parse_conformance_output(suite) == {
        "total_line": "Total: 25 passed, 3 failed", "passed": 25, "failed": 3, "warnings": 0,
        "scenarios": {"ping": {"passed": 1, "failed": 0}, "tools-call-image": {"passed": 0, "failed": 1}}}
    single = "Checks:\nTest Results:\nPassed: 2/3, 1 failed, 0 warnings\n"
    assert clients.parse_conformance_output(single) == {
        "total_line": None, "passed": 2, "failed": 1, "warnings": 0, "scenarios": {}}


def test_inspector_http_and_sse(fake_server):
    base, _log = fake_server
    listed = clients.run_inspector(base + "/mcp", TOKEN, "http", "tools/list")
    assert [t["name"] for t in listed["result"]["tools"]] == ["echo"]
    called = clients.run_inspector(base + "/mcp", TOKEN, "http", "tools/call",
                                   tool_name="echo", tool_args={"text": "hé"})
    assert called["result"]["isError"] is False
    assert json.loads(called["result"]["content"][0]["text"]) == {"echo": "hé"}
    over_sse = clients.run_inspector(base + "/sse", TOKEN, "sse", "tools/list")
    assert [t["name"] for t in over_sse["result"]["tools"]] == ["echo"]


def test_inspector_snippet_as_printed_lists_the_tools(fake_server):
    """The Inspector command of the Connect wizard / make run, run as printed
    (``npx @modelcontextprotocol/inspector`` is the pinned Inspector here)."""
    base, _log = fake_server
    argv = shlex.split(client_configs.client_configs(base + "/mcp", TOKEN, "odoo")["inspector"])
    assert argv[:2] == ["npx", "@modelcontextprotocol/inspector"]
    proc = _run([clients.node_bin(), clients.INSPECTOR_JS, *argv[2:]], capture_output=True, text=True,
                env=clients._node_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert [t["name"] for t in clients.parse_json_output(proc.stdout)["tools"]] == ["echo"]


def test_curl_snippet_as_printed_initializes(fake_server):
    """The curl example, run by a shell as printed, gets an initialize result."""
    base, log = fake_server
    snippet = client_configs.client_configs(base + "/mcp", TOKEN, "odoo")["curl"]
    proc = _run(["bash", "-c", snippet], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    data = [line[5:] for line in proc.stdout.splitlines() if line.startswith("data:")]
    message = json.loads(data[0] if data else proc.stdout)
    assert message["result"]["serverInfo"]["name"] == "fake-odoo"
    assert "POST /mcp Bearer %s" % TOKEN in log.read_text()


def test_inspector_reports_a_bad_token(fake_server):
    base, _log = fake_server
    with pytest.raises(clients.ClientToolError):
        clients.run_inspector(base + "/mcp", "wrong", "http", "tools/list", timeout=60)


def test_conformance_with_injected_bearer(fake_server):
    base, log = fake_server
    rc, output, summary = clients.run_conformance(base + "/mcp", TOKEN, ["server-initialize", "tools-list"])
    assert rc == 0, output
    assert summary["total_line"] == "Total: 2 passed, 0 failed"
    assert summary["scenarios"]["tools-list"]["returncode"] == 0
    assert "Bearer %s" % TOKEN in log.read_text()


def test_conformance_fails_without_the_bearer(fake_server):
    base, _log = fake_server
    rc, _output, summary = clients.run_conformance(base + "/mcp", "wrong", ["server-initialize"])
    assert rc != 0
    assert summary["failed"] >= 1


def test_mcp2_client_auto_and_legacy(fake_server):
    base, _log = fake_server
    report = clients.run_mcp2_client(base + "/mcp", TOKEN, ["--tool", "echo", "--args", '{"text": "x"}'])
    assert report["tools"] == ["echo"]
    assert report["call"]["isError"] is False
    assert report["protocol_version"] == "2025-11-25"  # FastMCP 1.x is handshake-only: auto fell back
    legacy = clients.run_mcp2_client(base + "/mcp", TOKEN, ["--mode", "legacy"])
    assert legacy["server_info"]["name"] == "fake-odoo"


def test_sdk1_streamable_http_and_sse(fake_server):
    base, _log = fake_server
    init = asyncio.run(sdk1.initialize(base + "/mcp", TOKEN))
    assert init["serverInfo"]["name"] == "fake-odoo"
    tools = asyncio.run(sdk1.list_tools(base + "/sse", TOKEN, transport="sse"))
    assert [t["name"] for t in tools["tools"]] == ["echo"]
    result = asyncio.run(sdk1.call_tool(base + "/mcp", TOKEN, "echo", {"text": "z"}))
    assert result["isError"] is False
    assert json.loads(result["content"][0]["text"]) == {"echo": "z"}
    report = asyncio.run(sdk1.session_report(base + "/sse", TOKEN, transport="sse", tool="echo",
                                             arguments={"text": "q"}))
    assert report["tools"] == ["echo"] and report["call"]["isError"] is False
