# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""One row per MCP request: who, from where, what kind of call, outcome.

Metadata only: never request payload values, result bodies or tokens. The
rows of a key's last minute are also its rate-limit count.
"""
import functools
import logging
from datetime import timedelta

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from ..services.replica import on_replica

_logger = logging.getLogger(__name__)

#: Audit rows this process could not write since it started (logged at
#: ERROR each time; /mcp/health shows the count).
WRITE_FAILURES = {"count": 0}


def audit_write_failures():
    """How many audit rows this process failed to write."""
    return WRITE_FAILURES["count"]


def _failed(message, *args):
    WRITE_FAILURES["count"] += 1
    _logger.exception(message, *args)


#: Prefix of a statement whose transaction needs no durable commit: the
#: commit does not wait for the WAL flush (same round trip).
ASYNC_COMMIT = SQL("SET LOCAL synchronous_commit TO OFF;")


def _insert_own_cursor(registry, query):
    """Write an audit row in a (primary) cursor of its own: after a rollback,
    or for a request served on a read replica. Returns True when written."""
    try:
        with registry.cursor() as cr:
            # No WAL flush wait: a PostgreSQL crash may lose the last
            # fraction of a second of audit rows, never corrupt them.
            cr.execute(SQL("%s %s", ASYNC_COMMIT, query))
    except Exception:  # noqa: BLE001 - a rollback hook must not raise; logged and counted
        _failed("MCP audit: could not write an audit row in a cursor of its own")
        return False
    return True

#: The only columns ``_record`` accepts (anything else is dropped).
AUDIT_FIELDS = ("key_id", "user_id", "ip", "transport", "rpc_method", "tool", "model", "method",
                "record_ids", "outcome", "error_code", "duration_ms")
#: Most record ids an audit row names (``record_ids``); more are counted.
MAX_AUDITED_IDS = 20


class McpAuditLog(models.Model):
    _name = "mcp.audit.log"
    _description = "MCP Audit Log"
    _order = "id desc"
    _rec_name = "rpc_method"

    create_date = fields.Datetime(string="Time", readonly=True, index=True)
    key_id = fields.Many2one("mcp.api.key", string="API Key", ondelete="set null", readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="User", ondelete="set null", readonly=True, index=True)
    oauth_grant_id = fields.Many2one(related="key_id.oauth_grant_id", string="OAuth Grant")
    oauth_client_id = fields.Many2one(related="key_id.oauth_client_id", string="OAuth App")
    ip = fields.Char(string="IP Address", readonly=True)
    transport = fields.Selection(
        [("streamable_http", "Streamable HTTP"), ("legacy_sse", "HTTP+SSE (legacy)")], readonly=True)
    rpc_method = fields.Char(string="JSON-RPC Method", readonly=True)
    tool = fields.Char(readonly=True)
    model = fields.Char(readonly=True)
    method = fields.Char(readonly=True, help="The method execute_method called.")
    record_ids = fields.Char(string="Record IDs", readonly=True,
                             help="Ids of the records a tool call named (at most 20, then how many more).")
    outcome = fields.Selection(
        [("ok", "OK"), ("denied", "Denied"), ("error", "Error"), ("input_required", "Input Required")],
        required=True, default="ok", readonly=True, index=True,
        help="Input Required: the tool asked the client for input (a confirmation, a choice); what it did was "
        "rolled back, and it runs again when the answer comes.")
    error_code = fields.Integer(readonly=True)
    duration_ms = fields.Integer(string="Duration (ms)", readonly=True)

    def init(self):
        # the rate limit counts a key's recent requests (mcp.api.key._gate)
        tools.create_index(self.env.cr, "mcp_audit_log_key_rate_idx", self._table, ["key_id", "create_date"],
                           where="transport IS NOT NULL")

    @api.model_create_multi
    def create(self, vals_list):
        """Audit rows are written by the MCP layer only (sudo)."""
        if not self.env.su:
            raise AccessError(_("Audit log entries are written by the MCP server only."))
        return super().create(vals_list)

    def write(self, vals):
        """The audit log is append-only."""
        raise AccessError(_("Audit log entries cannot be modified."))

    def unlink(self):
        """Only the retention job (sudo) deletes audit entries."""
        if not self.env.su:
            raise AccessError(_("Audit log entries are deleted by the retention job only."))
        return super().unlink()

    @api.model
    def _clean_vals(self, vals):
        """Keep only the audit columns, truncating free texts."""
        clean = {name: vals[name] for name in AUDIT_FIELDS if vals.get(name) not in (None, "")}
        for name in ("ip", "rpc_method", "tool", "model", "method"):
            if name in clean:
                clean[name] = str(clean[name])[:128]
        if "record_ids" in clean:
            clean["record_ids"] = self._ids_text(clean["record_ids"])
        for name in ("key_id", "user_id"):
            if name in clean and isinstance(clean[name], models.BaseModel):
                clean[name] = clean[name].id
            if clean.get(name) is False:  # no key (denied bearer): NULL, not a boolean in an int column
                del clean[name]
        if "duration_ms" in clean:
            clean["duration_ms"] = int(clean["duration_ms"])
        return clean

    @staticmethod
    def _ids_text(ids):
        """``"7, 8"`` of a list of ids (integers only, at most
        ``MAX_AUDITED_IDS``, then ``"… (+n)"``); other values as text, cut."""
        if not isinstance(ids, (list, tuple)):
            return str(ids)[:128]
        valid = [str(rid) for rid in ids if isinstance(rid, int) and not isinstance(rid, bool)]
        text = ", ".join(valid[:MAX_AUDITED_IDS])
        if len(valid) > MAX_AUDITED_IDS:
            text += f" … (+{len(valid) - MAX_AUDITED_IDS})"
        return text or None

    @api.model
    def _record(self, vals, lazy_commit=False):
        """Write one audit row. ``vals`` keys: see ``AUDIT_FIELDS``; others
        are dropped. Never raises: a failing audit write is logged.

        ``lazy_commit``: the request's transaction writes nothing else that
        must survive a PostgreSQL crash (a read request: its audit row and
        the session's last-seen stamp): its commit then does not wait for
        the WAL flush (``synchronous_commit`` off for it, in the INSERT's own
        round trip), as the audit rows written in a cursor of their own. A
        crash of PostgreSQL may lose the last fraction of a second of such
        rows, never corrupt them; a read answered without an audit row costs
        the commit of a write-free transaction, like native ``/jsonrpc``.

        The row goes into the request's transaction (one INSERT, no extra
        cursor): the dispatcher runs every call in a savepoint, so a failed
        call still commits its audit row. Should the whole transaction roll
        back anyway (Odoo's retry after a concurrency error, an unexpected
        failure), a rollback hook writes the row again in a cursor of its own.
        """
        clean = self._clean_vals(vals)
        try:
            for name in ("outcome", "transport"):  # what the ORM's selection check would refuse
                if name in clean and not any(clean[name] == value for value, _label in self._fields[name].selection):
                    raise ValueError(f"invalid {name} {clean[name]!r}")
            clean.setdefault("outcome", "ok")
            columns = list(clean)  # names of AUDIT_FIELDS only (_clean_vals): plain identifiers
            # A plain INSERT: the row has no computed field nor hook, and
            # ``create`` costs an extra query and the ORM's work.
            query = SQL(
                "INSERT INTO mcp_audit_log (create_uid, write_uid, create_date, write_date, %s) "
                "VALUES (%%s, %%s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', %s)"
                % (", ".join(f'"{name}"' for name in columns), ", ".join(["%s"] * len(columns))),
                self.env.uid, self.env.uid, *(clean[name] for name in columns),
            )
            if on_replica(self.env.cr):
                _insert_own_cursor(self.env.registry, query)
                return
            self.env.cr.execute(SQL("%s %s", ASYNC_COMMIT, query) if lazy_commit else query)
            self.env.cr.postrollback.add(functools.partial(_insert_own_cursor, self.env.registry, query))
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            # e.g. the FK check of key_id meets a concurrent update of the key
            # row (REPEATABLE READ): the request's transaction is aborted,
            # swallowing this would fail the request later; Odoo retries it.
            raise
        except Exception:  # the request's outcome must not depend on the audit write
            _failed("MCP audit: could not write the audit row for %s", clean.get("rpc_method"))

    @api.model
    def _gc_audit_logs(self):
        """Retention cron: delete rows older than ``audit_retention_days``;
        also drop stale authentication counters."""
        days = self.env["mcp.settings"]._get_settings()["audit_retention_days"]
        limit_date = fields.Datetime.now() - timedelta(days=days)
        self.env.cr.execute("DELETE FROM mcp_audit_log WHERE create_date < %s", (limit_date,))
        deleted = self.env.cr.rowcount
        self.env["mcp.auth.counter"].sudo()._gc_counters()
        if deleted:
            _logger.info("MCP audit: %s entries older than %s days deleted", deleted, days)
        return deleted
