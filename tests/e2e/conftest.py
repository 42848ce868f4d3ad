"""Fixtures for end-to-end tests: real Odoo servers on a copy of the test db.

scripts/test.sh sets MCP_ODOO_CONF (an Odoo config with the database
connection) and MCP_E2E_DB (a database with mcp_bridge installed).
"""
import os
import subprocess

import pytest

from .harness import OdooServer, odoo_command, shell_json
from .reliability import DbProbe


def _e2e_env():
    conf, db = os.environ.get("MCP_ODOO_CONF"), os.environ.get("MCP_E2E_DB")
    if not (conf and db):
        pytest.skip("end-to-end tests run through scripts/test.sh (MCP_ODOO_CONF, MCP_E2E_DB)")
    return conf, db


@pytest.fixture(scope="session")
def e2e_conf():
    return _e2e_env()


@pytest.fixture(scope="session")
def threaded_server(e2e_conf):
    """Odoo's threaded server (workers=0)."""
    conf, db = e2e_conf
    server = OdooServer(conf, db, workers=0).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def prefork_server(e2e_conf):
    """Odoo's prefork server (workers=2) with its gevent port."""
    conf, db = e2e_conf
    server = OdooServer(conf, db, workers=2).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def probe(e2e_conf):
    """A direct connection to the e2e database (reliability.DbProbe)."""
    conf, db = e2e_conf
    probe = DbProbe(conf, db)
    yield probe
    probe.close()


@pytest.fixture(params=["threaded", "prefork"])
def server(request):
    """Each test using it runs against both server modes."""
    return request.getfixturevalue(f"{request.param}_server")


#: the credential kinds the attack suite (test_attacks_*.py) runs over
CREDENTIAL_KINDS = ("key", "oauth")


def pytest_generate_tests(metafunc):
    """Every attack test that takes its credentials from ``e2e_keys`` runs
    once per credential kind: API keys, then OAuth access tokens."""
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if module.startswith("test_attacks_") and "e2e_keys" in metafunc.fixturenames:
        metafunc.parametrize("e2e_keys", CREDENTIAL_KINDS, indirect=True, scope="module")


@pytest.fixture(scope="session")
def e2e_credentials(e2e_conf):
    """Users, API keys and their OAuth equivalents (make_keys.py):
    {"tokens": {name: key token}, "oauth_tokens": {name: access token}, ...}."""
    conf, db = e2e_conf
    return shell_json(conf, db, os.path.join(os.path.dirname(__file__), "make_keys.py"))


@pytest.fixture(scope="session")
def e2e_keys(request, e2e_credentials):
    """Users and credentials for the e2e tests: {"tokens": {name: token},
    "kind": "key" | "oauth", ...}. API keys, unless parametrized with
    ``oauth`` (the attack suite, see ``pytest_generate_tests``): then each
    name's token is the access token of an OAuth grant of the same user,
    scope and state (make_keys.py)."""
    kind = getattr(request, "param", "key")
    if kind == "key":
        return dict(e2e_credentials, kind=kind)
    return dict(e2e_credentials, kind=kind, tokens=e2e_credentials["oauth_tokens"])


@pytest.fixture(scope="session")
def token(e2e_keys):
    """A read-write key of the admin user."""
    return e2e_keys["tokens"]["admin_write"]


@pytest.fixture(scope="session")
def fixtures_db():
    """``(conf, db)`` of the conformance database: a copy of the test db with
    the test-only addon ``mcp_conformance_fixtures`` (tests/fixtures)
    installed on first use, so that its ``test_*`` tools, ``test://``
    resources and ``test_*`` prompts exist only there."""
    conf, db = os.environ.get("MCP_FIXTURES_CONF"), os.environ.get("MCP_CONF_DB")
    if not (conf and db):
        pytest.skip("the conformance database comes from scripts/test.sh (MCP_FIXTURES_CONF, MCP_CONF_DB)")
    proc = subprocess.run([*odoo_command(), "-c", conf, "-d", db, "-i", "mcp_conformance_fixtures",
                           "--stop-after-init", "--no-http", "--log-level", "warn"],
                          capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode != 0 or " ERROR " in proc.stdout + proc.stderr:
        raise RuntimeError("installing mcp_conformance_fixtures failed:\n" + (proc.stdout + proc.stderr)[-3000:])
    return conf, db


@pytest.fixture(scope="session")
def fixtures_server(fixtures_db):
    """A threaded Odoo server on the conformance database."""
    conf, db = fixtures_db
    server = OdooServer(conf, db, workers=0).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def fixtures_prefork_server(fixtures_db):
    """A prefork (``--workers=2``) Odoo server on the conformance database:
    clients talk to its gevent port, where streams (and POSTs that wait for
    the client's answer) belong."""
    conf, db = fixtures_db
    server = OdooServer(conf, db, workers=2).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def fixtures_token(fixtures_db):
    """A read-write key of the admin user on the conformance database."""
    conf, db = fixtures_db
    return shell_json(conf, db, os.path.join(os.path.dirname(__file__), "make_keys.py"))["tokens"]["admin_write"]
