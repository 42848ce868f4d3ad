# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""An *approve* write end to end over real HTTP: the agent's ``tools/call``
on ``POST /mcp`` answers a pending approval at once, an approver presses
*Approve* in the back-end (the web client's ``call_button``), and the agent's
``get_approval`` then reports the outcome."""
from odoo.tests import new_test_user, tagged

from .http_common import McpHttpCase


@tagged("post_install", "-at_install")
class TestApprovalsHttp(McpHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(cls.env, login="mcp_http_requester",
                                  groups="base.group_user,base.group_partner_manager")
        new_test_user(cls.env, login="mcp_http_approver", groups="base.group_user,mcp_bridge.group_mcp_approver")
        cls.key, cls.token = cls.env["mcp.api.key"]._generate_key(
            {"name": "http approvals", "user_id": cls.agent.id, "scope": "write", "write_policy": "approve"})
        cls.partner = cls.env["res.partner"].create({"name": "MCP Http Approval", "phone": "+32 2 000 00 00"})

    def tool(self, session, name, arguments, msg_id):
        result = self.post({"jsonrpc": "2.0", "id": msg_id, "method": "tools/call",
                            "params": {"name": name, "arguments": arguments}}, session).json()["result"]
        self.assertFalse(result["isError"], result)
        return result["structuredContent"]

    def test_pending_then_approved_in_the_backend_then_polled(self):
        session, _result = self.handshake("approval client")

        pending = self.tool(session, "update", {"model": "res.partner", "ids": [self.partner.id],
                                                "values": {"phone": "+32 2 555 01 01"}, "reason": "New number"}, 2)
        approval_id = pending["approval"]["id"]
        self.assertEqual(pending["approval"]["state"], "pending")
        self.assertIn("Phone: +32 2 000 00 00 → +32 2 555 01 01", pending["approval"]["preview"])
        self.partner.invalidate_recordset()
        self.assertEqual(self.partner.phone, "+32 2 000 00 00")
        approval = self.env["mcp.approval"].browse(approval_id)
        self.assertEqual((approval.client_name, approval.reason), ("approval client", "New number"))

        self.authenticate("mcp_http_approver", "mcp_http_approver")
        action = self.make_jsonrpc_request("/web/dataset/call_button/mcp.approval/action_approve", {
            "model": "mcp.approval", "method": "action_approve", "args": [[approval_id]], "kwargs": {}})
        self.assertEqual(action["params"]["type"], "success", action)

        outcome = self.tool(session, "get_approval", {"id": approval_id}, 3)
        self.assertEqual(outcome["state"], "done")
        self.assertEqual(outcome["result"]["fields"], ["phone"])
        self.partner.invalidate_recordset()
        self.assertEqual(self.partner.phone, "+32 2 555 01 01")
        self.assertEqual(self.partner.write_uid, self.agent)
