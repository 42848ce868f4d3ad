# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The guard's checks for documents: which PDF reports an agent may print,
and which models have a chatter (messages) or activities.

Reports: only the PDF reports Odoo offers the key's user in the *Print* menu
of the model (``ir.actions.actions.get_bindings``: reports bound to the
model, groups applied), on a model the key may read; where the model has an
MCP *Model Access* rule, only when the rule ticks *Allow Reports* (a report
prints what its template holds, not only what the guard lets through). Once
any rule hides fields, reports are opt-in: a model without a rule prints
none (a template may print a related record's hidden field).

Chatter: the model must be one the key may read and inherit ``mail.thread``
(messages) or ``mail.activity.mixin`` (activities); posting and scheduling
go through the method policy of ``message_post`` / ``activity_schedule``
(``mcp_guard_methods.py``), which also checks the write side.
"""
from odoo import api, models

from ..protocol.errors import McpAccessDenied, ToolError
from .mcp_guard_rules import (
    MSG_NO_ACTIVITIES, MSG_NO_MAIL, MSG_NO_REPORTS, MSG_NOT_A_THREAD, MSG_REPORT_HIDDEN_FIELDS,
    MSG_REPORT_NOT_OFFERED, MSG_REPORT_RULE, MSG_REPORTS_OFFERED,
)

#: The report type print_report renders.
PDF_REPORT_TYPE = "qweb-pdf"


class McpGuardDocuments(models.AbstractModel):
    _inherit = "mcp.guard"

    # ------------------------------------------------------------------
    # reports
    # ------------------------------------------------------------------
    @api.model
    def printable_reports(self, model_name):
        """``[{id, name, report_name}]``: the PDF reports of ``model_name``
        that Odoo's *Print* menu offers the current user (bound to the model,
        the report's groups applied by ``get_bindings``). The model must have
        been checked (``check_model``) by the caller."""
        bindings = self.env["ir.actions.actions"].get_bindings(model_name).get("report", [])
        offered = [binding["id"] for binding in bindings]
        # Report definitions are the layer's metadata (like the view buttons of
        # button_methods): read with sudo, only for the ids Odoo offered the user.
        reports = self.env["ir.actions.report"].sudo().browse(offered).exists()
        return [{"id": report.id, "name": report.name, "report_name": report.report_name}
                for report in reports if report.report_type == PDF_REPORT_TYPE and report.model == model_name]

    @api.model
    def check_report(self, model_name, report, key):
        """Return ``(model, report_info)`` when ``key`` may print ``report``
        (an ``ir.actions.report`` id or ``report_name``) on ``model_name``:
        the model readable (``check_model``), the model's MCP rule (if any)
        allowing reports (else McpAccessDenied reason 'rule'; without a rule,
        reason 'hidden_fields' once any rule hides fields), and the report
        one of :meth:`printable_reports` (else McpAccessDenied reason
        'report' naming those that are: another model's report, a report of
        groups the user lacks and an unknown one get the same answer)."""
        model = self.check_model(model_name, "read", key)
        rule = self._get_rules().get(model_name)
        if rule is not None and not rule["reports"]:
            raise McpAccessDenied(self._msg(MSG_REPORT_RULE, model=model_name),
                                  data={"model": model_name, "reason": "rule"})
        if rule is None and self._any_hidden():
            raise McpAccessDenied(self._msg(MSG_REPORT_HIDDEN_FIELDS, model=model_name),
                                  data={"model": model_name, "reason": "hidden_fields"})
        reports = self.printable_reports(model_name)
        for info in reports:
            if report in (info["id"], info["report_name"]):
                return model, info
        message = self._msg(MSG_REPORT_NOT_OFFERED, report=report, model=model_name)
        if reports:
            listed = ", ".join("%s (%s)" % (info["report_name"], info["name"]) for info in reports)
            message += self._msg(MSG_REPORTS_OFFERED, model=model_name, reports=listed)
        else:
            message += self._msg(MSG_NO_REPORTS, model=model_name)
        raise McpAccessDenied(message, data={"model": model_name, "reason": "report",
                                             "reports": [info["report_name"] for info in reports]})

    # ------------------------------------------------------------------
    # chatter and activities
    # ------------------------------------------------------------------
    @api.model
    def check_mail(self):
        """Refuse (ToolError) when Odoo's Discuss app (``mail``) is not installed."""
        if "mail.thread" not in self.env.registry:
            raise ToolError(self._msg(MSG_NO_MAIL))

    @api.model
    def check_thread(self, model_name, key, activities=False):
        """Return ``env[model_name]`` when ``key`` may read it and it has a
        chatter (``mail.thread``), or activities (``mail.activity.mixin``)
        with ``activities``. Without the mail app, or on a model without
        them ⇒ ToolError; refusals of ``check_model`` as they are."""
        self.check_mail()
        model = self.check_model(model_name, "read", key)
        mixin, message = ("mail.activity.mixin", MSG_NO_ACTIVITIES) if activities else ("mail.thread", MSG_NOT_A_THREAD)
        if not isinstance(model, self.env.registry[mixin]):
            raise ToolError(self._msg(message, model=model_name), data={"model": model_name})
        return model

    @api.model
    def check_thread_write(self, model_name, key, activities=True):
        """:meth:`check_thread`, and ``key`` may write ``model_name`` (key
        scope, MCP rule, Odoo's access rights: else McpAccessDenied with that
        reason), as ``message_post`` and ``activity_schedule`` need
        (``check_method``): for what changes a record's chatter without one
        of those methods, such as marking its activities done."""
        model = self.check_thread(model_name, key, activities=activities)
        refusal = self._refusal(model_name, "write", key)
        if refusal:
            self._raise_refusal(refusal, model_name, operation="write")
        return model
