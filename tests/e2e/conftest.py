"""Fixtures for end-to-end tests: real Odoo servers on a copy of the test db.

scripts/test.sh sets MCP_ODOO_CONF (an Odoo config with the database
connection) and MCP_E2E_DB (a database with mcp_bridge installed).
"""
import os

import pytest

from .harness import OdooServer, shell_json


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
