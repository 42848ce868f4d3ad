# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The Approvals screen in the browser (issue 18): the screenshot of a
pending request's form for the README and the Apps page, and a tour where
an approver approves it (the write is then made, as the agent's user).

The request is made the way an agent makes it: an ``update`` through
``POST /mcp`` by a key whose write policy is *approve*, from a client named
"Claude Desktop"; the screenshot goes to ``static/description/`` with
``MCP_UPDATE_SCREENSHOTS=1`` (see test_ui_tours.py)."""
import json
import os

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

from . import test_ui_tours

REVISION = "2025-06-18"


@tagged("post_install", "-at_install", "mcp_ui")
class TestUiApprovals(HttpCase):
    browser_size = "1200x1050"
    readonly_enabled = False  # see test_ui_tours.py

    # the screenshot helpers of the other screens (a module import: its tests are not collected twice)
    shoot = test_ui_tours.TestUiTours.shoot
    screenshot_dir = test_ui_tours.TestUiTours.screenshot_dir

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = cls.env["res.users"].create({
            "name": "Alice Agent", "login": "mcp_ui_approval_alice",
            "groups_id": [fields.Command.set([cls.env.ref("base.group_user").id,
                                              cls.env.ref("base.group_partner_manager").id])],
        })
        cls.key, cls.token = cls.env["mcp.api.key"]._generate_key({
            "name": "Claude Desktop (Alice)", "user_id": cls.agent.id, "scope": "write", "write_policy": "approve"})
        cls.partner = cls.env.ref("base.res_partner_2", raise_if_not_found=False) or cls.env["res.partner"].create(
            {"name": "Deco Addict", "is_company": True})
        cls.partner.write({"street": "77 Santa Barbara Rd", "zip": "94523", "city": "Pleasant Hill",
                           "phone": "(603)-996-3829"})

    def post(self, body, session=None):
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                   "Authorization": f"Bearer {self.token}"}
        if session:
            headers.update({"Mcp-Session-Id": session, "MCP-Protocol-Version": REVISION})
        return self.url_open("/mcp", data=json.dumps(body), headers=headers)

    def request_update(self):
        """The agent's update of the customer's address: its pending approval."""
        response = self.post({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": REVISION, "capabilities": {},
            "clientInfo": {"name": "Claude Desktop", "version": "0.14"}}})
        session = response.headers["Mcp-Session-Id"]
        self.post({"jsonrpc": "2.0", "method": "notifications/initialized"}, session)
        arguments = {
            "model": "res.partner", "ids": [self.partner.id],
            "values": {"street": "410 Market Street", "zip": "94111", "city": "San Francisco",
                       "phone": "(415)-555-0134"},
            "reason": "The customer wrote that they moved to San Francisco (email of today)"}
        result = self.post({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                            "params": {"name": "update", "arguments": arguments}}, session).json()
        self.assertFalse(result["result"]["isError"], result)
        approval = self.env["mcp.approval"].browse(result["result"]["structuredContent"]["approval"]["id"])
        self.assertEqual(approval.state, "pending")
        return approval

    def test_approval_screenshot(self):
        """The form of a pending request, as an approver sees it."""
        approval = self.request_update()
        browser = ChromeBrowser(self)
        try:
            self.authenticate("admin", "admin", browser=browser)
            self.cr.flush()
            self.cr.clear()
            path = self.shoot(browser, "approval", "!!document.querySelector("
                              "'.o_form_view .o_field_widget[name=preview_html] pre') && !!document.querySelector("
                              "'.o_form_view button[name=action_approve]')",
                              url=f"/odoo/action-mcp_bridge.action_mcp_approval/{approval.id}")
        finally:
            browser.stop()
            self._wait_remaining_requests()
        self.assertGreater(os.path.getsize(path), 10000, path)
        self.assertEqual(approval.state, "pending", "looking approves nothing")

    def test_approve_tour(self):
        """An approver opens the request from the list and approves it: the
        address is written, as the agent's user."""
        approval = self.request_update()
        self.assertEqual(self.partner.city, "Pleasant Hill")
        self.start_tour("/odoo", "mcp_bridge_approval_tour", login="admin")
        approval.invalidate_recordset()
        self.partner.invalidate_recordset()
        self.assertEqual((approval.state, approval.decided_by), ("done", self.env.ref("base.user_admin")))
        self.assertEqual((self.partner.city, self.partner.write_uid), ("San Francisco", self.agent))
