"""Input requests this server sent to a session's client (``elicitation/create``,
``sampling/createMessage``, ``roots/list``) and the client's answers, routed
through PostgreSQL: the answer is POSTed to any worker or Odoo server of the
database, the POST stream that waits for it (``services/input_loop.py``)
reads it with short cursors. A row is created when the request goes out
(``payload`` empty); only the client's response to a row's id fills it, once.
"""
import json

from odoo import api, fields, models

from .mcp_session_message import NOTIFY_CHANNEL

#: What a ``notifications/cancelled`` of the waiting request stores.
CANCELLED = {"cancelled": True}
#: Largest client response kept (bytes of JSON); larger ones are answered as an error.
MAX_RESPONSE_BYTES = 1048576


class McpSessionInput(models.Model):
    _name = "mcp.session.input"
    _description = "MCP Session Input Request (sent to the client, waiting for its answer)"
    _order = "id"
    _log_access = False

    session_id = fields.Many2one("mcp.session", required=True, ondelete="cascade", index=True)
    request_id = fields.Char(required=True, index=True, help="JSON of the id this server sent")
    call_id = fields.Char(help="JSON of the id of the client's request whose handler asked")
    payload = fields.Text(help="The client's JSON-RPC response (empty until it answers)")
    create_date = fields.Datetime(default=fields.Datetime.now, readonly=True)

    @api.model
    def _expect(self, session_pk, call_id, request_ids):
        """Record that requests ``request_ids`` go out to session ``session_pk``'s
        client for its request ``call_id`` (plain SQL: used by a stream's own cursor)."""
        for request_id in request_ids:
            self.env.cr.execute(
                "INSERT INTO mcp_session_input (session_id, request_id, call_id, create_date) "
                "VALUES (%s, %s, %s, now() at time zone 'UTC')",
                (session_pk, json.dumps(request_id), json.dumps(call_id)))

    @api.model
    def _receive(self, session, message):
        """Store the client's JSON-RPC response ``message`` (a dict) when it
        answers a request this server sent on ``session`` and not answered
        yet; anything else is ignored. Wakes the waiting stream at commit."""
        if not session or not isinstance(message, dict) or "id" not in message:
            return False
        payload = json.dumps(message, separators=(",", ":"))
        if len(payload) > MAX_RESPONSE_BYTES:
            payload = json.dumps({"id": message["id"], "error": {"code": -32600, "message": "response too large"}})
        self.env.cr.execute(
            "UPDATE mcp_session_input SET payload = %s WHERE session_id = %s AND request_id = %s "
            "AND payload IS NULL RETURNING id", (payload, session.id, json.dumps(message["id"])))
        return self._notify(session.id) if self.env.cr.fetchall() else False

    @api.model
    def _cancel(self, session, call_id):
        """``notifications/cancelled`` of the client's request ``call_id``:
        its pending input requests end (the stream answers it cancelled)."""
        if not session:
            return False
        self.env.cr.execute(
            "UPDATE mcp_session_input SET payload = %s WHERE session_id = %s AND call_id = %s "
            "AND payload IS NULL RETURNING id", (json.dumps(CANCELLED), session.id, json.dumps(call_id)))
        return self._notify(session.id) if self.env.cr.fetchall() else False

    def _notify(self, session_pk):
        self.env.cr.execute("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, str(session_pk)))
        return True

    @api.autovacuum
    def _gc_stale_inputs(self):
        """Drop input requests older than a day (answered or not)."""
        self.env.cr.execute(
            "DELETE FROM mcp_session_input WHERE create_date < (now() at time zone 'UTC') - interval '1 day'")
