"""Attacks on the document and chatter tools through the real endpoint of
the business database, each expecting the exact JSON-RPC error (or the
exact isError text where the answer is "no such record")."""
import pytest

from ..attack_helpers import client, denied, tool_error_text, tool_ok, tool_raw


@pytest.fixture(scope="module")
def mcp(biz_server, biz_keys):
    opened = {}

    def get(name):
        if name not in opened:
            opened[name] = client(biz_server, biz_keys["tokens"][name])
        return opened[name]
    return get


def others_record(mcp, model):
    """A record of ``model`` the admin sees and the salesman does not (demo
    data of other sales people): its id."""
    admin = tool_ok(tool_raw(mcp("documents_admin_read"), "search_read", {
        "model": model, "domain": [["user_id", "!=", False]], "fields": ["id"], "limit": 50}))["records"]
    mine = tool_ok(tool_raw(mcp("documents_salesman_read"), "search_read", {
        "model": model, "domain": [["id", "in", [row["id"] for row in admin]]], "fields": ["id"]}))["records"]
    hidden = sorted({row["id"] for row in admin} - {row["id"] for row in mine})
    assert hidden, "demo data has %s records of other users" % model
    return hidden[0]


def test_report_of_records_the_user_cannot_read(mcp):
    order = others_record(mcp, "sale.order")
    body = tool_raw(mcp("documents_salesman_read"), "print_report",
                    {"model": "sale.order", "report": "sale.report_saleorder", "ids": [order]})
    assert tool_error_text(body) == f"No sale.order record with id {order}."


@pytest.mark.parametrize("model", ["res.users", "ir.attachment", "mcp.api.key"])
def test_report_on_a_blocked_model(mcp, model):
    body = tool_raw(mcp("documents_admin_read"), "print_report", {"model": model, "report": 1, "ids": [1]})
    denied(body, f"Model '{model}' is not available through MCP.", {"model": model, "reason": "blocked"})
    body = tool_raw(mcp("documents_admin_read"), "print_report", {"model": model})
    denied(body, f"Model '{model}' is not available through MCP.", {"model": model, "reason": "blocked"})


@pytest.mark.parametrize("report", ["account.report_invoice", "base.report_irmodulereference", "no.such_report"])
def test_report_of_another_model(mcp, report):
    """Another model's report (an invoice's, the module reference of the
    blocked ir.module.module) printed on sale orders gets the same refusal as
    an unknown one, with the reports the model does offer."""
    raw = mcp("documents_admin_read")
    offered = tool_ok(tool_raw(raw, "print_report", {"model": "sale.order"}))["reports"]
    body = tool_raw(raw, "print_report", {"model": "sale.order", "report": report, "ids": [1]})
    assert body["error"]["code"] == -32003, body
    assert body["error"]["message"].startswith(
        f"'{report}' is not a PDF report of 'sale.order' that you may print. Reports you can print on "
        "'sale.order': ")
    assert body["error"]["data"] == {"model": "sale.order", "reason": "report",
                                     "reports": [info["report_name"] for info in offered]}


def test_export_over_the_bound(mcp):
    body = tool_raw(mcp("documents_admin_read"), "export_records", {"model": "res.partner", "limit": 100000})
    assert tool_error_text(body) == ("At most 2000 records per export on this server (setting Max Records per "
                                     "Export); 100000 asked. Export page by page with limit and offset.")


@pytest.mark.parametrize("fields, field", [(["name", "user_ids"], "user_ids"),
                                           (["name", "partner_share"], "partner_share")])
def test_export_of_blocked_fields(mcp, fields, field):
    body = tool_raw(mcp("documents_salesman_read"), "export_records", {"model": "res.partner", "fields": fields})
    denied(body, f"Field '{field}' of model 'res.partner' is not accessible.",
           {"model": "res.partner", "field": field, "reason": "field"})


