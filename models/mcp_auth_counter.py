# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Brute-force lockout and rate-limit counters shared by all workers.

The rows live in PostgreSQL so every prefork worker (and every Odoo server
sharing the database) sees the same counts. They are written in a short
cursor of their own (``registry.cursor()``) with one upsert, so they survive
the rollback of the request that was refused.
"""
from datetime import timedelta

from odoo import api, fields, models

KIND_IP_FAILURE = "ip_failure"


#: Prefix of the counter statements (same round trip): counters need no
#: durable commit, so skip the WAL flush wait (a PostgreSQL crash may lose
#: the last fraction of a second of counts, nothing else).
ASYNC_COMMIT = "SET LOCAL synchronous_commit TO OFF;"


class McpAuthCounter(models.Model):
    _name = "mcp.auth.counter"
    _description = "MCP authentication / rate-limit counter"
    _log_access = False
    _order = "id desc"

    kind = fields.Selection(
        [(KIND_IP_FAILURE, "Failed authentications of an IP")],
        required=True, readonly=True)
    bucket = fields.Char(required=True, readonly=True, help="The IP address or the key id.")
    window_start = fields.Datetime(required=True, readonly=True)
    hits = fields.Integer(required=True, default=0, readonly=True)
    locked_until = fields.Datetime(readonly=True)

    _sql_constraints = [
        ("kind_bucket_uniq", "UNIQUE(kind, bucket)", "One counter per kind and bucket."),
    ]

    # ------------------------------------------------------------------
    # Internal API (called by mcp.api.key._authenticate; sudo-free SQL on
    # the layer's own table)
    # ------------------------------------------------------------------
    @api.model
    def _register_failure(self, ip, now, threshold, window, duration):
        """Count one failed authentication of ``ip`` (own cursor, committed).

        When ``threshold`` failures happen within ``window`` seconds the IP is
        locked for ``duration`` seconds and its count restarts. Returns the
        ``locked_until`` datetime when this failure triggered a lockout.
        """
        window_floor = now - timedelta(seconds=window)
        with self.env.registry.cursor() as cr:
            cr.execute(
                ASYNC_COMMIT + """
                INSERT INTO mcp_auth_counter AS c (kind, bucket, window_start, hits)
                VALUES (%(kind)s, %(bucket)s, %(now)s, 1)
                ON CONFLICT (kind, bucket) DO UPDATE SET
                    hits = CASE WHEN c.window_start > %(floor)s THEN c.hits + 1 ELSE 1 END,
                    window_start = CASE WHEN c.window_start > %(floor)s THEN c.window_start ELSE %(now)s END
                RETURNING id, hits
                """,
                {"kind": KIND_IP_FAILURE, "bucket": ip or "", "now": now, "floor": window_floor},
            )
            counter_id, hits = cr.fetchone()
            if hits >= threshold:
                locked_until = now + timedelta(seconds=duration)
                cr.execute(
                    "UPDATE mcp_auth_counter SET locked_until = %s, hits = 0, window_start = %s WHERE id = %s",
                    (locked_until, now, counter_id),
                )
                return locked_until
        return None

    @api.model
    def _gc_counters(self):
        """Delete counters that neither lock nor count anything any more."""
        now = fields.Datetime.now()
        self.env.cr.execute(
            "DELETE FROM mcp_auth_counter WHERE window_start < %s"
            " AND (locked_until IS NULL OR locked_until < %s)",
            (now - timedelta(days=1), now),
        )
