import time
from unittest.mock import patch

from odoo.tests import tagged

from ..models.mcp_guard_rules import WIZARD_BLOCKED_MODELS, is_wizard_blocked
from ..models.mcp_guard_wizards import form_buttons, form_fields, form_lines
from ..protocol.errors import McpAccessDenied
from ..tools import wizards
from .tools_common import ToolsCase

ARCH = """<form>
  <field name="amount"/>
  <field name="journal_id" readonly="1"/>
  <field name="line_ids" invisible="1"/>
  <field name="memo" readonly="state != 'draft'"/>
  <field name="lines"><list><field name="inner"/><button name="inner_button" type="object"/></list></field>
  <footer>
    <button name="action_pay" string="Pay" type="object"/>
    <button name="action_pay" string="Pay all" type="object"/>
    <button name="42" string="Open" type="action"/>
    <button name="hidden" type="object" invisible="1"/>
    <button special="cancel" string="Discard"/>
  </footer>
</form>"""


@tagged("post_install", "-at_install")
class TestWizardGuard(ToolsCase):
    def test_form_buttons_and_fields(self):
        self.assertEqual(form_buttons(ARCH), {"action_pay": {"string": "Pay", "type": "object"},
                                              "42": {"string": "Open", "type": "action"}})
        shown, editable = form_fields(ARCH)
        self.assertEqual(shown, ["amount", "journal_id", "memo", "lines"])
        self.assertEqual(editable, ["amount", "memo", "lines"])

    def test_form_lines(self):
        """Embedded lists: their shown columns, and the editable ones only in an editable list."""
        self.assertEqual(form_lines(ARCH), {"lines": {"shown": ["inner"], "editable": []}})
        arch = """<form><field name="moves"><list editable="bottom">
            <field name="qty_max" column_invisible="1"/><field name="product_id" readonly="1"/>
            <field name="quantity"/><field name="move_id" column_invisible="True"/>
            <field name="sub"><list editable="top"><field name="deep"/></list></field>
          </list></field><field name="hidden_lines" invisible="1"><list editable="1"><field name="x"/></list></field>
        </form>"""
        self.assertEqual(form_lines(arch), {"moves": {"shown": ["product_id", "quantity", "sub"],
                                                      "editable": ["quantity", "sub"]}})

    def test_admin_wizards_are_blocked(self):
        guard = self.uenv["mcp.guard"]
        for model in ("res.config.settings", "change.password.wizard", "base.module.upgrade",
                      "base.language.install", "res.partner"):
            with self.assertRaises(McpAccessDenied) as caught:
                guard.check_wizard(model, self.key)
            self.assertEqual(caught.exception.message, f"Wizard '{model}' is not available through MCP.")
            self.assertEqual(caught.exception.data, {"model": model, "reason": "wizard"})
        self.assertTrue(all(is_wizard_blocked(name) for name in WIZARD_BLOCKED_MODELS))
        self.assertFalse(is_wizard_blocked("account.payment.register"))

    def test_read_only_key_is_refused_first(self):
        self.key.scope = "read"
        with self.assertRaises(McpAccessDenied) as caught:
            self.uenv["mcp.guard"].check_wizard("account.payment.register", self.key)
        self.assertEqual(caught.exception.data, {"reason": "scope"})

    def test_context_active_records_must_be_readable(self):
        guard = self.uenv["mcp.guard"]
        mine = self.env["res.partner"].create({"name": "MCP Wizard Mine"})
        guard.check_wizard_context({"active_model": "res.partner", "active_ids": [mine.id]}, self.key)
        for context in ({"active_model": "res.partner", "active_ids": [mine.id, 999999999]},
                        {"active_model": "res.users", "active_id": self.user.id},
                        {"active_model": "ir.config_parameter", "active_ids": [1]}):
            with self.assertRaises(McpAccessDenied) as caught:
                guard.check_wizard_context(context, self.key)
            self.assertEqual(caught.exception.data["reason"], "wizard")

    def test_handle_is_bound_to_key_and_time(self):
        call = self.make_call({})
        payload = {"k": self.key.id, "m": "x.wizard", "r": 1, "v": None, "c": {}, "e": int(time.time()) + 60}
        handle = wizards.sign_handle(call, payload)
        self.assertEqual(wizards.read_handle(call, handle), payload)
        other, _token = self.env["mcp.api.key"]._generate_key(
            {"name": "other", "user_id": self.user.id, "scope": "write"})
        body, mac = handle.split(".")
        tampered = wizards.sign_handle(call, dict(payload, m="res.config.settings")).split(".")[0] + "." + mac
        for bad in (wizards.sign_handle(call, dict(payload, k=other.id)), tampered, body, "x" * 20000,
                    wizards.sign_handle(call, dict(payload, e=int(time.time()) - 1))):
            with self.assertRaises(McpAccessDenied) as caught:
                wizards.read_handle(call, bad)
            self.assertEqual(caught.exception.data, {"reason": "wizard"})

    def test_action_context_text_is_evaluated_and_request_keys_dropped(self):
        call = self.make_call({})
        action = {"context": "{'default_partner_id': active_id, 'lang': 'fr_FR', 'uid': 1, 'x': active_model}"}
        context = wizards.action_context(call, action, {"active_model": "res.partner", "active_id": 7,
                                                        "active_ids": [7]})
        self.assertEqual(context, {"active_model": "res.partner", "active_id": 7, "active_ids": [7],
                                   "default_partner_id": 7, "x": "res.partner"})

    def test_execute_method_refuses_an_admin_wizard(self):
        """A method returning the settings dialog: refused, nothing half-done."""
        self.env["mcp.model.access"].create({
            "model_id": self.env["ir.model"]._get_id("res.partner"), "perm_read": True, "perm_create": True,
            "perm_write": True, "perm_unlink": True, "allowed_methods": "address_get"})
        partner = self.env["res.partner"].create({"name": "MCP Wizard Settings"})
        action = {"type": "ir.actions.act_window", "res_model": "res.config.settings", "target": "new"}
        original = type(self.env["res.partner"]).address_get

        def address_get(records, adr_pref=None):
            return action if adr_pref == ["wizard"] else original(records, adr_pref)

        with patch.object(type(self.env["res.partner"]), "address_get", address_get):
            self.assertToolError("execute_method", {"model": "res.partner", "method": "address_get",
                                                    "ids": [partner.id], "args": [["wizard"]]},
                                 "Wizard 'res.config.settings' is not available through MCP.",
                                 exception=McpAccessDenied)
