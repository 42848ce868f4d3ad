"""Timing helper shared by the in-process micro-benchmarks (key_check.py,
layer_costs.py)."""
import statistics
import time


def measure(func, rounds, between=None):
    """Median and p95 duration of ``func()`` in microseconds; ``between()``
    (not timed) runs after each call, e.g. to end the transaction like the
    end of an HTTP request does."""
    samples = []
    for _i in range(rounds):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1e6)
        if between:
            between()
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]
