"""The official conformance suite's ``authorization`` command against Odoo's
OAuth 2.1 authorization server (issue 15).

The pinned prerelease (``conformance-next``, 0.2.0-alpha.12) offers two
authorization server scenarios, run together by one ``conformance
authorization`` process (the grant scenario reads the metadata the first
one fetched):

- ``authorization-server-metadata-endpoint``: RFC 8414 metadata at
  ``/.well-known/oauth-authorization-server``, JSON, ``issuer`` equal to the
  URL given, the endpoints, ``code`` and ``S256``; ``client_id_metadata_document_supported``;
- ``authorization-code-grant``: the suite prints an authorization URL (PKCE
  S256, ``state``, ``resource``) and waits on ``http://127.0.0.1:<port>/callback``;
  here a person logs in to Odoo over HTTP, clicks *Allow* on the consent
  page, and the browser is sent back to the suite, which checks ``code``,
  ``state`` and ``iss`` (once each, no ``error``) and exchanges the code
  (200, JSON, ``Cache-Control: no-store``, ``access_token`` and ``token_type``).

The client is a public one (PKCE only), registered through dynamic
registration (RFC 7591) or by an administrator (``mcp.oauth.client``). The
server runs on a copy of the e2e database whose ``web.base.url`` is its own
URL: the issuer the suite compares with ``--url``.
"""
import json
import os

import pytest
import requests

from . import clients
from .attack_helpers import copy_database, drop_database, odoo_shell, sql
from .harness import OdooServer, free_port
from .oauth_helpers import authorize_in_browser, redirect_query

SCENARIOS = ("authorization-server-metadata-endpoint", "authorization-code-grant")
#: the suite's callback host (``bs`` in its dist/index.js): a loopback redirect URI, any port
CALLBACK_HOST = "http://127.0.0.1"


pytestmark = pytest.mark.skipif(not clients.installed(clients.CONFORMANCE_NEXT_JS), reason=clients.SETUP_HINT)


@pytest.fixture(scope="module")
def conformance_db(e2e_conf, e2e_keys):
    """A copy of the e2e database (with the users of make_keys.py)."""
    _conf, db = e2e_conf
    copy = f"{db}_oauthconf"
    copy_database(db, copy)
    yield copy
    drop_database(copy)


