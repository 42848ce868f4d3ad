"""Issue 16 on the business database, as a real client (the 1.x Python SDK)
calls the tools, with the admin's key and with a sales person's key (who gets
only what Odoo gives him): who am I, my pipeline, assign to Marc, business
words in list_models, a form's buttons, and the bugs found on the way."""
import asyncio

import pytest
from mcp.shared.exceptions import McpError

from .. import sdk1

WHO = ("admin", "salesman")


def run(server, token, flow):
    """Run ``flow(call)`` in one SDK session; ``call(name, args)`` returns the
    tool result as a dict (``structuredContent``, ``content``, ``isError``)."""
    async def main():
        async with sdk1.open_session(server.url + "/mcp", token) as (session, init):
            async def call(name, arguments=None):
                return sdk1._dump(await session.call_tool(name, arguments or {}))
            return await flow(call, init)
    return asyncio.run(main())


def ok(result):
    assert not result.get("isError"), result
    return result["structuredContent"]


def error_text(result):
    assert result.get("isError") is True, result
    return result["content"][0]["text"]


@pytest.mark.parametrize("who", WHO)
def test_whoami_and_my_pipeline(biz_server, biz_keys, who):
    """whoami → the key's user; "my pipeline" → crm.lead where user_id is that id,
    with the salesperson's name shown, as many leads as Odoo lets the user see."""
    async def flow(call, _init):
        me = ok(await call("whoami", {}))
        pipeline = ok(await call("search_read", {"model": "crm.lead", "domain": [["user_id", "=", me["user"]["id"]]],
                                                 "fields": ["name", "user_id", "stage_id"], "limit": 100}))
        counted = ok(await call("count", {"model": "crm.lead", "domain": [["user_id", "=", me["user"]["id"]]]}))
        return me, pipeline, counted

    me, pipeline, counted = run(biz_server, biz_keys["tokens"][f"people_{who}_write"], flow)
    assert me["user"]["id"] == biz_keys["users"][who]
    assert me["scope"] == "write"
    assert me["access"]["crm.lead"]["read"] is True
    assert me["access"]["sale.order"]["create"] is True
    assert me["company"]["id"] in [c["id"] for c in me["companies"]]
    assert pipeline["count"] == counted["count"] == len(pipeline["records"])
    for lead in pipeline["records"]:
        assert lead["user_id"] == [me["user"]["id"], me["user"]["name"]]
    if who == "admin":
        assert pipeline["count"] > 0, "demo leads are the admin's"


@pytest.mark.parametrize("who", WHO)
def test_assign_to_marc(biz_server, biz_keys, who):
    """find_user("Marc") → Marc Demo's id → update a lead's user_id → the lead
    shows [id, "Marc Demo"]. The salesman gets what Odoo gives him: he may
    assign a lead to himself (found by his name); handing his lead to Marc
    is refused by Odoo's own-documents rule (the lead would leave his
    reach while Odoo notifies), as a clean access error, nothing written."""
    async def flow(call, _init):
        found = ok(await call("find_user", {"name": "Marc"}))
        lead = ok(await call("create", {"model": "crm.lead", "values": {"name": f"People: assign ({who})"}}))
        marc = next(user for user in found["users"] if user["name"] == "Marc Demo")
        me = ok(await call("whoami", {}))["user"]
        mine = ok(await call("find_user", {"name": me["name"]}))["users"]
        try:
            to_marc = await call("update", {"model": "crm.lead", "ids": [lead["id"]],
                                            "values": {"user_id": marc["id"]}})
        except McpError as exc:
            to_marc = {"error": exc.error.model_dump()}
        read = await call("read", {"model": "crm.lead", "ids": [lead["id"]], "fields": ["user_id"]})
        return found, marc, me, mine, to_marc, read

    found, marc, me, mine, to_marc, read = run(biz_server, biz_keys["tokens"][f"people_{who}_write"], flow)
    assert all(set(user) == {"id", "name"} for user in found["users"])
    names = [user["name"] for user in found["users"]]
    assert "Marc Portal" not in names and "Marc Archived" not in names
    assert mine == [me], "one finds oneself by name"
    if who == "admin":
        assert ok(to_marc)["count"] == 1
        assert ok(read)["records"][0]["user_id"] == [marc["id"], "Marc Demo"]
    else:
        assert to_marc["error"]["code"] == -32003 and to_marc["error"]["data"]["reason"] == "acl", to_marc
        assert ok(read)["records"][0]["user_id"] in ([me["id"], me["name"]], None), "unchanged"


@pytest.mark.parametrize("who", WHO)
def test_business_words_find_their_models(biz_server, biz_keys, who):
    """"vendor bills", "quotations", "deliveries" are menus, not model names:
    list_models finds account.move, sale.order, stock.picking through the
    menus the user sees, with the menu's filter and defaults."""
    async def flow(call, _init):
        return {query: ok(await call("list_models", {"query": query}))
                for query in ("vendor bills", "quotation", "delivery")}

    found = run(biz_server, biz_keys["tokens"][f"people_{who}_read"], flow)
    first = {query: result["models"][0] for query, result in found.items()}
    assert first["vendor bills"]["model"] == "account.move"
    bills = first["vendor bills"]["menus"][0]
    assert "in_invoice" in bills["domain"] or (bills["defaults"] or {}).get("move_type") == "in_invoice"
    assert bills["defaults"]["move_type"] == "in_invoice"
    assert first["quotation"]["model"] == "sale.order", found["quotation"]
    assert first["delivery"]["model"] == "stock.picking"


