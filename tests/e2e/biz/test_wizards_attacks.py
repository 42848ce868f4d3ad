"""Attacks on the wizard and duplicate tools through /mcp on the business
database: admin wizards, forged and foreign handles, read-only keys,
buttons not on the form, context injection, records the user may not read.
Each expects the exact JSON-RPC error or tool error."""
import base64
import json

import pytest

from ..attack_helpers import client, denied, tool_error_text, tool_ok, tool_raw
from .test_wizards_flows import catalog, ok  # noqa: F401 - the fixture is used by name

HANDLE = "Unknown or expired wizard handle: call the method that opens the wizard again."


@pytest.fixture(scope="module")
def orders(biz_server, biz_keys, catalog):  # noqa: F811
    """A quotation of the admin and one of the salesman (who cannot read the admin's)."""
    made = {}
    for who in ("admin", "salesman"):
        mcp = client(biz_server, biz_keys["tokens"][f"wizards_{who}_write"])
        made[who] = ok(mcp, "create", {"model": "sale.order", "values": {
            "partner_id": catalog["customer"],
            "order_line": [[0, 0, {"product_id": catalog["product"], "product_uom_qty": 1}]]}})["id"]
    return made


@pytest.fixture(scope="module")
def composer(biz_server, biz_keys, orders):
    """The admin's email composer on his quotation (a live wizard handle)."""
    mcp = client(biz_server, biz_keys["tokens"]["wizards_admin_write"])
    return ok(mcp, "execute_method", {"model": "sale.order", "method": "action_quotation_send",
                                      "ids": [orders["admin"]]})["wizard"]


def test_admin_wizard_stays_blocked(biz_server, biz_keys):
    """The admin may call the onboarding step (a model-access rule allows it),
    but the document layout dialog it opens is an admin wizard."""
    mcp = client(biz_server, biz_keys["tokens"]["wizards_admin_write"])
    body = tool_raw(mcp, "execute_method", {"model": "onboarding.onboarding.step",
                                            "method": "action_open_step_base_document_layout"})
    denied(body, "Wizard 'base.document.layout' is not available through MCP.",
           {"model": "base.document.layout", "reason": "wizard"})


@pytest.mark.parametrize("target", ["res.config.settings", "change.password.wizard", "base.module.upgrade"])
def test_forged_handle_naming_an_admin_wizard(biz_server, biz_keys, composer, target):
    mcp = client(biz_server, biz_keys["tokens"]["wizards_admin_write"])
    body, mac = composer["handle"].split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["m"] = target
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode() + "." + mac
    denied(tool_raw(mcp, "wizard", {"action": "read", "handle": forged}), HANDLE, {"reason": "wizard"})


@pytest.mark.parametrize("token", ["wizards_admin_write_other", "wizards_salesman_write"])
def test_handle_of_another_key(biz_server, biz_keys, composer, token):
    mcp = client(biz_server, biz_keys["tokens"][token])
    for arguments in ({"action": "read"}, {"action": "press", "button": "action_send_mail"}):
        denied(tool_raw(mcp, "wizard", dict(arguments, handle=composer["handle"])), HANDLE, {"reason": "wizard"})


def test_read_only_key(biz_server, biz_keys, composer, orders):
    mcp = client(biz_server, biz_keys["tokens"]["wizards_admin_read"])
    denied(tool_raw(mcp, "wizard", {"action": "read", "handle": composer["handle"]}),
           "This API key is read-only: wizards change data and need a read-write key.", {"reason": "scope"})
    denied(tool_raw(mcp, "wizard", {"action": "open", "model": "sale.order", "ids": [orders["admin"]],
                                    "button": "Create Invoice"}),
           "This API key is read-only: wizards change data and need a read-write key.", {"reason": "scope"})
    denied(tool_raw(mcp, "duplicate", {"model": "sale.order", "id": orders["admin"]}),
           "This API key is read-only: 'create' on 'sale.order' is not allowed.",
           {"model": "sale.order", "reason": "scope", "operation": "create"})


