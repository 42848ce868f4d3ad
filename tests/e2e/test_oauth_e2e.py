"""OAuth end to end: the MCP SDKs' own OAuth clients against a real Odoo
server, a person logging in to Odoo and clicking *Allow* over HTTP.

The 1.x SDK's ``OAuthClientProvider`` (and the 2.x one, in its venv) starts
from nothing but the URL: the 401 of ``/mcp`` → protected resource and
authorization server metadata → dynamic registration (or its client ID
metadata document, CIMD) → PKCE S256 → Odoo's login page → consent →
code → tokens → tools; then a refresh (the client's clock moved past the
access token's expiry), revocation (RFC 7009) and the 401 after it. No
code or token may reach the server log, which runs at DEBUG, nor the
database (a dump of it). Client metadata documents Odoo must refuse are
answered by its error page, never a redirect.

The servers run on a copy of the e2e database whose ``web.base.url`` is
the server's own URL (the issuer and resource the SDK checks), with the
test-only option that lets loopback metadata documents through
(``mcp_bridge_oauth_cimd_allow_loopback``). The metadata document is served
over HTTPS on 127.0.0.1 with a throwaway certificate the Odoo process
trusts (``SSL_CERT_FILE``): the SDK only uses https client ids, and so the
server's fetch runs its real TLS path.
"""
import asyncio
import http.server
import json
import os
import ssl
import subprocess
import threading
import time

import pytest
import requests
from mcp import ClientSession
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamablehttp_client
from mcp.shared.auth import OAuthClientMetadata

from .attack_helpers import copy_database, drop_database, dump_database_text, sql
from .clients import VENV_MCP2_PYTHON
from .harness import OdooServer, free_port
from .oauth_helpers import (
    Browser,
    MemoryTokenStorage,
    authorize_in_browser,
    post_initialize,
    refresh,
    revoke,
)

REDIRECT_URI = f"http://127.0.0.1:{free_port()}/callback"  # never listened on: the test reads the Location
#: metadata documents Odoo must refuse: over 5 KB, slower than 5 s, naming another client_id, redirected
BAD_DOCUMENTS = ("/big.json", "/slow.json", "/mismatch.json", "/redirect.json")
SEARCH = {"model": "res.partner", "fields": ["name"], "limit": 3}
MCP2_OAUTH_SCRIPT = os.path.join(os.path.dirname(__file__), "mcp2_oauth_client.py")


# ----------------------------------------------------------------------
# fixtures: a CIMD document server, the database copy, the Odoo servers
# ----------------------------------------------------------------------
class CimdServer:
    """A client ID metadata document served over HTTPS on 127.0.0.1:
    ``url`` is the client id, ``hits`` counts its GETs."""

    def __init__(self, cert, key):
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}/oauth/client.json"
        self.hits = 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                owner.hits += 1
                if self.path in BAD_DOCUMENTS:
                    return owner.bad_document(self)
                body = json.dumps(owner.document()).encode()
                self.send_response(200 if self.path == "/oauth/client.json" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "max-age=60")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def document(self):
        return {"client_id": self.url, "client_name": "E2E CIMD App", "redirect_uris": [REDIRECT_URI],
                "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
                "token_endpoint_auth_method": "none"}

    def bad_document(self, handler):
        """Answer one of the ``BAD_DOCUMENTS``."""
        url = f"https://127.0.0.1:{self.port}{handler.path}"
        document = dict(self.document(), client_id=url)
        if handler.path == "/big.json":
            document["padding"] = "x" * 6000
        elif handler.path == "/mismatch.json":
            document["client_id"] = self.url  # another document's URL
        elif handler.path == "/slow.json":
            handler.send_response(200)
            handler.end_headers()
            try:
                for _second in range(8):
                    handler.wfile.write(b" ")
                    handler.wfile.flush()
                    time.sleep(1)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):  # Odoo gave up, as it should
                pass
            return
        elif handler.path == "/redirect.json":
            handler.send_response(302)
            handler.send_header("Location", self.url)
            handler.end_headers()
            return
        body = json.dumps(document).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """A throwaway self-signed certificate of 127.0.0.1: ``(cert, key)``."""
    folder = tmp_path_factory.mktemp("oauth-tls")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout", key,
                    "-out", cert, "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.fixture(scope="module")
