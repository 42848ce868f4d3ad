"""The /mcp/health report: server facts only, never secrets or user data."""
import logging

import psycopg2
from odoo.modules.module import get_manifest
from odoo.modules.registry import Registry
from odoo.tools import config

from ..protocol.revisions import REVISIONS

_logger = logging.getLogger(__name__)

MODULE = "mcp_bridge"


def health_report(dbname, cr):
    """Return ``(report, healthy)`` for database ``dbname`` using cursor ``cr``.

    ``cr`` is ``None`` when Odoo could not open the database (PostgreSQL down,
    no database selected); the report then says the database is unreachable.
    """
    reachable = False
    if cr is not None:
        try:
            cr.execute("SELECT 1")
            reachable = cr.fetchone() == (1,)
        except psycopg2.Error as exc:
            _logger.warning("MCP health: database check failed: %s", exc)
    healthy = reachable
    report = {
        "status": "ok" if healthy else "unavailable",
        "module": MODULE,
        "version": get_manifest(MODULE).get("version"),
        "protocol_versions": list(REVISIONS),
        "database": {"selected": bool(dbname), "reachable": reachable, "replica": replica_state(dbname)},
        "audit": {"write_failures": _audit_write_failures()},
    }
    return report, healthy


def replica_state(dbname):
    """``"none"`` without ``--db_replica_host``/``--db_replica_port``;
    ``"in use"`` while read-only requests get replica cursors; ``"fallen
    back"`` once Odoo could not connect to it (every request then runs on
    the primary until the worker restarts)."""
    if not (config.get("db_replica_host") or config.get("db_replica_port")):
        return "none"
    registry = Registry.registries.get(dbname) if dbname else None
    if registry is None:
        return "unknown"
    return "in use" if getattr(registry, "_db_readonly", None) is not None else "fallen back"


def _audit_write_failures():
    from ..models.mcp_audit_log import (
        audit_write_failures,  # lazy: the models import the services
    )
    return audit_write_failures()
