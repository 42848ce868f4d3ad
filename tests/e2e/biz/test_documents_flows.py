"""Documents and chatter on the business database, as the admin and as a
sales person (who gets only what Odoo gives him), through the real
endpoint: a quotation's PDF, CSV and XLSX exports, a note, an activity and
the tracked stage change of an opportunity read back from its chatter, and
search_read's pages of mail.message / mail.activity (their ``_search``
filters rows in Python)."""
import asyncio
import base64
import csv
import io
import zipfile

import pytest

from .. import sdk1
from ..attack_helpers import client, tool_ok, tool_raw

WHO = ("admin", "salesman")


def sdk_call(biz_server, token, name, arguments):
    """``tools/call`` through the 1.x SDK, as a real client; the result dict."""
    result = asyncio.run(sdk1.call_tool(biz_server.url + "/mcp", token, name, arguments))
    assert not result.get("isError"), result
    return result


def resource_of(result):
    """The embedded resource of a document result (the SDK parsed it)."""
    blocks = [block for block in result["content"] if block["type"] == "resource"]
    assert len(blocks) == 1, result["content"]
    return blocks[0]["resource"]


@pytest.fixture(scope="module")
def mcp(biz_server, biz_keys):
    """Raw clients per key name (initialized once)."""
    opened = {}

    def get(name):
        if name not in opened:
            opened[name] = client(biz_server, biz_keys["tokens"][name])
        return opened[name]
    return get


def new_quotation(mcp, who):
    """A quotation created through MCP by ``who`` (the salesman sees his own only)."""
    raw = mcp(f"documents_{who}_write")
    partner = tool_ok(tool_raw(raw, "search_read", {"model": "res.partner", "domain": [["customer_rank", ">", 0]],
                                                    "fields": ["name"], "limit": 1}))["records"][0]
    product = tool_ok(tool_raw(raw, "search_read", {"model": "product.product", "domain": [["sale_ok", "=", True]],
                                                    "fields": ["name"], "limit": 1}))["records"][0]
    created = tool_ok(tool_raw(raw, "create", {"model": "sale.order", "values": {
        "partner_id": partner["id"], "order_line": [[0, 0, {"product_id": product["id"], "product_uom_qty": 2}]]}}))
    return created["id"]


@pytest.mark.parametrize("who", WHO)
def test_quotation_pdf(biz_server, biz_keys, mcp, who):
    token = biz_keys["tokens"][f"documents_{who}_read"]
    order_id = new_quotation(mcp, who)
    listed = sdk_call(biz_server, token, "print_report", {"model": "sale.order"})["structuredContent"]
    names = [report["report_name"] for report in listed["reports"]]
    assert "sale.report_saleorder" in names, names
    result = sdk_call(biz_server, token, "print_report",
                      {"model": "sale.order", "report": "sale.report_saleorder", "ids": [order_id]})
    resource = resource_of(result)
    pdf = base64.b64decode(resource["blob"])
    assert resource["mimeType"] == "application/pdf"
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    structured = result["structuredContent"]
    assert structured["size"] == len(pdf)
    assert structured["filename"].endswith(".pdf") and structured["ids"] == [order_id]


@pytest.mark.parametrize("who", WHO)
def test_customers_csv(biz_server, biz_keys, who):
    token = biz_keys["tokens"][f"documents_{who}_read"]
    result = sdk_call(biz_server, token, "export_records", {
        "model": "res.partner", "domain": [["customer_rank", ">", 0]], "fields": ["name", "email", "country_id"],
        "order": "name"})
    resource = resource_of(result)
    rows = list(csv.reader(io.StringIO(resource["text"])))
    assert resource["mimeType"] == "text/csv"
    assert rows[0] == ["Name", "Email", "Country"]
    assert len(rows) - 1 == result["structuredContent"]["count"] > 1
    count = sdk_call(biz_server, token, "count", {"model": "res.partner", "domain": [["customer_rank", ">", 0]]})
    assert result["structuredContent"]["count"] == count["structuredContent"]["count"]


@pytest.mark.parametrize("who", WHO)
def test_orders_xlsx(biz_server, biz_keys, mcp, who):
    new_quotation(mcp, who)
    token = biz_keys["tokens"][f"documents_{who}_read"]
    result = sdk_call(biz_server, token, "export_records", {
        "model": "sale.order", "fields": ["name", "partner_id", "amount_total", "state"], "format": "xlsx"})
    data = base64.b64decode(resource_of(result)["blob"])
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "Order Reference" in strings and "Quotation" in strings
    orders = sdk_call(biz_server, token, "count", {"model": "sale.order"})["structuredContent"]["count"]
    assert result["structuredContent"]["count"] == orders


