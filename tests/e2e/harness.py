"""Start and stop real Odoo server processes for end-to-end tests.

Used by tests/e2e (and by scripts/bench): ``OdooServer(workers=0)`` is Odoo's
threaded server, ``OdooServer(workers=2)`` its prefork server with the gevent
port for long-lived streams. Both listen on free loopback ports.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import requests


def free_port():
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def odoo_command():
    """The ``odoo`` launcher of this Python (prefork re-executes it, so
    ``python -m odoo`` does not do)."""
    script = os.path.join(os.path.dirname(sys.executable), "odoo")
    if os.path.exists(script):
        return [sys.executable, script]
    found = shutil.which("odoo")
    if not found:
        raise RuntimeError("the odoo launcher was not found next to %s nor on PATH" % sys.executable)
    return [sys.executable, found]


def shell_json(conf, db, script, marker="MCP_KEYS"):
    """Run ``script`` through ``odoo shell`` on ``db``; the JSON it printed
    between ``<marker>_BEGIN`` and ``<marker>_END`` lines (the fixture scripts
    that make users and keys)."""
    with open(script, "rb") as stdin:
        out = subprocess.run([*odoo_command(), "shell", "-c", conf, "-d", db, "--no-http",
                              "--log-level", "error"], stdin=stdin, capture_output=True, timeout=300, check=False)
    text = out.stdout.decode()
    if f"{marker}_BEGIN" not in text:
        raise RuntimeError(f"{os.path.basename(script)} failed on {db}:\n" + text[-3000:] + out.stderr.decode()[-3000:])
    return json.loads(text.split(f"{marker}_BEGIN", 1)[1].split(f"{marker}_END", 1)[0])


class OdooServer:
    """A real ``odoo`` server process on a database, stopped on ``stop()``."""

    def __init__(self, conf, db, workers=0, log_path=None, extra_args=(), env=None):
        self.conf = conf
        self.db = db
        self.workers = workers
        self.port = free_port()
        self.gevent_port = free_port()
        self.log_path = log_path or os.path.join(
            os.path.dirname(conf), f"e2e-{db}-w{workers}-{self.port}.log")
        self.extra_args = list(extra_args)
        self.env = env  # the process environment (None: this one's)
        self.proc = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def stream_url(self):
        """Base URL for long-lived streams (the gevent port in prefork mode)."""
        port = self.gevent_port if self.workers else self.port
        return f"http://127.0.0.1:{port}"

    def start(self, timeout=180):
        """Start the server; wait until /mcp/health answers 200 (on the gevent port too)."""
        cmd = [
            *odoo_command(), "-c", self.conf, "-d", self.db,
            "--db-filter", f"^{self.db}$", "--http-interface", "127.0.0.1",
            "--http-port", str(self.port), "--gevent-port", str(self.gevent_port),
            "--workers", str(self.workers), "--max-cron-threads", "0",
            "--log-level", "warn", *self.extra_args,
        ]
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"odoo exited with {self.proc.returncode}; see {self.log_path}")
            if all(self._healthy(base) for base in {self.url, self.stream_url}):
                return self
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"odoo did not answer /mcp/health within {timeout}s; see {self.log_path}")

    @staticmethod
    def _healthy(base):
        try:
            return requests.get(base + "/mcp/health", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def stop(self, timeout=30):
        """Stop the server (SIGTERM, then SIGKILL) and its workers."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout)
        if self.proc:
            self._log.close()
        return self.proc.returncode if self.proc else None

    def log_text(self, since=0):
        """The server's log so far, from byte offset ``since`` (a value
        of :meth:`log_size` taken earlier) when given."""
        with open(self.log_path, "rb") as f:
            f.seek(since)
            return f.read().decode("utf-8", errors="replace")

    def log_size(self):
        """The log's length in bytes now: pass it to :meth:`log_text` to
        read only what a test's own requests logged, not earlier tests'."""
        return os.path.getsize(self.log_path)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
