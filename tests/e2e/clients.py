"""Real MCP clients for the end-to-end tests, installed by scripts/setup.sh
(scripts/setup_node.sh) under .local/:

* ``run_inspector``     MCP Inspector CLI (``@modelcontextprotocol/inspector``)
* ``run_conformance``   the official conformance suite, bearer injected by
                        ``node/bearer_preload.mjs`` (the suite has no header option)
* ``AuthorizationConformance``  its prerelease's ``authorization`` command
                        (``conformance-next``) against our OAuth server
* ``run_mcp2_client``   the 2.x Python SDK (``mcp.Client``) in .local/venv-mcp2
* the 1.x Python SDK lives in :mod:`.sdk1` (same Python as Odoo)

All run on Node 22 from the npm package ``node`` (the system Node may be older).
"""
import glob
import json
import os
import queue
import re
import resource
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

HERE = os.path.dirname(os.path.realpath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
LOCAL = os.environ.get("MCP_LOCAL_DIR") or os.path.join(REPO, ".local")
NODE_DIR = os.path.join(LOCAL, "node")
NODE_MODULES = os.path.join(NODE_DIR, "node_modules")
VENV_MCP2_PYTHON = os.path.join(LOCAL, "venv-mcp2", "bin", "python")
PRELOAD = os.path.join(HERE, "node", "bearer_preload.mjs")
MCP2_SCRIPT = os.path.join(HERE, "mcp2_client.py")
INSPECTOR_JS = os.path.join(NODE_MODULES, "@modelcontextprotocol", "inspector", "clients", "launcher", "build", "index.js")
CONFORMANCE_JS = os.path.join(NODE_MODULES, "@modelcontextprotocol", "conformance", "dist", "index.js")
#: The prerelease (0.2.0-alpha; scripts/node/package.json alias): per-revision requirement sets
#: (``--requirements``) and the ``authorization`` command.
CONFORMANCE_NEXT_JS = os.path.join(NODE_MODULES, "conformance-next", "dist", "index.js")
SETUP_HINT = "run scripts/setup.sh (it calls scripts/setup_node.sh)"


class ClientToolError(RuntimeError):
    """A client tool is missing or its output could not be read."""


def _need(path):
    if not os.path.exists(path):
        raise ClientToolError("%s is missing: %s" % (path, SETUP_HINT))
    return path


def installed(path):
    """True when the Node 22 binary and ``path`` (a tool under .local) are
    installed: the end-to-end files that need a client skip without them."""
    try:
        node_bin()
    except ClientToolError:
        return False
    return os.path.exists(path)


def node_bin():
    """Path of the Node 22 binary installed from the npm package ``node``."""
    return _need(os.path.join(NODE_MODULES, "node", "bin", "node"))


def _node_env(extra=None):
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(node_bin()) + os.pathsep + env.get("PATH", "")
    # Keep the Inspector's catalog/config files out of $HOME.
    state = os.path.join(LOCAL, "inspector-state")
    os.makedirs(state, exist_ok=True)
    env.setdefault("MCP_CATALOG_PATH", os.path.join(state, "mcp.json"))
    env.setdefault("MCP_CLIENT_CONFIG_PATH", os.path.join(state, "client.json"))
    env.update(extra or {})
    return env


def _lift_address_space_limit():
    """In the child: lift the soft RLIMIT_AS to the hard one. An Odoo process
    (pytest-odoo, a server) lowers it (``limit_memory_hard``) and children
    inherit it; Node's WebAssembly (undici's HTTP parser) then cannot
    reserve its memory ("Cannot allocate Wasm memory")."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


def _run(cmd, env, timeout, cwd=None):
    return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          check=False, preexec_fn=_lift_address_space_limit)


def parse_json_output(text):
    """The JSON value printed on stdout: the whole text, else its last line
    that parses (tools may print banners before it)."""
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    for line in reversed(text.splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue
    start = text.find("{")
    if start >= 0:
        try:
            return json.loads(text[start:])
        except ValueError:
            pass
    raise ClientToolError("no JSON in the output:\n%s" % text[-2000:])


def inspector_command(url, token, transport="http", method="tools/list", tool_name=None,
                      tool_args=None, extra_args=()):
    """The MCP Inspector CLI command line (a list) for one method call."""
    cmd = [node_bin(), _need(INSPECTOR_JS), "--cli", url, "--transport", transport,
           "--method", method, "--format", "json", "--quiet"]
    if token:
        cmd += ["--header", "Authorization: Bearer %s" % token]
    if tool_name:
        cmd += ["--tool-name", tool_name]
    if tool_args is not None:
        cmd += ["--tool-args-json", json.dumps(tool_args)]
    return cmd + list(extra_args)


def run_inspector(url, token, transport, method, tool_name=None, tool_args=None,
                  extra_args=(), timeout=120):
    """Run the Inspector CLI (``--cli <url> --transport http|sse --header
    "Authorization: Bearer …" --method …``) and return its parsed JSON output.

    ``url`` is the full endpoint (``…/mcp`` for http, ``…/mcp/sse`` for sse);
    ``tool_args`` is a dict (sent with ``--tool-args-json``). A tool result
    with ``isError: true`` is returned like any other (the CLI exits 5 then);
    any other non-zero exit raises :class:`ClientToolError` (with stderr).
    """
    cmd = inspector_command(url, token, transport, method, tool_name, tool_args, extra_args)
    proc = _run(cmd, _node_env(), timeout)
    if proc.returncode != 0 and '"tool_is_error"' in proc.stderr:
        # The CLI exits non-zero when the tool result has isError: true; that
        # result (on stdout) is what the caller wants to see.
        return parse_json_output(proc.stdout)
    if proc.returncode != 0:
        raise ClientToolError("inspector exited %d\nstdout: %s\nstderr: %s"
                              % (proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
    return parse_json_output(proc.stdout)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_TOTAL = re.compile(r"^Total: (\d+) passed, (\d+) failed(?:, (\d+) warnings)?", re.M)
_SCENARIO = re.compile(r"^\s*([\u2713\u2717]) (\S+): (\d+) passed, (\d+) failed", re.M)
_PASSED = re.compile(r"^Passed: (\d+)/(\d+), (\d+) failed, (\d+) warnings", re.M)


def parse_conformance_output(text):
    """Summary of one conformance run's output.

    A whole-suite run prints ``✓|✗ <scenario>: a passed, b failed`` (checks)
    per scenario and ``Total: N passed, M failed`` (scenarios); a
    ``--scenario`` run prints ``Passed: a/b, c failed, d warnings`` (checks).
    Returns ``{"total_line", "passed", "failed", "warnings", "scenarios"}``
    where ``scenarios`` maps names to ``{"passed", "failed"}`` check counts
    (whole-suite runs only); for a single-scenario run ``passed``/``failed``
    are its check counts and ``total_line`` is ``None``.
    """
    text = _ANSI.sub("", text)
    scenarios = {name: {"passed": int(p), "failed": int(f)} for _mark, name, p, f in _SCENARIO.findall(text)}
    totals = list(_TOTAL.finditer(text))
    if totals:
        last = totals[-1]
        passed, failed, warnings = last.groups()
        return {"total_line": last.group(0), "passed": int(passed), "failed": int(failed),
                "warnings": int(warnings or 0), "scenarios": scenarios}
    runs = _PASSED.findall(text)
    return {"total_line": None,
            "passed": sum(int(p) for p, _n, _f, _w in runs),
            "failed": sum(int(f) for _p, _n, f, _w in runs),
            "warnings": sum(int(w) for _p, _n, _f, w in runs),
            "scenarios": scenarios}


def conformance_command(url, scenario=None, expected_failures=None, extra_args=(), script=None):
    """``node --import bearer_preload.mjs conformance server --url …`` (a list);
    ``script``: the suite's ``index.js`` (default :data:`CONFORMANCE_JS`)."""
    cmd = [node_bin(), "--import", _need(PRELOAD), _need(script or CONFORMANCE_JS), "server", "--url", url]
    if scenario:
        cmd += ["--scenario", scenario]
    if expected_failures:
        cmd += ["--expected-failures", expected_failures]
    return cmd + list(extra_args)


def run_conformance(url, token, scenarios=None, expected_failures=None, extra_args=(),
                    timeout=600, cwd=None, script=None):
    """Run the conformance suite against ``url`` with the bearer injected.

    ``scenarios``: ``None`` runs the suite's default ("active") set in one
    process; a list runs each scenario in its own process (the CLI takes one
    ``--scenario``). Returns ``(returncode, output, summary)``: the worst exit
    code, stdout+stderr of all runs, and a summary whose ``total_line`` is
    ``Total: N passed, M failed`` counted in scenarios either way (the
    suite's own line, or one built the same way from the per-scenario runs),
    ``passed``/``failed``/``warnings`` and ``scenarios`` (name → check counts,
    plus ``returncode`` for per-scenario runs).
    ``cwd`` is where the suite writes its ``results/`` (default: a folder
    under .local). ``script``: the suite's ``index.js`` (default: 0.1.16).
    """
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    env = _node_env({"MCP_BEARER": token or "", "MCP_BEARER_ORIGIN": origin,
                     "MCP_PRELOAD_RESOLVE_FROM": _need(CONFORMANCE_JS)})
    cwd = cwd or os.path.join(LOCAL, "conformance-results")
    os.makedirs(cwd, exist_ok=True)
    if not scenarios:
        proc = _run(conformance_command(url, None, expected_failures, extra_args, script), env, timeout, cwd)
        output = proc.stdout + proc.stderr
        return proc.returncode, output, parse_conformance_output(output)
    outputs, per_scenario, worst = [], {}, 0
    for scenario in scenarios:
        proc = _run(conformance_command(url, scenario, expected_failures, extra_args, script), env, timeout, cwd)
        output = proc.stdout + proc.stderr
        outputs.append(output)
        worst = worst or proc.returncode
        checks = parse_conformance_output(output)
        per_scenario[scenario] = {"passed": checks["passed"], "failed": checks["failed"],
                                  "warnings": checks["warnings"], "returncode": proc.returncode}
    ok = sum(1 for r in per_scenario.values() if r["returncode"] == 0 and r["failed"] == 0)
    summary = {"total_line": "Total: %d passed, %d failed" % (ok, len(per_scenario) - ok),
               "passed": ok, "failed": len(per_scenario) - ok,
               "warnings": sum(r["warnings"] for r in per_scenario.values()),
               "scenarios": per_scenario}
    return worst, "\n".join(outputs), summary


#: the folder the suite saves a scenario's checks in: <kind>-<scenario>-<ISO time with - for : and .>
_RESULT_DIR = re.compile(r"^authorization-server-(.+)-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$")


class AuthorizationConformance:
    """The conformance suite's ``authorization`` command (``conformance-next``)
    against an OAuth authorization server, as a running process.

    It checks the server's metadata, prints the authorization URL of its
    code grant, listens on ``http://127.0.0.1:<port>/callback`` for the
    browser coming back (up to 5 minutes), then exchanges the code. The
    caller plays the person at the browser between ``authorize_url()``
    and ``finish()``. Use as a context manager: the process is killed on
    exit if still running.
    """

    URL_WAIT = 120

    def __init__(self, issuer, client_id, resource, port, output_dir, client_secret=None):
        self.issuer, self.port, self.output_dir = issuer, port, output_dir
        self.command = [node_bin(), _need(CONFORMANCE_NEXT_JS), "authorization", "--url", issuer,
                        "--client-id", client_id, "--resource", resource, "-p", str(port),
                        "--output-dir", output_dir]
        if client_secret:
            self.command += ["--client-secret", client_secret]
        self.lines, self._queue, self.proc = [], queue.Queue(), None

    def __enter__(self):
        os.makedirs(self.output_dir, exist_ok=True)
        self.proc = subprocess.Popen(self.command, env=_node_env(), cwd=self.output_dir, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     # only setrlimit runs between fork and exec
                                     preexec_fn=_lift_address_space_limit)  # noqa: PLW1509
        threading.Thread(target=self._read, daemon=True).start()
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)

    def _read(self):
        for line in self.proc.stdout:
            self._queue.put(line)
        self._queue.put(None)

    def _next_line(self, deadline):
        line = self._queue.get(timeout=max(deadline - time.monotonic(), 0.1))
        if line is not None:
            self.lines.append(line)
        return line

    @property
    def output(self):
        """What the suite printed so far (stdout and stderr)."""
        return "".join(self.lines)

    def authorize_url(self):
        """The authorization URL the suite asks the person to open, once its
        callback server listens (it says so on a line of its own)."""
        url, listening, deadline = None, False, time.monotonic() + self.URL_WAIT
        prefix = self.issuer.rstrip("/") + "/"
        while not (url and listening):
            try:
                line = self._next_line(deadline)
            except queue.Empty:
                line = None
            if line is None:
                raise ClientToolError(f"no authorization URL from the suite:\n{self.output[-3000:]}")
            url = url or (line.strip() if line.startswith(prefix) and "?" in line else None)
            listening = listening or line.startswith("Callback server started")
        return url

    def finish(self, timeout=120):
        """Wait for the suite to end: ``(returncode, output, summary, checks)``
        where ``summary`` is :func:`parse_conformance_output` of its output
        and ``checks`` maps each scenario to the checks it saved (its
        ``checks.json`` under ``output_dir``: id, status, errorMessage...)."""
        deadline = time.monotonic() + timeout
        try:
            while self._next_line(deadline) is not None:
                pass
        except queue.Empty:
            raise ClientToolError(f"the suite did not finish in {timeout}s:\n{self.output[-3000:]}") from None
        returncode = self.proc.wait(30)
        checks = {}
        for path in sorted(glob.glob(os.path.join(self.output_dir, "authorization-server-*", "checks.json"))):
            scenario = _RESULT_DIR.match(os.path.basename(os.path.dirname(path))).group(1)
            with open(path, encoding="utf-8") as handle:
                checks[scenario] = json.load(handle)
        return returncode, self.output, parse_conformance_output(self.output), checks


