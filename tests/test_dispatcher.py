# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The dispatcher under Odoo's own test runner: every JSON-RPC handler of
``mcp.server._get_rpc_handlers()`` through ``_handle_message``, and every
exception kind of the one error map (``mcp.server._map_exception``) with
the exact code, message, HTTP status, headers and audit row a client and an
admin see."""
from unittest.mock import patch

import psycopg2.errors
from odoo.exceptions import (
    AccessError,
    MissingError,
    RedirectWarning,
    UserError,
    ValidationError,
)
from odoo.tests import tagged

from ..models.mcp_guard_rules import MSG_MODEL_SCOPE
from ..models.mcp_server import McpContext
from ..tools import instructions as instructions_text
from ..protocol import errors, oauth
from ..tools import prompts, resources
from ..tools.base import Tool
from ..tools.registry import default_tools
from .common import TEST_IP, McpSecurityCase

REVISION = "2025-06-18"


class RaisingTool(Tool):
    """A test-only tool raising what ``raise_`` (set per test) raises, as the
    key's user, inside the dispatcher's savepoint."""

    name = "raising"
    description = "test only"
    input_schema = {"type": "object", "properties": {}, "additionalProperties": True}
    output_schema = {"type": "object"}
    operation = "read"
    raise_ = None

    def run(self, call):
        type(self).raise_(call.env)
        return {"done": True}


def _raiser(exc):
    def raise_(_env):
        raise exc
    return raise_


class DispatcherCase(McpSecurityCase):
    """Requests through the dispatcher as a client sends them (helpers only)."""

    def ctx(self, key=None, revision=REVISION):
        key = key or self.key_write
        return McpContext(key, self.env["mcp.session"].browse(), revision, self.env["mcp.server"]._settings(),
                          "streamable_http", TEST_IP, key._mcp_env(self.env))

    def handle(self, method, params=None, ctx=None, msg_id=1):
        """``(response, ctx)`` of one request through the dispatcher."""
        ctx = ctx or self.ctx()
        message = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not None:
            message["params"] = params
        tools = default_tools() + [RaisingTool()]
        with patch.object(type(self.env["mcp.server"]), "_mcp_tools", lambda server: tools):
            return self.env["mcp.server"]._handle_message(message, ctx), ctx

    def last_audit(self, key=None):
        self.env.cr.execute("SELECT rpc_method, tool, outcome, error_code FROM mcp_audit_log WHERE key_id = %s "
                            "ORDER BY id DESC LIMIT 1", ((key or self.key_write).id,))
        return self.env.cr.fetchone()

    def call_raising(self, raise_, revision=REVISION):
        RaisingTool.raise_ = staticmethod(raise_)
        return self.handle("tools/call", {"name": "raising", "arguments": {"model": "res.partner"}},
                           self.ctx(revision=revision))


@tagged("post_install", "-at_install")
class TestDispatcher(DispatcherCase):

    # ------------------------------------------------------------------
    # every handler
    # ------------------------------------------------------------------
    def test_every_handler(self):
        """Each method of ``_get_rpc_handlers()`` answers a valid request
        with its result (and the table below covers them all)."""
        partner = self.env["res.partner"].create({"name": "MCP Dispatch Partner"})
        cases = {
            "initialize": ({"protocolVersion": REVISION, "capabilities": {},
                            "clientInfo": {"name": "odoo tests", "version": "1"}},
                           lambda r: r["protocolVersion"] == REVISION and r["serverInfo"]["name"]),
            "ping": ({}, lambda r: r == {}),
            "tools/list": ({}, lambda r: "search_read" in {t["name"] for t in r["tools"]}),
            "tools/call": ({"name": "read", "arguments": {"model": "res.partner", "ids": [partner.id],
                                                          "fields": ["name"]}},
                           lambda r: r["isError"] is False
                           and r["structuredContent"]["records"][0]["name"] == "MCP Dispatch Partner"),
            "resources/list": ({}, lambda r: isinstance(r["resources"], list)),
            "resources/templates/list": ({}, lambda r: {t["uriTemplate"] for t in r["resourceTemplates"]} == {
                resources.MODEL_TEMPLATE, resources.RECORD_TEMPLATE}),
            "resources/read": ({"uri": "odoo://record/res.partner/%d" % partner.id},
                               lambda r: "MCP Dispatch Partner" in r["contents"][0]["text"]),
            "prompts/list": ({}, lambda r: {p["name"] for p in r["prompts"]} >= {"explore_model"}),
            "prompts/get": ({"name": "explore_model", "arguments": {"model": "res.partner"}},
                            lambda r: r["messages"] and "res.partner" in str(r["messages"])),
            "completion/complete": ({"ref": {"type": "ref/resource", "uri": resources.MODEL_TEMPLATE},
                                     "argument": {"name": "model", "value": "res.partn"}},
                                    lambda r: "res.partner" in r["completion"]["values"]),
            "logging/setLevel": ({"level": "warning"}, lambda r: r == {}),
            "server/discover": ({}, lambda r: REVISION in r["supportedVersions"]),
            # subscriptions belong to a session (the ctx below gets one)
            "resources/subscribe": ({"uri": "odoo://record/res.partner/%d" % partner.id}, lambda r: r == {}),
            "resources/unsubscribe": ({"uri": "odoo://record/res.partner/%d" % partner.id}, lambda r: r == {}),
        }
        self.assertEqual(set(cases), set(self.env["mcp.server"]._get_rpc_handlers()),
                         "every handler has a case here")
        session = self.env["mcp.session"]._open(self.key_write, "streamable_http", 3600, REVISION, None)
        for method, (params, check) in cases.items():
            with self.subTest(method=method):
                ctx = self.ctx()
                if method.startswith("resources/") and "subscribe" in method:
                    ctx.session = session
                response, ctx = self.handle(method, params, ctx=ctx, msg_id=method)
                self.assertEqual(response["id"], method)
                self.assertNotIn("error", response)
                self.assertTrue(check(response["result"]), response["result"])
                self.assertIsNone(ctx.failure)
                self.assertEqual(self.last_audit()[0::2], (method, "ok"))

    def test_read_only_key_is_offered_read_tools_only(self):
        """A read-only key's ``tools/list`` leaves the write tools out and
        ``initialize`` says so; calling one anyway is the guard's refusal,
        exactly as for a listed tool. A read-write key sees every tool."""
        server = self.env["mcp.server"]
        # read_messages and list_activities need the mail app (not installed here)
        read_tools = ["aggregate", "count", "export_records", "find_user", "get_approval", "get_model_schema",
                      "list_actions",
                      "list_models", "name_search", "print_report", "read", "search_read", "whoami"]
        write_tools = ["create", "delete", "duplicate", "execute_method", "update", "wizard"]

        def send(key, method, params):
            return server._handle_message({"jsonrpc": "2.0", "id": 1, "method": method, "params": params},
                                          self.ctx(key))

        def listed(key):
            return [tool["name"] for tool in send(key, "tools/list", {})["result"]["tools"]]

        def instructions(key):
            result = send(key, "initialize", {"protocolVersion": REVISION, "capabilities": {},
                                              "clientInfo": {"name": "odoo tests", "version": "1"}})["result"]
            return result["instructions"]

        self.assertEqual(listed(self.key_read), read_tools)
        self.assertEqual(listed(self.key_write), sorted(read_tools + write_tools))
        self.assertTrue(instructions(self.key_write).endswith(instructions_text.WRITE_SCOPE))
        self.assertTrue(instructions(self.key_read).endswith(
            "This API key is read-only, so tools/list does not offer the write tools "
            "(create, delete, duplicate, execute_method, update, wizard)."))
        self.assertEqual(sorted(tool.name for tool in server._mcp_tools() if tool.writes and tool.available(self.env)),
                         write_tools)
        response = send(self.key_read, "tools/call", {"name": "create", "arguments": {
            "model": "res.partner", "values": {"name": "MCP read-only create"}}})
        self.assertEqual(response["error"], {
            "code": errors.ACCESS_DENIED,
            "message": MSG_MODEL_SCOPE % {"operation": "create", "model": "res.partner"},
            "data": {"operation": "create", "model": "res.partner", "reason": "scope"}})
        self.assertFalse(self.env["res.partner"].search([("name", "=", "MCP read-only create")]))
        self.assertEqual(self.last_audit(self.key_read), ("tools/call", "create", "denied", errors.ACCESS_DENIED))

    def test_invalid_messages(self):
        """Not a request, an unknown method, a notification."""
        server = self.env["mcp.server"]
        ctx = self.ctx()
        response = server._handle_message({"jsonrpc": "2.0", "id": None, "method": "ping"}, ctx)
        self.assertEqual(response, {"jsonrpc": "2.0", "id": None, "error": {
            "code": errors.INVALID_REQUEST, "message": 'Invalid Request: "id" must not be null'}})
        self.assertEqual(ctx.failure.http_status, 400, "a single invalid request is answered 400")
        response, ctx = self.handle("nope")
        self.assertEqual(response["error"], {"code": errors.METHOD_NOT_FOUND, "message": "Method not found: nope"})
        self.assertEqual(ctx.failure.http_status, 200)
        self.assertEqual(self.last_audit(), ("nope", None, "error", errors.METHOD_NOT_FOUND))
        _response, ctx = self.handle("nope", ctx=self.ctx(revision="2026-07-28"))
        self.assertEqual(ctx.failure.http_status, 404, "2026-07-28: -32601 travels with 404")
        self.assertIsNone(server._handle_message({"jsonrpc": "2.0", "method": "notifications/initialized"}, ctx))
        response, ctx = self.handle("logging/setLevel", {"level": "loud"})
        self.assertEqual(response["error"]["code"], errors.INVALID_PARAMS)
        self.assertEqual(ctx.failure.http_status, 200)

    # ------------------------------------------------------------------
    # every exception kind of the error map
    # ------------------------------------------------------------------
    def assertToolFailure(self, raise_, text):
        response, ctx = self.call_raising(raise_)
        self.assertEqual(response["result"], {"content": [{"type": "text", "text": text}], "isError": True})
        self.assertTrue(ctx.failure.is_tool_result)
        self.assertEqual((ctx.failure.http_status, ctx.failure.headers), (200, ()))
        self.assertEqual(self.last_audit(), ("tools/call", "raising", "error", 0))
        self.env.cr.execute("SELECT 1")  # the transaction is still usable

    def test_tool_failures_are_results(self):
        """What a tool raises that the agent can fix: ``isError`` results."""
        def data_error(env):
            env.cr.execute("SELECT 1 / 0")

        def integrity_error(env):
            env.cr.execute("INSERT INTO res_partner_category (name) VALUES (NULL)")

        def timeout(env):
            env.cr.execute("SET LOCAL statement_timeout = 50")
            env.cr.execute("SELECT pg_sleep(2)")

        self.assertToolFailure(_raiser(errors.ToolError("Unknown field 'x' on res.partner")),
                               "Unknown field 'x' on res.partner")
        self.assertToolFailure(_raiser(MissingError("Record does not exist")),
                               "Record not found (deleted, or not visible to this user).")
        self.assertToolFailure(_raiser(UserError("You cannot do that")), "You cannot do that")
        self.assertToolFailure(_raiser(ValidationError("Bad value")), "Bad value")
        self.assertToolFailure(_raiser(RedirectWarning("Configure it first", 1, "Go")), "Configure it first")
        self.assertToolFailure(data_error, "The database refused the values: division by zero")
        self.assertToolFailure(integrity_error, 'The database refused the values: null value in column "name" '
                                                'of relation "res_partner_category" violates not-null constraint')
        self.env.cr.execute("SHOW statement_timeout")
        before = self.env.cr.fetchone()
        self.assertToolFailure(timeout, errors.MSG_QUERY_CANCELLED)
        self.env.cr.execute("SHOW statement_timeout")
        self.assertEqual(self.env.cr.fetchone(), before, "the savepoint rollback restored the timeout")

    def test_user_error_names_of_users_redacted(self):
        name = self.user_b.name
        self.assertToolFailure(_raiser(UserError("Linked active users: %s" % name)),
                               "Linked active users: " + self.env["mcp.guard"].redact_user_names(name))
        self.assertNotIn(name, self.env["mcp.guard"].redact_user_names(name))

    def test_tool_invalid_arguments_are_results(self):
        response, _ctx = self.handle("tools/call", {"name": "read", "arguments": [1]})
        self.assertEqual(response["result"], {"content": [{"type": "text", "text": "arguments must be a JSON object"}],
                                              "isError": True})
        response, _ctx = self.handle("tools/call", {"name": "read", "arguments": {"model": 3, "ids": [1]}})
        self.assertEqual(response["result"], {"content": [{"type": "text", "text": (
            "Invalid arguments: model: 3 is not of type 'string'")}], "isError": True})
        self.assertEqual(self.last_audit(), ("tools/call", "read", "error", 0))

    def test_tool_errors_that_are_jsonrpc_errors(self):
        """Refusals of the guard and of Odoo's ACLs, an unknown tool and
        unexpected exceptions are JSON-RPC errors."""
        response, ctx = self.call_raising(_raiser(AccessError("secret record content")))
        self.assertEqual(response["error"], {
            "code": errors.ACCESS_DENIED, "message": "Access denied by Odoo access rights or record rules",
            "data": {"reason": "acl", "model": "res.partner"}})
        self.assertEqual(ctx.failure.http_status, 200)
        self.assertEqual(self.last_audit(), ("tools/call", "raising", "denied", errors.ACCESS_DENIED))

        response, ctx = self.handle("tools/call", {"name": "search_read", "arguments": {"model": "res.users"}})
        self.assertEqual(response["error"]["code"], errors.ACCESS_DENIED)
        self.assertEqual(response["error"]["data"]["model"], "res.users")
        self.assertEqual(self.last_audit(), ("tools/call", "search_read", "denied", errors.ACCESS_DENIED))

        response, ctx = self.handle("tools/call", {"name": "nope"})
        self.assertEqual(response["error"], {"code": errors.INVALID_PARAMS, "message": "Unknown tool: nope"})

        with self.assertLogs("odoo.addons.mcp_bridge.models.mcp_server", "ERROR"):
            response, ctx = self.call_raising(_raiser(ZeroDivisionError("internal detail")))
        self.assertEqual(response["error"], {"code": errors.INTERNAL_ERROR, "message": "Internal error"})
        self.assertEqual(self.last_audit(), ("tools/call", "raising", "error", errors.INTERNAL_ERROR))

        response, ctx = self.call_raising(_raiser(errors.RateLimited("slow down", retry_after=7)))
        self.assertEqual(response["error"], {"code": errors.RATE_LIMITED, "message": "slow down",
                                             "data": {"retryAfter": 7}})

    def test_concurrency_errors_propagate(self):
        """Odoo retries the whole request: the error is not answered, the
        audit row of the attempt is written."""
        for exc_class in (psycopg2.errors.SerializationFailure, psycopg2.errors.LockNotAvailable):
            with self.subTest(exc=exc_class.__name__):
                # not self.assertRaises: Odoo's rolls back a savepoint, the audit row with it
                try:
                    self.call_raising(_raiser(exc_class()))
                except exc_class:
                    pass
                else:
                    self.fail("%s was answered, not propagated" % exc_class.__name__)
                self.assertEqual(self.last_audit(), ("tools/call", "raising", "error", errors.INTERNAL_ERROR))

    def test_other_methods(self):
        """Outside tools/call nothing is an ``isError`` result."""
        uri = "odoo://record/res.partner/1"
        cases = [
            (resources, "read_resource", "resources/read", {"uri": uri}, MissingError("gone"),
             {"code": errors.RESOURCE_NOT_FOUND, "message": "Resource not found", "data": {"uri": uri}}),
            (resources, "read_resource", "resources/read", {"uri": uri}, AccessError("secret"),
             {"code": errors.ACCESS_DENIED, "message": "Access denied by Odoo access rights or record rules",
              "data": {"reason": "acl", "model": "res.partner"}}),
            (resources, "read_resource", "resources/read", {"uri": uri}, errors.ToolError("Unknown model"),
             {"code": errors.INVALID_PARAMS, "message": "Unknown model"}),
            (prompts, "get_prompt", "prompts/get", {"name": "explore_model"}, errors.ToolError("Bad model"),
             {"code": errors.INVALID_PARAMS, "message": "Bad model"}),
            (prompts, "get_prompt", "prompts/get", {"name": "explore_model"}, UserError("Odoo says no"),
             {"code": errors.INTERNAL_ERROR, "message": "Internal error"}),
            (prompts, "get_prompt", "prompts/get", {"name": "explore_model"}, psycopg2.errors.QueryCanceled(),
             {"code": errors.QUERY_CANCELLED, "message": errors.MSG_QUERY_CANCELLED}),
        ]
        for module, function, method, params, exc, error in cases:
            with self.subTest(method=method, exc=type(exc).__name__), patch.object(module, function, side_effect=exc):
                if error["code"] == errors.INTERNAL_ERROR:  # logged with its traceback, never sent
                    with self.assertLogs("odoo.addons.mcp_bridge.models.mcp_server", "ERROR"):
                        response, ctx = self.handle(method, params)
                else:
                    response, ctx = self.handle(method, params)
                self.assertEqual(response["error"], error)
                self.assertEqual(ctx.failure.http_status, 200)
        with patch.object(resources, "read_resource", side_effect=MissingError("gone")):
            response, ctx = self.handle("resources/read", {"uri": uri}, self.ctx(revision="2026-07-28"))
        self.assertEqual(response["error"]["code"], errors.INVALID_PARAMS, "2026-07-28: -32602 for a missing resource")
        self.assertEqual(ctx.failure.http_status, 400)

    def test_transport_refusals(self):
        """The HTTP layer's refusals: their status and headers."""
        server = self.env["mcp.server"]
        cases = [
            (errors.Unauthorized("Invalid API key"), errors.UNAUTHORIZED, 401,
             (("WWW-Authenticate", oauth.www_authenticate(self.env["mcp.settings"]._base_url())),)),
            (errors.NoCredentials("Invalid API key"), errors.UNAUTHORIZED, 401,
             (("WWW-Authenticate", oauth.www_authenticate(self.env["mcp.settings"]._base_url(), error=None)),)),
            (errors.RateLimited("Too many requests", retry_after=12.5), errors.RATE_LIMITED, 429,
             (("Retry-After", "12"),)),
            (errors.ServiceUnavailable("down", retry_after=5), errors.INTERNAL_ERROR, 503, (("Retry-After", "5"),)),
            (errors.SessionNotFound("Session not found or expired"), errors.SESSION_NOT_FOUND, 404, ()),
            (errors.InvalidRequest("too large", http_status=413), errors.INVALID_REQUEST, 413, ()),
            (errors.McpError("Origin not allowed", code=errors.ACCESS_DENIED, http_status=403),
             errors.ACCESS_DENIED, 403, ()),
            (errors.UnsupportedProtocolVersion("1999-01-01", ["2025-06-18"]), errors.UNSUPPORTED_PROTOCOL_VERSION,
             400, ()),
        ]
        for exc, code, status, headers in cases:
            with self.subTest(code=code, status=status):
                failure = server._map_exception(exc, None, "transport")
                self.assertEqual((failure.code, failure.message, failure.http_status, failure.headers),
                                 (code, exc.message, status, headers))
                self.assertEqual(failure.response(5), {"jsonrpc": "2.0", "id": 5, "error": exc.to_error()})
