"""The business test database: Sales, Invoicing, CRM and Inventory demo data
reachable through /mcp, as the admin and as a sales person."""
import asyncio

from .. import sdk1


def test_admin_reads_demo_sales_orders(biz_server, biz_keys):
    result = asyncio.run(sdk1.call_tool(biz_server.url + "/mcp", biz_keys["tokens"]["smoke_admin_read"],
                                        "search_read", {"model": "sale.order", "fields": ["name", "state"],
                                                        "limit": 5}))
    assert not result.get("isError"), result
    assert result["structuredContent"]["records"], "demo sales orders are there"


def test_salesman_sees_only_what_odoo_gives_him(biz_server, biz_keys):
    url, token = biz_server.url + "/mcp", biz_keys["tokens"]["smoke_salesman_read"]
    orders = asyncio.run(sdk1.call_tool(url, token, "count", {"model": "sale.order"}))
    admin_orders = asyncio.run(sdk1.call_tool(url, biz_keys["tokens"]["smoke_admin_read"], "count",
                                              {"model": "sale.order"}))
    assert not orders.get("isError") and not admin_orders.get("isError"), (orders, admin_orders)
    # "own documents only": the salesman sees fewer orders than the admin
    assert orders["structuredContent"]["count"] < admin_orders["structuredContent"]["count"]