@pytest.mark.parametrize("who", WHO)
def test_list_actions_on_sale_order(biz_server, biz_keys, who):
    """list_actions on sale.order shows Confirm (action_confirm) and when it
    applies; a mistyped method gets "did you mean" through execute_method."""
    async def flow(call, _init):
        actions = ok(await call("list_actions", {"model": "sale.order"}))
        typo = await call("execute_method", {"model": "sale.order", "method": "action_confrim"})
        return actions, typo

    actions, typo = run(biz_server, biz_keys["tokens"][f"people_{who}_write"], flow)
    confirm = [a for a in actions["actions"] if a["method"] == "action_confirm"]
    assert confirm and confirm[0]["label"] == "Confirm"
    assert "state" in confirm[0]["invisible"]
    assert "Did you mean: action_confirm" in error_text(typo)


@pytest.mark.parametrize("who", WHO)
def test_schema_defaults_and_list_view_fields(biz_server, biz_keys, who):
    async def flow(call, _init):
        schema = ok(await call("get_model_schema", {"model": "sale.order", "compact": True,
                                                    "fields": ["partner_id", "date_order", "name", "customer"]}))
        orders = ok(await call("search_read", {"model": "sale.order", "limit": 2}))
        return schema, orders

    schema, orders = run(biz_server, biz_keys["tokens"][f"people_{who}_read"], flow)
    fields = {f["name"]: f for f in schema["fields"]}
    assert fields["partner_id"]["required"] is True and fields["partner_id"]["has_default"] is False
    assert fields["date_order"]["has_default"] is True and fields["name"]["has_default"] is True
    assert [f["name"] for f in schema["unknown_fields"]] == ["customer"]
    assert schema["unknown_fields"][0]["suggestions"][0] == "partner_id", "labelled Customer"
    # the Quotations list's columns: number, date, customer, salesperson, total, status
    assert {"name", "partner_id", "user_id", "amount_total", "state"} <= set(orders["fields"])
    for order in orders["records"]:  # the salesman may have none of his own
        assert order["user_id"] is None or order["user_id"][1], "the salesperson's name is shown"


@pytest.mark.parametrize("who", WHO)
def test_bugs_found_on_the_way(biz_server, biz_keys, who):
    async def flow(call, init):
        lead = ok(await call("create", {"model": "crm.lead", "values": {"name": f"People: lost ({who})",
                                                                         "type": "opportunity"}}))
        lead_id = lead["ids"][0] if "ids" in lead else lead["id"]
        reasons = ok(await call("search_read", {"model": "crm.lost.reason", "fields": ["name"], "limit": 1}))
        return {
            "init": init.instructions,
            "value_error": await call("execute_method", {"model": "crm.lead", "method": "action_set_lost",
                                                         "ids": [lead_id], "kwargs": {"lost_reason": "too late"}}),
            "computed_kwarg": await call("execute_method", {"model": "crm.lead", "method": "action_set_lost",
                                                            "ids": [lead_id], "kwargs": {"day_open": 3.0}}),
            "hidden_link_kwarg": await call("execute_method", {"model": "crm.lead", "method": "action_set_lost",
                                                               "ids": [lead_id], "kwargs": {"lost_reason_id": 99999}}),
            "lost": await call("execute_method", {"model": "crm.lead", "method": "action_set_lost", "ids": [lead_id],
                                                  "kwargs": {"lost_reason_id": reasons["records"][0]["id"]}}),
            "bad_date": await call("search_read", {"model": "sale.order",
                                                   "domain": [["date_order", ">=", "2026-02-30"]]}),
            "flat": await call("count", {"model": "sale.order", "domain": ["state", "=", "sale"]}),
            "suggest": await call("search_read", {"model": "sale.order", "fields": ["customer"]}),
            "years": await call("aggregate", {"model": "crm.lead", "groupby": ["create_date:year"]}),
        }

    out = run(biz_server, biz_keys["tokens"][f"people_{who}_write"], flow)
    assert "crm.lead (leads and opportunities (the pipeline))" in out["init"]
    assert "post_message" in out["init"] and "whoami" in out["init"]
    assert error_text(out["value_error"]) == "Odoo refused the call: Invalid field 'lost_reason' on model 'crm.lead'"
    assert "computed" in error_text(out["computed_kwarg"])
    assert "no crm.lost.reason record with id 99999" in error_text(out["hidden_link_kwarg"])
    assert ok(out["lost"])["method"] == "action_set_lost"
    assert "use \"YYYY-MM-DD\"" in error_text(out["bad_date"])
    assert "wrap the condition in a list" in error_text(out["flat"])
    assert "Did you mean: partner_id" in error_text(out["suggest"])
    years = [group["create_date:year"] for group in ok(out["years"])["groups"]]
    assert years and all(len(year) == 4 and year.isdigit() for year in years), years
