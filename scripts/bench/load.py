"""Concurrent loopback load for the benchmarks (measurements 5 and 7): client
processes (fork) that each send ``search_read`` calls, /mcp ``tools/call`` or
native ``/jsonrpc`` ``execute_kw``, all started at once."""
import multiprocessing
import time

from clients import JsonRpcClient, McpClient

FIELDS = ["name", "email", "phone", "city", "country_id", "is_company", "create_date"]
MODEL = "res.partner"


def _caller(kind, base, info, db, limit):
    """A client of ``kind`` (``mcp`` or ``native``) on ``base`` and the
    callable of one search_read of ``limit`` bench partners."""
    lo, hi = info["id_range"]
    domain = [["id", ">=", lo], ["id", "<=", hi]]
    if kind == "mcp":
        client = McpClient(base + "/mcp", info["token"])
        client.initialize()
        args = {"model": MODEL, "domain": domain, "fields": FIELDS, "limit": limit, "order": "id"}
        return client, lambda: client.tool("search_read", args)
    client = JsonRpcClient(base, db, info["uid"], info["password"])
    kwargs = {"domain": domain, "fields": FIELDS, "limit": limit, "order": "id"}
    return client, lambda: client.execute_kw(MODEL, "search_read", [], kwargs)


def _worker(kind, bases, info, db, count, limit, ready, go, results):
    """One client process: ``count`` calls, sent to the servers of ``bases``
    in turn (an MCP client keeps its one session on all of them)."""
    try:
        client, call = _caller(kind, bases[0], info, db, limit)
        call()
        ready.put(True)
        go.wait(60)
        latencies = []
        for i in range(count):
            client.url = bases[i % len(bases)] + ("/mcp" if kind == "mcp" else "/jsonrpc")
            start = time.perf_counter()
            call()
            latencies.append(time.perf_counter() - start)
        results.put(("ok", latencies, time.perf_counter()))
    except Exception as exc:  # noqa: BLE001 - reported by the parent
        ready.put(False)
        results.put(("error", repr(exc), None))


def load_round(kind, bases, info, db, clients, per_client, limit, settle=0.0):
    """Start ``clients`` client processes (each makes its session and one
    warm-up call), wait ``settle`` seconds, then let them all send
    ``per_client`` calls at once: ``(calls/s, [latency seconds ...])``."""
    ctx = multiprocessing.get_context("fork")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=_worker, args=(kind, bases, info, db, per_client, limit, ready, go, results))
             for _i in range(clients)]
    for proc in procs:
        proc.start()
    for _i in procs:
        if not ready.get(timeout=60):
            break
    if settle:
        time.sleep(settle)
    start = time.perf_counter()
    go.set()
    latencies, end = [], start
    for _i in procs:
        status, data, finished = results.get(timeout=300)
        if status != "ok":
            raise RuntimeError(f"{kind} load client failed: {data}")
        latencies.extend(data)
        end = max(end, finished)
    for proc in procs:
        proc.join(30)
    return len(latencies) / (end - start), latencies