def conformance_requirements(revision, script=None):
    """The server scenarios a spec ``revision`` requires (``conformance list
    --requirements <revision>`` of the prerelease), in the suite's order."""
    proc = _run([node_bin(), _need(script or CONFORMANCE_NEXT_JS), "list", "--requirements", revision],
                _node_env(), 60)
    if proc.returncode != 0:
        raise ClientToolError(f"conformance list exited {proc.returncode}: {proc.stderr[-2000:]}")
    section = _ANSI.sub("", proc.stdout).split("Server scenarios", 1)[-1].split("\n\n", 1)[0]
    return re.findall(r"^\s*- (\S+)$", section, re.MULTILINE)


def run_mcp2_client(url, token, script_args=(), timeout=120):
    """Run :mod:`mcp2_client` (the 2.x SDK's ``mcp.Client``) in .local/venv-mcp2
    against ``url`` (``…/mcp``) and return its JSON report. ``script_args``
    e.g. ``["--mode", "legacy", "--tool", "count", "--args", '{"model": "res.partner"}']``."""
    cmd = [_need(VENV_MCP2_PYTHON), MCP2_SCRIPT, url, *script_args]
    env = dict(os.environ, MCP_BEARER=token or "")
    env.pop("PYTHONPATH", None)
    proc = _run(cmd, env, timeout)
    if proc.returncode != 0:
        raise ClientToolError("mcp2_client exited %d\nstdout: %s\nstderr: %s"
                              % (proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
    return parse_json_output(proc.stdout)


def python_bin():
    """The Python running the tests (with Odoo and the 1.x SDK)."""
    return sys.executable
