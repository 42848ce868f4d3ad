# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The guard's rules about other records (models/mcp_guard_links.py): links
must point at readable records (missing and hidden look the same), fields
that mirror blocked models are never exposed, user names are redacted from
Odoo's messages; prompts and resources answer "not found" for hidden records."""
import json

from odoo.tests import tagged

from ..models.mcp_guard_rules import (
    MAX_REDACTED_MESSAGE, MSG_FIELD_DENIED, MSG_LINK_REFUSED, NEVER_EXPOSED_FIELDS, USER_NAME_PLACEHOLDER,
)
from ..models.mcp_server import McpContext
from ..protocol.errors import McpAccessDenied, InvalidParams, ResourceNotFound, ToolError
from ..tools import prompts, resources
from ..tools.values import check_values, convert_value
from .common import McpSecurityCase

MISSING = 2 ** 31 - 7


def refused(field, model, comodel, ids):
    return MSG_LINK_REFUSED % {"field": field, "model": model, "comodel": comodel, "ids": ids}


@tagged("post_install", "-at_install", "mcp_security")
class TestGuardLinks(McpSecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        # company B's contact: user_a (company A only) may not read it
        cls.hidden = Partner.create({"name": "MCP Hidden Parent", "company_id": cls.company_b.id,
                                     "street": "1 Hidden Street", "vat": "BE0477472701"})
        cls.visible = Partner.create({"name": "MCP Visible Parent", "company_id": cls.company_a.id})
        cls.tag = cls.env["res.partner.category"].create({"name": "MCP Links Tag"})
        # a portal user of company B only: invisible to user_a (res_users_rule)
        cls.hidden_user = cls.env["res.users"].create({
            "name": "MCP Hidden Portal", "login": "mcp_links_hidden_portal",
            "groups_id": [(6, 0, cls.env.ref("base.group_portal").ids)],
            "company_id": cls.company_b.id, "company_ids": [(6, 0, cls.company_b.ids)]})
        cls.user_a.name = "Quentin Linkstester"
        cls.user_b.name = "Rosalind Linksvictim"

    def setUp(self):
        super().setUp()
        self.guard = self.guard_for(self.key_write)

    def call(self, arguments=None, key=None):
        key = key or self.key_write
        env = self.mcp_env(key)
        call = McpContext(key, self.env["mcp.session"].browse(), "2025-06-18", {"max_records": 100},
                          "streamable_http", "127.0.0.1", env)
        call.arguments = arguments or {}
        return call

    def run_tool(self, name, arguments, key=None):
        return self.env["mcp.server"]._tool_map()[name].run(self.call(arguments, key))

    def assert_refused(self, name, arguments, message):
        with self.assertRaises(ToolError) as catcher:
            self.run_tool(name, arguments)
        self.assertEqual(catcher.exception.message, message)
        return catcher.exception

    # ------------------------------------------------------------------
    # readable_ids / check_links
    # ------------------------------------------------------------------
    def test_readable_ids(self):
        guard = self.guard
        self.assertFalse(self.env(user=self.user_a)["res.partner"].browse(self.hidden.id).has_access("read"))
        self.assertTrue(self.hidden.exists())
        ids = [self.visible.id, self.hidden.id, MISSING, self.visible.id, -1, 0, True, "3", None, 2 ** 40]
        self.assertEqual(guard.readable_ids("res.partner", ids), [self.visible.id])
        self.assertEqual(guard.readable_ids("res.partner", []), [])
        self.assertEqual(guard.readable_ids("no.such.model", [1]), [])
        self.assertEqual(guard.readable_ids("base", [1]), [])  # abstract
        # as the user of company B, the other way round
        guard_b = self.mcp_env(self.make_key(user_id=self.user_b.id, scope="write")[0])["mcp.guard"]
        self.assertEqual(guard_b.readable_ids("res.partner", [self.hidden.id, self.visible.id]), [self.hidden.id])

    def test_readable_ids_never_superuser(self):
        guard = self.guard.sudo()
        self.assertEqual(guard.readable_ids("res.partner", [self.hidden.id]), [])

    def test_readable_ids_acl(self):
        """No read access right on the model: nothing is readable."""
        guard = self.guard_for(self.make_key(user_id=self.user_portal.id, scope="write")[0])
        self.assertEqual(guard.readable_ids("res.partner.category", [self.tag.id]), [])
        self.assertEqual(self.guard.readable_ids("res.partner.category", [self.tag.id]), [self.tag.id])

    def test_check_links_missing_and_hidden_look_the_same(self):
        messages = {}
        for label, rid in (("hidden", self.hidden.id), ("missing", MISSING)):
            with self.assertRaises(ToolError) as catcher:
                self.guard.check_links("res.partner", "parent_id", "res.partner", [rid], self.key_write)
            messages[label] = catcher.exception.message.replace(str(rid), "<id>")
            self.assertEqual(catcher.exception.message, refused("parent_id", "res.partner", "res.partner", rid))
            self.assertEqual(catcher.exception.data,
                             {"model": "res.partner", "field": "parent_id", "refused_ids": [rid]})
        self.assertEqual(messages["hidden"], messages["missing"])
        with self.assertRaises(ToolError) as catcher:
            self.guard.check_links("res.partner", "child_ids", "res.partner",
                                   [MISSING, self.visible.id, self.hidden.id], self.key_write)
        self.assertEqual(catcher.exception.message, refused(
            "child_ids", "res.partner", "res.partner", "%d, %d" % (self.hidden.id, MISSING)))
        ids = [self.visible.id, self.visible.id]
        self.assertEqual(self.guard.check_links("res.partner", "parent_id", "res.partner", ids, self.key_write), ids)
        self.assertEqual(self.guard.check_links("res.partner", "child_ids", "res.partner", [], self.key_write), [])

    def test_check_links_unknown_model_and_junk(self):
        with self.assertRaises(ToolError) as catcher:
            self.guard.check_links("x.model", "ref", "no.such.model", [1], self.key_write)
        self.assertEqual(catcher.exception.message, refused("ref", "x.model", "no.such.model", 1))
        with self.assertRaises(ToolError) as catcher:
            self.guard.check_links("res.partner", "parent_id", "res.partner", ["abc", self.visible.id], self.key_write)
        self.assertEqual(catcher.exception.data["refused_ids"], ["abc"])
        many = list(range(MISSING - 30, MISSING))
        with self.assertRaises(ToolError) as catcher:
            self.guard.check_links("res.partner", "child_ids", "res.partner", many, self.key_write)
        self.assertTrue(catcher.exception.message.endswith(", … that you may use."), catcher.exception.message)
        self.assertEqual(len(catcher.exception.data["refused_ids"]), 30)

    def test_check_links_users_by_odoo_rules(self):
        """res.users is blocked, but a salesperson link goes by Odoo's rules:
        internal users yes, a portal user of another company no, like a missing id."""
        guard = self.guard
        for uid in (self.user_b.id, self.user_a.id, self.env.ref("base.user_admin").id):
            self.assertEqual(guard.check_links("res.partner", "user_id", "res.users", [uid], self.key_write), [uid])
        texts = set()
        for uid in (self.hidden_user.id, MISSING):
            with self.assertRaises(ToolError) as catcher:
                guard.check_links("res.partner", "user_id", "res.users", [uid], self.key_write)
            self.assertEqual(catcher.exception.message, refused("user_id", "res.partner", "res.users", uid))
            texts.add(catcher.exception.message.replace(str(uid), "<id>"))
        self.assertEqual(len(texts), 1)

    # ------------------------------------------------------------------
    # write paths
    # ------------------------------------------------------------------
    def test_create_with_hidden_parent_refused(self):
        name = "MCP probe %s" % self.hidden.id
        for parent in (self.hidden.id, MISSING):
            with self.subTest(parent=parent):
                self.assert_refused("create", {"model": "res.partner", "values": {"name": name, "parent_id": parent}},
                                    refused("parent_id", "res.partner", "res.partner", parent))
        self.assertFalse(self.env["res.partner"].search([("name", "=", name)]))
        result = self.run_tool("create", {"model": "res.partner",
                                          "values": {"name": name, "parent_id": self.visible.id}})
        self.assertEqual(self.env["res.partner"].browse(result["id"]).parent_id, self.visible)

    def test_x2many_links_refused(self):
        partner = self.env["res.partner"].create({"name": "MCP Links Target", "company_id": self.company_a.id})
        visible = self.visible.id
        cases = {
            "ids": lambda rid: [rid],
            "link": lambda rid: [[4, rid]],
            "set": lambda rid: [[6, 0, [visible, rid]]],
            "unlink": lambda rid: [[3, rid]],
            "update": lambda rid: [[1, rid, {"comment": "pwned"}]],
            "nested_many2one": lambda rid: [[0, 0, {"name": "MCP kid", "parent_id": rid}]],
            "nested_link": lambda rid: [[0, 0, {"name": "MCP kid", "child_ids": [[4, rid]]}]],
        }
        for label, value in cases.items():
            for target in (self.hidden.id, MISSING):
                field = "parent_id" if label == "nested_many2one" else "child_ids"
                with self.subTest(case=label, target=target):
                    self.assert_refused("update", {"model": "res.partner", "ids": [partner.id],
                                                   "values": {"child_ids": value(target)}},
                                        refused(field, "res.partner", "res.partner", target))
        self.assertFalse(partner.child_ids)
        self.assertNotEqual(self.hidden.parent_id, partner)
        self.assertFalse(self.hidden.comment)
        # readable records still link
        self.run_tool("update", {"model": "res.partner", "ids": [partner.id],
                                 "values": {"child_ids": [[4, self.visible.id]], "category_id": [self.tag.id]}})
        self.assertEqual((partner.child_ids, partner.category_id), (self.visible, self.tag))

    def test_salesperson_link(self):
        partner = self.env["res.partner"].create({"name": "MCP Links Customer", "company_id": self.company_a.id})
        self.run_tool("update", {"model": "res.partner", "ids": [partner.id], "values": {"user_id": self.user_b.id}})
        self.assertEqual(partner.user_id, self.user_b)
        for uid in (self.hidden_user.id, MISSING):
            with self.subTest(uid=uid):
                self.assert_refused("update", {"model": "res.partner", "ids": [partner.id], "values": {"user_id": uid}},
                                    refused("user_id", "res.partner", "res.users", uid))
        self.assertEqual(partner.user_id, self.user_b)

    def test_reference_and_many2one_reference(self):
        call = self.call()
        admin_key = self.make_key(user_id=self.env.ref("base.user_admin").id, scope="write")[0]
        menu = self.mcp_env(admin_key)["ir.ui.menu"]
        field = menu._fields["action"]
        action = self.env.ref("base.action_partner_form")
        admin_call = self.call(key=admin_key)
        # every model this field offers is blocked (ir.actions.*): even the
        # admin, who may read actions in Odoo, links none of them
        for value in ("ir.actions.act_window,%d" % action.id, "ir.actions.act_window,%d" % MISSING,
                      "no.such.model,1"):
            with self.subTest(value=value):
                with self.assertRaises(ToolError) as catcher:
                    convert_value(admin_call, menu, field, value, 0)
                self.assertEqual(catcher.exception.message,
                                 'Invalid value "%s" for field \'action\' (reference) of model \'ir.ui.menu\': '
                                 'expected a "model,id" string whose model is one of [].' % value)
        # many2one_reference naming a model the guard blocks: refused like a missing id
        attachment = call.env["ir.attachment"]
        with self.assertRaises(ToolError) as catcher:
            check_values(admin_call, self.mcp_env(admin_key)["ir.attachment"],
                         {"name": "x", "res_model": "mcp.api.key", "res_id": admin_key.id}, "create")
        self.assertEqual(catcher.exception.message, refused("res_id", "ir.attachment", "mcp.api.key", admin_key.id))
        # many2one_reference: the model is in the same values
        with self.assertRaises(ToolError) as catcher:
            check_values(call, attachment, {"name": "x", "res_model": "res.partner", "res_id": self.hidden.id}, "create")
        self.assertEqual(catcher.exception.message, refused("res_id", "ir.attachment", "res.partner", self.hidden.id))
        checked = check_values(call, attachment, {"name": "x", "res_model": "res.partner", "res_id": self.visible.id},
                               "create")
        self.assertEqual(checked["res_id"], self.visible.id)
        # a write of the id alone: checked against the model the record names
        existing = self.env["ir.attachment"].create({"name": "x", "res_model": "res.partner",
                                                     "res_id": self.visible.id})
        records = call.env["ir.attachment"].browse(existing.id)
        with self.assertRaises(ToolError) as catcher:
            check_values(call, records, {"res_id": self.hidden.id}, "write")
        self.assertEqual(catcher.exception.message, refused("res_id", "ir.attachment", "res.partner", self.hidden.id))
        self.assertEqual(check_values(call, records, {"res_id": self.visible.id}, "write"), {"res_id": self.visible.id})

    # ------------------------------------------------------------------
    # fields that mirror blocked models
    # ------------------------------------------------------------------
    def test_mirrored_fields_not_accessible(self):
        guard = self.guard
        Partner, Company = self.env["res.partner"], self.env["res.company"]
        for field in (Partner._fields["user_ids"], Company._fields["user_ids"], Partner._fields["partner_share"]):
            self.assertFalse(guard._field_accessible(field), field)
        for fname in ("user_id", "create_uid", "write_uid", "child_ids", "category_id", "parent_id"):
            self.assertTrue(guard._field_accessible(Partner._fields[fname]), fname)
        self.assertIn(("res.partner", "partner_share"), NEVER_EXPOSED_FIELDS)
        readable = guard.readable_fields("res.partner", self.key_write)
        self.assertIn("user_id", readable)
        self.assertNotIn("user_ids", readable)
        self.assertNotIn("partner_share", readable)
        paths = {
            "check_fields": lambda path: guard.check_fields("res.partner", [path], self.key_write),
            "check_domain": lambda path: guard.check_domain("res.partner", [(path, "!=", False)], self.key_write),
            "check_order": lambda path: guard.check_order("res.partner", path, self.key_write),
            "check_groupby": lambda path: guard.check_groupby("res.partner", [path], self.key_write),
            "check_values": lambda path: guard.check_values("res.partner", {path: False}, self.key_write),
        }
        for label, check in paths.items():
            for fname in ("user_ids", "partner_share", "user_ids.login"):
                with self.subTest(path=label, field=fname):
                    if label == "check_values" and "." in fname:
                        continue
                    with self.assertRaises(McpAccessDenied) as catcher:
                        check(fname)
                    field = fname.split(".")[0]
                    self.assertEqual(catcher.exception.message,
                                     MSG_FIELD_DENIED % {"field": field, "model": "res.partner"})
                    self.assertEqual(catcher.exception.data, {"model": "res.partner", "field": field,
                                                              "reason": "field"})
        guard.check_fields("res.partner", ["user_id"], self.key_write)
        guard.check_domain("res.partner", [("user_id", "in", [self.user_b.id])], self.key_write)

    def test_mirrored_fields_on_tools(self):
        schema = self.run_tool("get_model_schema", {"model": "res.partner"})
        names = {f["name"] for f in schema["fields"]}
        self.assertIn("parent_id", names)
        self.assertFalse(names & {"user_ids", "partner_share"})
        self.assertTrue({"user_ids", "partner_share"} <= set(schema["blocked_fields"]))
        # user_id: a many2one to users, [id, name] (identity windows), described as such
        self.assertIn("user_id", names)
        rows = self.run_tool("search_read", {"model": "res.partner", "domain": [["id", "=", self.visible.id]]})
        self.assertNotIn("partner_share", rows["records"][0])
        for name, arguments in (("read", {"ids": [self.visible.id], "fields": ["user_ids"]}),
                                ("search_read", {"fields": ["partner_share"]}),
                                ("count", {"domain": [["partner_share", "=", True]]}),
                                ("aggregate", {"groupby": ["partner_share"]})):
            with self.subTest(tool=name):
                with self.assertRaises(McpAccessDenied):
                    self.run_tool(name, dict(arguments, model="res.partner"))

    # ------------------------------------------------------------------
    # user names in messages
    # ------------------------------------------------------------------
    def test_redact_user_names(self):
        guard = self.guard
        name_a, name_b = self.user_a.name, self.user_b.partner_id.name
        message = "Linked active users :\n%s, %s. Contact: %s" % (name_a, name_b, self.visible.name)
        self.assertEqual(guard.redact_user_names(message), "Linked active users :\n%s, %s. Contact: %s" % (
            USER_NAME_PLACEHOLDER, USER_NAME_PLACEHOLDER, self.visible.name))
        # names the agent wrote itself stay (else a redaction would confirm a guess)
        self.assertEqual(guard.redact_user_names(message, {"values": {"comment": name_b}}),
                         "Linked active users :\n%s, %s. Contact: %s" % (
                             USER_NAME_PLACEHOLDER, name_b, self.visible.name))
        # whole words only; archived users too
        self.assertEqual(guard.redact_user_names("%sX" % name_a), "%sX" % name_a)
        self.user_b.active = False
        self.assertEqual(guard.redact_user_names("(%s)" % name_b), "(%s)" % USER_NAME_PLACEHOLDER)
        self.assertEqual(guard.redact_user_names(""), "")
        self.assertIsNone(guard.redact_user_names(None))
        long = "x" * (MAX_REDACTED_MESSAGE + 50) + name_a
        self.assertEqual(len(guard.redact_user_names(long)), MAX_REDACTED_MESSAGE + 1)

    def test_archive_message_redacted_in_tool_result(self):
        """Archiving a user's contact: Odoo's ValidationError names the user; the
        tool result does not."""
        victim = self.user_b.partner_id
        env = self.mcp_env(self.key_write)
        ctx = McpContext(self.key_write, None, "2025-06-18", {"max_records": 100}, "test", "127.0.0.1", env)
        result = self.env["mcp.server"]._handle_message({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
            "name": "update", "arguments": {"model": "res.partner", "ids": [victim.id], "values": {"active": False}}}},
            ctx)["result"]
        self.assertTrue(result["isError"])
        text = result["content"][0]["text"]
        self.assertIn("Linked active users", text)
        self.assertTrue(text.endswith(USER_NAME_PLACEHOLDER), text)
        self.assertNotIn(victim.name, text)
        self.assertTrue(victim.active)

    # ------------------------------------------------------------------
    # prompts and resources: hidden == missing
    # ------------------------------------------------------------------
    def test_prompt_and_resource_hidden_is_missing(self):
        call = self.call()
        answers = {}
        for label, rid in (("hidden", self.hidden.id), ("missing", MISSING)):
            with self.assertRaises(InvalidParams) as prompt:
                prompts.get_prompt(call, "summarize_record", {"model": "res.partner", "record_id": str(rid)})
            with self.assertRaises(ResourceNotFound) as resource:
                resources.read_resource(call, "odoo://record/res.partner/%d" % rid)
            self.assertEqual(prompt.exception.message, "No res.partner record with id %d." % rid)
            self.assertEqual(resource.exception.message, "No res.partner record with id %d." % rid)
            answers[label] = (type(prompt.exception), prompt.exception.code,
                              prompt.exception.message.replace(str(rid), "<id>"),
                              type(resource.exception), resource.exception.code,
                              resource.exception.message.replace(str(rid), "<id>"),
                              json.dumps(resource.exception.data).replace(str(rid), "<id>"))
        self.assertEqual(answers["hidden"], answers["missing"])
        shown = prompts.get_prompt(call, "summarize_record", {"model": "res.partner", "record_id": str(self.visible.id)})
        self.assertIn("MCP Visible Parent", json.dumps(shown))
        content = resources.read_resource(call, "odoo://record/res.partner/%d" % self.visible.id)["contents"][0]
        self.assertEqual(json.loads(content["text"])["record"]["id"], self.visible.id)
        with self.assertRaises(ResourceNotFound):
            resources.read_resource(call, "odoo://record/res.partner/%d" % 2 ** 40)
