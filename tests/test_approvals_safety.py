# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Attacks on the approvals (issue 18): a read-only key cannot make a write
wait for an approver, and an agent cannot decide (nor read, make or change)
an approval request through any tool, its own request included: the exact
JSON-RPC error of a blocked model, the request still pending."""
from odoo.tests import tagged

from ..models.mcp_guard_rules import MSG_MODEL_BLOCKED
from ..protocol import errors
from .test_approvals import ApprovalsCase


@tagged("post_install", "-at_install")
class TestApprovalsSafety(ApprovalsCase):
    def test_read_only_key_cannot_request(self):
        self.key_read.write_policy = "approve"
        for tool, arguments in (
                ("update", {"model": "res.partner", "ids": [self.partner.id], "values": {"phone": "+32 2 555"}}),
                ("create", {"model": "res.partner", "values": {"name": "Via approval"}}),
                ("delete", {"model": "res.partner", "ids": [self.partner.id]})):
            with self.subTest(tool=tool):
                error = self.call(tool, arguments, self.key_read)["error"]
                operation = {"update": "write", "delete": "unlink"}.get(tool, tool)
                self.assertEqual((error["code"], error["message"], error["data"]["reason"]), (
                    errors.ACCESS_DENIED,
                    f"This API key is read-only: '{operation}' on 'res.partner' is not allowed.", "scope"))
        self.assertFalse(self.env["mcp.approval"].search([]))
        self.assertTrue(self.partner.exists())

    def test_agent_cannot_reach_its_own_request_through_any_tool(self):
        """The requesting key itself (approve policy) tries every tool on
        ``mcp.approval``: approving, rejecting, writing the state, making a
        request, copying it, a dialog of its form, reading it any way."""
        approval, _result = self.pending()
        ids = [approval.id]
        blocked = {"code": errors.ACCESS_DENIED, "message": MSG_MODEL_BLOCKED % {"model": "mcp.approval"}}
        attempts = [
            ("execute_method", {"model": "mcp.approval", "method": "action_approve", "ids": ids}),
            ("execute_method", {"model": "mcp.approval", "method": "action_reject", "ids": ids}),
            ("execute_method", {"model": "mcp.approval", "method": "_execute", "ids": ids}),
            ("update", {"model": "mcp.approval", "ids": ids, "values": {"state": "approved"}}),
            ("update", {"model": "mcp.approval", "ids": ids, "values": {"decision_note": "ok"}}),
            ("create", {"model": "mcp.approval", "values": {"tool": "update", "state": "approved"}}),
            ("duplicate", {"model": "mcp.approval", "id": approval.id}),
            ("delete", {"model": "mcp.approval", "ids": ids}),
            ("wizard", {"action": "open", "model": "mcp.approval", "ids": ids, "button": "action_approve"}),
            ("search_read", {"model": "mcp.approval"}),
            ("read", {"model": "mcp.approval", "ids": ids}),
            ("count", {"model": "mcp.approval"}),
            ("aggregate", {"model": "mcp.approval", "groupby": ["state"], "measures": ["__count"]}),
            ("name_search", {"model": "mcp.approval", "name": "Approval"}),
            ("get_model_schema", {"model": "mcp.approval"}),
            ("export_records", {"model": "mcp.approval"}),
            ("print_report", {"model": "mcp.approval"}),
        ]
        for tool, arguments in attempts:
            with self.subTest(tool=tool, arguments=arguments):
                error = self.call(tool, arguments)["error"]
                self.assertEqual({"code": error["code"], "message": error["message"]}, blocked)
                self.assertEqual(error["data"]["reason"], "blocked")
        response = self.env["mcp.server"]._handle_message({
            "jsonrpc": "2.0", "id": 2, "method": "resources/read",
            "params": {"uri": f"odoo://record/mcp.approval/{approval.id}"}}, self.ctx())
        self.assertEqual({"code": response["error"]["code"], "message": response["error"]["message"]}, blocked)
        approval.invalidate_recordset()
        self.assertEqual((approval.state, approval.decided_by.id, approval.decision_note), ("pending", False, False))
        self.assertEqual(self.env["mcp.approval"].search_count([]), 1)
