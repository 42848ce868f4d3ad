"""Writes a human confirms or approves, on the business database (issue 18):

* an *approve* write notifies the approvers in Odoo (Discuss is installed
  here): one message on the request, in each approver's inbox, none for the
  requester;
* pressing a dialog's button under a policy (the payment wizard's *Create
  Payment*, the policy naming that button only, so the dialog opens at
  once): with *confirm* and a client that cannot be asked, the clear tool
  error and no payment; with *approve*, a pending request, no payment until
  an approver approves in Odoo, then the invoice is paid.
"""
import uuid

import pytest

from ..attack_helpers import client, tool_ok, tool_raw
from ..reliability import DbProbe
from ..test_key_changes import OdooRpc

CANNOT_CONFIRM = (
    "This write needs the confirmation of the person using the agent, but this client cannot ask them "
    "(it does not support elicitation): nothing was written. Use a client that supports elicitation, or ask "
    "an administrator to let such writes go to an approver.")


def ok(mcp, tool, arguments):
    return tool_ok(tool_raw(mcp, tool, arguments))


@pytest.fixture(scope="module")
def approver(biz_server, biz_db, biz_keys):
    login = biz_keys["approvals"]["approver"]
    return OdooRpc(biz_server, biz_db, login["login"], login["password"])


@pytest.fixture(scope="module")
def probe(e2e_conf, biz_db):
    conf, _db = e2e_conf
    db_probe = DbProbe(conf, biz_db)
    yield db_probe
    db_probe.close()


@pytest.fixture(scope="module")
def catalog(biz_server, biz_keys):
    mcp = client(biz_server, biz_keys["tokens"]["approvals_admin_read"])
    customer = ok(mcp, "search_read", {"model": "res.partner", "fields": ["name"], "limit": 1, "domain": [
        ["customer_rank", ">", 0], ["is_company", "=", True]]})["records"][0]
    product = ok(mcp, "search_read", {"model": "product.product", "fields": ["name"], "limit": 1, "domain": [
        ["sale_ok", "=", True]]})["records"][0]
    return {"customer": customer["id"], "product": product["id"]}


def _posted_invoice(biz_server, biz_keys, catalog):
    """A posted customer invoice of 3 x 40, made by the sales person's direct key."""
    mcp = client(biz_server, biz_keys["tokens"]["approvals_salesman_write"])
    created = ok(mcp, "create", {"model": "account.move", "values": {
        "move_type": "out_invoice", "partner_id": catalog["customer"], "invoice_date": "2025-01-15",
        "invoice_line_ids": [[0, 0, {"product_id": catalog["product"], "quantity": 3, "price_unit": 40,
                                     "tax_ids": [[6, 0, []]]}]]}})
    ok(mcp, "execute_method", {"model": "account.move", "method": "action_post", "ids": [created["id"]]})
    return created["id"]


def _payment_wizard(mcp, invoice_id):
    opened = ok(mcp, "execute_method", {"model": "account.move", "method": "action_register_payment",
                                        "ids": [invoice_id]})
    assert opened["wizard"]["model"] == "account.payment.register", opened
    return opened["wizard"]


def _payment_state(biz_server, biz_keys, invoice_id):
    mcp = client(biz_server, biz_keys["tokens"]["approvals_salesman_read"])
    invoice = ok(mcp, "read", {"model": "account.move", "ids": [invoice_id],
                               "fields": ["payment_state", "amount_residual"]})["records"][0]
    return invoice["payment_state"]["value"], invoice["amount_residual"]["amount"]


