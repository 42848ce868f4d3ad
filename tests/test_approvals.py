# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Writes a human confirms or approves: the write policy, the preview, the
approval's state machine (approve, reject, expiry, a revoked key, records
changed since the preview) and the agent's side (pending result,
``get_approval``), through the dispatcher as a client sends them."""
import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from ..models.mcp_server import McpContext
from ..models.mcp_write_policy import MSG_CANCELLED, MSG_CANNOT_CONFIRM, MSG_DECLINED
from ..tools import preview as preview_tools
from .common import TEST_IP, McpSecurityCase


class ApprovalsCase(McpSecurityCase):
    """A partner to update, an approver, and the calls of a client (no test of its own)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.approver = new_test_user(cls.env, login="mcp_approver",
                                     groups="base.group_user,mcp_bridge.group_mcp_approver")
        cls.be, cls.fr = cls.env.ref("base.be"), cls.env.ref("base.fr")
        cls.partner = cls.env["res.partner"].create({"name": "MCP Approval Target", "country_id": cls.be.id,
                                                     "type": "contact"})

    # helpers ------------------------------------------------------------------
    def ctx(self, key=None, revision="2025-06-18", capabilities=None):
        key = key or self.key_write
        ctx = McpContext(key, self.env["mcp.session"].browse(), revision, self.env["mcp.server"]._settings(),
                         "streamable_http", TEST_IP, key._mcp_env(self.env))
        ctx.client_capabilities = capabilities
        return ctx

    def call(self, tool, arguments, key=None, ctx=None, **extra):
        """``tools/call`` through the dispatcher: the JSON-RPC response
        (``extra``: more params, e.g. ``inputResponses``, ``requestState``)."""
        message = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                   "params": dict(extra, name=tool, arguments=arguments)}
        return self.env["mcp.server"]._handle_message(message, ctx or self.ctx(key))

    def structured(self, response):
        self.assertNotIn("error", response, response)
        self.assertFalse(response["result"].get("isError"), response["result"])
        return response["result"]["structuredContent"]

    def update_partner(self, key=None, ctx=None, reason=None, **extra):
        arguments = {"model": "res.partner", "ids": [self.partner.id],
                     "values": {"country_id": self.fr.id, "type": "invoice"}}
        if reason:
            arguments["reason"] = reason
        return self.call("update", arguments, key, ctx, **extra)

    def pending(self, key=None):
        """A pending approval for an update of the partner (key: approve policy)."""
        (key or self.key_write).write_policy = "approve"
        result = self.structured(self.update_partner(key, reason="Customer moved to Paris"))
        return self.env["mcp.approval"].browse(result["approval"]["id"]), result

    def as_approver(self, approval):
        return approval.with_user(self.approver)


