"""The 1.x Python MCP SDK (``mcp==1.30.0``, installed with Odoo's Python) as a
real client for end-to-end tests: Streamable HTTP and the legacy HTTP+SSE
transport, both with the bearer header.

Every helper opens its own connection, runs ``initialize`` and returns plain
JSON-able dicts, e.g.::

    report = asyncio.run(sdk1.session_report(url + "/mcp", token, tool="list_models"))
    report["initialize"]["protocolVersion"], report["tools"], report["call"]["isError"]
"""
from contextlib import asynccontextmanager

from mcp import ClientSession
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamablehttp_client


def _headers(token, extra=None):
    headers = {"Authorization": "Bearer %s" % token} if token else {}
    headers.update(extra or {})
    return headers


def _dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


@asynccontextmanager
async def open_session(url, token, transport="http", headers=None, timeout=30, **session_kwargs):
    """An initialized ``ClientSession`` on ``url`` (``transport``: "http" for
    Streamable HTTP at ``…/mcp``, "sse" for the legacy ``…/mcp/sse``); yields
    ``(session, initialize_result)``. ``session_kwargs`` go to
    ``ClientSession`` (e.g. ``elicitation_callback``)."""
    all_headers = _headers(token, headers)
    if transport == "sse":
        context = sse_client(url, headers=all_headers, timeout=timeout)
    elif transport == "http":
        context = streamablehttp_client(url, headers=all_headers, timeout=timeout)
    else:
        raise ValueError("transport must be 'http' or 'sse'")
    async with context as streams:
        read, write = streams[0], streams[1]
        async with ClientSession(read, write, **session_kwargs) as session:
            init = await session.initialize()
            yield session, init


async def initialize(url, token, transport="http", headers=None):
    """The ``initialize`` result as a dict."""
    async with open_session(url, token, transport, headers) as (_session, init):
        return _dump(init)


async def list_tools(url, token, transport="http", headers=None):
    """The ``tools/list`` result as a dict (``{"tools": [...]}``)."""
    async with open_session(url, token, transport, headers) as (session, _init):
        return _dump(await session.list_tools())


async def call_tool(url, token, name, arguments=None, transport="http", headers=None):
    """The ``tools/call`` result as a dict (``content``, ``structuredContent``, ``isError``)."""
    async with open_session(url, token, transport, headers) as (session, _init):
        return _dump(await session.call_tool(name, arguments or {}))


async def session_report(url, token, transport="http", tool=None, arguments=None, headers=None):
    """initialize + tools/list (+ tools/call of ``tool``) on one connection:
    ``{"initialize": {...}, "tools": [names], "call": {...} | None}``."""
    async with open_session(url, token, transport, headers) as (session, init):
        tools = await session.list_tools()
        report = {"initialize": _dump(init), "tools": [t.name for t in tools.tools], "call": None}
        if tool:
            report["call"] = _dump(await session.call_tool(tool, arguments or {}))
        return report