def test_an_approve_write_notifies_the_approvers(biz_server, biz_keys, probe, approver):
    direct = client(biz_server, biz_keys["tokens"]["approvals_salesman_write"])
    partner_id = ok(direct, "create", {"model": "res.partner", "values": {
        "name": f"Approval notice {uuid.uuid4().hex[:8]}", "phone": "+32 2 000 00 10"}})["id"]
    mcp = client(biz_server, biz_keys["tokens"]["approvals_salesman_approve"])
    pending = ok(mcp, "update", {"model": "res.partner", "ids": [partner_id], "values": {"phone": "+32 2 555 10 10"},
                                 "reason": "New number"})
    approval_id = pending["approval"]["id"]
    assert pending["approval"]["state"] == "pending"

    messages = probe.query("SELECT id, subject, body::text FROM mail_message WHERE model = 'mcp.approval' "
                           "AND res_id = %s", (approval_id,))
    assert len(messages) == 1, messages
    message_id, subject, body = messages[0]
    assert subject == f"MCP write to approve: Approval {approval_id}: update res.partner"
    assert "Phone: +32 2 000 00 10 → +32 2 555 10 10" in body
    notified = {row[0] for row in probe.query(
        "SELECT res_partner_id FROM mail_notification WHERE mail_message_id = %s", (message_id,))}
    approvals = biz_keys["approvals"]
    assert {approvals["approver"]["partner_id"], approvals["admin_partner_id"]} <= notified, notified
    salesman_partner = probe.value("SELECT partner_id FROM res_users WHERE id = %s",
                                   (biz_keys["users"]["salesman"],))
    assert salesman_partner not in notified
    # in the inbox of the approver (who prefers Odoo's inbox to email), linked to the request, which they may open
    inbox = approver.execute("mail.message", "search_read", [["needaction", "=", True]], fields=["model", "res_id"])
    assert {"id": message_id, "model": "mcp.approval", "res_id": approval_id} in inbox, inbox
    (opened,) = approver.execute("mcp.approval", "read", [approval_id], fields=["state", "preview_text"])
    assert opened["state"] == "pending" and "+32 2 555 10 10" in opened["preview_text"]


def test_confirm_press_without_elicitation_pays_nothing(biz_server, biz_keys, catalog):
    invoice_id = _posted_invoice(biz_server, biz_keys, catalog)
    mcp = client(biz_server, biz_keys["tokens"]["approvals_salesman_confirm"])  # no elicitation capability
    wizard = _payment_wizard(mcp, invoice_id)
    body = tool_raw(mcp, "wizard", {"action": "press", "handle": wizard["handle"], "button": "action_create_payments"})
    assert body["result"]["isError"] is True, body
    assert body["result"]["content"][0]["text"] == CANNOT_CONFIRM
    assert _payment_state(biz_server, biz_keys, invoice_id) == ("not_paid", 120)


def test_approve_press_pays_once_approved_in_odoo(biz_server, biz_keys, catalog, approver):
    invoice_id = _posted_invoice(biz_server, biz_keys, catalog)
    mcp = client(biz_server, biz_keys["tokens"]["approvals_salesman_approve"])
    wizard = _payment_wizard(mcp, invoice_id)
    pending = ok(mcp, "wizard", {"action": "press", "handle": wizard["handle"], "button": "action_create_payments",
                                 "reason": "The customer paid by transfer"})
    approval = pending["approval"]
    # the dialog works on the invoice's receivable lines (its active_model): their policy applies
    assert (approval["state"], approval["tool"], approval["model"]) == ("pending", "wizard", "account.move.line")
    assert approval["preview"].startswith("Call action_create_payments on "), approval["preview"]
    assert "(account.move.line) record(s)" in approval["preview"], approval["preview"]
    assert "Reason given by the agent: The customer paid by transfer" in approval["preview"]
    assert _payment_state(biz_server, biz_keys, invoice_id) == ("not_paid", 120), "nothing pressed yet"

    action = approver.execute("mcp.approval", "action_approve", [approval["id"]])
    assert action["params"]["type"] == "success", action
    outcome = ok(mcp, "get_approval", {"id": approval["id"]})
    assert outcome["state"] == "done", outcome
    state, residual = _payment_state(biz_server, biz_keys, invoice_id)
    assert state in ("paid", "in_payment") and residual == 0, (state, residual)