def cimd(tls):
    server = CimdServer(*tls)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def oauth_db(e2e_conf, e2e_keys):
    """A copy of the e2e database (its users made by make_keys.py)."""
    _conf, db = e2e_conf
    copy = f"{db}_oauth"
    copy_database(db, copy)
    yield copy
    drop_database(copy)


@pytest.fixture(scope="module")
def oauth_conf(e2e_conf, tmp_path_factory):
    """The e2e Odoo config plus the test-only loopback CIMD option."""
    conf, _db = e2e_conf
    path = tmp_path_factory.mktemp("oauth-conf") / "odoo.conf"
    with open(conf, encoding="utf-8") as source:
        text = source.read()
    path.write_text(text.replace("[options]", "[options]\nmcp_bridge_oauth_cimd_allow_loopback = True", 1))
    return str(path)


@pytest.fixture(scope="module", params=["threaded", "prefork"])
def oauth_server(request, oauth_conf, oauth_db, tls):
    """A server (threaded, then prefork) on the copy, at DEBUG log level,
    whose ``web.base.url`` is its own URL (frozen), trusting the
    certificate of the metadata document server."""
    server = OdooServer(oauth_conf, oauth_db, workers=0 if request.param == "threaded" else 2,
                        log_path=os.path.join(os.path.dirname(oauth_conf), f"e2e-oauth-{request.param}.log"),
                        extra_args=["--log-level", "debug"], env=dict(os.environ, SSL_CERT_FILE=tls[0]))
    for key, value in (("web.base.url", server.url), ("web.base.url.freeze", "True")):
        sql(oauth_db, "INSERT INTO ir_config_parameter (key, value) VALUES (%s, %s) "
                      "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", (key, value))
    server.start()
    yield server
    server.stop()


# ----------------------------------------------------------------------
# the 1.x SDK's OAuthClientProvider
# ----------------------------------------------------------------------
def client_metadata(name):
    return OAuthClientMetadata(client_name=name, redirect_uris=[REDIRECT_URI],
                               grant_types=["authorization_code", "refresh_token"], response_types=["code"],
                               token_endpoint_auth_method="none")


async def sdk1_flow(url, person, client_metadata_url=None):
    """Connect with nothing but the URL; list tools, call, refresh, call."""
    storage, browser = MemoryTokenStorage(), Browser(person["login"], person["password"])
    provider = OAuthClientProvider(url, client_metadata("E2E SDK 1.x"), storage, redirect_handler=browser.open,
                                   callback_handler=browser.callback, client_metadata_url=client_metadata_url)
    async with (streamablehttp_client(url, auth=provider, timeout=30) as streams,
                ClientSession(streams[0], streams[1]) as session):
        await session.initialize()
        tools = await session.list_tools()
        first = await session.call_tool("search_read", SEARCH)
        provider.context.token_expiry_time = time.time() - 1  # the client's clock: the token expired
        second = await session.call_tool("search_read", SEARCH)
    return {"tools": [tool.name for tool in tools.tools],
            "calls": [call.model_dump(mode="json", by_alias=True, exclude_none=True) for call in (first, second)],
            "client_id": storage.client_info.client_id,
            "tokens": [{"access_token": t.access_token, "refresh_token": t.refresh_token} for t in storage.history],
            "redirects": browser.redirects, "authorize_urls": browser.authorize_urls}


