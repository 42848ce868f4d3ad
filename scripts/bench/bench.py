#!/usr/bin/env python3
"""Benchmarks of mcp_bridge (not tests): ratios measured side by side in one run.

Driven by scripts/bench/run.sh, which prepares the database and passes:
    --conf ODOO_CONF --db DB --info PREPARE_JSON [--ext-python VENV_PYTHON] [--py-spy PATH]

Measurements (median and p95, warm-up excluded; the two sides of a ratio are
interleaved call by call so machine noise hits both alike):
  1. tools/call search_read via /mcp vs native /jsonrpc execute_kw (and
     /web/dataset/call_kw) at 1, 100, 1000 records (threaded server);
  2. the same search through the external bridge PyPI ``mcp-server-odoo``;
  3. key check: mcp.api.key._authenticate vs res.users.apikeys._check_credentials
     (in-process, scripts/bench/key_check.py);
  4. legacy SSE across processes (--workers=2): POST /mcp/messages on the
     worker port -> event on the stream held on the gevent port;
  5. throughput (--workers=2): calls/s from concurrent loopback clients, /mcp vs native;
  6. memory: peak RSS (VmHWM) of the prefork workers answering search_read on
     the >= 100k-row res.partner at limit 10 vs 1000;
  7. scale-out: read-only calls/s on one server, one server + a streaming
     replica, two servers + the replica (scripts/bench/scale_out.py);
  and with --profile, a py-spy profile of the /mcp path (hot spots).
"""
import argparse
import collections
import http.client
import importlib.util
import json
import os
import platform
import queue
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from clients import CallKwClient, JsonRpcClient, McpClient  # noqa: E402
from load import FIELDS, MODEL, load_round  # noqa: E402
from scale_out import bench_scale_out  # noqa: E402