@pytest.fixture(scope="module")
def as_server(e2e_conf, conformance_db):
    """A threaded server on the copy whose ``web.base.url`` (the issuer) is
    its own URL, frozen."""
    conf, _db = e2e_conf
    server = OdooServer(conf, conformance_db, workers=0,
                        log_path=os.path.join(os.path.dirname(conf), "e2e-oauth-conformance.log"))
    for key, value in (("web.base.url", server.url), ("web.base.url.freeze", "True")):
        sql(conformance_db, "INSERT INTO ir_config_parameter (key, value) VALUES (%s, %s) "
                            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", (key, value))
    server.start()
    yield server
    server.stop()


def register_dcr(server, _conf, _db, port):
    """A public client registered through ``/oauth/register`` (RFC 7591)."""
    answer = requests.post(server.url + "/oauth/register", timeout=30, json={
        "client_name": "MCP conformance suite", "redirect_uris": [f"{CALLBACK_HOST}:{port}/callback"],
        "token_endpoint_auth_method": "none", "grant_types": ["authorization_code"], "response_types": ["code"]})
    assert answer.status_code == 201, answer.text
    return answer.json()["client_id"]


def register_manual(_server, conf, db, _port):
    """A public client an administrator registered (any loopback port)."""
    return odoo_shell(conf, db, f"""
import json
client = env["mcp.oauth.client"].create({{
    "name": "MCP conformance suite (admin)", "redirect_uris": "{CALLBACK_HOST}/callback", "auth_method": "none"}})
env.cr.commit()
print("OUT_BEGIN"); print(json.dumps(client.client_id)); print("OUT_END")
""")


def run_suite(server, e2e_conf, db, person, register, tmp_path, decision="allow"):
    """Register a client, start the suite, answer its authorization URL as
    ``person`` in a browser (``decision``), hand the redirect to the suite's
    callback and wait for it: ``(client_id, returncode, output, summary, checks,
    redirect)``."""
    conf, _db = e2e_conf
    port = free_port()
    client_id = register(server, conf, db, port)
    with clients.AuthorizationConformance(server.url, client_id, server.url + "/mcp", port,
                                          str(tmp_path / "conformance")) as suite:
        url = suite.authorize_url()
        redirect = authorize_in_browser(url, person["login"], person["password"], decision=decision)
        assert redirect.location.startswith(f"{CALLBACK_HOST}:{port}/callback?"), redirect.location
        callback = requests.get(redirect.location, timeout=30)  # the browser arrives at the suite
        assert callback.status_code == 200, callback.text
        returncode, output, summary, checks = suite.finish()
    return client_id, returncode, output, summary, checks, redirect


def _statuses(checks):
    return {scenario: [(check["id"], check["status"], check.get("errorMessage")) for check in found]
            for scenario, found in checks.items()}


@pytest.mark.parametrize("register", [register_dcr, register_manual], ids=["dcr", "admin"])
def test_authorization_suite_passes_every_scenario(as_server, e2e_conf, conformance_db, e2e_keys, tmp_path,
                                                   register):
    """Both scenarios of ``conformance authorization`` pass, every check
    SUCCESS (no warning, none skipped), and the user has the app among
    their connected apps (one live grant of that client)."""
    person = e2e_keys["oauth_user"]
    client_id, returncode, output, summary, checks, redirect = run_suite(
        as_server, e2e_conf, conformance_db, person, register, tmp_path)
    assert returncode == 0, output
    assert summary["total_line"] == "Total: 3 passed, 0 failed", output
    assert summary["scenarios"] == {"authorization-server-metadata-endpoint": {"passed": 2, "failed": 0},
                                    "authorization-code-grant": {"passed": 1, "failed": 0}}, output
    assert _statuses(checks) == {
        "authorization-server-metadata-endpoint": [("authorization-server-metadata", "SUCCESS", None),
                                                   ("authorization-server-metadata-cimd", "SUCCESS", None)],
        "authorization-code-grant": [("authorization-code-grant", "SUCCESS", None)],
    }, json.dumps(checks, indent=1)[:4000]
    grant = checks["authorization-code-grant"][0]["details"]
    assert grant["authorizationResponseUrl"] == redirect.location
    asked = redirect_query(grant["authorizationRequest"])
    assert (redirect.query["state"], redirect.query["iss"]) == (asked["state"], as_server.url)
    assert (asked["resource"], asked["code_challenge_method"]) == (as_server.url + "/mcp", "S256")
    assert grant["body"]["token_type"] == "Bearer" and grant["body"]["scope"] == "mcp:read mcp:write", grant
    assert grant["body"]["access_token"].startswith("mcpa"), grant  # redacted by the suite: mcpa…xyz (len=…)
    grants = sql(conformance_db, "SELECT g.revoked_at IS NULL FROM mcp_oauth_grant g JOIN mcp_oauth_client c "
                                 "ON c.id = g.client_id WHERE c.client_id = %s AND g.user_id = %s",
                 (client_id, person["id"]))
    assert grants == [(True,)]


def test_authorization_suite_reports_a_denied_consent(as_server, e2e_conf, conformance_db, e2e_keys, tmp_path):
    """*Deny* on the consent page: the suite's grant scenario fails with
    ``access_denied`` (the metadata one still passes) — the run above can
    fail, and the suite sees what Odoo redirected."""
    _client_id, returncode, output, summary, checks, redirect = run_suite(
        as_server, e2e_conf, conformance_db, e2e_keys["oauth_user"], register_dcr, tmp_path, decision="deny")
    assert redirect.query["error"] == "access_denied"
    assert returncode == 1, output
    assert summary["scenarios"]["authorization-server-metadata-endpoint"] == {"passed": 2, "failed": 0}, output
    assert _statuses(checks)["authorization-code-grant"] == [
        ("authorization-code-grant", "FAILURE", "Authorization error: access_denied the user denied access")]