def test_export_of_a_blocked_model(mcp):
    body = tool_raw(mcp("documents_admin_read"), "export_records", {"model": "res.users"})
    denied(body, "Model 'res.users' is not available through MCP.", {"model": "res.users", "reason": "blocked"})


def test_posting_where_the_user_cannot_write(mcp):
    """A product the salesman may read but not edit, a lead of another sales
    person (not even readable: answered like a missing one), and a
    read-only key."""
    raw = mcp("chatter_salesman_write")
    product = tool_ok(tool_raw(raw, "search_read", {"model": "product.template", "fields": ["id"], "limit": 1}))
    product_id = product["records"][0]["id"]
    body = tool_raw(raw, "post_message", {"model": "product.template", "id": product_id, "body": "hi"})
    denied(body, "You are not allowed to write records of 'product.template' (Odoo access rights).",
           {"model": "product.template", "reason": "acl", "operation": "write"})
    lead = others_record(mcp, "crm.lead")
    body = tool_raw(raw, "post_message", {"model": "crm.lead", "id": lead, "body": "hi"})
    assert tool_error_text(body) == f"No crm.lead record with id {lead}."
    mine = tool_ok(tool_raw(raw, "create", {"model": "crm.lead", "values": {"name": "MCP read-only key"}}))["id"]
    for name, arguments in (("post_message", {"body": "hi"}), ("schedule_activity", {"summary": "x"})):
        body = tool_raw(mcp("chatter_salesman_read"), name, dict(arguments, model="crm.lead", id=mine))
        denied(body, "This API key is read-only: 'write' on 'crm.lead' is not allowed.",
               {"model": "crm.lead", "reason": "scope", "operation": "write"})


@pytest.mark.parametrize("tool, arguments", [
    ("read_messages", {}), ("post_message", {"body": "hi"}), ("schedule_activity", {}),
    ("list_activities", {}),
])
@pytest.mark.parametrize("model", ["res.users", "mail.mail", "res.users.apikeys"])
def test_chatter_on_a_blocked_model(mcp, tool, arguments, model):
    body = tool_raw(mcp("chatter_admin_write"), tool, dict(arguments, model=model, id=2))
    denied(body, f"Model '{model}' is not available through MCP.", {"model": model, "reason": "blocked"})


def test_attachments_stay_small_text_files(mcp):
    raw = mcp("chatter_admin_write")
    lead = tool_ok(tool_raw(raw, "create", {"model": "crm.lead", "values": {"name": "MCP attachments"}}))["id"]
    expected = ("Invalid value for argument 'attachments' of 'message_post': expected a list of at most 3 "
                "[name, text] pairs: text files (.txt, .csv, .md, .json, .log) of at most 65536 bytes each.")
    for attachments in ([["page.html", "<script>alert(1)</script>"]], [["x.txt", "y" * 70000]],
                        [["../../etc/passwd.txt", "x"]]):
        body = tool_raw(raw, "post_message", {"model": "crm.lead", "id": lead, "body": "x",
                                              "attachments": attachments})
        assert tool_error_text(body) == expected
    body = tool_raw(raw, "execute_method", {"model": "crm.lead", "method": "message_post", "ids": [lead],
                                            "kwargs": {"body": "x", "attachment_ids": [1]}})
    assert "does not accept the argument 'attachment_ids'" in tool_error_text(body)


def test_mark_done_of_activities_the_user_cannot_see(mcp):
    admin = mcp("chatter_admin_write")
    lead = others_record(mcp, "crm.lead")
    activity = tool_ok(tool_raw(admin, "schedule_activity", {"model": "crm.lead", "id": lead, "summary": "x"}))
    activity_id = activity["activity"]["id"]
    body = tool_raw(mcp("chatter_salesman_write"), "mark_activity_done", {"ids": [activity_id]})
    assert tool_error_text(body) == f"No mail.activity record with id {activity_id}."
    body = tool_raw(mcp("chatter_salesman_read"), "read_messages", {"model": "crm.lead", "id": lead})
    assert tool_error_text(body) == f"No crm.lead record with id {lead}."
