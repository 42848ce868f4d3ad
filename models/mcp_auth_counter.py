# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Brute-force lockout: failed authentications per IP, shared by all workers.

The rows live in PostgreSQL so every prefork worker (and every Odoo server
sharing the database) sees the same counts. The key check
(``mcp_key_check.py``: ``_gate`` reads them, ``_count_failure`` writes them
in a short cursor of its own with one upsert, so they survive the rollback
of the request that was refused) is the only code on them besides the
clean-up below. The per-key rate limit keeps no counter here: it counts the
key's audit rows. Each lockout, once committed, is signalled to the workers'
views of the lockouts (``_signal_lockouts``, ``mcp_lockout_view.py``).
"""
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

KIND_IP_FAILURE = "ip_failure"


class McpAuthCounter(models.Model):
    _name = "mcp.auth.counter"
    _description = "MCP authentication failures per IP"
    _log_access = False
    _order = "id desc"

    kind = fields.Selection(
        [(KIND_IP_FAILURE, "Failed authentications of an IP")],
        required=True, readonly=True)
    bucket = fields.Char(required=True, readonly=True, help="The IP address.")
    window_start = fields.Datetime(required=True, readonly=True)
    hits = fields.Integer(required=True, default=0, readonly=True)
    locked_until = fields.Datetime(readonly=True)

    _sql_constraints = [
        ("kind_bucket_uniq", "UNIQUE(kind, bucket)", "One counter per kind and bucket."),
    ]

    def init(self):
        # the lockout signal (mcp_lockout_view.py); owned by a column, it
        # goes with the table when the module is uninstalled
        self.env.cr.execute(SQL(
            "CREATE SEQUENCE IF NOT EXISTS mcp_auth_lockout_seq OWNED BY mcp_auth_counter.locked_until"))

    @api.model
    def _signal_lockouts(self):
        """Tell every worker's view of the lockouts that a lockout was
        committed (bump ``mcp_auth_lockout_seq``: not transactional, so
        only once the lockout is committed, in a cursor of its own)."""
        with self.env.registry.cursor() as cr:
            # to_regclass: NULL, not an error, before the module's upgrade made it
            cr.execute(SQL("SELECT nextval(to_regclass('mcp_auth_lockout_seq'))"))

    @api.model
    def _gc_counters(self):
        """Delete counters that neither lock nor count anything any more."""
        now = fields.Datetime.now()
        self.env.cr.execute(SQL(
            "DELETE FROM mcp_auth_counter WHERE window_start < %s AND (locked_until IS NULL OR locked_until < %s)",
            now - timedelta(days=1), now))
