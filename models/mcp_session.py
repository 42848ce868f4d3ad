"""MCP sessions (``Mcp-Session-Id``), stored so that any worker can serve them."""
import json
import secrets
from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..services.recent_writes import session_prefix
from ..services.replica import on_replica

# A session is touched at most this often (seconds): no write per request.
TOUCH_INTERVAL = 60
#: Columns ``_find`` reads with the session (what the request path uses).
FIND_COLUMNS = ("session_id", "key_id", "user_id", "transport", "revision", "initialized", "log_level",
                "last_seen_at", "expires_at", "client_capabilities")
#: Those ``_row_sql`` reads as ISO 8601 text (JSON).
DATETIME_COLUMNS = ("last_seen_at", "expires_at")
#: Longer session ids are none of ours (``_find`` reads nothing for them).
MAX_SESSION_ID = 128
#: Longest ``client_capabilities`` JSON kept whole; a longer one keeps only
#: the names of the capabilities (``{name: {}}``).
MAX_CAPABILITIES = 4096


class McpSession(models.Model):
    _name = "mcp.session"
    _description = "MCP Session"
    _order = "last_seen_at desc, id desc"
    _rec_name = "client_name"

    session_id = fields.Char(required=True, index=True, readonly=True, copy=False,
                             groups="mcp_bridge.group_mcp_manager")
    key_id = fields.Many2one("mcp.api.key", required=True, ondelete="cascade", index=True, readonly=True)
    user_id = fields.Many2one("res.users", required=True, ondelete="cascade", readonly=True)
    transport = fields.Selection(
        [("streamable_http", "Streamable HTTP"), ("legacy_sse", "HTTP+SSE (legacy)")],
        required=True, default="streamable_http", readonly=True)
    revision = fields.Char("Protocol revision", readonly=True)
    client_name = fields.Char(readonly=True)
    client_version = fields.Char(readonly=True)
    initialized = fields.Boolean(readonly=True)
    log_level = fields.Char(default="info", readonly=True)
    client_capabilities = fields.Text(readonly=True, help="JSON of the capabilities the client declared at initialize")
    last_seen_at = fields.Datetime(default=fields.Datetime.now, readonly=True)
    expires_at = fields.Datetime(required=True, index=True, readonly=True)

    _sql_constraints = [
        ("session_id_unique", "unique(session_id)", "Session ids are unique."),
    ]

    @api.model
    def _client_values(self, client_info):
        """``client_name`` / ``client_version`` values from an ``initialize``
        ``clientInfo`` (anything but an object: none), cut to 128 / 64 chars."""
        client_info = client_info if isinstance(client_info, dict) else {}
        return {
            "client_name": str(client_info.get("name") or "")[:128] or False,
            "client_version": str(client_info.get("version") or "")[:64] or False,
        }

    @api.model
    def _capabilities_value(self, capabilities):
        """The ``client_capabilities`` value of an ``initialize``
        ``capabilities`` object (anything else: none), bounded."""
        if not isinstance(capabilities, dict):
            return False
        text = json.dumps(capabilities, separators=(",", ":"))
        if len(text) > MAX_CAPABILITIES:
            text = json.dumps({str(name)[:64]: {} for name in list(capabilities)[:32]}, separators=(",", ":"))
        return text

    def _client_capabilities(self):
        """The capabilities the session's client declared (a dict), or
        ``None`` when not known (a session opened before they were kept)."""
        self.ensure_one()
        try:
            value = json.loads(self.client_capabilities) if self.client_capabilities else None
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    @api.model
    def _open(self, key, transport, ttl, revision=None, client_info=None, capabilities=None):
        """Create a session for ``key`` and return it (sudo; the layer's own row).
        Its id starts with its creation time (``recent_writes.session_prefix``):
        the requests of a session made an instant ago run on the primary, which
        has it, not on a read replica that may not have replayed it yet."""
        now = fields.Datetime.now()
        return self.sudo().create({
            "client_capabilities": self._capabilities_value(capabilities),
            "session_id": session_prefix() + secrets.token_urlsafe(32),
            "key_id": key.id,
            "user_id": key.user_id.id,
            "transport": transport,
            "revision": revision,
            **self._client_values(client_info),
            "last_seen_at": now,
            "expires_at": now + timedelta(seconds=ttl),
        })

    @api.model
    def _find(self, session_id, key, row=False):
        """The live session ``session_id`` of ``key``, or an empty recordset.

        A session of another key is reported as not found, like an unknown one.
        ``row``: the session's row as ``_row_sql`` reads it (None: no such
        session), when the caller read it already; else one query here.
        """
        empty = self.sudo().browse()
        if not session_id or len(session_id) > MAX_SESSION_ID:
            return empty
        if row is False:
            self.flush_model(FIND_COLUMNS)
            self.env.cr.execute(SQL("SELECT %s", self._row_sql(session_id)))
            row = self.env.cr.fetchone()[0]
        if not row:
            return empty
        # the values go into the ORM cache: what ``search`` + reading the
        # fields would cost three queries for
        session = self.sudo().browse(row[0])
        values = dict(zip(FIND_COLUMNS, row[1:]))
        for name in DATETIME_COLUMNS:
            values[name] = values[name] and datetime.fromisoformat(values[name])
        if values["key_id"] != key.id or values["expires_at"] <= fields.Datetime.now():
            return empty
        for name, value in values.items():
            self.env.cache.insert_missing(session, self._fields[name], [value])
        return session

    @api.model
    def _row_sql(self, session_id):
        """The expression of session ``session_id``'s row for ``_find``: a
        JSON array of its id and ``FIND_COLUMNS`` (NULL: no such session).
        Read in the key check's own statement on the request path
        (``mcp.api.key`` ``Rider``): no round trip of its own."""
        return SQL("(SELECT json_build_array(id, %s) FROM mcp_session WHERE session_id = %s)",
                   SQL(", ").join(SQL.identifier(name) for name in FIND_COLUMNS), session_id)

    def _touch(self, ttl):
        """Extend the session's lifetime (throttled: at most once a minute)."""
        now = fields.Datetime.now()
        for session in self:
            if session.last_seen_at and (now - session.last_seen_at).total_seconds() < TOUCH_INTERVAL:
                continue
            values = {"last_seen_at": now, "expires_at": now + timedelta(seconds=ttl)}
            if on_replica(self.env.cr):  # a read request on the replica: the primary, own cursor
                with self.env.registry.cursor() as cr:
                    cr.execute(SQL("UPDATE mcp_session SET last_seen_at = %s, expires_at = %s WHERE id = %s",
                                   values["last_seen_at"], values["expires_at"], session.id))
                continue
            session.write(values)

    def action_end(self):
        """End the sessions (their streams close at their next wake-up)."""
        self.sudo().unlink()
        return True

    @api.autovacuum
    def _gc_expired_sessions(self):
        """Delete expired sessions (and their undelivered messages)."""
        self.sudo().search([("expires_at", "<", fields.Datetime.now())]).unlink()