def sdk2_flow(url, person, client_metadata_url=None):
    """The same with the 2.x SDK (``mcp2_oauth_client.py`` in its venv): the
    test is the person at the browser, over the script's stdio."""
    if not os.path.exists(VENV_MCP2_PYTHON):
        pytest.skip("the 2.x SDK venv is missing (.local/venv-mcp2)")
    cmd = [VENV_MCP2_PYTHON, MCP2_OAUTH_SCRIPT, url, REDIRECT_URI]
    if client_metadata_url:
        cmd += ["--client-metadata-url", client_metadata_url]
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    redirects, authorize_urls, report = [], [], None
    try:
        for line in proc.stdout:
            message = json.loads(line)
            if "authorize" in message:
                authorize_urls.append(message["authorize"])
                redirects.append(authorize_in_browser(message["authorize"], person["login"], person["password"]))
                query = redirects[-1].query
                proc.stdin.write(json.dumps({"code": query["code"], "state": query.get("state"),
                                             "iss": query.get("iss")}) + "\n")
                proc.stdin.flush()
            elif "report" in message:
                report = message["report"]
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0 and report, proc.stderr.read()[-3000:]
    return dict(report, redirects=redirects, authorize_urls=authorize_urls)


def run_flow(sdk, url, person, client_metadata_url=None):
    if sdk == "sdk1":
        return asyncio.run(sdk1_flow(url, person, client_metadata_url))
    return sdk2_flow(url, person, client_metadata_url)


# ----------------------------------------------------------------------
# the tests
# ----------------------------------------------------------------------
def assert_flow(server, report, person, db):
    """What every flow must show: one authorization (PKCE S256, resource,
    ``iss``) by the person, tools, two good calls with a refresh between
    them (rotated tokens), the grant of the person in the database."""
    base = server.url
    assert len(report["authorize_urls"]) == 1, report["authorize_urls"]  # the refresh needed nobody
    authorize = report["authorize_urls"][0]
    assert authorize.startswith(base + "/oauth/authorize?"), authorize
    assert "code_challenge_method=S256" in authorize and "resource=" in authorize, authorize
    redirect = report["redirects"][0]
    assert redirect.location.startswith(REDIRECT_URI + "?"), redirect.location
    assert redirect.query["iss"] == base and redirect.query["code"], redirect.query
    assert "search_read" in report["tools"], report["tools"]
    for call in report["calls"]:
        assert call["isError"] is False, call
        assert call["structuredContent"]["records"], call
    first, second = report["tokens"]
    assert first["access_token"].startswith("mcpat_") and first["refresh_token"].startswith("mcprt_"), first
    assert second["access_token"] != first["access_token"] and second["refresh_token"] != first["refresh_token"]
    assert live_grants(db, report["client_id"]) == [(person["id"], "write")]


def live_grants(db, client_id):
    """``(user id, scope)`` of the unrevoked grants of the client ``client_id``."""
    return sql(db, "SELECT g.user_id, k.scope FROM mcp_oauth_grant g JOIN mcp_oauth_client c ON c.id = g.client_id "
                   "JOIN mcp_api_key k ON k.id = g.key_id WHERE c.client_id = %s AND g.revoked_at IS NULL",
               (client_id,))


def assert_revocation(server, report, db):
    """Revoking the access token: 401 with the resource metadata URL;
    revoking the refresh token: the grant is gone, no refresh works."""
    base, client_id = server.url, report["client_id"]
    current = report["tokens"][-1]
    assert post_initialize(base, current["access_token"]).status_code == 200
    assert revoke(base, current["access_token"], client_id, "access_token").status_code == 200
    response = post_initialize(base, current["access_token"])
    assert response.status_code == 401, response.text
    challenge = response.headers["WWW-Authenticate"]
    assert f'resource_metadata="{base}/.well-known/oauth-protected-resource/mcp"' in challenge, challenge
    assert revoke(base, current["refresh_token"], client_id, "refresh_token").status_code == 200
    response = refresh(base, current["refresh_token"], client_id)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant", response.text
    assert live_grants(db, client_id) == []


def flow_secrets(report):
    """Every code and token the flow's client received."""
    secrets_seen = [redirect.query["code"] for redirect in report["redirects"]]
    for tokens in report["tokens"]:
        secrets_seen += [tokens["access_token"], tokens["refresh_token"]]
    return secrets_seen


