"""The 2.x Python SDK's OAuth client (``mcp.client.auth.OAuthClientProvider``)
against an MCP server, the person at the browser being the test that
started it.

Runs in .local/venv-mcp2 (the 2.x SDK cannot share Odoo's Python), started
by ``test_oauth_e2e.py``; not imported by the test suite itself.

    python mcp2_oauth_client.py URL REDIRECT_URI [--client-metadata-url URL]

Line protocol on stdio (one JSON object a line): the provider's
``redirect_handler`` prints ``{"authorize": url}`` and its
``callback_handler`` reads back ``{"code", "state", "iss"}`` (the redirect
the test got from Odoo). Then: ``tools/list``, ``search_read`` of
``res.partner``, the client's clock moved past the access token's expiry
(a refresh, no new authorization), ``search_read`` again. The last line is
the report: ``{"report": {...}}`` with the tools, both calls, the client
id and every token the storage was given (so the test can revoke them and
look for them in the server log).
"""
import argparse
import asyncio
import json
import sys
import time

from mcp import Client
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientMetadata

SEARCH = {"model": "res.partner", "fields": ["name"], "limit": 3}


class Storage:
    """``TokenStorage`` in memory, keeping every token set it was given."""

    def __init__(self):
        self.tokens, self.client_info, self.history = None, None, []

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens):
        self.tokens = tokens
        self.history.append(tokens)

    async def get_client_info(self):
        return self.client_info

    async def set_client_info(self, client_info):
        self.client_info = client_info


def _say(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def redirect_handler(url):
    """Send the user to ``url``: the test opens it."""
    _say({"authorize": url})


async def callback_handler():
    """The redirect's parameters, as the test read them from Odoo."""
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    return AuthorizationCodeResult(**json.loads(line))


def _dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


async def main(argv=None):
    """Authorize, list tools, call, refresh, call; print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("redirect_uri")
    parser.add_argument("--client-metadata-url")
    opts = parser.parse_args(argv)
    storage = Storage()
    metadata = OAuthClientMetadata(client_name="E2E SDK 2.x", redirect_uris=[opts.redirect_uri],
                                   grant_types=["authorization_code", "refresh_token"], response_types=["code"],
                                   token_endpoint_auth_method="none")
    provider = OAuthClientProvider(opts.url, metadata, storage, redirect_handler=redirect_handler,
                                   callback_handler=callback_handler, client_metadata_url=opts.client_metadata_url)
    async with (create_mcp_http_client(auth=provider) as http_client,
                Client(streamable_http_client(opts.url, http_client=http_client)) as client):
        tools = await client.list_tools()
        first = await client.call_tool("search_read", SEARCH)
        provider.context.token_expiry_time = time.time() - 1  # the client's clock: the token expired
        second = await client.call_tool("search_read", SEARCH)
    _say({"report": {
        "tools": [tool.name for tool in tools.tools],
        "calls": [_dump(first), _dump(second)],
        "client_id": storage.client_info.client_id,
        "tokens": [{"access_token": t.access_token, "refresh_token": t.refresh_token} for t in storage.history],
    }})


if __name__ == "__main__":
    asyncio.run(main())
