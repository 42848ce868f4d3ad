"""Small HTTP clients for the benchmarks: the same thin code drives /mcp, the
external MCP bridge and Odoo's native RPC, so client cost is equal on all
sides. Plain ``requests`` sessions (HTTP keep-alive), no SDK in between.
"""
import itertools
import json

import requests

ACCEPT_BOTH = "application/json, text/event-stream"
REVISION = "2025-06-18"


def _sse_json(text):
    """The last JSON-RPC message of an SSE body (``data:`` lines)."""
    found, data = None, []
    for line in text.splitlines():
        if line.startswith("data:"):
            data.append(line[5:].lstrip())
        elif not line.strip() and data:
            found, data = json.loads("\n".join(data)), []
    if data:
        found = json.loads("\n".join(data))
    return found


class McpClient:
    """Streamable HTTP client (JSON or single-message SSE answers)."""

    def __init__(self, url, token=None, timeout=120):
        self.url = url
        self.token = token
        self.timeout = timeout
        self.session_id = None
        self.revision = REVISION
        self.ids = itertools.count(1)
        self.http = requests.Session()

    def _headers(self):
        headers = {"Content-Type": "application/json", "Accept": ACCEPT_BOTH}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.session_id:
            headers["Mcp-Session-Id"] = self.session_id
            headers["MCP-Protocol-Version"] = self.revision
        return headers

    def post(self, body):
        response = self.http.post(self.url, data=json.dumps(body), headers=self._headers(), timeout=self.timeout)
        if response.status_code == 202:
            return None
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code} from {self.url}: {response.text[:500]}")
        if response.headers.get("Content-Type", "").startswith("text/event-stream"):
            return _sse_json(response.text), response
        return response.json(), response

    def initialize(self):
        body, response = self.post({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": self.revision, "capabilities": {},
            "clientInfo": {"name": "mcp-bench", "version": "1"}}})
        if "result" not in body:
            raise RuntimeError(f"initialize failed: {body}")
        self.session_id = response.headers.get("Mcp-Session-Id")
        self.revision = body["result"]["protocolVersion"]
        self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return body["result"]

    def tool(self, name, arguments):
        """``tools/call``; returns the result's structured content (raises on an error)."""
        body, _response = self.post({"jsonrpc": "2.0", "id": next(self.ids), "method": "tools/call",
                                     "params": {"name": name, "arguments": arguments}})
        result = body.get("result") if body else None
        if not result or result.get("isError"):
            raise RuntimeError(f"tools/call {name} failed: {json.dumps(body)[:800]}")
        return result.get("structuredContent") or result


class JsonRpcClient:
    """Odoo's native ``/jsonrpc`` ``object.execute_kw`` (login + password)."""

    def __init__(self, base, db, uid, password, timeout=120):
        self.url = base + "/jsonrpc"
        self.db, self.uid, self.password = db, uid, password
        self.timeout = timeout
        self.ids = itertools.count(1)
        self.http = requests.Session()

    def execute_kw(self, model, method, args, kwargs):
        body = {"jsonrpc": "2.0", "method": "call", "id": next(self.ids), "params": {
            "service": "object", "method": "execute_kw",
            "args": [self.db, self.uid, self.password, model, method, args, kwargs]}}
        response = self.http.post(self.url, data=json.dumps(body), timeout=self.timeout,
                                  headers={"Content-Type": "application/json"})
        data = response.json()
        if "error" in data:
            raise RuntimeError(f"execute_kw failed: {json.dumps(data['error'])[:800]}")
        return data["result"]


class CallKwClient:
    """Odoo's web client path: ``/web/dataset/call_kw`` with a session cookie."""

    def __init__(self, base, db, login, password, timeout=120):
        self.base = base
        self.timeout = timeout
        self.ids = itertools.count(1)
        self.http = requests.Session()
        response = self.http.post(base + "/web/session/authenticate", timeout=timeout, json={
            "jsonrpc": "2.0", "method": "call", "params": {"db": db, "login": login, "password": password}})
        if "error" in response.json():
            raise RuntimeError(f"login failed: {response.text[:500]}")

    def call_kw(self, model, method, args, kwargs):
        body = {"jsonrpc": "2.0", "method": "call", "id": next(self.ids), "params": {
            "model": model, "method": method, "args": args, "kwargs": kwargs}}
        response = self.http.post(f"{self.base}/web/dataset/call_kw/{model}/{method}", data=json.dumps(body),
                                  timeout=self.timeout, headers={"Content-Type": "application/json"})
        data = response.json()
        if "error" in data:
            raise RuntimeError(f"call_kw failed: {json.dumps(data['error'])[:800]}")
        return data["result"]
