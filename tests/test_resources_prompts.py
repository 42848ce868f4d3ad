import json
from unittest.mock import patch

from odoo.tests import tagged

from ..protocol.errors import McpAccessDenied, InvalidParams, ResourceNotFound, ToolError
from ..tools import completion, prompts, resources
from .tools_common import ToolsCase


@tagged("post_install", "-at_install")
class TestResourcesPrompts(ToolsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create({"name": "MCP Resource", "email": "r@mcp.test"})

    # resources -----------------------------------------------------------------
    def test_templates(self):
        templates = resources.list_templates()
        self.assertEqual({t["uriTemplate"] for t in templates},
                         {"odoo://model/{model}", "odoo://record/{model}/{id}"})
        self.assertTrue(all(t["mimeType"] == "application/json" and t["name"] for t in templates))

    def test_list_resources_paginated(self):
        ctx = self.make_call({}, settings={"max_records": 5})
        seen, cursor, pages = [], None, 0
        while True:
            page = resources.list_resources(ctx, cursor)
            seen += [r["uri"] for r in page["resources"]]
            pages += 1
            cursor = page.get("nextCursor")
            if not cursor:
                break
        self.assertGreater(pages, 1)
        self.assertEqual(len(seen), len(set(seen)))
        self.assertIn("odoo://model/res.partner", seen)
        self.assertNotIn("odoo://model/res.users", seen)
        with self.assertRaises(InvalidParams):
            resources.list_resources(ctx, "garbage")

    def test_read_model_and_record(self):
        ctx = self.make_call({})
        schema = resources.read_resource(ctx, "odoo://model/res.partner")["contents"][0]
        self.assertEqual(schema["mimeType"], "application/json")
        data = json.loads(schema["text"])
        self.assertEqual(data["model"], "res.partner")
        self.assertIn("email", [f["name"] for f in data["fields"]])
        uri = "odoo://record/res.partner/%d" % self.partner.id
        content = resources.read_resource(ctx, uri)["contents"][0]
        self.assertEqual(content["uri"], uri)
        record = json.loads(content["text"])["record"]
        self.assertEqual((record["id"], record["name"], record["email"]), (self.partner.id, "MCP Resource", "r@mcp.test"))

    def test_read_errors(self):
        ctx = self.make_call({})
        with self.assertRaises(ResourceNotFound):
            resources.read_resource(ctx, "odoo://record/res.partner/999999999")
        with self.assertRaises(ResourceNotFound):
            resources.read_resource(ctx, "http://example.com/x")
        with self.assertRaises(ResourceNotFound):
            resources.read_resource(ctx, "odoo://record/res.partner/abc")
        with self.assertRaises(McpAccessDenied):
            resources.read_resource(ctx, "odoo://model/res.users")
        with self.assertRaises(McpAccessDenied):
            resources.read_resource(ctx, "odoo://record/res.users/%d" % self.user.id)
        with self.assertRaises(ToolError):
            resources.read_resource(ctx, "odoo://model/res.partnr")

    def test_read_refused_by_odoo_acl_names_the_model(self):
        """resources/read refused by Odoo's access rights: -32003 whose data
        names the model (and the audit row has it), like the tools."""
        from odoo.exceptions import AccessError  # noqa: PLC0415

        from ..models.mcp_server import McpContext  # noqa: PLC0415

        ctx = McpContext(self.key, self.env["mcp.session"].browse(), "2025-06-18", {}, "streamable_http",
                         "127.0.0.1", self.key._mcp_env(self.env))
        with patch.object(resources, "read_resource", side_effect=AccessError("no")):
            response = self.env["mcp.server"]._handle_message({
                "jsonrpc": "2.0", "id": 3, "method": "resources/read",
                "params": {"uri": "odoo://record/res.partner/%d" % self.partner.id}}, ctx)
        self.assertEqual(response["error"], {"code": McpAccessDenied.code,
                                             "message": "Access denied by Odoo access rights or record rules",
                                             "data": {"reason": "acl", "model": "res.partner"}})
        self.assertEqual(ctx.audit["model"], "res.partner")

    # prompts -------------------------------------------------------------------
    def test_list_prompts(self):
        listed = prompts.list_prompts()
        self.assertGreaterEqual(len(listed), 3)
        for prompt in listed:
            self.assertTrue(prompt["name"] and prompt["description"] and prompt["arguments"])
            self.assertTrue(any(arg["required"] for arg in prompt["arguments"]))

    def test_get_prompts(self):
        ctx = self.make_call({})
        for name, arguments in (
            ("explore_model", {"model": "res.partner"}),
            ("summarize_record", {"model": "res.partner", "record_id": str(self.partner.id)}),
            ("build_domain", {"model": "res.partner", "question": "companies in Belgium"}),
            ("analyze_data", {"model": "res.partner", "groupby": "country_id"}),
        ):
            with self.subTest(prompt=name):
                result = prompts.get_prompt(ctx, name, arguments)
                self.assertTrue(result["messages"])
                for message in result["messages"]:
                    self.assertEqual(message["role"], "user")
                    self.assertIn(message["content"]["type"], ("text", "resource"))
                self.assertIn("res.partner", json.dumps(result))
        summary = prompts.get_prompt(ctx, "summarize_record", {"model": "res.partner",
                                                               "record_id": str(self.partner.id)})
        self.assertIn("MCP Resource", summary["messages"][1]["content"]["resource"]["text"])
        domain = prompts.get_prompt(ctx, "build_domain", {"model": "res.partner", "question": "x"})
        self.assertIn("country_id", domain["messages"][0]["content"]["text"])
        self.assertNotIn("res.users", domain["messages"][0]["content"]["text"])

    def test_prompt_errors(self):
        ctx = self.make_call({})
        with self.assertRaises(InvalidParams):
            prompts.get_prompt(ctx, "nope", {})
        with self.assertRaises(InvalidParams):
            prompts.get_prompt(ctx, "explore_model", {})
        with self.assertRaises(InvalidParams):
            prompts.get_prompt(ctx, "summarize_record", {"model": "res.partner", "record_id": "999999999"})
        with self.assertRaises(McpAccessDenied):
            prompts.get_prompt(ctx, "explore_model", {"model": "res.users"})

    # completion ------------------------------------------------------------------
    def test_complete_model_names(self):
        ctx = self.make_call({})
        result = completion.complete(ctx, {"type": "ref/prompt", "name": "explore_model"},
                                     {"name": "model", "value": "res.part"})["completion"]
        self.assertEqual(result["values"][0], "res.partner")
        self.assertNotIn("res.users", result["values"])
        self.assertFalse(result["hasMore"])
        allowed = ctx.guard.allowed_models(ctx.key, "read")
        every = completion.complete(ctx, {"type": "ref/resource", "uri": "odoo://model/{model}"},
                                    {"name": "model", "value": ""})["completion"]
        self.assertEqual(every["total"], len(allowed))
        with patch.object(completion, "MAX_VALUES", 5):
            capped = completion.complete(ctx, {"type": "ref/resource", "uri": "odoo://model/{model}"},
                                         {"name": "model", "value": ""})["completion"]
        self.assertEqual(len(capped["values"]), 5)
        self.assertTrue(capped["hasMore"])
        self.assertEqual(capped["total"], len(allowed))

    def test_complete_field_names_and_ids(self):
        ctx = self.make_call({})
        result = completion.complete(ctx, {"type": "ref/prompt", "name": "analyze_data"},
                                     {"name": "groupby", "value": "count"}, {"model": "res.partner"})["completion"]
        self.assertIn("country_id", result["values"])
        self.assertEqual(result["values"][0], "country_id")
        users = completion.complete(ctx, {"type": "ref/prompt", "name": "analyze_data"},
                                    {"name": "groupby", "value": "user"}, {"model": "res.partner"})["completion"]
        self.assertNotIn("user_id", users["values"])
        none = completion.complete(ctx, {"type": "ref/prompt", "name": "analyze_data"},
                                   {"name": "groupby", "value": "x"}, {})["completion"]
        self.assertEqual(none["values"], [])
        ids = completion.complete(ctx, {"type": "ref/resource", "uri": "odoo://record/{model}/{id}"},
                                  {"name": "id", "value": "MCP Resource"}, {"model": "res.partner"})["completion"]
        self.assertEqual(ids["values"], [str(self.partner.id)])

    def test_complete_errors(self):
        ctx = self.make_call({})
        with self.assertRaises(InvalidParams):
            completion.complete(ctx, {"type": "ref/other"}, {"name": "model", "value": ""})
        for ref, argument in ((None, {"name": "model", "value": ""}), ({"type": "ref/prompt"}, "model")):
            with self.subTest(ref=ref, argument=argument), self.assertRaises(InvalidParams):
                completion.complete(ctx, ref, argument)

    def test_complete_unknown_prompt_or_template_is_empty(self):
        """Nothing to suggest for a prompt or template this server lacks (the
        conformance suite asks about its own test prompt): an empty list."""
        ctx = self.make_call({})
        empty = {"completion": {"values": [], "total": 0, "hasMore": False}}
        for ref in ({"type": "ref/prompt", "name": "nope"}, {"type": "ref/resource", "uri": "odoo://nope/{x}"}):
            with self.subTest(ref=ref):
                self.assertEqual(completion.complete(ctx, ref, {"name": "model", "value": "res"}), empty)
