"""Resource subscriptions end to end: an SDK 1.x client subscribed to a
record on the threaded server is notified when another key updates it
through ``/mcp`` — on the same server and on a second Odoo server process on
the same database — and no longer once its user cannot read the record or
after ``resources/unsubscribe``."""
import anyio
import pytest
from mcp import ClientSession, types
from mcp.client.streamable_http import streamablehttp_client

from .harness import OdooServer
from .rawmcp import RawMcp

QUIET_SECONDS = 3


@pytest.fixture(scope="module")
def second_server(e2e_conf):
    conf, db = e2e_conf
    server = OdooServer(conf, db, workers=0).start()
    yield server
    server.stop()


def _updated_uris(received):
    return [str(m.root.params.uri) for m in received if isinstance(m.root, types.ResourceUpdatedNotification)]


def test_subscriber_notified_across_servers_until_out_of_reach(threaded_server, second_server, e2e_keys):
    tokens = e2e_keys["tokens"]
    admin_here = RawMcp(threaded_server.url, tokens["admin_write"])
    admin_there = RawMcp(second_server.url, tokens["admin_write"])
    company_b_there = RawMcp(second_server.url, tokens["attack_company_b"])  # a partner manager of company B
    for client in (admin_here, admin_there, company_b_there):
        client.initialize()
    created = admin_here.tool("create", {"model": "res.partner", "values": {"name": "E2E watched"}})
    partner_id = created["structuredContent"]["id"]
    uri = f"odoo://record/res.partner/{partner_id}"
    company_b = admin_here.tool("search_read", {"model": "res.company", "domain": [["name", "=", "E2E Company B"]],
                                                "fields": ["id"]})["structuredContent"]["records"][0]["id"]
    received = []
    arrived = anyio.Event()

    async def on_message(message):
        if isinstance(message, types.ServerNotification):
            received.append(message)
            arrived.set()

    async def wait_for_update(timeout=15):
        nonlocal arrived
        with anyio.fail_after(timeout):
            while not _updated_uris(received):
                await arrived.wait()
                arrived = anyio.Event()
        uris = _updated_uris(received)
        received.clear()
        return uris

    async def update(client, values):
        result = await anyio.to_thread.run_sync(client.tool, "update", {
            "model": "res.partner", "ids": [partner_id], "values": values})
        assert not result.get("isError"), result

    async def quiet():
        await anyio.sleep(QUIET_SECONDS)
        uris = _updated_uris(received)
        received.clear()
        return uris

    async def scenario():
        headers = {"Authorization": f"Bearer {tokens['employee_read']}"}
        async with streamablehttp_client(threaded_server.url + "/mcp", headers=headers) as streams, \
                ClientSession(streams[0], streams[1], message_handler=on_message) as session:
            init = await session.initialize()
            assert init.capabilities.resources.subscribe is True
            await session.subscribe_resource(uri)
            await anyio.sleep(1)  # the GET stream is open

            # another key, same server
            await update(admin_here, {"name": "E2E watched 2"})
            assert await wait_for_update() == [uri]
            # another key, another Odoo server on the same database
            await update(admin_there, {"phone": "+32 2 555 00 00"})
            assert await wait_for_update() == [uri]
            # the record moves to a company the subscriber's user is not in: not told
            await update(admin_there, {"company_id": company_b})
            assert await quiet() == []
            await update(company_b_there, {"company_id": False})
            assert await wait_for_update() == [uri]
            # unsubscribed: not told
            await session.unsubscribe_resource(uri)
            await update(admin_here, {"name": "E2E watched 3"})
            assert await quiet() == []

    anyio.run(scenario)