@tagged("post_install", "-at_install")
class TestApprovals(ApprovalsCase):
    # policy -------------------------------------------------------------------
    def test_policy_resolution_stricter_wins(self):
        policy = self.env["mcp.write.policy"]
        self.assertEqual(policy.resolve(self.key_write, "res.partner"), "direct")
        rule = self.add_rule("res.partner", create=True, write=True)
        rule.write_policy = "confirm"
        self.assertEqual(policy.resolve(self.key_write, "res.partner"), "confirm")
        self.key_write.write_policy = "approve"
        self.assertEqual(policy.resolve(self.key_write, "res.partner"), "approve")
        self.key_write.write_policy = "direct"
        rule.write({"write_policy": "approve", "write_policy_methods": "action_confirm"})
        self.assertEqual(policy.resolve(self.key_write, "res.partner"), "approve", "CRUD always covered")
        self.assertEqual(policy.resolve(self.key_write, "res.partner", "action_confirm"), "approve")
        self.assertEqual(policy.resolve(self.key_write, "res.partner", "address_get"), "direct")
        self.assertEqual(policy.resolve(self.key_write, "res.country"), "direct")

    def test_policy_methods_are_method_names(self):
        with self.assertRaises(ValidationError):
            self.key_write.write_policy_methods = "action_confirm, not-a-method"
        with self.assertRaises(ValidationError):
            self.add_rule("res.partner").write_policy_methods = "unlink"  # never callable: pointless

    def test_direct_writes_at_once(self):
        self.structured(self.update_partner())
        self.assertEqual(self.partner.country_id, self.fr)
        self.assertFalse(self.env["mcp.approval"].search([]))

    # preview ------------------------------------------------------------------
    def test_preview_in_business_terms(self):
        approval, result = self.pending()
        text = result["approval"]["preview"]
        self.assertIn("Update 1 Contact (res.partner) record(s):", text)
        self.assertIn("- MCP Approval Target (#%d)" % self.partner.id, text)
        self.assertIn("Country: Belgium → France", text)
        self.assertIn("Address Type: Contact → Invoice Address", text)
        self.assertIn("Reason given by the agent: Customer moved to Paris", text)
        self.assertEqual(approval.preview["records"][0]["changes"], [
            {"field": "country_id", "label": "Country", "old": "Belgium", "new": "France"},
            {"field": "type", "label": "Address Type", "old": "Contact", "new": "Invoice Address"}])
        self.assertIn("Country: Belgium → France", approval.preview_html)

    def test_preview_never_shows_an_unreadable_field(self):
        """A field the key's user may not read (``groups=``) is counted, never shown."""
        call = self.ctx()
        call.arguments = {}
        partner = call.env["res.partner"].browse(self.partner.id)
        field = partner._fields["comment"]
        self.patch(field, "groups", "base.group_system")
        preview = preview_tools.build_preview(call, "update", partner.browse(), partner,
                                              {"comment": "<p>Top secret</p>", "phone": "+32 2 555 01 01"})
        self.assertEqual(preview["hidden_fields"], 1)
        self.assertEqual([c["field"] for c in preview["records"][0]["changes"]], ["phone"])
        self.assertNotIn("secret", json.dumps(preview))
        self.assertIn("1 more field(s) you may not read", preview["text"])

    def test_preview_datetime_in_user_tz_and_create(self):
        self.user_a.tz = "Europe/Brussels"
        self.key_write.write_policy = "approve"
        result = self.structured(self.call("create", {"model": "res.partner.category", "values": {"name": "VIP"}}))
        self.assertIn("Create a Partner Tags (res.partner.category) record:", result["approval"]["preview"])
        self.assertIn("Name: VIP", result["approval"]["preview"])
        call = self.ctx()
        call.arguments = {}
        partner = call.env["res.partner"].browse(self.partner.id)
        new = partner.new({"write_date": "2025-01-15 13:00:00"}, origin=partner)
        text = preview_tools.value_text(preview_tools.RecordSerializer(partner, []), new, partner._fields["write_date"])
        self.assertEqual(text, "2025-01-15 14:00 (Europe/Brussels)")

    # approve ------------------------------------------------------------------
    def test_approve_runs_the_write_as_the_key_user(self):
        approval, result = self.pending()
        self.assertEqual(result["approval"]["state"], "pending")
        self.assertIn("get_approval", result["message"])
        self.assertEqual(self.partner.country_id, self.be, "nothing written before the approval")
        self.assertEqual((approval.state, approval.user_id, approval.tool), ("pending", self.user_a, "update"))
        outcome = self.structured(self.call("get_approval", {"id": approval.id}))
        self.assertEqual(outcome["state"], "pending")

        action = self.as_approver(approval).action_approve()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(approval.state, "done")
        self.assertEqual(approval.decided_by, self.approver)
        self.assertEqual(self.partner.country_id, self.fr)
        self.assertEqual(self.partner.write_uid, self.user_a, "written as the key's user")
        outcome = self.structured(self.call("get_approval", {"id": approval.id}))
        self.assertEqual(outcome["state"], "done")
        self.assertEqual(outcome["result"]["ids"], [self.partner.id])
        with self.assertRaises(UserError):  # decided once
            self.as_approver(approval).action_approve()
        self.env.cr.execute("SELECT rpc_method FROM mcp_audit_log WHERE key_id = %s ORDER BY id", (self.key_write.id,))
        audited = [row[0] for row in self.env.cr.fetchall()]
        for step in ("approval/request", "approval/approve", "tools/call"):
            self.assertIn(step, audited)
        self.assertLess(audited.index("approval/approve"), len(audited) - 1 - audited[::-1].index("tools/call"))

    def test_reject_tells_the_agent_why(self):
        approval, _result = self.pending()
        self.as_approver(approval).decision_note = "Not before the contract is signed"
        self.as_approver(approval).action_reject()
        self.assertEqual(self.partner.country_id, self.be)
        outcome = self.structured(self.call("get_approval", {"id": approval.id}))
        self.assertEqual((outcome["state"], outcome["note"]), ("rejected", "Not before the contract is signed"))

    def test_only_approvers_decide(self):
        approval, _result = self.pending()
        with self.assertRaises(AccessError):
            approval.with_user(self.user_a).action_approve()
        with self.assertRaises(AccessError):
            self.as_approver(approval).write({"state": "done"})
        self.assertEqual(approval.state, "pending")

    def test_revoked_key_fails_cleanly(self):
        approval, _result = self.pending()
        self.key_write.action_revoke()
        action = self.as_approver(approval).action_approve()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertEqual(approval.state, "failed")
        self.assertIn("revoked", approval.error_message)
        self.assertEqual(self.partner.country_id, self.be)

    def test_rights_rechecked_at_approval_time(self):
        approval, _result = self.pending()
        self.add_rule("res.partner", write=False)
        self.as_approver(approval).action_approve()
        self.assertEqual(approval.state, "failed")
        self.assertIn("res.partner", approval.error_message)
        self.assertEqual(self.partner.country_id, self.be)

    def test_records_changed_since_the_preview(self):
        approval, _result = self.pending()
        self.partner.write({"name": "Renamed meanwhile"})
        self.env.cr.execute("UPDATE res_partner SET write_date = write_date + interval '1 second' WHERE id = %s",
                            (self.partner.id,))
        self.partner.invalidate_recordset()
        action = self.as_approver(approval).action_approve()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertEqual(approval.state, "pending")
        self.assertTrue(approval.preview_refreshed)
        self.assertIn("- Renamed meanwhile", approval.preview_text)
        self.assertEqual(self.partner.country_id, self.be, "nothing written")
        self.as_approver(approval).action_approve()  # on the fresh preview
        self.assertEqual((approval.state, self.partner.country_id), ("done", self.fr))

    def test_expiry(self):
        approval, _result = self.pending()
        approval.sudo().expires_at = fields.Datetime.now() - timedelta(minutes=1)
        self.assertEqual(self.structured(self.call("get_approval", {"id": approval.id}))["state"], "expired")
        action = self.as_approver(approval).action_approve()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertEqual(approval.state, "expired")
        self.assertEqual(self.partner.country_id, self.be)
        other, _result = self.pending()
        other.sudo().expires_at = fields.Datetime.now() - timedelta(minutes=1)
        self.assertEqual(self.env["mcp.approval"]._gc_expire_approvals(), 1)
        self.assertEqual(other.state, "expired")

    def test_get_approval_of_another_key(self):
        approval, _result = self.pending()
        response = self.call("get_approval", {"id": approval.id}, self.key_ab)
        self.assertTrue(response["result"]["isError"])
        self.assertIn(f"No approval request with id {approval.id}", response["result"]["content"][0]["text"])

    def test_execute_method_and_delete_pending(self):
        self.key_write.write_policy = "approve"
        result = self.structured(self.call("delete", {"model": "res.partner", "ids": [self.partner.id]}))
        self.assertIn("Delete 1 Contact (res.partner) record(s):", result["approval"]["preview"])
        self.add_rule("res.partner", create=True, write=True, unlink=True, methods="address_get")
        result = self.structured(self.call("execute_method", {"model": "res.partner", "method": "address_get",
                                                              "ids": [self.partner.id],
                                                              "kwargs": {"adr_pref": ["invoice"]}}))
        self.assertIn("Call address_get on 1 Contact", result["approval"]["preview"])
        self.assertIn('Arguments: {"args": [], "kwargs": {"adr_pref": ["invoice"]}}', result["approval"]["preview"])
        self.assertTrue(self.partner.exists() and self.partner.active)

    # confirm ------------------------------------------------------------------
    def test_confirm_without_elicitation_is_a_clear_tool_error(self):
        self.key_write.write_policy = "confirm"
        response = self.update_partner()
        self.assertTrue(response["result"]["isError"])
        self.assertEqual(response["result"]["content"][0]["text"], MSG_CANNOT_CONFIRM)
        self.assertEqual(self.partner.country_id, self.be)

    def confirm_round(self):
        """The first round of a confirmed update in 2026-07-28: ``(result, key, ctx)``."""
        self.key_write.write_policy = "confirm"
        ctx = self.ctx(revision="2026-07-28", capabilities={"elicitation": {}})
        result = self.update_partner(ctx=ctx)["result"]
        self.assertEqual(result["resultType"], "input_required", result)
        (key, request), = result["inputRequests"].items()
        self.assertEqual(request["method"], "elicitation/create")
        self.assertIn("Country: Belgium → France", request["params"]["message"])
        self.assertEqual(self.partner.country_id, self.be, "nothing written while the user thinks")
        return result, key, ctx

    def test_confirm_accept_writes(self):
        result, key, ctx = self.confirm_round()
        response = self.update_partner(ctx=ctx, requestState=result["requestState"], inputResponses={
            key: {"action": "accept", "content": {"confirm": True}}})
        self.assertEqual(self.structured(response)["fields"], ["country_id", "type"])
        self.assertEqual(self.partner.country_id, self.fr)

    def test_confirm_decline_and_cancel_write_nothing(self):
        for action, message in (("decline", MSG_DECLINED), ("cancel", MSG_CANCELLED)):
            with self.subTest(action=action):
                result, key, ctx = self.confirm_round()
                response = self.update_partner(ctx=ctx, requestState=result["requestState"],
                                               inputResponses={key: {"action": action}})
                self.assertTrue(response["result"]["isError"])
                self.assertEqual(response["result"]["content"][0]["text"], message)
                self.assertEqual(self.partner.country_id, self.be)
        result, key, ctx = self.confirm_round()
        response = self.update_partner(ctx=ctx, requestState=result["requestState"], inputResponses={
            key: {"action": "accept", "content": {"confirm": False}}})
        self.assertEqual(response["result"]["content"][0]["text"], MSG_DECLINED)

    def test_confirm_cannot_be_skipped_by_answering_up_front(self):
        """An accept sent without this server's requestState is not taken:
        the question is asked (again), nothing is written."""
        _result, key, ctx = self.confirm_round()
        response = self.update_partner(ctx=ctx, inputResponses={key: {"action": "accept",
                                                                       "content": {"confirm": True}}})
        self.assertEqual(response["result"]["resultType"], "input_required")
        self.assertEqual(self.partner.country_id, self.be)

    def test_confirm_asks_again_when_the_records_changed(self):
        """The question carries the preview: records changed between the
        rounds make it another question, so the old accept is not used."""
        result, key, ctx = self.confirm_round()
        self.partner.write({"country_id": self.env.ref("base.de").id})
        response = self.update_partner(ctx=ctx, requestState=result["requestState"], inputResponses={
            key: {"action": "accept", "content": {"confirm": True}}})
        self.assertEqual(response["result"]["resultType"], "input_required")
        self.assertIn("Country: Germany → France", response["result"]["inputRequests"][key]["params"]["message"])
        self.assertEqual(self.partner.country_id, self.env.ref("base.de"))

    def test_confirm_fallback_to_approve(self):
        self.key_write.write_policy = "confirm"
        self.set_setting("confirm_fallback_approve", True)
        result = self.structured(self.update_partner())
        self.assertEqual(result["approval"]["state"], "pending")
        self.assertEqual(self.partner.country_id, self.be)