def _load_harness():
    """tests/e2e/harness.py by path (the tests package itself imports Odoo test modules)."""
    spec = importlib.util.spec_from_file_location("mcp_e2e_harness", os.path.join(REPO, "tests", "e2e", "harness.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


harness = _load_harness()

#: The harness starts Odoo with ``-d DB --db-filter ^DB$``: then Odoo lists the
#: databases (a new PostgreSQL connection to ``postgres``, never pooled) on every
#: request that carries no session cookie -- every /mcp and /jsonrpc request.
#: Measured in 1b; the main figures use the single-database setup the README
#: recommends (``db_name`` set, no ``dbfilter``), where Odoo skips the listing.
MONODB_ARGS = ["--db-filter", ""]

RESULTS = {}
LINES = []


def out(text=""):
    print(text, flush=True)
    LINES.append(text)


def stats(samples):
    """(median, p95) of ``samples`` (nearest rank)."""
    ordered = sorted(samples)
    p95 = ordered[max(0, min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1))]
    return statistics.median(ordered), p95


def ms(seconds):
    return f"{seconds * 1000:8.2f}"


#: The goals (issue 14: half the fixed cost per request), printed with
#: PASS/MISS by each measurement and the summary: ``(label, test)``.
GOALS = {
    "overhead_1": ("<= 1.15x", lambda ratio: ratio <= 1.15),
    "overhead_100": ("<= 1.05x", lambda ratio: ratio <= 1.05),
    "external_100": (">= 3.5x", lambda speedup: speedup >= 3.5),
    "key_check_us": ("<= 0.2 ms", lambda us: us <= 200),
    "sse_p50_ms": ("<= 20 ms", lambda ms_: ms_ <= 20),
    "throughput": (">= 90%", lambda share: share >= 0.9),
    "memory_mib": ("<= 32 MiB", lambda mib: mib <= 32),
}


def goal(name, value):
    """``(goal label, PASS/MISS)`` of ``value`` against ``GOALS[name]``."""
    label, test = GOALS[name]
    return label, verdict(test(value))


def verdict(ok):
    return "PASS" if ok else "MISS"


def interleaved(sides, reps, warmup):
    """Run each side's callable once per round (rotating the order), return
    {name: [seconds...]} without the warm-up rounds."""
    names = list(sides)
    samples = {name: [] for name in names}
    for i in range(warmup + reps):
        order = names[i % len(names):] + names[:i % len(names)]
        for name in order:
            start = time.perf_counter()
            sides[name]()
            elapsed = time.perf_counter() - start
            if i >= warmup:
                samples[name].append(elapsed)
    return samples


# ---------------------------------------------------------------------------
# 1. tool-call overhead
# ---------------------------------------------------------------------------
def bench_overhead(server, info, db, quick):
    out("== 1. Tool-call overhead: /mcp tools/call search_read vs native RPC (threaded server) ==")
    lo, hi = info["id_range"]
    domain = [["id", ">=", lo], ["id", "<=", hi]]
    mcp = McpClient(server.url + "/mcp", info["token"])
    mcp.initialize()
    rpc = JsonRpcClient(server.url, db, info["uid"], info["password"])
    web = CallKwClient(server.url, db, info["login"], info["password"])
    plan = {1: (200, 20), 100: (150, 15), 1000: (30, 5)}
    if quick:
        plan = {1: (60, 10), 100: (40, 5), 1000: (10, 2)}
    RESULTS["overhead"] = {}
    out(f"  domain: {info['range_rows']} bench partners by id range; fields: {', '.join(FIELDS)}; order id")
    out(f"  {'records':>7} {'side':<34} {'median ms':>9} {'p95 ms':>8}   ratio (median)")
    for limit, (reps, warmup) in plan.items():
        args = {"model": MODEL, "domain": domain, "fields": FIELDS, "limit": limit, "order": "id"}
        kwargs = {"domain": domain, "fields": FIELDS, "limit": limit, "order": "id"}
        got_mcp = mcp.tool("search_read", args)
        got_rpc = rpc.execute_kw(MODEL, "search_read", [], kwargs)
        if got_mcp["count"] != len(got_rpc) or got_mcp["count"] != limit:
            raise RuntimeError(f"record counts differ at limit {limit}: mcp {got_mcp['count']}, native {len(got_rpc)}")
        samples = interleaved({
            "mcp": lambda: mcp.tool("search_read", args),
            "jsonrpc": lambda: rpc.execute_kw(MODEL, "search_read", [], kwargs),
            "call_kw": lambda: web.call_kw(MODEL, "search_read", [], kwargs),
        }, reps, warmup)
        row = {name: stats(values) for name, values in samples.items()}
        RESULTS["overhead"][limit] = {k: {"median_ms": v[0] * 1000, "p95_ms": v[1] * 1000} for k, v in row.items()}
        labels = {"mcp": "/mcp tools/call search_read", "jsonrpc": "/jsonrpc execute_kw search_read",
                  "call_kw": "/web/dataset/call_kw (session)"}
        for name in ("mcp", "jsonrpc", "call_kw"):
            ratio = "" if name == "mcp" else f"   mcp/this = {row['mcp'][0] / row[name][0]:.2f}x"
            out(f"  {limit:>7} {labels[name]:<34} {ms(row[name][0]):>9} {ms(row[name][1]):>8}{ratio}")
        RESULTS["overhead"][limit]["ratio_jsonrpc"] = row["mcp"][0] / row["jsonrpc"][0]
        RESULTS["overhead"][limit]["ratio_call_kw"] = row["mcp"][0] / row["call_kw"][0]
    for limit in (1, 100):
        ratio = RESULTS["overhead"][limit]["ratio_jsonrpc"]
        label, mark = goal(f"overhead_{limit}", ratio)
        out(f"  GOAL /mcp {label} native /jsonrpc at {limit} record(s): {ratio:.2f}x  {mark}")
    out(f"       (vs /web/dataset/call_kw: {RESULTS['overhead'][100]['ratio_call_kw']:.2f}x)")
    out()


def bench_db_listing(server, info, conf, db, logdir, quick):
    out("== 1b. Per-request database listing: /mcp ping, single-database setup vs --db-filter ==")
    listing = harness.OdooServer(conf, db, workers=0, log_path=os.path.join(logdir, "odoo-dbfilter.log")).start()
    try:
        clients = {}
        for name, srv in (("monodb", server), ("dbfilter", listing)):
            clients[name] = McpClient(srv.url + "/mcp", info["token"])
            clients[name].initialize()
        ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        samples = interleaved({name: (lambda c=c: c.post(ping)) for name, c in clients.items()},
                              40 if quick else 150, 10)
        row = {name: stats(values) for name, values in samples.items()}
        RESULTS["db_listing"] = {k: {"median_ms": v[0] * 1000, "p95_ms": v[1] * 1000} for k, v in row.items()}
        out(f"  {'setup':<58} {'median ms':>9} {'p95 ms':>8}")
        out(f"  {'db_name set, no dbfilter (Odoo skips the listing)':<58} {ms(row['monodb'][0]):>9} "
            f"{ms(row['monodb'][1]):>8}")
        out(f"  {'-d DB --db-filter ^DB$ (new PG connection per request)':<58} {ms(row['dbfilter'][0]):>9} "
            f"{ms(row['dbfilter'][1]):>8}   +{(row['dbfilter'][0] - row['monodb'][0]) * 1000:.1f} ms")
    finally:
        listing.stop()
    out()


# ---------------------------------------------------------------------------
# 2. external bridge
# ---------------------------------------------------------------------------
EXT_PACKAGE = "mcp-server-odoo==0.9.0"


def _wait_port(port, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.3)
    return False


def bench_external(server, info, db, ext_python, logdir, quick):
    out(f"== 2. External bridge: PyPI {EXT_PACKAGE} (streamable HTTP, XML-RPC, ODOO_YOLO=read) vs /mcp ==")
    RESULTS["external"] = None
    if not ext_python or not os.path.exists(ext_python):
        out(f"  NOT MEASURED: no venv with {EXT_PACKAGE} ({ext_python}); run.sh installs it into .local/venv-bench-ext")
        out()
        return
    port = harness.free_port()
    env = dict(os.environ, ODOO_URL=server.url, ODOO_DB=db, ODOO_USER=info["login"], ODOO_PASSWORD=info["password"],
               ODOO_YOLO="read", ODOO_RPC_TRANSPORT="xmlrpc", ODOO_MCP_TRANSPORT="streamable-http",
               ODOO_MCP_HOST="127.0.0.1", ODOO_MCP_PORT=str(port), ODOO_MCP_LOG_LEVEL="WARNING",
               ODOO_MCP_MAX_LIMIT="1000", ODOO_MCP_DEFAULT_LIMIT="100")
    for name in ("ODOO_API_KEY", "ODOO_LOCALE", "ODOO_ALLOWED_COMPANIES"):
        env.pop(name, None)
    log_path = os.path.join(logdir, "mcp-server-odoo.log")
    log = open(log_path, "wb")
    proc = subprocess.Popen([ext_python, "-m", "mcp_server_odoo"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            cwd=tempfile.gettempdir(), start_new_session=True)
    try:
        if not _wait_port(port, proc):
            log.flush()
            with open(log_path, encoding="utf-8", errors="replace") as f:
                tail = f.read()[-1500:]
            out(f"  NOT MEASURED: mcp-server-odoo did not start (exit {proc.poll()}); log {log_path}:\n{tail}")
            out()
            return
        lo, hi = info["id_range"]
        domain = [["id", ">=", lo], ["id", "<=", hi]]
        ext = McpClient(f"http://127.0.0.1:{port}/mcp")
        ext.initialize()
        mcp = McpClient(server.url + "/mcp", info["token"])
        mcp.initialize()
        RESULTS["external"] = {}
        out(f"  {'records':>7} {'side':<34} {'median ms':>9} {'p95 ms':>8}")
        for limit, (reps, warmup) in ({1: (60, 5), 100: (60, 5)} if not quick else {1: (15, 3), 100: (15, 3)}).items():
            ext_args = {"model": MODEL, "domain": domain, "fields": FIELDS, "limit": limit, "order": "id"}
            mcp_args = {"model": MODEL, "domain": domain, "fields": FIELDS, "limit": limit, "order": "id"}
            got = ext.tool("search_records", ext_args)
            records = got.get("records") if isinstance(got, dict) else None
            if records is None or len(records) != limit:
                raise RuntimeError(f"mcp-server-odoo answered unexpectedly: {json.dumps(got)[:500]}")
            samples = interleaved({
                "mcp": lambda: mcp.tool("search_read", mcp_args),
                "ext": lambda: ext.tool("search_records", ext_args),
            }, reps, warmup)
            row = {name: stats(values) for name, values in samples.items()}
            speedup = row["ext"][0] / row["mcp"][0]
            RESULTS["external"][limit] = {"mcp_median_ms": row["mcp"][0] * 1000, "mcp_p95_ms": row["mcp"][1] * 1000,
                                          "ext_median_ms": row["ext"][0] * 1000, "ext_p95_ms": row["ext"][1] * 1000,
                                          "speedup": speedup}
            out(f"  {limit:>7} {'/mcp tools/call search_read':<34} {ms(row['mcp'][0]):>9} {ms(row['mcp'][1]):>8}")
            out(f"  {limit:>7} {'mcp-server-odoo search_records':<34} {ms(row['ext'][0]):>9} {ms(row['ext'][1]):>8}"
                f"   /mcp is {speedup:.1f}x faster")
        speedup = RESULTS["external"][100]["speedup"]
        label, mark = goal("external_100", speedup)
        out(f"  GOAL /mcp {label} faster than the external bridge (100 records): {speedup:.1f}x  {mark}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait(5)
        log.close()
    out()


# ---------------------------------------------------------------------------
# 3. key check (in-process)
# ---------------------------------------------------------------------------
def bench_key_check(conf, db, quick):
    out("== 3. Key check (in-process, cold ORM cache per check like a request) ==")
    with tempfile.NamedTemporaryFile("r", suffix=".json") as tmp:
        cmd = [sys.executable, os.path.join(HERE, "key_check.py"), "--conf", conf, "--db", db,
               "--rounds", "500" if quick else "3000", "--json", tmp.name]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if proc.returncode:
            out(f"  NOT MEASURED: key_check.py failed:\n{proc.stderr[-2000:]}")
            RESULTS["key_check"] = None
            out()
            return
        data = json.load(open(tmp.name))
    RESULTS["key_check"] = data
    for line in proc.stdout.strip().splitlines():
        out("  " + line)
    main = data["mcp_rate_limit_on"]["median_us"]
    label, mark = goal("key_check_us", main)
    out(f"  GOAL {label} per check (rate limit on, as by default; key in the worker's cache, as for every"
        f" request but a key's first after a cache clear): {main / 1000:.3f} ms  {mark}"
        f"   (native/mcp = {data['native']['median_us'] / main:.0f}x)")
    floor = data.get("floor_first_statement")
    if floor:
        out(f"  (the check's one statement is its transaction's first: a bare SELECT 1 there costs "
            f"{floor['median_us'] / 1000:.3f} ms, {100 * floor['median_us'] / main:.0f}% of the check)")
    out()
    out("== 3b. Fixed per-request costs of the layer (in-process, cold ORM cache; informative) ==")
    with tempfile.NamedTemporaryFile("r", suffix=".json") as tmp:
        cmd = [sys.executable, os.path.join(HERE, "layer_costs.py"), "--conf", conf, "--db", db,
               "--rounds", "150" if quick else "500", "--json", tmp.name]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if proc.returncode:
            out(f"  NOT MEASURED: layer_costs.py failed:\n{proc.stderr[-2000:]}")
        else:
            RESULTS["layer_costs"] = json.load(open(tmp.name))
            for line in proc.stdout.strip().splitlines():
                out("  " + line)
    out()


# ---------------------------------------------------------------------------
# 4. legacy SSE across processes
# ---------------------------------------------------------------------------
class SseReader(threading.Thread):
    """Holds GET /mcp/sse on ``host:port``; puts (arrival time, event, data) in a queue."""

    def __init__(self, port, token):
        super().__init__(daemon=True)
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.conn.request("GET", "/mcp/sse", headers={"Authorization": f"Bearer {token}",
                                                      "Accept": "text/event-stream"})
        self.response = self.conn.getresponse()
        if self.response.status != 200:
            raise RuntimeError(f"/mcp/sse answered {self.response.status}: {self.response.read()[:300]}")
        self.events = queue.Queue()

    def run(self):
        event, data = "message", []
        try:
            while True:
                line = self.response.readline()
                if not line:
                    return
                line = line.decode().rstrip("\r\n")
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip())
                elif not line and data:
                    self.events.put((time.perf_counter(), event, "\n".join(data)))
                    event, data = "message", []
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            return  # the stream was closed (http.client may fail with AttributeError then)

    def close(self):
        try:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.conn.close()


def bench_sse(server, info, quick):
    out("== 4. Legacy HTTP+SSE across processes (--workers=2): POST /mcp/messages (worker port) "
        "-> event on /mcp/sse (gevent port) ==")
    import requests

    reader = SseReader(server.gevent_port, info["token"])
    reader.start()
    try:
        _t, event, endpoint = reader.events.get(timeout=15)
        if event != "endpoint":
            raise RuntimeError(f"first SSE event is {event!r}, not endpoint")
        post_url = server.url + endpoint
        http_session = requests.Session()
        headers = {"Authorization": f"Bearer {info['token']}", "Content-Type": "application/json"}
        ids = iter(range(1, 10 ** 6))

        def roundtrip(method, params):
            msg_id = next(ids)
            body = json.dumps({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
            start = time.perf_counter()
            response = http_session.post(post_url, data=body, headers=headers, timeout=30)
            posted = time.perf_counter()
            if response.status_code != 202:
                raise RuntimeError(f"/mcp/messages answered {response.status_code}: {response.text[:300]}")
            while True:
                arrived, _event, data = reader.events.get(timeout=15)
                message = json.loads(data)
                if message.get("id") == msg_id:
                    return arrived - start, max(0.0, arrived - posted), posted - start

        roundtrip("initialize", {"protocolVersion": "2024-11-05", "capabilities": {},
                                 "clientInfo": {"name": "mcp-bench", "version": "1"}})
        http_session.post(post_url, headers=headers, timeout=30,
                          data=json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        lo, hi = info["id_range"]
        cases = {
            "ping": ("ping", {}),
            "tools/call search_read (10 records)": ("tools/call", {"name": "search_read", "arguments": {
                "model": MODEL, "domain": [["id", ">=", lo], ["id", "<=", hi]], "fields": FIELDS,
                "limit": 10, "order": "id"}}),
        }
        reps, warmup = (40, 5) if quick else (150, 10)
        RESULTS["sse"] = {}
        out(f"  {'message':<38} {'POST->event p50':>15} {'p95':>8} {'after 202 p50':>14} {'POST p50':>9}  (ms)")
        for label, (method, params) in cases.items():
            full, after, post = [], [], []
            for i in range(warmup + reps):
                a, b, c = roundtrip(method, params)
                if i >= warmup:
                    full.append(a)
                    after.append(b)
                    post.append(c)
                time.sleep(0.005)
            f50, f95 = stats(full)
            RESULTS["sse"][label] = {"p50_ms": f50 * 1000, "p95_ms": f95 * 1000,
                                     "after_202_p50_ms": stats(after)[0] * 1000, "post_p50_ms": stats(post)[0] * 1000}
            out(f"  {label:<38} {ms(f50):>15} {ms(f95):>8} {ms(stats(after)[0]):>14} {ms(stats(post)[0]):>9}")
        p50 = RESULTS["sse"]["ping"]["p50_ms"]
        label, mark = goal("sse_p50_ms", p50)
        out(f"  GOAL p50 {label} (ping, POST sent -> event received): {p50:.2f} ms  {mark}")
    finally:
        reader.close()
    out()


# ---------------------------------------------------------------------------
# 5. throughput
# ---------------------------------------------------------------------------
def _stat_fields(pid):
    """The fields of ``/proc/PID/stat`` after the command name (``[0]`` the
    state, ``[1]`` the parent pid, ``[11]``/``[12]`` user/system clock ticks)."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def _cpu_seconds(pids):
    """User + system CPU seconds of the processes ``pids`` (those still alive)."""
    total = 0
    for pid in pids:
        try:
            fields = _stat_fields(pid)
            total += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


def _postgres_pids():
    """PIDs of every PostgreSQL process of the machine (the private cluster's)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    if f.read().strip() == "postgres":
                        pids.append(int(entry))
            except OSError:
                continue
    return pids


def _cpu_snapshot(workers):
    """CPU seconds so far: ``{"odoo": HTTP workers, "postgres": its processes,
    "clients": this process's finished children (the load clients)}``."""
    import resource  # noqa: PLC0415
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"odoo": _cpu_seconds(workers), "postgres": _cpu_seconds(_postgres_pids()),
            "clients": children.ru_utime + children.ru_stime}


def bench_throughput(server, info, db, quick):
    clients, per_client, limit, rounds = (4, 40, 10, 1) if quick else (4, 100, 10, 4)
    out(f"== 5. Throughput (--workers=2): {clients} concurrent loopback clients x {per_client} search_read "
        f"({limit} records), {rounds} rounds each, alternating (ABBA: neither side always goes first) ==")
    rates = {"mcp": [], "native": []}
    lat = {"mcp": [], "native": []}
    workers = _http_workers(server.proc.pid)
    cpu = {kind: collections.Counter() for kind in rates}
    for r in range(rounds):
        for kind in (("mcp", "native") if r % 2 == 0 else ("native", "mcp")):
            before = _cpu_snapshot(workers)
            rate, latencies = load_round(kind, [server.url], info, db, clients, per_client, limit)
            after = _cpu_snapshot(workers)
            cpu[kind].update({part: after[part] - before[part] for part in after})
            rates[kind].append(rate)
            lat[kind].extend(latencies)
    RESULTS["throughput"] = {}
    labels = {"mcp": "/mcp tools/call", "native": "/jsonrpc execute_kw"}
    out(f"  {'side':<22} {'calls/s':>8}   {'latency p50':>11} {'p95':>8} (ms)   rounds")
    for kind in ("mcp", "native"):
        rate = statistics.mean(rates[kind])
        p50, p95 = stats(lat[kind])
        RESULTS["throughput"][kind] = {"calls_per_s": rate, "p50_ms": p50 * 1000, "p95_ms": p95 * 1000}
        out(f"  {labels[kind]:<22} {rate:8.1f}   {ms(p50):>11} {ms(p95):>8}        "
            + ", ".join(f"{r:.0f}" for r in rates[kind]))
    share = RESULTS["throughput"]["mcp"]["calls_per_s"] / RESULTS["throughput"]["native"]["calls_per_s"]
    RESULTS["throughput"]["share"] = share
    # where the two cores went, per call (the clients' setup and warm-up call included)
    calls = rounds * clients * per_client
    per_call = {kind: {part: cpu[kind][part] / calls * 1e6 for part in ("odoo", "postgres", "clients")}
                for kind in cpu}
    RESULTS["throughput"]["cpu_us_per_call"] = per_call
    out(f"  CPU per call (µs)       {'Odoo workers':>12} {'PostgreSQL':>11} {'clients':>8} {'total':>8}")
    for kind in ("mcp", "native"):
        parts = per_call[kind]
        out(f"  {labels[kind]:<22} {parts['odoo']:12.0f} {parts['postgres']:11.0f} {parts['clients']:8.0f}"
            f" {sum(parts.values()):8.0f}")
    out("  ratio mcp/native       " + " ".join(
        f"{per_call['mcp'][part] / per_call['native'][part] if per_call['native'][part] else 0:>{width}.2f}x"
        for part, width in (("odoo", 11), ("postgres", 10), ("clients", 7))))
    label, mark = goal("throughput", share)
    out(f"  GOAL /mcp {label} of native calls/s: {share * 100:.0f}%  {mark}")
    out()


# ---------------------------------------------------------------------------
# 6. memory
# ---------------------------------------------------------------------------
def _status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _http_workers(master_pid):
    """PIDs of the prefork HTTP workers (children of the master that are not the gevent process)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if int(_stat_fields(entry)[1]) != master_pid:
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
            if b"gevent" not in argv:
                pids.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    return pids


def bench_memory(server, info, db, quick):
    out("== 6. Memory: peak RSS (VmHWM) of the prefork HTTP workers, search_read on all active res.partner ==")
    workers = _http_workers(server.proc.pid)
    if not workers:
        out("  NOT MEASURED: no prefork worker process found")
        RESULTS["memory"] = None
        out()
        return
    mcp = McpClient(server.url + "/mcp", info["token"])
    mcp.initialize()
    rpc = JsonRpcClient(server.url, db, info["uid"], info["password"])
    calls = 6 if quick else 12
    RESULTS["memory"] = {"rows": info["partners_active"], "workers": len(workers)}
    out(f"  res.partner active rows: {info['partners_active']}; workers {workers}; {calls} calls per case; "
        "order id; fields as in 1.")
    out(f"  {'side':<22} {'limit':>5} {'RSS before':>11} {'peak RSS':>9} {'growth':>8}  (MiB)")

    for kind in ("mcp", "native"):
        for limit in (10, 1000):
            if kind == "mcp":
                args = {"model": MODEL, "domain": [], "fields": FIELDS, "limit": limit, "order": "id"}
                call = lambda: mcp.tool("search_read", args)  # noqa: E731
            else:
                kwargs = {"domain": [], "fields": FIELDS, "limit": limit, "order": "id"}
                call = lambda: rpc.execute_kw(MODEL, "search_read", [], kwargs)  # noqa: E731
            for _i in range(4):
                call()  # warm both workers
            for pid in workers:
                with open(f"/proc/{pid}/clear_refs", "w") as f:
                    f.write("5")  # reset the peak RSS (VmHWM) to the current RSS
            before = max(_status_kb(pid, "VmRSS") for pid in workers)
            for _i in range(calls):
                result = call()
            count = result["count"] if kind == "mcp" else len(result)
            if count != limit:
                raise RuntimeError(f"{kind} returned {count} rows, not {limit}")
            peak = max(_status_kb(pid, "VmHWM") for pid in workers)
            RESULTS["memory"][f"{kind}_{limit}"] = {"before_mib": before / 1024, "peak_mib": peak / 1024}
            out(f"  {kind:<22} {limit:>5} {before / 1024:11.1f} {peak / 1024:9.1f} {(peak - before) / 1024:8.1f}")
    flat = RESULTS["memory"]["mcp_1000"]["peak_mib"] - RESULTS["memory"]["mcp_10"]["peak_mib"]
    RESULTS["memory"]["mcp_growth_mib"] = flat
    label, mark = goal("memory_mib", flat)
    out(f"  GOAL flat (peak at limit 1000 {label} over limit 10, {info['partners_active']} rows in the table): "
        f"+{flat:.1f} MiB  {mark}")
    out()


# ---------------------------------------------------------------------------
# profile
# ---------------------------------------------------------------------------
def profile(server, info, py_spy, logdir, seconds=20):
    out(f"== Profile: py-spy on the threaded server, /mcp tools/call search_read, {seconds}s per case ==")
    if not py_spy or not os.path.exists(py_spy):
        out(f"  NOT PROFILED: py-spy not found ({py_spy})")
        return
    lo, hi = info["id_range"]
    domain = [["id", ">=", lo], ["id", "<=", hi]]
    for limit in (1, 100):
        raw = os.path.join(logdir, f"profile-mcp-{limit}.txt")
        proc = subprocess.Popen([py_spy, "record", "--pid", str(server.proc.pid), "--rate", "200", "--format", "raw",
                                 "--function", "--duration", str(seconds), "--output", raw],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.5)
        mcp = McpClient(server.url + "/mcp", info["token"])
        mcp.initialize()
        args = {"model": MODEL, "domain": domain, "fields": FIELDS, "limit": limit, "order": "id"}
        calls = 0
        while proc.poll() is None:
            mcp.tool("search_read", args)
            calls += 1
        if proc.returncode:
            out(f"  py-spy failed: {proc.stderr.read().decode()[-800:]}")
            return
        out(f"-- limit {limit}: {calls} calls; raw stacks in {raw}")
        for line in summarize_profile(raw):
            out("  " + line)
    out()


def summarize_profile(path, top=28):
    """Inclusive/self shares of the frames of /mcp request stacks (py-spy raw format)."""
    inclusive, own = collections.Counter(), collections.Counter()
    total = 0
    with open(path) as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if "controllers/main.py" not in stack or "mcp (" not in stack:
                continue
            count = int(count)
            frames = stack.split(";")
            total += count
            for frame in set(frames):
                inclusive[frame] += count
            own[frames[-1]] += count
    if not total:
        return ["no /mcp samples"]

    def short(frame):
        name, _, where = frame.partition(" (")
        where = where.rstrip(")")
        for marker in ("/mcp_bridge/", "/odoo/addons/", "/odoo/", "site-packages/", "/lib/python3"):
            if marker in where:
                where = where.split(marker, 1)[1]
                break
        return f"{name} ({where})"

    lines = [f"{total} samples in /mcp requests; inclusive % of them (own code of the layer + notable Odoo calls):"]
    interesting = [(frame, n) for frame, n in inclusive.most_common()
                   if "mcp_bridge" in frame or any(k in frame for k in (
                       "search_fetch", "search_count", "_read_format", "cursor", "commit", "create (",
                       "execute (", "_flush", "json", "werkzeug", "with_user", "__call__ (odoo/http.py"))]
    for frame, n in interesting[:top]:
        lines.append(f"  {100 * n / total:5.1f}%  {short(frame)}")
    lines.append("self time (leaf frames):")
    for frame, n in own.most_common(12):
        lines.append(f"  {100 * n / total:5.1f}%  {short(frame)}")
    return lines


# ---------------------------------------------------------------------------
def machine_line():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import odoo.release

    load = os.getloadavg()
    return (f"machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
            f"Odoo {odoo.release.version}, load avg {load[0]:.2f} at start")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--info", required=True, help="JSON printed by prepare.py")
    parser.add_argument("--ext-python", help="python of the venv holding mcp-server-odoo")
    parser.add_argument("--py-spy", help="py-spy binary (for --profile)")
    parser.add_argument("--logdir", required=True)
    parser.add_argument("--json-out")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (smoke run)")
    parser.add_argument("--profile", action="store_true", help="also profile the /mcp path with py-spy")
    parser.add_argument("--only", default="1,2,3,4,5,6,7", help="comma list of measurements to run")
    args = parser.parse_args()
    only = set(args.only.split(","))
    with open(args.info) as f:
        info = json.load(f)

    started = time.monotonic()
    out(machine_line())
    out(f"database {args.db}: mcp_bridge + contacts + demo data, {info['partners_active']} active res.partner; "
        "key of user admin (read scope); rate limit on (100000/min); max_records 1000")
    out()
    if "3" in only:
        bench_key_check(args.conf, args.db, args.quick)

    threaded = prefork = None
    try:
        if only & {"1", "2"} or args.profile:
            threaded = harness.OdooServer(args.conf, args.db, workers=0, extra_args=MONODB_ARGS,
                                          log_path=os.path.join(args.logdir, "odoo-threaded.log")).start()
            out(f"threaded server (workers=0) on {threaded.url}")
        if only & {"4", "5", "6"}:
            prefork = harness.OdooServer(args.conf, args.db, workers=2, extra_args=MONODB_ARGS,
                                         log_path=os.path.join(args.logdir, "odoo-prefork.log")).start()
            out(f"prefork server (workers=2) on {prefork.url}, gevent port {prefork.gevent_port}")
        out()
        if "1" in only:
            bench_overhead(threaded, info, args.db, args.quick)
        if "1" in only:
            bench_db_listing(threaded, info, args.conf, args.db, args.logdir, args.quick)
        if "2" in only:
            bench_external(threaded, info, args.db, args.ext_python, args.logdir, args.quick)
        if threaded and not args.profile:
            threaded.stop()
        if "4" in only:
            bench_sse(prefork, info, args.quick)
        if "5" in only:
            bench_throughput(prefork, info, args.db, args.quick)
        if "6" in only:
            bench_memory(prefork, info, args.db, args.quick)
        if prefork:
            prefork.stop()
        if "7" in only:
            bench_scale_out(harness, args.conf, args.db, info, args.logdir, args.quick, out, RESULTS, MONODB_ARGS)
        if args.profile:
            profile(threaded, info, args.py_spy, args.logdir)
    finally:
        for server in (threaded, prefork):
            if server:
                server.stop()

    out("== Summary ==")
    summary(info)
    out(f"(bench took {time.monotonic() - started:.0f}s)")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"results": RESULTS, "output": LINES}, f, indent=1, default=str)


def summary(info):
    rows = []

    def row(label, name, value, shown):
        rows.append((label, GOALS[name][0], shown, GOALS[name][1](value)))

    o = RESULTS.get("overhead")
    if o:
        for limit in (1, 100):
            row(f"1 tool-call overhead @{limit} vs /jsonrpc", f"overhead_{limit}", o[limit]["ratio_jsonrpc"],
                f"{o[limit]['ratio_jsonrpc']:.2f}x")
        rows.append(("  (info) overhead @1000 vs /jsonrpc", "-", f"{o[1000]['ratio_jsonrpc']:.2f}x", None))
    d = RESULTS.get("db_listing")
    if d:
        rows.append(("  (info) db listing per request (dbfilter)", "-",
                     f"+{d['dbfilter']['median_ms'] - d['monodb']['median_ms']:.1f} ms", None))
    e = RESULTS.get("external")
    if e:
        row("2 external bridge, /mcp speed-up @100", "external_100", e[100]["speedup"], f"{e[100]['speedup']:.1f}x")
    else:
        rows.append(("2 external bridge, /mcp speed-up @100", GOALS["external_100"][0], "n/a", None))
    k = RESULTS.get("key_check")
    if k:
        us = k["mcp_rate_limit_on"]["median_us"]
        row("3 key check, median", "key_check_us", us, f"{us / 1000:.3f} ms")
    s = RESULTS.get("sse")
    if s:
        row("4 legacy SSE across processes, p50", "sse_p50_ms", s["ping"]["p50_ms"], f"{s['ping']['p50_ms']:.2f} ms")
    t = RESULTS.get("throughput")
    if t:
        row("5 throughput vs native", "throughput", t["share"], f"{t['share'] * 100:.0f}%")
    m = RESULTS.get("memory")
    if m:
        row("6 memory growth 10 -> 1000 records", "memory_mib", m["mcp_growth_mib"], f"+{m['mcp_growth_mib']:.1f} MiB")
    so = RESULTS.get("scale_out")
    if so:
        rows.append(("  (info) 7 replica vs none, calls/s", "-", f"{so['replica_vs_none']:.2f}x", None))
        rows.append(("  (info) 7 two servers vs one, calls/s", "-", f"{so['two_vs_one']:.2f}x", None))
    for label, goal_label, value, ok in rows:
        mark = "" if ok is None else verdict(ok)
        out(f"  {label:<42} goal {goal_label:<9} measured {value:<11} {mark}")


if __name__ == "__main__":
    main()
