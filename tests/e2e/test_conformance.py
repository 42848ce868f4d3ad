"""The official MCP conformance suite (``@modelcontextprotocol/conformance``)
against a real threaded Odoo server on the conformance database (the
test-only fixture addon provides the suite's ``test_*`` tools, resources and
prompts), the bearer injected by a Node preload.

One run of the whole ("active") suite with ``--expected-failures`` pointing
at ``conformance_baseline.json``: the run fails on a scenario that fails and
is not in the baseline, and on a baseline entry that now passes (stale). The
scenarios the protocol issue requires are checked by name on top of that.
"""
import json
import os

import pytest

from . import clients

BASELINE = os.path.join(os.path.dirname(__file__), "conformance_baseline.json")
REQUIRED = (
    "server-initialize", "ping", "tools-list", "resources-list", "prompts-list",
    "dns-rebinding-protection", "server-sse-multiple-streams", "logging-set-level",
    "completion-complete", "tools-call-with-logging", "tools-call-with-progress",
)


pytestmark = pytest.mark.skipif(not clients.installed(clients.CONFORMANCE_JS), reason=clients.SETUP_HINT)


def _baseline():
    with open(BASELINE, encoding="utf-8") as handle:
        return json.load(handle)


def test_baseline_gives_a_reason_per_scenario():
    """Every expected failure is explained, and none of them is required."""
    baseline = _baseline()
    assert sorted(baseline["server"]) == sorted(baseline["reasons"])
    assert all(len(reason) > 20 for reason in baseline["reasons"].values())
    assert not set(REQUIRED) & set(baseline["server"])


def test_whole_suite_matches_the_baseline(fixtures_server, fixtures_token, tmp_path):
    """The whole active suite, threaded server: every scenario outside the
    baseline passes (no failure, no warning), every baseline entry still fails."""
    rc, output, summary = clients.run_conformance(fixtures_server.url + "/mcp", fixtures_token,
                                                  expected_failures=BASELINE, timeout=420,
                                                  cwd=str(tmp_path))
    log_path = os.path.join(clients.LOCAL, "conformance-results", "last-run.txt")
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    with open(log_path, "w", encoding="utf-8") as handle:
        handle.write(output)
    print(summary["total_line"])  # noqa: T201 - the report quotes it
    missing = [name for name in REQUIRED if name not in summary["scenarios"]]
    assert not missing, "scenarios not run: %s\n%s" % (missing, output[-4000:])
    failing = {name: counts for name, counts in summary["scenarios"].items()
               if name in REQUIRED and counts["failed"]}
    assert not failing, output[-6000:]
    assert "Baseline check passed: all failures are expected." in clients._ANSI.sub("", output), output[-6000:]
    assert rc == 0, output[-6000:]
