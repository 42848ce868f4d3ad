"""Hidden fields of model-access rules on the business database, through the
real endpoint: sale.order hides ``team_id`` (a tracked field), res.partner
hides ``vat``, product.product hides ``barcode``. For the admin's key and a sales person's: a tracking value
of the hidden field never shows in ``read_messages`` (the other tracked
change does), ``partner_id.vat`` from sale.order (and a text matched with
the partners' name search, ``partner_id ilike <VAT>``) is refused like a
field of groups the user lacks, the schema and default lists leave the field out,
and the order's PDF report is refused (the rule does not allow reports), as
is the customer's invoice (its template prints the hidden VAT; account.move
has no rule that allows reports)."""
import json

import pytest

from ....models.mcp_guard_rules import MSG_FIELD_DENIED, MSG_REPORT_HIDDEN_FIELDS, MSG_REPORT_RULE
from ..attack_helpers import client, denied, odoo_shell, tool_ok, tool_raw

VAT = "BE0477472701"
BARCODE = "4242000042421"
KEYS = ("hidden_admin_write", "hidden_salesman_write")

SETUP = """
import json
Rules = env["mcp.model.access"].sudo()
Fields = env["ir.model.fields"].sudo()
salesman = env["res.users"].search([("login", "=", "biz_salesman")])
partner = env["res.partner"].create({"name": "Biz Hidden Customer", "vat": %(vat)r})
teams = env["crm.team"].search([], limit=2)
order = env["sale.order"].create({"partner_id": partner.id, "user_id": salesman.id, "team_id": teams[0].id})
env.cr.commit()
order.write({"team_id": teams[1].id, "locked": True})  # two tracked changes, one message
env.cr.commit()
product = env["product.product"].create({"name": "Biz Hidden Gadget", "barcode": %(barcode)r,
                                         "default_code": "BIZ-HIDDEN-01"})
invoice = env["account.move"].create({"move_type": "out_invoice", "partner_id": partner.id, "invoice_line_ids": [
    (0, 0, {"name": "Hidden VAT service", "quantity": 1, "price_unit": 100})]})
env.cr.commit()
saved = {}
for model, field in (("res.partner", "vat"), ("sale.order", "team_id"), ("product.product", "barcode")):
    rule = Rules.with_context(active_test=False).search([("model", "=", model)])
    saved[model] = {"id": rule.id, "hidden": rule.hidden_field_ids.ids} if rule else None
    values = {"hidden_field_ids": [(6, 0, Fields._get(model, field).ids)]}
    if rule:
        rule.write(values)
    else:
        Rules.create(dict(values, model_id=env["ir.model"]._get_id(model), perm_read=True, perm_create=True,
                          perm_write=True, perm_unlink=True))
env.cr.commit()
env.registry.signal_changes()
print("OUT_BEGIN")
print(json.dumps({"order": order.id, "partner": partner.id, "invoice": invoice.id, "product": product.id,
                  "saved": saved}))
print("OUT_END")
"""

TEARDOWN = """
import json
Rules = env["mcp.model.access"].sudo()
saved = json.loads(%(saved)r)
for model, before in saved.items():
    rule = Rules.with_context(active_test=False).search([("model", "=", model)])
    if before is None:
        rule.unlink()
    else:
        rule.write({"hidden_field_ids": [(6, 0, before["hidden"])]})
env.cr.commit()
env.registry.signal_changes()
print("OUT_BEGIN")
print(json.dumps({}))
print("OUT_END")
"""


@pytest.fixture(scope="module")
def hidden(e2e_conf, biz_db, biz_keys):
    """The rules hiding sale.order.team_id and res.partner.vat, an order of
    the sales person whose team changed (tracked), its customer with a VAT;
    the rules as they were afterwards."""
    conf, _db = e2e_conf
    data = odoo_shell(conf, biz_db, SETUP % {"vat": VAT, "barcode": BARCODE})
    yield data
    odoo_shell(conf, biz_db, TEARDOWN % {"saved": json.dumps(data["saved"])})


@pytest.fixture(scope="module")
def mcp(biz_server, biz_keys, hidden):
    return {name: client(biz_server, biz_keys["tokens"][name]) for name in KEYS}


def assert_hidden(body, field, model):
    denied(body, MSG_FIELD_DENIED % {"field": field, "model": model},
           {"model": model, "field": field, "reason": "field"})


