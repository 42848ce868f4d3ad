"""Fixtures for end-to-end tests on a business database.

The database holds Sales (sale_management), Invoicing (account), CRM and
Inventory (stock) with Odoo's demo data, plus mcp_bridge. Installing the
business apps takes minutes on two cores, so they are installed once into a
template database (kept in the private cluster across runs, named after the
Odoo version and the module list); every test run copies the template and
installs mcp_bridge into the copy (seconds).

scripts/test.sh exports MCP_BIZ_DB (the copy's name; dropped after the run).
"""
import hashlib
import json
import os
import subprocess

import pytest

from ..harness import OdooServer, odoo_command, shell_json

BIZ_MODULES = ("sale_management", "account", "crm", "stock")


def _psql(sql):
    out = subprocess.run(["psql", "-d", "postgres", "-qAt", "-c", sql], capture_output=True, text=True,
                         timeout=120, check=True)
    return out.stdout.strip()


def _exists(db):
    return _psql(f"SELECT 1 FROM pg_database WHERE datname = '{db}'") == "1"


def _odoo(conf, db, *args, timeout=1800):
    out = subprocess.run([*odoo_command(), "-c", conf, "-d", db, *args, "--stop-after-init",
                          "--log-level", "warn", "--max-cron-threads", "0"],
                         capture_output=True, text=True, timeout=timeout, check=False)
    text = out.stdout + out.stderr
    if out.returncode or " ERROR " in text or " CRITICAL " in text:
        raise RuntimeError(f"odoo {' '.join(args)} on {db} failed:\n{text[-4000:]}")


def _template_name():
    import odoo.release
    digest = hashlib.sha1(json.dumps([odoo.release.version, BIZ_MODULES]).encode()).hexdigest()[:10]
    return f"mcp_biz_template_{digest}"


@pytest.fixture(scope="session")
def biz_db(e2e_conf):
    """The name of a fresh business database with mcp_bridge installed."""
    conf, _db = e2e_conf
    db = os.environ.get("MCP_BIZ_DB")
    if not db:
        pytest.skip("business end-to-end tests run through scripts/test.sh (MCP_BIZ_DB)")
    template = _template_name()
    if not _exists(template):
        building = template + "_building"
        _psql(f'DROP DATABASE IF EXISTS "{building}"')
        _odoo(conf, building, "-i", ",".join(BIZ_MODULES))
        _psql(f'ALTER DATABASE "{building}" RENAME TO "{template}"')  # complete templates only
    _psql(f'DROP DATABASE IF EXISTS "{db}"')
    _psql(f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
    _odoo(conf, db, "-i", "mcp_bridge", timeout=600)
    return db


@pytest.fixture(scope="session")
def biz_server(e2e_conf, biz_db):
    """Odoo's threaded server on the business database."""
    conf, _db = e2e_conf
    server = OdooServer(conf, biz_db, workers=0).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def biz_keys(e2e_conf, biz_db):
    """Users and API keys of the business tests (see make_biz_keys.py):
    ``{"tokens": {name: token}, "users": {...}}``."""
    conf, _db = e2e_conf
    return shell_json(conf, biz_db, os.path.join(os.path.dirname(__file__), "make_biz_keys.py"), "MCP_BIZ_KEYS")