def test_button_not_on_the_form(biz_server, biz_keys, composer):
    mcp = client(biz_server, biz_keys["tokens"]["wizards_admin_write"])
    buttons = sorted(b["name"] for b in composer["buttons"])
    listed = ", ".join(f"{b['name']} ({b['string']})" for b in composer["buttons"])
    for button in ("_action_send_mail", "unlink", "action_send_mail_and_cancel"):
        body = tool_raw(mcp, "wizard", {"action": "press", "handle": composer["handle"], "button": button})
        denied(body, f"Wizard 'mail.compose.message' has no button '{button}' you can press; its buttons: {listed}.",
               {"model": "mail.compose.message", "button": button, "reason": "method", "buttons": buttons})


def test_field_not_offered_by_the_form(biz_server, biz_keys, composer):
    """res_ids (the records the mail goes to) is not editable on the form."""
    mcp = client(biz_server, biz_keys["tokens"]["wizards_admin_write"])
    body = tool_raw(mcp, "wizard", {"action": "set", "handle": composer["handle"], "values": {"res_ids": "[1]"}})
    assert tool_error_text(body).startswith(
        "Field 'res_ids' of wizard 'mail.compose.message' cannot be set: the wizard's form does not offer it"
        " for editing. Editable fields: ")


def test_context_injection_is_dropped(biz_server, biz_keys, orders):
    """The salesman names the admin's quotation in active_ids/default_res_ids:
    the composer still works on his own quotation only."""
    mcp = client(biz_server, biz_keys["tokens"]["wizards_salesman_write"])
    names = {who: tool_ok(tool_raw(client(biz_server, biz_keys["tokens"][f"wizards_{who}_write"]), "read", {
        "model": "sale.order", "ids": [orders[who]], "fields": ["name"]}))["records"][0]["name"]
        for who in ("admin", "salesman")}
    opened = ok(mcp, "execute_method", {
        "model": "sale.order", "method": "action_quotation_send", "ids": [orders["salesman"]],
        "context": {"active_model": "sale.order", "active_ids": [orders["admin"]], "active_id": orders["admin"],
                    "default_res_ids": [orders["admin"]], "default_model": "sale.order"}})
    subject = opened["wizard"]["fields"]["subject"]["value"]
    assert names["salesman"] in subject and names["admin"] not in subject, subject
    # his records only: the admin's quotation is not one he may open a dialog on
    body = tool_raw(mcp, "execute_method", {"model": "sale.order", "method": "action_quotation_send",
                                            "ids": [orders["admin"]]})
    assert tool_error_text(body) == f"No sale.order record with id {orders['admin']}."
    body = tool_raw(mcp, "wizard", {"action": "open", "model": "sale.order", "ids": [orders["admin"]],
                                    "button": "Create Invoice"})
    assert tool_error_text(body) == f"No sale.order record with id {orders['admin']}."
    # and the wizard tool takes no context at all
    body = tool_raw(mcp, "wizard", {"action": "read", "handle": opened["wizard"]["handle"],
                                    "context": {"active_ids": [orders["admin"]]}})
    assert tool_error_text(body).startswith("Invalid arguments: arguments: Additional properties are not allowed")


def test_duplicate_attacks(biz_server, biz_keys, orders):
    mcp = client(biz_server, biz_keys["tokens"]["wizards_salesman_write"])
    denied(tool_raw(mcp, "duplicate", {"model": "res.users", "id": biz_keys["users"]["salesman"]}),
           "Model 'res.users' is not available through MCP.", {"model": "res.users", "reason": "blocked"})
    denied(tool_raw(mcp, "duplicate", {"model": "res.company", "id": 1}),
           "Model 'res.company' is read-only through MCP: 'create' is administration.",
           {"model": "res.company", "reason": "read_only", "operation": "create"})
    body = tool_raw(mcp, "duplicate", {"model": "sale.order", "id": orders["admin"]})
    assert tool_error_text(body) == f"No sale.order record with id {orders['admin']}."
    # a default override is checked like a create: no link to a record he may not read
    body = tool_raw(mcp, "duplicate", {"model": "sale.order", "id": orders["salesman"],
                                       "default": {"origin": "copy", "state": "sale"}})
    assert tool_error_text(body) == "Field 'state' of model 'sale.order' is read-only."