@pytest.mark.parametrize("key", KEYS)
def test_tracking_value_of_a_hidden_field_never_shows(mcp, hidden, key):
    body = tool_raw(mcp[key], "read_messages", {"model": "sale.order", "id": hidden["order"]})
    trackings = [value for message in tool_ok(body)["messages"] for value in message["tracking"]]
    assert "locked" in [value["field"] for value in trackings]  # the other tracked change shows
    assert "team_id" not in [value["field"] for value in trackings]
    assert "Sales Team" not in json.dumps(body)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("case", ["domain", "order", "any", "text_on_the_link"])
def test_dotted_path_from_sale_order(mcp, hidden, key, case):
    arguments = {"model": "sale.order", "domain": [["id", "=", hidden["order"]]]}
    if case == "domain":
        arguments["domain"] = [["partner_id.vat", "=", VAT]]
    elif case == "order":
        arguments["order"] = "partner_id.vat"
    elif case == "any":
        arguments["domain"] = [["partner_id", "any", [["vat", "ilike", "BE04"]]]]
    else:  # Odoo matches the text with the partners' name search, VAT included
        arguments["domain"] = [["partner_id", "ilike", VAT]]
    assert_hidden(tool_raw(mcp[key], "search_read", arguments), "vat", "res.partner")


@pytest.mark.parametrize("key", KEYS)
def test_hidden_field_of_sale_order(mcp, hidden, key):
    order = hidden["order"]
    assert_hidden(tool_raw(mcp[key], "read", {"model": "sale.order", "ids": [order], "fields": ["team_id"]}),
                  "team_id", "sale.order")
    assert_hidden(tool_raw(mcp[key], "aggregate", {"model": "sale.order", "groupby": ["team_id"]}),
                  "team_id", "sale.order")
    rows = tool_ok(tool_raw(mcp[key], "search_read", {"model": "sale.order", "domain": [["id", "=", order]]}))
    assert [row["id"] for row in rows["records"]] == [order]
    assert "team_id" not in rows["records"][0]
    schema = tool_ok(tool_raw(mcp[key], "get_model_schema", {"model": "sale.order", "compact": True}))
    assert "team_id" not in [entry["name"] for entry in schema["fields"]] + schema["blocked_fields"]
    assert "partner_id" in [entry["name"] for entry in schema["fields"]]


@pytest.mark.parametrize("key", KEYS)
def test_report_refused_without_allow_reports(mcp, hidden, key):
    body = tool_raw(mcp[key], "print_report", {"model": "sale.order", "report": "sale.report_saleorder",
                                               "ids": [hidden["order"]]})
    denied(body, MSG_REPORT_RULE % {"model": "sale.order"}, {"model": "sale.order", "reason": "rule"})


@pytest.mark.parametrize("key", KEYS)
def test_invoice_of_the_customer_refused(mcp, hidden, key):
    """account.move has no rule: its invoice report would print the
    customer's VAT that the res.partner rule hides."""
    body = tool_raw(mcp[key], "print_report", {"model": "account.move", "report": "account.report_invoice",
                                               "ids": [hidden["invoice"]]})
    denied(body, MSG_REPORT_HIDDEN_FIELDS % {"model": "account.move"},
           {"model": "account.move", "reason": "hidden_fields"})
    assert VAT not in json.dumps(body)


@pytest.mark.parametrize("key", KEYS)
def test_own_name_search_of_products(mcp, hidden, key):
    """product.product searches display names its own way (code, barcode):
    its hidden barcode finds nothing by name_search and is refused as a text
    on a link to products; the name and the code still find the product."""
    found = tool_ok(tool_raw(mcp[key], "name_search", {"model": "product.product", "name": BARCODE}))
    assert found["results"] == []
    assert_hidden(tool_raw(mcp[key], "search_read", {"model": "sale.order.line",
                                                     "domain": [["product_id", "ilike", BARCODE]]}),
                  "barcode", "product.product")
    for text in ("Biz Hidden Gadget", "BIZ-HIDDEN-01"):  # its name, its code (the product's own search)
        found = tool_ok(tool_raw(mcp[key], "name_search", {"model": "product.product", "name": text}))
        assert [row[0] for row in found["results"]] == [hidden["product"]], text
