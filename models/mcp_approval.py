# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Writes an MCP approver approves in Odoo (write policy *approve*).

A covered write tool under the *approve* policy (``mcp_write_policy.py``)
does not write: it stores the call (tool + arguments), its preview and a
digest of the records' ``write_date`` here, and answers at once with a
pending result. An approver (group *MCP Server / Approver*) decides in
*MCP Server → Approvals*. *Approve* runs the same tool call again, through
the dispatcher (``mcp.server._handle_message``: argument validation, the
guard, the write fence, the error map, the audit row) **as the key's user,
now**: a key revoked, expired or archived since fails the approval; rights,
rules and blocklists are those of the approval time; records changed since
the preview refresh the preview and leave the request pending. The agent
polls with the ``get_approval`` tool.

The model is an MCP-layer model (``mcp.`` prefix): always blocked for agents,
no tool reads or decides it (``get_approval`` reads the caller's own
requests, through this model's :meth:`_agent_view`).
"""
import logging
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from ..tools.context import McpContext

_logger = logging.getLogger(__name__)

STATES = [
    ("pending", "Pending"),
    ("approved", "Approved"),
    ("done", "Done"),
    ("rejected", "Rejected"),
    ("expired", "Expired"),
    ("failed", "Failed"),
]
APPROVER_GROUP = "mcp_bridge.group_mcp_approver"
#: fields approvers may edit themselves (the rest moves only through the actions)
EDITABLE_FIELDS = frozenset({"decision_note"})


class ApprovalContext(McpContext):
    """The request context of an approved call run again: the gate
    (``mcp.write.policy.gate``) sees :attr:`approval` and checks the records
    did not change instead of asking again."""

    __slots__ = ("approval", "approval_changed")

    def __init__(self, approval, *args):
        super().__init__(*args)
        self.approval = approval
        self.approval_changed = False


class McpApproval(models.Model):
    _name = "mcp.approval"
    _description = "MCP Write Approval"
    _order = "id desc"

    name = fields.Char(compute="_compute_name")
    state = fields.Selection(STATES, required=True, default="pending", readonly=True, index=True)
    key_id = fields.Many2one("mcp.api.key", string="API Key", required=True, ondelete="cascade", readonly=True,
                             index=True)
    user_id = fields.Many2one("res.users", string="Requested As", required=True, ondelete="cascade",
                              readonly=True, help="The key's user: the write runs as this user when approved.")
    oauth_client_id = fields.Many2one(related="key_id.oauth_client_id", string="OAuth App")
    client_name = fields.Char(string="Client", readonly=True, help="The MCP client that asked (its clientInfo).")
    tool = fields.Char(readonly=True, required=True)
    model = fields.Char(readonly=True)
    method = fields.Char(readonly=True)
    record_ids = fields.Json(readonly=True)
    arguments = fields.Json(readonly=True, help="The tool call's arguments, run again when approved.")
    preview = fields.Json(readonly=True)
    preview_text = fields.Text(readonly=True)
    preview_html = fields.Html(compute="_compute_preview_html", sanitize=True)
    reason = fields.Char(readonly=True, help="Why the agent says it makes this write.")
    records_digest = fields.Char(readonly=True)
    preview_refreshed = fields.Boolean(readonly=True, help="The records changed since the first preview.")
    expires_at = fields.Datetime(readonly=True, required=True)
    decided_by = fields.Many2one("res.users", readonly=True, ondelete="set null")
    decided_at = fields.Datetime(readonly=True)
    decision_note = fields.Char(string="Decision Note", help="Why you reject (or approve): the agent reads it.")
    executed_at = fields.Datetime(readonly=True)
    result = fields.Json(readonly=True, help="What the tool returned when the write ran.")
    error_message = fields.Text(readonly=True)

    def _compute_name(self):
        for approval in self:
            approval.name = _("Approval %(id)s: %(tool)s %(model)s", id=approval.id or "", tool=approval.tool or "",
                              model=approval.model or "")

    @api.depends("preview_text")
    def _compute_preview_html(self):
        for approval in self:
            lines = (approval.preview_text or "").splitlines()
            approval.preview_html = Markup("<pre>%s</pre>") % escape("\n".join(lines)) if lines else False

    # ------------------------------------------------------------------
    # writes of approvers
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        """Requests are made by the MCP layer only (``_request``)."""
        if not self.env.su:
            raise AccessError(_("Approval requests are made by MCP agents' write calls only."))
        return super().create(vals_list)

    def write(self, vals):
        """Approvers edit the decision note only; the state moves through the actions."""
        if not self.env.su and set(vals) - EDITABLE_FIELDS:
            raise AccessError(_("Approve or reject with the buttons: the request itself cannot be edited."))
        return super().write(vals)

    # ------------------------------------------------------------------
    # the request (agent side)
    # ------------------------------------------------------------------
    @api.model
    def _request(self, call, tool_name, model, records, preview, digest):
        """Store a pending approval for the tool call of ``call`` (sudo: the
        layer's own record) and return the tool's pending result."""
        hours = call.settings.get("approval_expiry_hours") or self.env["mcp.settings"]._get_settings()[
            "approval_expiry_hours"]
        session = call.session
        approval = self.sudo().create({
            "key_id": call.key.id,
            "user_id": call.env.uid,
            "client_name": (session.sudo().client_name if session else False) or False,
            "tool": tool_name,
            "model": model._name,
            "method": preview.get("method") or False,
            "record_ids": records.ids,
            "arguments": call.arguments,
            "preview": preview,
            "preview_text": preview["text"],
            "reason": preview.get("reason") or False,
            "records_digest": digest,
            "expires_at": fields.Datetime.now() + timedelta(hours=hours),
        })
        approval._audit("approval/request", call.key, "ok")
        approval._notify_approvers()
        return approval._pending_result()

    def _pending_result(self):
        """The result a covered tool returns instead of writing."""
        self.ensure_one()
        return {
            "approval": self._agent_view(),
            "message": self.env._(
                "This write waits for the approval of an MCP approver in Odoo: nothing is written yet. "
                "Call get_approval with {\"id\": %(id)s} to learn the outcome.", id=self.id),
        }

    def _agent_view(self):
        """What the requesting agent may know of this approval."""
        self.ensure_one()
        state = self.state
        if state == "pending" and self.expires_at <= fields.Datetime.now():
            state = "expired"  # written by the next decision or the autovacuum (a read may not write)
        view = {"id": self.id, "state": state, "tool": self.tool, "model": self.model,
                "preview": self.preview_text, "expires_at": fields.Datetime.to_string(self.expires_at)}
        if self.decided_at:
            view["decided_at"] = fields.Datetime.to_string(self.decided_at)
        if self.decision_note:
            view["note"] = self.decision_note
        if self.state == "done":
            view["result"] = self.result
        if self.error_message:
            view["error"] = self.error_message
        return view

    def _notify_approvers(self):
        """Tell the approvers, when Discuss (``mail``) is installed: an Odoo
        notification (inbox or email, as each prefers) linking to the
        request. ``mail.activity`` would need the model to be a mail thread
        (it subscribes the assignee), which this module, without ``mail``,
        cannot make it. A notification that cannot be sent (no outgoing
        address...) is logged: the request stays, in *Approvals*."""
        if "mail.thread" not in self.env:
            return
        approvers = self.env.ref(APPROVER_GROUP).sudo().users.filtered(lambda user: user.active and not user.share)
        if not approvers:
            return
        odoobot = self.env.ref("base.partner_root")
        for approval in self:
            try:
                with self.env.cr.savepoint():
                    self.env["mail.thread"].sudo().message_notify(
                        partner_ids=approvers.partner_id.ids, author_id=odoobot.id,
                        subject=_("MCP write to approve: %(name)s", name=approval.name),
                        body=approval.preview_html, model=self._name, res_id=approval.id)
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except Exception:  # a notification must not cost the request: it stays in Approvals
                _logger.exception("MCP approval %s: the approvers could not be notified", approval.id)

    def _close_activities(self):
        """Remove the to-dos of decided requests (activities an approver
        planned on them by hand, when Discuss is installed)."""
        if "mail.activity" in self.env:
            self.env["mail.activity"].sudo().search(
                [("res_model", "=", self._name), ("res_id", "in", self.ids)]).unlink()

    def _audit(self, rpc_method, key, outcome, code=0):
        for approval in self:
            self.env["mcp.audit.log"]._record({
                "key_id": key.id, "user_id": approval.user_id.id, "rpc_method": rpc_method, "tool": approval.tool,
                "model": approval.model, "method": approval.method, "record_ids": approval.record_ids or None,
                "outcome": outcome, "error_code": code})

    # ------------------------------------------------------------------
    # decisions (approver side)
    # ------------------------------------------------------------------
    def _check_approver(self):
        if not self.env.su and not self.env.user.has_group(APPROVER_GROUP):
            raise AccessError(_("Only MCP approvers may decide approval requests."))

    def _lock_pending(self):
        """Lock this request's row; True when it is still pending (a
        concurrent decision waits here, then sees it decided)."""
        self.ensure_one()
        self.flush_recordset(["state"])
        self.env.cr.execute(SQL("SELECT state FROM mcp_approval WHERE id = %s FOR UPDATE", self.id))
        row = self.env.cr.fetchone()
        self.invalidate_recordset()
        return bool(row) and row[0] == "pending"

    def _expire_overdue(self):
        overdue = self.filtered(lambda a: a.state == "pending" and a.expires_at <= fields.Datetime.now())
        if overdue:
            overdue.sudo().write({"state": "expired"})
            overdue._close_activities()
            for approval in overdue:
                approval._audit("approval/expire", approval.key_id, "error")
        return overdue

    def action_reject(self):
        """Reject the pending requests (the decision note tells the agent why)."""
        self._check_approver()
        for approval in self:
            if not approval._lock_pending() or approval._expire_overdue():
                raise UserError(_("This request was already decided or has expired."))
            approval.sudo().write({"state": "rejected", "decided_by": self.env.uid,
                                   "decided_at": fields.Datetime.now()})
            approval._close_activities()
            approval._audit("approval/reject", approval.key_id, "denied")
        return True

    def action_approve(self):
        """Approve and run the write now, as the key's user (see the module
        docstring). Returns a notification saying what happened."""
        self._check_approver()
        self.ensure_one()
        if not self._lock_pending():
            raise UserError(_("This request was already decided."))
        if self._expire_overdue():
            return self._notify(_("This request expired before it was approved: nothing was written."), "warning")
        self.sudo().write({"state": "approved", "decided_by": self.env.uid, "decided_at": fields.Datetime.now()})
        self._audit("approval/approve", self.key_id, "ok")
        return self._execute()

    def _execute(self):
        """Run the approved call as the key's user; record the outcome."""
        approval = self.sudo()
        key = approval.key_id
        if key.state != "active" or not key.user_id.active:
            approval.write({"state": "failed", "executed_at": fields.Datetime.now(), "error_message": _(
                "The API key is %(state)s since the request: nothing was written.", state=key.state
                if key.user_id.active else _("without an active user"))})
            approval._close_activities()
            approval._audit("approval/execute", key, "denied")
            return self._notify(approval.error_message, "danger")
        user_env = key._mcp_env(self.env)
        ctx = ApprovalContext(approval, key, self.env["mcp.session"].browse(), "2025-06-18",
                              self.env["mcp.settings"]._get_settings(), None, None, user_env)
        ctx.alone = True
        message = {"jsonrpc": "2.0", "id": f"approval-{self.id}", "method": "tools/call",
                   "params": {"name": approval.tool, "arguments": approval.arguments or {}}}
        response = user_env["mcp.server"]._handle_message(message, ctx)
        if ctx.approval_changed:
            approval.write({"state": "pending", "decided_by": False, "decided_at": False})
            return self._notify(_("The records changed since the preview: nothing was written. Review the new "
                                  "preview and approve again."), "warning")
        approval._close_activities()
        result = response.get("result") or {}
        error = response.get("error")
        if error or result.get("isError"):
            text = error["message"] if error else " ".join(
                block.get("text", "") for block in result.get("content", []) if isinstance(block, dict))
            approval.write({"state": "failed", "executed_at": fields.Datetime.now(), "error_message": text})
            return self._notify(_("The write failed: %(error)s", error=text), "danger")
        approval.write({"state": "done", "executed_at": fields.Datetime.now(),
                        "result": result.get("structuredContent", result.get("content"))})
        return self._notify(_("Approved: the write was made."), "success")

    def _replay_check(self, call, preview, digest):
        """The gate's answer for the approved call run again: None (write)
        when the records are as previewed, else the refreshed preview is
        stored, the request goes back to pending, and the pending result is
        returned instead of writing."""
        approval = self.sudo()
        if digest == approval.records_digest:
            return None
        approval.write({"preview": preview, "preview_text": preview["text"], "records_digest": digest,
                        "preview_refreshed": True})
        call.approval_changed = True
        return approval._pending_result()

    def _notify(self, message, kind):
        return {"type": "ir.actions.client", "tag": "display_notification",
                "params": {"message": message, "type": kind, "sticky": kind != "success",
                           "next": {"type": "ir.actions.client", "tag": "soft_reload"}}}

    @api.autovacuum
    def _gc_expire_approvals(self):
        """Expire the pending requests past their expiry date."""
        overdue = self.sudo().search([("state", "=", "pending"), ("expires_at", "<=", fields.Datetime.now())])
        return len(overdue._expire_overdue())
