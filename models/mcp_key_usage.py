# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""When and from where each API key was last used.

Kept out of the ``mcp_api_key`` row on purpose: the stamp is written from a
short cursor of its own while the request that triggered it is still
running. Had it updated the key row, that request's own foreign keys to the
key (audit row, new session) would meet a row updated after its snapshot
and fail with a serialization error, which Odoo answers by sleeping up to
two seconds and running the whole request again. No table references this
one, so the stamp conflicts with nothing. The key check writes it
(``mcp_key_check.py``, ``_touch_last_use``) and reads it with the key's state.
"""
from odoo import api, fields, models
from odoo.tools import SQL


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
    def _stamps(self, key_ids):
        """``{key_id: (used_at, ip)}`` of the given keys (those ever used)."""
        self.env.cr.execute(SQL("SELECT key_id, used_at, ip FROM mcp_key_usage WHERE key_id = ANY(%s)",
                                list(key_ids)))
        return {key_id: (used_at, ip) for key_id, used_at, ip in self.env.cr.fetchall()}

    @api.model
    def _forget(self, key_ids):
        """Drop the stamps of deleted keys."""
        self.env.cr.execute(SQL("DELETE FROM mcp_key_usage WHERE key_id = ANY(%s)", list(key_ids)))
