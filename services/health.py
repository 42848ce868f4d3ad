"""The /mcp/health report: server facts only, never secrets or user data."""
import logging

import psycopg2

from odoo.modules.module import get_manifest

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
        "database": {"selected": bool(dbname), "reachable": reachable},
    }
    return report, healthy
