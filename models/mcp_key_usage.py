# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""When and from where each API key was last used.

Kept out of the ``mcp_api_key`` row on purpose: the stamp is written from a
short cursor of its own while the request that triggered it is still
running. Had it updated the key row, that request's own foreign keys to the
key (audit row, new session) would meet a row updated after its snapshot
and fail with a serialization error, which Odoo answers by sleeping up to
two seconds and running the whole request again. No table references this
one, so the stamp conflicts with nothing.
"""
import logging
from datetime import timedelta

import psycopg2.errors

from odoo import api, fields, models

from .mcp_auth_counter import ASYNC_COMMIT

_logger = logging.getLogger(__name__)


class McpKeyUsage(models.Model):
    _name = "mcp.key.usage"
    _description = "MCP API key last use"
    _log_access = False

    key_id = fields.Integer(required=True, readonly=True)
    used_at = fields.Datetime(required=True, readonly=True)
    ip = fields.Char(readonly=True)

    _sql_constraints = [
        ("key_uniq", "UNIQUE(key_id)", "One last-use stamp per key."),
    ]

    @api.model
    def _touch(self, key_id, ip, interval, now):
        """Stamp ``key_id`` as used at ``now`` from ``ip`` unless it was
        stamped less than ``interval`` seconds ago (own short cursor,
        committed at once; a concurrent stamp of the same key wins)."""
        try:
            with self.env.registry.cursor() as cr:
                cr.execute(
                    ASYNC_COMMIT + """
                    INSERT INTO mcp_key_usage AS u (key_id, used_at, ip) VALUES (%(key)s, %(now)s, %(ip)s)
                    ON CONFLICT (key_id) DO UPDATE SET used_at = EXCLUDED.used_at, ip = EXCLUDED.ip
                     WHERE u.used_at < %(floor)s
                    """,
                    {"key": key_id, "now": now, "ip": ip, "floor": now - timedelta(seconds=interval)},
                )
        except psycopg2.errors.SerializationFailure:
            _logger.debug("MCP key %s: last use stamped by a concurrent request", key_id)

    @api.model
    def _stamps(self, key_ids):
        """``{key_id: (used_at, ip)}`` of the given keys (those ever used)."""
        self.env.cr.execute("SELECT key_id, used_at, ip FROM mcp_key_usage WHERE key_id = ANY(%s)",
                            (list(key_ids),))
        return {key_id: (used_at, ip) for key_id, used_at, ip in self.env.cr.fetchall()}

    @api.model
    def _forget(self, key_ids):
        """Drop the stamps of deleted keys."""
        self.env.cr.execute("DELETE FROM mcp_key_usage WHERE key_id = ANY(%s)", (list(key_ids),))