def assert_no_secret_logged(server, report, db):
    """No code or token of the flow in the server's (DEBUG) log, nor
    anywhere in a dump of the database (only their digests are stored)."""
    log = server.log_text()
    assert "DEBUG" in log  # the log is real and verbose
    leaked = [secret[:10] for secret in flow_secrets(report) if secret in log]
    assert not leaked, f"secrets in {server.log_path}: {leaked}"
    dump = dump_database_text(db)
    assert "mcp_oauth_token" in dump  # the dump is real
    stored = [secret[:10] for secret in flow_secrets(report) if secret in dump]
    assert not stored, f"secrets in the database {db}: {stored}"


@pytest.mark.parametrize("sdk", ["sdk1", "sdk2"])
def test_sdk_oauth_dcr(oauth_server, oauth_db, e2e_keys, sdk):
    """From the bare URL: 401 → discovery → dynamic registration → login and
    consent → tokens → tools → refresh → revocation → 401."""
    person = e2e_keys["oauth_user"]
    report = run_flow(sdk, oauth_server.url + "/mcp", person)
    assert report["client_id"].startswith("mcpc_"), report["client_id"]  # registered (RFC 7591)
    assert "E2E SDK" in report["redirects"][0].consent_page
    assert_flow(oauth_server, report, person, oauth_db)
    assert_revocation(oauth_server, report, oauth_db)
    assert_no_secret_logged(oauth_server, report, oauth_db)


@pytest.mark.parametrize("sdk", ["sdk1", "sdk2"])
def test_sdk_oauth_cimd(oauth_server, oauth_db, e2e_keys, cimd, sdk):
    """The same with a client ID metadata document: the client id is the
    document's HTTPS URL, which Odoo fetched (no registration)."""
    person = e2e_keys["oauth_user"]
    # an earlier flow's cached document is stale now: Odoo fetches it again
    sql(oauth_db, "UPDATE mcp_oauth_client SET metadata_expires_at = NULL WHERE client_id = %s", (cimd.url,))
    hits = cimd.hits
    report = run_flow(sdk, oauth_server.url + "/mcp", person, client_metadata_url=cimd.url)
    assert report["client_id"] == cimd.url
    assert cimd.hits > hits  # Odoo fetched the document
    assert "E2E CIMD App" in report["redirects"][0].consent_page  # the name the document gives
    kind = sql(oauth_db, "SELECT kind FROM mcp_oauth_client WHERE client_id = %s", (cimd.url,))
    assert kind == [("cimd",)], kind
    assert_flow(oauth_server, report, person, oauth_db)
    assert_revocation(oauth_server, report, oauth_db)
    assert_no_secret_logged(oauth_server, report, oauth_db)


def test_bad_metadata_documents_are_refused_on_a_page(oauth_server, oauth_db, cimd):
    """A client id whose metadata document is too large, too slow, names
    another client_id, redirects, or lives on a private address: the
    authorization request is answered by Odoo's error page (HTTP 400, never
    a redirect to the app), and no client is made of it."""
    challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"  # S256 of RFC 7636's example verifier
    cases = [f"https://127.0.0.1:{cimd.port}{path}" for path in BAD_DOCUMENTS]
    cases += ["https://10.1.2.3/client.json", "https://169.254.169.254/latest/meta-data", "https://192.168.1.1/c.json"]
    for client_id in cases:
        started = time.monotonic()
        response = requests.get(oauth_server.url + "/oauth/authorize", allow_redirects=False, timeout=30, params={
            "response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT_URI, "state": "s",
            "code_challenge": challenge, "code_challenge_method": "S256", "resource": oauth_server.url + "/mcp"})
        assert response.status_code == 400, (client_id, response.status_code, response.text[:300])
        assert "Location" not in response.headers, client_id
        assert "The app that sent you here is not known to this Odoo server." in response.text, client_id
        assert time.monotonic() - started < 10, client_id  # the slow document was given up after 5 s
    made = sql(oauth_db, "SELECT client_id FROM mcp_oauth_client WHERE client_id = ANY(%s)", (cases,))
    assert made == [], made