@pytest.mark.parametrize("who", WHO)
def test_opportunity_note_activity_and_tracking(biz_server, biz_keys, mcp, who):
    """An opportunity: a note with a text file, an activity scheduled,
    listed and marked done, a stage change — all read back from the chatter."""
    raw = mcp(f"chatter_{who}_write")
    lead = tool_ok(tool_raw(raw, "create", {"model": "crm.lead", "values": {
        "name": f"MCP chatter {who}", "type": "opportunity"}}))["id"]
    note = tool_ok(tool_raw(raw, "post_message", {
        "model": "crm.lead", "id": lead, "body": "Called the customer.\nPO expected Friday.",
        "attachments": [["call-notes.txt", "budget 12k"]]}))
    assert note["kind"] == "note" and note["message_id"]
    activity = tool_ok(tool_raw(raw, "schedule_activity", {
        "model": "crm.lead", "id": lead, "activity_type": "call", "summary": "Follow up",
        "note": "Ask about the PO", "date_deadline": "2030-01-15"}))["activity"]
    assert activity["summary"] == "Follow up" and activity["note"] == "Ask about the PO"
    assert activity["date_deadline"] == "2030-01-15" and activity["res_id"] == lead
    listed = tool_ok(tool_raw(raw, "list_activities", {"model": "crm.lead", "id": lead}))
    assert [row["id"] for row in listed["activities"]] == [activity["id"]]
    mine = tool_ok(tool_raw(raw, "list_activities", {"mine": True, "state": "planned"}))
    assert activity["id"] in [row["id"] for row in mine["activities"]]
    stages = tool_ok(tool_raw(raw, "search_read", {"model": "crm.stage", "fields": ["name"], "order": "sequence"}))
    won = stages["records"][-1]
    tool_ok(tool_raw(raw, "update", {"model": "crm.lead", "ids": [lead], "values": {"stage_id": won["id"]}}))
    done = tool_ok(tool_raw(raw, "mark_activity_done", {"ids": [activity["id"]], "feedback": "PO received"}))
    assert len(done["message_ids"]) == 1
    assert tool_ok(tool_raw(raw, "list_activities", {"model": "crm.lead", "id": lead}))["activities"] == []

    chatter = sdk_call(biz_server, biz_keys["tokens"][f"chatter_{who}_read"], "read_messages",
                       {"model": "crm.lead", "id": lead})["structuredContent"]
    messages = chatter["messages"]
    bodies = [message["body"] or "" for message in messages]
    assert any("Called the customer." in body and "PO expected Friday." in body for body in bodies), bodies
    posted = next(m for m in messages if m["id"] == note["message_id"])
    assert posted["is_note"] is True and posted["author_id"][1]
    assert posted["attachments"] == ["call-notes.txt"]
    assert any("PO received" in body for body in bodies), bodies
    changes = [change for message in messages for change in message["tracking"]]
    assert {"field": "stage_id", "label": "Stage", "old": stages["records"][0]["name"], "new": won["name"]} \
        in changes, changes
    assert chatter["total"] == len(messages) and chatter["next_offset"] is None


@pytest.mark.parametrize("model", ["mail.message", "mail.activity"])
@pytest.mark.parametrize("who", WHO)
def test_search_read_pages_of_mail_models(biz_keys, mcp, model, who):
    """mail.message and mail.activity drop in Python what the user may not
    see, after their SQL limit: search_read's pages are still full, its
    offsets skip nothing and repeat nothing, and its total is count's."""
    writer = mcp(f"chatter_{who}_write")
    lead = tool_ok(tool_raw(writer, "create", {"model": "crm.lead", "values": {"name": f"MCP pages {who}"}}))["id"]
    for index in range(4):  # the user's own, among the demo ones he may not see
        tool_ok(tool_raw(writer, "post_message", {"model": "crm.lead", "id": lead, "body": f"note {index}"}))
        tool_ok(tool_raw(writer, "schedule_activity", {"model": "crm.lead", "id": lead, "summary": f"to do {index}"}))
    raw = mcp(f"chatter_{who}_read")
    # (mail.activity.res_model is related through the blocked ir.model: all activities)
    domain = [["model", "=", "crm.lead"]] if model == "mail.message" else []
    total = tool_ok(tool_raw(raw, "count", {"model": model, "domain": domain}))["count"]
    assert total > 3, total
    seen, offset, pages = [], 0, 0
    while offset is not None:
        page = tool_ok(tool_raw(raw, "search_read", {"model": model, "domain": domain, "fields": ["id"],
                                                     "order": "id", "limit": 3, "offset": offset,
                                                     "count_total": True}))
        assert page["total"] == total
        if page["next_offset"] is not None:
            assert page["count"] == 3
        seen += [row["id"] for row in page["records"]]
        offset, pages = page["next_offset"], pages + 1
    assert len(seen) == len(set(seen)) == total
