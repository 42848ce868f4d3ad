"""Drive an MCP server with the 2.x Python SDK (``mcp.Client``) and print JSON.

Runs in .local/venv-mcp2 (the 2.x SDK cannot share Odoo's Python), started by
``clients.run_mcp2_client``; not imported by the test suite itself.

    python mcp2_client.py URL [--token T] [--mode auto|legacy|2026-07-28]
                          [--tool NAME] [--args JSON] [--elicit JSON]

``--token`` defaults to $MCP_BEARER. ``auto`` (the SDK default) probes
``server/discover`` and falls back to ``initialize``. Prints one JSON object:
``protocol_version``, ``server_info``, ``capabilities``, ``tools`` (names),
``call`` (the CallToolResult, when ``--tool`` is given). ``--elicit``: the
client declares elicitation and accepts every form with that JSON content
(the SDK answers ``input_required`` results and elicitation requests
itself); ``elicited`` lists the messages it was asked.
"""
import argparse
import asyncio
import json
import os
import sys

from mcp import Client, types
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client


def _dump(model):
    if model is None:
        return None
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


async def main(argv=None):
    """Connect, list tools, optionally call one; print the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--token", default=os.environ.get("MCP_BEARER"))
    parser.add_argument("--mode", default="auto")
    parser.add_argument("--tool")
    parser.add_argument("--args", default="{}")
    parser.add_argument("--elicit")
    opts = parser.parse_args(argv)
    headers = {"Authorization": "Bearer %s" % opts.token} if opts.token else {}
    elicited = []
    options = {}
    if opts.elicit is not None:
        async def elicit(_context, params):
            elicited.append(params.message)
            return types.ElicitResult(action="accept", content=json.loads(opts.elicit))
        options["elicitation_callback"] = elicit
    async with create_mcp_http_client(headers=headers) as http_client:
        transport = streamable_http_client(opts.url, http_client=http_client)
        async with Client(transport, mode=opts.mode, **options) as client:
            report = {
                "sdk": "mcp 2.x",
                "mode": opts.mode,
                "protocol_version": client.protocol_version,
                "server_info": _dump(client.server_info),
                "capabilities": _dump(client.server_capabilities),
            }
            tools = await client.list_tools()
            report["tools"] = [tool.name for tool in tools.tools]
            if opts.tool:
                result = await client.call_tool(opts.tool, json.loads(opts.args))
                report["call"] = _dump(result)
            if opts.elicit is not None:
                report["elicited"] = elicited
    json.dump(report, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    asyncio.run(main())
