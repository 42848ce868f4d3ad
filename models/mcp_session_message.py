"""Messages waiting for a session's stream, delivered across workers.

A POST handled by any worker (or any Odoo server on the same database) inserts
a row and NOTIFYs channel ``mcp_bridge`` in the same transaction: PostgreSQL
delivers the notification at commit, so a stream never sees a message of a
transaction that rolled back. The stream deletes the rows it sends.
Subscription notifications are queued the same way (``mcp.subscription``).
"""
from odoo import api, fields, models

from ..protocol import json_text

NOTIFY_CHANNEL = "mcp_bridge"


class McpSessionMessage(models.Model):
    _name = "mcp.session.message"
    _description = "MCP Session Message (queued for a stream)"
    _order = "id"
    _log_access = False

    session_id = fields.Many2one("mcp.session", required=True, ondelete="cascade", index=True)
    payload = fields.Text(required=True)
    # a resources/updated of a subscribed record: the stream re-checks at
    # delivery that the session's key may still read it (mcp.subscription)
    res_model = fields.Char(readonly=True)
    res_id = fields.Integer(readonly=True)
    create_date = fields.Datetime(default=fields.Datetime.now, readonly=True)

    @api.model
    def _enqueue(self, session, message):
        """Queue JSON-RPC ``message`` (a dict) for ``session``'s stream and notify."""
        self.sudo().create({"session_id": session.id, "payload": json_text.dumps(message)})
        self.env.cr.execute("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, str(session.id)))

    @api.autovacuum
    def _gc_stale_messages(self):
        """Drop messages nobody picked up within a day."""
        self.env.cr.execute(
            "DELETE FROM mcp_session_message WHERE create_date < (now() at time zone 'UTC') - interval '1 day'")