@pytest.fixture(scope="module")
def returns(biz_server, biz_keys, catalog):  # noqa: F811
    """The return dialog of a delivered order, opened by the admin and by the
    salesman on a delivery of their own: ``{who: (mcp, wizard)}``."""
    opened = {}
    for who in ("admin", "salesman"):
        mcp = client(biz_server, biz_keys["tokens"][f"wizards_{who}_write"])
        order = ok(mcp, "create", {"model": "sale.order", "values": {
            "partner_id": catalog["customer"],
            "order_line": [[0, 0, {"product_id": catalog["product"], "product_uom_qty": 2}]]}})["id"]
        ok(mcp, "execute_method", {"model": "sale.order", "method": "action_confirm", "ids": [order]})
        picking = ok(mcp, "search_read", {"model": "stock.picking", "domain": [["sale_id", "=", order]],
                                          "fields": ["move_ids"], "limit": 1})["records"][0]
        ok(mcp, "update", {"model": "stock.move", "ids": picking["move_ids"],
                           "values": {"quantity": 2, "picked": True}})
        answer = ok(mcp, "execute_method", {"model": "stock.picking", "method": "button_validate",
                                            "ids": [picking["id"]]})
        while answer.get("wizard", {}).get("model") == "confirm.stock.sms":
            answer = ok(mcp, "wizard", {"action": "press", "handle": answer["wizard"]["handle"],
                                        "button": "dont_send_sms"})
        wizard = ok(mcp, "wizard", {"action": "open", "model": "stock.picking", "ids": [picking["id"]],
                                    "button": "Return"})["wizard"]
        opened[who] = (mcp, wizard)
    return opened


def _lines_refused(wizard):
    lines = wizard["fields"]["product_return_moves"]
    editable = [name for name, column in lines["columns"].items() if column["editable"]]
    return (f"Lines of 'product_return_moves' of wizard 'stock.return.picking' are set with [1, line_id, {{values}}]"
            f" for lines the wizard shows (ids: {', '.join(map(str, lines['value']))}), values of its editable"
            f" columns: {', '.join(editable)}.")


@pytest.mark.parametrize("who", ["admin", "salesman"])
def test_return_lines_of_the_dialog_only(returns, who):
    """A return dialog's lines: its own lines, its editable columns, updates
    only; values checked like a write. Nothing of it changes the lines."""
    mcp, wizard = returns[who]
    other = "salesman" if who == "admin" else "admin"
    lines = wizard["fields"]["product_return_moves"]
    assert lines["columns"]["quantity"]["editable"] is True and "move_id" not in lines["columns"]
    assert [row["quantity"] for row in lines["lines"]] == [0]
    mine, foreign = lines["value"][0], returns[other][1]["fields"]["product_return_moves"]["value"][0]
    for value in ([[1, foreign, {"quantity": 1}]],           # a line of another user's dialog
                  [[1, mine, {"move_id": 1}]],                # a column the list does not show
                  [[0, 0, {"product_id": 1, "quantity": 1}]],  # a new line
                  [[2, mine]], [[5]], [mine], "1"):
        body = tool_raw(mcp, "wizard", {"action": "set", "handle": wizard["handle"],
                                        "values": {"product_return_moves": value}})
        assert tool_error_text(body) == _lines_refused(wizard), value
    body = tool_raw(mcp, "wizard", {"action": "set", "handle": wizard["handle"],
                                    "values": {"product_return_moves": [[1, mine, {"quantity": "all"}]]}})
    assert tool_error_text(body) == ("Invalid value \"all\" for field 'quantity' (float) of model "
                                     "'stock.return.picking.line': expected a number.")
    read = ok(mcp, "wizard", {"action": "read", "handle": wizard["handle"]})["wizard"]
    assert [row["quantity"] for row in read["fields"]["product_return_moves"]["lines"]] == [0]
    # the control: the dialog's own line, its editable column
    done = ok(mcp, "wizard", {"action": "set", "handle": wizard["handle"],
                              "values": {"product_return_moves": [[1, mine, {"quantity": 2}]]}})["wizard"]
    assert [row["quantity"] for row in done["fields"]["product_return_moves"]["lines"]] == [2]
