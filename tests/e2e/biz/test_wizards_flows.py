"""Everyday flows through wizards (issue 16 point 1) and creating what Odoo
lets a user create (point 5), on the business database, through /mcp as a
real client, as the admin and as a sales person (who gets only what Odoo
gives him).

Each flow: quotation created with lines, duplicated, sent by email (the
composer wizard), confirmed; its delivery validated with a backorder (the
backorder wizard, the SMS confirmation first when it shows); invoiced from
the order (the form's Create Invoice dialog), posted and paid (the payment
wizard); the duplicate sent and cancelled (the cancel dialog); a vendor bill
and a customer invoice created with move_type and posted.
"""
import pytest

from ..attack_helpers import client, tool_ok, tool_raw

WHO = ("admin", "salesman")


def ok(mcp, tool, arguments):
    return tool_ok(tool_raw(mcp, tool, arguments))


def press(mcp, wizard, button, values=None):
    arguments = {"action": "press", "handle": wizard["handle"], "button": button}
    if values:
        arguments["values"] = values
    return ok(mcp, "wizard", arguments)


def skip_sms(mcp, answer):
    """stock_sms asks (once per company) whether to text the customer about a
    delivery, before or after the backorder question: answer "no"."""
    while answer.get("wizard", {}).get("model") == "confirm.stock.sms":
        assert "dont_send_sms" in {b["name"] for b in answer["wizard"]["buttons"]}
        answer = press(mcp, answer["wizard"], "dont_send_sms")
    return answer


def one(mcp, model, domain, fields):
    records = ok(mcp, "search_read", {"model": model, "domain": domain, "fields": fields, "limit": 1})["records"]
    assert records, (model, domain)
    return records[0]


@pytest.fixture(scope="module")
def catalog(biz_server, biz_keys):
    """A customer, a vendor and a storable product sold on order, read as the admin."""
    mcp = client(biz_server, biz_keys["tokens"]["wizards_admin_read"])
    customer = one(mcp, "res.partner", [["customer_rank", ">", 0], ["is_company", "=", True]], ["name"])
    vendor = one(mcp, "res.partner", [["supplier_rank", ">", 0], ["is_company", "=", True]], ["name"])
    product = one(mcp, "product.product", [["sale_ok", "=", True], ["is_storable", "=", True],
                                           ["invoice_policy", "=", "order"]], ["name"])
    return {"customer": customer["id"], "vendor": vendor["id"], "product": product["id"]}


def _quotation(mcp, catalog):
    created = ok(mcp, "create", {"model": "sale.order", "values": {
        "partner_id": catalog["customer"],
        "order_line": [[0, 0, {"product_id": catalog["product"], "product_uom_qty": 5}]]}})
    return created["id"]


def _send_by_email(mcp, order_id):
    sent = ok(mcp, "execute_method", {"model": "sale.order", "method": "action_quotation_send", "ids": [order_id]})
    composer = sent["wizard"]
    assert composer["model"] == "mail.compose.message"
    assert composer["fields"]["subject"]["value"], composer["fields"]
    assert "action_send_mail" in {b["name"] for b in composer["buttons"]}
    done = press(mcp, composer, "action_send_mail", {"body": "<p>Your quotation, as discussed.</p>"})
    assert done["result"] == {"done": True} or done["result"], done
    order = ok(mcp, "read", {"model": "sale.order", "ids": [order_id], "fields": ["state"]})["records"][0]
    assert order["state"]["value"] == "sent"


