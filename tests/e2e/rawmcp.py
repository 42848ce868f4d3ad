"""A minimal raw-HTTP MCP client for end-to-end tests (no SDK in between)."""
import itertools
import json

import requests

ACCEPT_BOTH = "application/json, text/event-stream"


class RawMcp:
    """Speaks Streamable HTTP to ``base``/mcp with a bearer ``token``."""

    def __init__(self, base, token, revision="2025-06-18"):
        self.base = base
        self.url = base + "/mcp"
        self.token = token
        self.revision = revision
        self.session_id = None
        self.ids = itertools.count(1)
        self.http = requests.Session()

    def headers(self, **extra):
        headers = {"Content-Type": "application/json", "Accept": ACCEPT_BOTH}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.session_id:
            headers["Mcp-Session-Id"] = self.session_id
        if self.revision and self.session_id and self.revision >= "2025-06-18":
            headers["MCP-Protocol-Version"] = self.revision
        headers.update({k.replace("_", "-"): v for k, v in extra.items() if v is not None})
        return headers

    def post(self, body, headers=None, raw=None):
        """POST a message (dict/list) or ``raw`` bytes; return the response."""
        data = raw if raw is not None else json.dumps(body)
        return self.http.post(self.url, data=data, headers=headers or self.headers(), timeout=30)

    def request(self, method, params=None, **headers):
        body = {"jsonrpc": "2.0", "id": next(self.ids), "method": method}
        if params is not None:
            body["params"] = params
        return self.post(body, self.headers(**headers))

    def call(self, method, params=None):
        """A request whose JSON-RPC result is returned (asserts success)."""
        response = self.request(method, params)
        assert response.status_code == 200, (response.status_code, response.text)
        body = response.json()
        assert "result" in body, body
        return body["result"]

    def notify(self, method, params=None):
        body = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            body["params"] = params
        return self.post(body)

    def initialize(self, revision=None):
        revision = revision or self.revision
        response = self.post({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": revision, "capabilities": {},
            "clientInfo": {"name": "rawmcp", "version": "1.0"}}})
        assert response.status_code == 200, response.text
        self.session_id = response.headers.get("Mcp-Session-Id")
        result = response.json()["result"]
        self.revision = result["protocolVersion"]
        self.notify("notifications/initialized")
        return result

    def tool(self, name, arguments=None):
        """tools/call; returns the result object."""
        return self.call("tools/call", {"name": name, "arguments": arguments or {}})
