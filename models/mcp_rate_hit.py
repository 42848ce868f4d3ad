# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Per-key rate limiting: one row per accepted request, counted over a
sliding minute.

The row is inserted by the request's own cursor in the same statement that
counts the key's recent rows (one round trip, no row shared between
concurrent requests, so no lock waits and no serialization failures under
Odoo's REPEATABLE READ). Rows older than two minutes are deleted by a cron.
A request whose transaction rolls back does not count, which is harmless:
nothing it did remained either.
"""
import math
from datetime import timedelta

from odoo import api, fields, models, tools

WINDOW = timedelta(seconds=60)


class McpRateHit(models.Model):
    _name = "mcp.rate.hit"
    _description = "MCP request of a key (rate limiting)"
    _log_access = False

    key_id = fields.Integer(required=True, readonly=True)
    at = fields.Datetime(required=True, readonly=True)

    def init(self):
        tools.create_index(self.env.cr, "mcp_rate_hit_key_at_idx", self._table, ["key_id", "at"])

    @api.model
    def _hit(self, key_id, now, limit):
        """Count one request of ``key_id`` at ``now`` against ``limit`` per minute.

        Returns ``None`` when accepted (the hit is recorded), else the seconds
        until the oldest hit of the window leaves it (nothing recorded).
        """
        self.env.cr.execute(
            """
            WITH recent AS (SELECT count(*) AS n, min(at) AS first FROM mcp_rate_hit
                             WHERE key_id = %(key)s AND at > %(floor)s),
                 ins AS (INSERT INTO mcp_rate_hit (key_id, at)
                         SELECT %(key)s, %(now)s FROM recent WHERE recent.n < %(limit)s)
            SELECT n, first FROM recent
            """,
            {"key": key_id, "now": now, "floor": now - WINDOW, "limit": limit},
        )
        count, first = self.env.cr.fetchone()
        if count < limit:
            return None
        return max(1, math.ceil((first + WINDOW - now).total_seconds()))

    @api.model
    def _gc_hits(self):
        """Cron: forget hits that left the window."""
        self.env.cr.execute("DELETE FROM mcp_rate_hit WHERE at < %s", (fields.Datetime.now() - 2 * WINDOW,))
