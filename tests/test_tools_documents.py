"""Documents on the plain test database (base + web + mcp_bridge): CSV and
XLSX exports, the PDF report tool's checks (reports offered, groups, other
models, model-access rules, unreadable records), document results, the
chatter tools without the mail app, and search_read's pages on a model whose
``_search`` filters in Python. PDFs themselves and the chatter are proven
on the business database (tests/e2e/biz/test_documents_flows.py)."""
import csv
import io
import zipfile

from odoo.tests import tagged

from ..models.mcp_guard_methods import attachments_problem
from ..models.mcp_guard_rules import MSG_NO_MAIL
from ..protocol.errors import McpAccessDenied, ToolError
from ..protocol.tool_result import ToolOutput, tool_result
from ..tools.search_read import search_page
from .tools_common import ToolsCase


@tagged("post_install", "-at_install")
class TestDocumentTools(ToolsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.be = cls.env.ref("base.be")
        cls.partners = cls.env["res.partner"].create([
            {"name": "MCP Export %02d" % i, "email": "e%d@mcp.test" % i, "country_id": cls.be.id}
            for i in range(12)])
        cls.domain = [["name", "=like", "MCP Export %"]]
        cls.view = cls.env["ir.ui.view"].create({
            "name": "mcp_bridge.test_partner_report", "type": "qweb", "key": "mcp_bridge.test_partner_report",
            "arch": '<t t-name="mcp_bridge.test_partner_report"><t t-foreach="docs" t-as="o">'
                    '<p t-field="o.name"/></t></t>'})
        Report = cls.env["ir.actions.report"]
        partner_model = cls.env["ir.model"]._get("res.partner")
        cls.report = Report.create({
            "name": "MCP Partner Sheet", "model": "res.partner", "report_type": "qweb-pdf",
            "report_name": "mcp_bridge.test_partner_report", "binding_model_id": partner_model.id})
        cls.admin_report = Report.create({
            "name": "MCP Admin Sheet", "model": "res.partner", "report_type": "qweb-pdf",
            "report_name": "mcp_bridge.test_partner_report_admin", "binding_model_id": partner_model.id,
            "groups_id": [(6, 0, cls.env.ref("base.group_system").ids)]})
        cls.country_report = Report.create({
            "name": "MCP Country Sheet", "model": "res.country", "report_type": "qweb-pdf",
            "report_name": "mcp_bridge.test_country_report",
            "binding_model_id": cls.env["ir.model"]._get("res.country").id})

    def document(self, name, arguments, settings=None):
        """Run tool ``name``; return its structured result and the bytes or
        text of its one embedded resource, as ``tools/call`` sends them."""
        output = self.tool(name).run(self.make_call(arguments, settings))
        self.assertIsInstance(output, ToolOutput)
        result = tool_result(output, "2025-06-18")
        text, resource = result["content"]
        self.assertEqual(result["structuredContent"], output.structured)
        self.assertEqual(text["type"], "text")
        self.assertEqual(resource["type"], "resource")
        self.assertEqual(resource["resource"]["uri"], output.structured["uri"])
        return output.structured, resource["resource"]

    # export_records -------------------------------------------------------
    def test_export_csv(self):
        structured, resource = self.document("export_records", {
            "model": "res.partner", "domain": self.domain, "fields": ["name", "email", "country_id"],
            "order": "name"})
        self.assertEqual(resource["mimeType"], "text/csv")
        rows = list(csv.reader(io.StringIO(resource["text"])))
        self.assertEqual(rows[0], ["Name", "Email", "Country"])
        self.assertEqual(rows[1], ["MCP Export 00", "e0@mcp.test", "Belgium"])
        self.assertEqual(len(rows), 13)
        self.assertEqual((structured["count"], structured["next_offset"], structured["format"]), (12, None, "csv"))
        self.assertEqual(structured["size"], len(resource["text"].encode()))

    def test_export_xlsx(self):
        structured, resource = self.document("export_records", {
            "model": "res.partner", "domain": self.domain, "fields": ["name", "country_id"], "format": "xlsx"})
        self.assertEqual(resource["mimeType"],
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        import base64
        data = base64.b64decode(resource["blob"])
        self.assertEqual(len(data), structured["size"])
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            strings = book.read("xl/sharedStrings.xml").decode()
        self.assertIn("MCP Export 07", strings)
        self.assertIn("Belgium", strings)

    def test_export_default_fields_and_pages(self):
        structured, resource = self.document("export_records", {
            "model": "res.partner", "domain": self.domain, "order": "name"}, settings={"max_export_records": 5})
        self.assertIn("name", structured["fields"])
        self.assertEqual((structured["count"], structured["next_offset"]), (5, 5))
        last, _resource = self.document("export_records", {
            "model": "res.partner", "domain": self.domain, "offset": 10}, settings={"max_export_records": 5})
        self.assertEqual((last["count"], last["next_offset"]), (2, None))

    def test_export_over_the_bounds(self):
        self.assertToolError("export_records", {"model": "res.partner", "limit": 6}, "At most 5 records per export",
                             settings={"max_export_records": 5})
        self.assertToolError("export_records", {"model": "res.partner", "domain": self.domain,
                                                "fields": ["name", "email", "comment"]},
                             "over this server's limit of 100 bytes", settings={"max_document_bytes": 100,
                                                                                 "max_export_records": 2000})

    def test_export_refuses_what_search_read_refuses(self):
        denied = self.assertToolError("export_records", {"model": "res.users"}, exception=McpAccessDenied)
        self.assertEqual(denied.data["reason"], "blocked")
        for fields in (["name", "user_ids"], ["name", "partner_share"]):
            with self.subTest(fields=fields):
                self.assertToolError("export_records", {"model": "res.partner", "fields": fields},
                                     "is not accessible", exception=McpAccessDenied)
        self.assertToolError("export_records", {"model": "res.partner", "fields": ["name", "image_128"]},
                             "Binary fields cannot be exported: image_128.")

    # print_report ----------------------------------------------------------
    def test_reports_listed_as_the_print_menu(self):
        result = self.run_tool("print_report", {"model": "res.partner"})
        names = [report["report_name"] for report in result["reports"]]
        self.assertIn("mcp_bridge.test_partner_report", names)
        self.assertNotIn("mcp_bridge.test_partner_report_admin", names, "groups of the report apply")
        self.assertNotIn("mcp_bridge.test_country_report", names)

    def test_report_refusals(self):
        for report in ("mcp_bridge.test_country_report", self.country_report.id,
                       "mcp_bridge.test_partner_report_admin", "no.such_report"):
            with self.subTest(report=report):
                denied = self.assertToolError(
                    "print_report", {"model": "res.partner", "report": report, "ids": self.partners[:1].ids},
                    "is not a PDF report of 'res.partner' that you may print.",
                    "Reports you can print on 'res.partner': mcp_bridge.test_partner_report (MCP Partner Sheet).",
                    exception=McpAccessDenied)
                self.assertEqual(denied.data["reason"], "report")
        denied = self.assertToolError("print_report", {"model": "res.users", "report": 1, "ids": [1]},
                                      exception=McpAccessDenied)
        self.assertEqual(denied.data["reason"], "blocked")

    def test_report_records_must_be_readable(self):
        self.assertToolError("print_report", {"model": "res.partner", "report": self.report.report_name,
                                              "ids": [self.partners[0].id, 999999]},
                             "No res.partner record with id 999999.")

    def test_report_needs_allow_reports_where_a_rule_exists(self):
        rule = self.env["mcp.model.access"].create({"model_id": self.env["ir.model"]._get("res.partner").id})
        arguments = {"model": "res.partner", "report": self.report.report_name, "ids": self.partners[:1].ids}
        denied = self.assertToolError("print_report", arguments,
                                      "The MCP model-access rule of 'res.partner' does not allow reports.",
                                      exception=McpAccessDenied)
        self.assertEqual(denied.data["reason"], "rule")
        rule.allow_reports = True
        # past the guard: Odoo renders (as HTML in test mode, which the tool refuses to pass off as a PDF)
        self.assertToolError("print_report", arguments, "not as a PDF")

    def test_document_size_bound(self):
        call = self.make_call({}, settings={"max_document_bytes": 1024})
        from ..tools.documents import document_output
        with self.assertRaisesRegex(ToolError, "The PDF is 2000 bytes, over this server's limit of 1024 bytes"):
            document_output(call, {}, "odoo://x", "application/pdf", b"x" * 2000, "PDF")
        output = document_output(call, {"a": 1}, "odoo://x", "application/pdf", b"%PDF-1.4", "PDF")
        self.assertEqual(output.structured, {"a": 1, "uri": "odoo://x", "mimeType": "application/pdf", "size": 8})
        self.assertEqual(output.resources[0]["resource"]["blob"], "JVBERi0xLjQ=")

    # chatter without mail -------------------------------------------------
    def test_chatter_tools_need_the_mail_app(self):
        self.assertNotIn("mail.thread", self.env.registry, "the plain test database has no mail app")
        for name, arguments in (("read_messages", {"model": "res.partner", "id": self.partners[0].id}),
                                ("post_message", {"model": "res.partner", "id": self.partners[0].id, "body": "x"}),
                                ("list_activities", {}), ("mark_activity_done", {"ids": [1]})):
            with self.subTest(tool=name):
                self.assertToolError(name, arguments, MSG_NO_MAIL)

    def test_post_attachments_bounds(self):
        self.assertIsNone(attachments_problem([["notes.txt", "hello"], ["data.csv", "a,b\n1,2"]]))
        for value in ([["a.html", "<script>"]], [["../x.txt", "x"]], [["a.txt", "x" * 70000]],
                      [["a.txt", "x"]] * 4, [["a.txt"]], "a.txt", [["a.txt", 5]]):
            with self.subTest(value=str(value)[:40]):
                self.assertIn("a list of at most 3 [name, text] pairs", attachments_problem(value))

    # search_read on a model whose _search filters in Python ----------------
    def test_pages_of_a_search_filtered_in_python(self):
        """``ir.attachment`` (like ``mail.message`` and ``mail.activity``)
        drops the rows the user may not see after its SQL query, which has
        applied limit and offset already: Odoo's page is short and its
        offsets count hidden rows (the first SQL page here holds 1 visible
        row of 3, the page said "no more, 1 in all"). search_read's pages,
        next offset and total count what the user sees."""
        rule = self.env["ir.rule"].search([], limit=1)
        attachments = self.env["ir.attachment"].create([
            {"name": "MCP page %02d.txt" % i, "raw": b"x",
             "res_model": "res.partner" if i % 2 else "ir.rule",
             "res_id": self.partners[0].id if i % 2 else rule.id}
            for i in range(12)])
        visible = attachments.filtered(lambda a: a.res_model == "res.partner").sorted("id")
        Attachment = self.uenv["ir.attachment"]
        domain = [["name", "=like", "MCP page %"]]
        seen, offset, pages = [], 0, 0
        while offset is not None:  # search_read's loop (ir.attachment itself is blocked for agents)
            records, has_more, total = search_page(Attachment, domain, ["name"], offset, 2, "id")
            self.assertEqual(total, 6)
            if has_more:
                self.assertEqual(len(records), 2, "full pages while more follow")
            seen += records.ids
            offset, pages = offset + len(records) if has_more else None, pages + 1
        self.assertEqual((seen, pages), (visible.ids, 3), "every visible attachment once, none hidden")
        records, has_more, total = search_page(Attachment, domain, ["name"], 0, 2, "id")
        self.assertEqual((records.ids, has_more, total), (visible.ids[:2], True, 6))
