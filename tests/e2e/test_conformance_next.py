"""The conformance prerelease (``conformance-next``, 0.2.0-alpha) with the
requirement sets of the two newest revisions, ``--requirements 2025-11-25``
and ``--requirements 2026-07-28``, against a threaded server on the
conformance database (the fixture addon provides the suite's ``test_*``
tools, ``test://`` resources and ``test_*`` prompts).

``conformance_next_baseline.json`` lists, per revision, the required
scenarios still expected to fail, each with its reason. The test fails when
a required scenario outside the baseline fails (a regression) and when a
baseline entry passes (then the baseline must shrink).
"""
import json
import os

import pytest

from . import clients

BASELINE = os.path.join(os.path.dirname(__file__), "conformance_next_baseline.json")
REVISIONS = ("2025-11-25", "2026-07-28")


pytestmark = pytest.mark.skipif(not clients.installed(clients.CONFORMANCE_NEXT_JS), reason=clients.SETUP_HINT)


def _baseline():
    with open(BASELINE, encoding="utf-8") as handle:
        return json.load(handle)


def test_baseline_gives_a_reason_per_scenario():
    """Every expected failure is a required scenario of its revision, with a reason."""
    baseline = _baseline()
    for revision in REVISIONS:
        required = clients.conformance_requirements(revision)
        expected = baseline["server"][revision]
        assert set(expected) <= set(required), set(expected) - set(required)
        for name in expected:
            assert len(baseline["reasons"].get(name, "")) > 20, name
    used = {name for revision in REVISIONS for name in baseline["server"][revision]}
    assert used == set(baseline["reasons"]), set(baseline["reasons"]) ^ used


@pytest.mark.parametrize("mode", ["threaded", "prefork"])
@pytest.mark.parametrize("revision", REVISIONS)
def test_requirements_match_the_baseline(request, fixtures_token, revision, mode, tmp_path):
    """Every required scenario passes but those of the baseline, which still
    fail — on a threaded server and on a ``--workers=2`` one (its gevent port)."""
    server = request.getfixturevalue("fixtures_server" if mode == "threaded" else "fixtures_prefork_server")
    required = clients.conformance_requirements(revision)
    _rc, output, summary = clients.run_conformance(server.stream_url + "/mcp", fixtures_token,
                                                   extra_args=["--requirements", revision], timeout=900,
                                                   cwd=str(tmp_path), script=clients.CONFORMANCE_NEXT_JS)
    log_path = os.path.join(clients.LOCAL, "conformance-results", f"next-{revision}-{mode}.txt")
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    with open(log_path, "w", encoding="utf-8") as handle:
        handle.write(output)
    results = summary["scenarios"]
    missing = [name for name in required if name not in results]
    assert not missing, f"scenarios not run: {missing}\n{output[-4000:]}"
    failing = {name for name in required if results[name]["failed"]}
    print(f"{revision} ({mode}): {len(required) - len(failing)} of {len(required)} required scenarios pass")
    expected = set(_baseline()["server"][revision])
    assert not failing - expected, f"regressions: {sorted(failing - expected)} (log: {log_path})"
    assert not expected - failing, f"now passing, shrink the baseline: {sorted(expected - failing)}"