@pytest.mark.parametrize("who", WHO)
def test_quotation_to_paid_invoice(biz_server, biz_keys, catalog, who):
    mcp = client(biz_server, biz_keys["tokens"][f"wizards_{who}_write"])
    order_id = _quotation(mcp, catalog)

    # duplicate (Odoo's copy): lines come along, number and state do not
    copy = ok(mcp, "duplicate", {"model": "sale.order", "id": order_id})
    orders = ok(mcp, "read", {"model": "sale.order", "ids": [order_id, copy["id"]],
                              "fields": ["name", "state", "order_line"]})["records"]
    assert orders[0]["name"] != orders[1]["name"] and orders[1]["state"]["value"] == "draft"
    assert len(orders[1]["order_line"]) == len(orders[0]["order_line"]) == 1

    _send_by_email(mcp, order_id)
    ok(mcp, "execute_method", {"model": "sale.order", "method": "action_confirm", "ids": [order_id]})

    # delivery: 2 of 5 done, the rest as a backorder
    picking = one(mcp, "stock.picking", [["sale_id", "=", order_id]], ["name", "move_ids"])
    ok(mcp, "update", {"model": "stock.move", "ids": picking["move_ids"], "values": {"quantity": 2, "picked": True}})
    validated = ok(mcp, "execute_method", {"model": "stock.picking", "method": "button_validate",
                                           "ids": [picking["id"]]})
    wizard = skip_sms(mcp, validated)["wizard"]
    assert wizard["model"] == "stock.backorder.confirmation", wizard
    assert {"process", "process_cancel_backorder"} <= {b["name"] for b in wizard["buttons"]}
    assert skip_sms(mcp, press(mcp, wizard, "process"))["result"] == {"done": True}
    pickings = ok(mcp, "search_read", {"model": "stock.picking", "domain": [["sale_id", "=", order_id]],
                                       "fields": ["state", "backorder_id"], "order": "id"})["records"]
    assert [p["state"]["value"] for p in pickings][:1] == ["done"]
    assert any(p["backorder_id"] and p["backorder_id"][0] == picking["id"] for p in pickings), pickings

    # invoice from the order: the form's "Create Invoice" dialog
    opened = ok(mcp, "wizard", {"action": "open", "model": "sale.order", "ids": [order_id],
                                "button": "Create Invoice"})
    advance = opened["wizard"]
    assert advance["model"] == "sale.advance.payment.inv"
    assert advance["fields"]["advance_payment_method"]["value"]["value"] == "delivered"
    created = press(mcp, advance, "create_invoices")["result"]
    assert created["res_model"] == "account.move" and created["res_id"], created
    invoice_id = created["res_id"]
    ok(mcp, "execute_method", {"model": "account.move", "method": "action_post", "ids": [invoice_id]})

    # register payment
    paying = ok(mcp, "execute_method", {"model": "account.move", "method": "action_register_payment",
                                        "ids": [invoice_id]})
    register = paying["wizard"]
    assert register["model"] == "account.payment.register"
    invoice = ok(mcp, "read", {"model": "account.move", "ids": [invoice_id],
                               "fields": ["amount_residual", "payment_state"]})["records"][0]
    assert register["fields"]["amount"]["value"]["amount"] == invoice["amount_residual"]["amount"]
    press(mcp, register, "action_create_payments")
    invoice = ok(mcp, "read", {"model": "account.move", "ids": [invoice_id], "fields": ["payment_state"]})["records"][0]
    assert invoice["payment_state"]["value"] in ("paid", "in_payment"), invoice

    # the duplicate: sent, then cancelled through the cancel dialog
    _send_by_email(mcp, copy["id"])
    cancelling = ok(mcp, "execute_method", {"model": "sale.order", "method": "action_cancel", "ids": [copy["id"]]})
    assert cancelling["wizard"]["model"] == "sale.order.cancel"
    press(mcp, cancelling["wizard"], "action_cancel")
    state = ok(mcp, "read", {"model": "sale.order", "ids": [copy["id"]], "fields": ["state"]})["records"][0]["state"]
    assert state["value"] == "cancel"


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("move_type", ["in_invoice", "out_invoice"])
def test_create_vendor_bill_and_invoice_with_lines(biz_server, biz_keys, catalog, who, move_type):
    mcp = client(biz_server, biz_keys["tokens"][f"wizards_{who}_write"])
    partner = catalog["vendor"] if move_type == "in_invoice" else catalog["customer"]
    created = ok(mcp, "create", {"model": "account.move", "values": {
        "move_type": move_type, "partner_id": partner, "invoice_date": "2025-01-15",
        "invoice_line_ids": [[0, 0, {"product_id": catalog["product"], "quantity": 3, "price_unit": 40}]]}})
    ok(mcp, "execute_method", {"model": "account.move", "method": "action_post", "ids": [created["id"]]})
    move = ok(mcp, "read", {"model": "account.move", "ids": [created["id"]],
                            "fields": ["move_type", "state", "amount_untaxed"]})["records"][0]
    assert (move["move_type"]["value"], move["state"]["value"]) == (move_type, "posted")
    assert move["amount_untaxed"]["amount"] == 120


@pytest.mark.parametrize("who", WHO)
def test_read_only_fields_not_preset_by_odoo_stay_refused_on_create(biz_server, biz_keys, catalog, who):
    """move_type is accepted on create (Odoo's menus preset it); state is not."""
    mcp = client(biz_server, biz_keys["tokens"][f"wizards_{who}_write"])
    body = tool_raw(mcp, "create", {"model": "account.move", "values": {
        "move_type": "out_invoice", "partner_id": catalog["customer"], "state": "posted"}})
    assert body["result"]["isError"] is True
    assert body["result"]["content"][0]["text"] == "Field 'state' of model 'account.move' is read-only."
