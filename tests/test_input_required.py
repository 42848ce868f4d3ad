# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Asking the client (MRTR, 2026-07-28 ``input_required``) through the
dispatcher: a tool, prompt or resource handler asks (``call.ask`` and
friends), its savepoint is rolled back, the client gets the input requests
and a signed ``requestState``; the retry with ``inputResponses`` re-runs it.
Attacks on the state (tampered, expired, foreign key/tool/arguments,
answers sent up front to a bound question) get the exact -32602 error."""
import base64
import json
import time
from unittest.mock import patch

from odoo.tests import tagged

from ..protocol import errors, input_required, stateless
from ..tools.base import Tool
from ..tools.registry import default_tools
from .test_dispatcher import DispatcherCase

REVISION = "2026-07-28"
NAME_FORM = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
INVALID_STATE = {"code": -32602, "message": "invalid requestState", "data": {"reason": "invalid_request_state"}}


def _accept(**content):
    return {"action": "accept", "content": content}


class AskName(Tool):
    """Asks the user's name (unbound: an answer sent up front is used)."""

    name = "ask_name"
    description = "test only"
    input_schema = {"type": "object", "properties": {"greeting": {"type": "string"}}}  # noqa: RUF012

    def run(self, call):
        answer = call.elicit("user_name", "What is your name?", NAME_FORM)
        return {"text": f"{call.arguments.get('greeting', 'Hello')}, {answer['content']['name']}!"}


class CreateConfirmed(Tool):
    """Creates a contact, then asks to confirm it (bound)."""

    name = "create_confirmed"
    description = "test only"
    operation = "create"
    input_schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}  # noqa: RUF012

    def run(self, call):
        partner = call.env["res.partner"].create({"name": call.arguments["name"]})
        partner.flush_recordset()
        answer = call.elicit("confirm", f"Create {partner.name}?", {
            "type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}, bound=True)
        return {"id": partner.id, "ok": answer["content"]["ok"]}


class TwoSteps(Tool):
    """Asks in two rounds, keeping the first answer in ``call.state`` too."""

    name = "two_steps"
    description = "test only"
    input_schema = {"type": "object", "properties": {}}  # noqa: RUF012

    def run(self, call):
        call.state["runs"] = call.state.get("runs", 0) + 1
        name = call.elicit("step1", "Name?", NAME_FORM)["content"]["name"]
        model = call.sample("step2", [{"role": "user", "content": {"type": "text", "text": "Colour?"}}], 10)
        roots = call.list_roots("step3")
        return {"name": name, "colour": model["content"]["text"], "roots": [r["uri"] for r in roots["roots"]],
                "runs": call.state["runs"]}


TOOLS = [AskName(), CreateConfirmed(), TwoSteps()]


@tagged("post_install", "-at_install")
class TestInputRequired(DispatcherCase):

    def ctx(self, key=None, revision=REVISION, capabilities=None):
        ctx = super().ctx(key, revision)
        ctx.client_capabilities = {"elicitation": {}, "sampling": {}, "roots": {}} if capabilities is None \
            else capabilities
        return ctx

    def call(self, name, arguments=None, ctx=None, **extra):
        """``(response, ctx)`` of ``tools/call`` of a test tool, ``extra``
        params (``inputResponses``, ``requestState``) added."""
        ctx = ctx or self.ctx()
        params = dict(extra, name=name, arguments=arguments or {})
        message = {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": params}
        with patch.object(type(self.env["mcp.server"]), "_mcp_tools", lambda server: default_tools() + TOOLS):
            return self.env["mcp.server"]._handle_message(message, ctx), ctx

    def first_round(self, name="ask_name", arguments=None, ctx=None):
        response, ctx = self.call(name, arguments, ctx)
        result = response["result"]
        self.assertEqual(result["resultType"], "input_required", result)
        return result, ctx

    def test_first_round_asks_with_a_signed_state(self):
        """The tool's question comes back as an input_required result: its
        request, and a requestState string; ctx keeps the requests for the
        transport; the audit row says input_required."""
        result, ctx = self.first_round()
        self.assertEqual(result["inputRequests"], {"user_name": {"method": "elicitation/create", "params": {
            "message": "What is your name?", "requestedSchema": NAME_FORM}}})
        self.assertIsInstance(result["requestState"], str)
        self.assertEqual(set(ctx.input_required), {"user_name"})
        self.assertIsNone(ctx.failure)
        self.assertEqual(self.last_audit(), ("tools/call", "ask_name", "input_required", 0))

    def test_retry_with_answers_completes(self):
        """The answer with the echoed state, or sent alone (no earlier
        round), completes the call; extra unknown answers are ignored."""
        result, _ctx = self.first_round(arguments={"greeting": "Hi"})
        response, _ctx = self.call("ask_name", {"greeting": "Hi"}, inputResponses={
            "user_name": _accept(name="Ada"), "unrelated": _accept(x=1)}, requestState=result["requestState"])
        self.assertEqual(response["result"]["structuredContent"], {"text": "Hi, Ada!"})
        response, _ctx = self.call("ask_name", inputResponses={"user_name": _accept(name="Bob")})
        self.assertEqual(response["result"]["structuredContent"], {"text": "Hello, Bob!"})
        self.assertEqual(self.last_audit(), ("tools/call", "ask_name", "ok", 0))

    def test_missing_answer_is_asked_again(self):
        """Answers under other keys: the call asks again (a new
        input_required result), it does not fail."""
        response, _ctx = self.call("ask_name", inputResponses={"wrong_key": _accept(name="Eve")})
        self.assertEqual(set(response["result"]["inputRequests"]), {"user_name"})

    def test_invalid_input_responses_are_refused(self):
        """inputResponses must be an object of objects: -32602."""
        for value in (None, [], "answers", {"user_name": 12345}, {"user_name": None}):
            with self.subTest(value=value):
                response, ctx = self.call("ask_name", inputResponses=value)
                self.assertEqual(response["error"], {"code": -32602, "message": input_required.MSG_INVALID_RESPONSES})
                self.assertEqual(ctx.failure.http_status, 400, "2026-07-28: -32602 travels with 400")

    def test_tampered_state_is_refused(self):
        """A state changed in any way (payload, signature, suffix, type)
        is -32602 "invalid requestState", whatever the answers."""
        result, _ctx = self.first_round()
        state = result["requestState"]
        body, signature = state.split(".")
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        payload["r"] = {"user_name": _accept(name="Mallory")}
        forged_body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
        for forged in (state + "-TAMPERED", forged_body + "." + signature, body + "." + signature[:-2] + "AA",
                       body, "", 123, {"state": state}):
            with self.subTest(forged=forged):
                response, _ctx = self.call("ask_name", inputResponses={"user_name": _accept(name="Eve")},
                                           requestState=forged)
                self.assertEqual(response["error"], INVALID_STATE)

    def test_expired_state_is_refused(self):
        """A state past its expiry (the input_state_ttl setting) is refused."""
        server = self.env["mcp.server"]
        binding = server._input_binding("tools/call", {"name": "ask_name", "arguments": {}}, self.ctx())
        payload = input_required.InputRound().next_payload(binding, time.time() - 1)
        response, _ctx = self.call("ask_name", inputResponses={"user_name": _accept(name="Eve")},
                                   requestState=input_required.sign(payload, server._input_state_key()))
        self.assertEqual(response["error"], INVALID_STATE)
        payload = input_required.InputRound().next_payload(binding, time.time() + 60)
        response, _ctx = self.call("ask_name", inputResponses={"user_name": _accept(name="Eve")},
                                   requestState=input_required.sign(payload, server._input_state_key()))
        self.assertEqual(response["result"]["structuredContent"], {"text": "Hello, Eve!"}, "within it: accepted")

    def test_state_signed_with_another_secret_is_refused(self):
        """Only this database's secret signs states."""
        binding = self.env["mcp.server"]._input_binding("tools/call", {"name": "ask_name", "arguments": {}},
                                                        self.ctx())
        payload = input_required.InputRound().next_payload(binding, time.time() + 60)
        response, _ctx = self.call("ask_name", inputResponses={"user_name": _accept(name="Eve")},
                                   requestState=input_required.sign(payload, input_required.derive_key("other")))
        self.assertEqual(response["error"], INVALID_STATE)

    def test_state_is_bound_to_key_tool_and_arguments(self):
        """A state minted for one key, tool or set of arguments is refused
        for another."""
        result, _ctx = self.first_round(arguments={"greeting": "Hi"})
        state = result["requestState"]
        answers = {"user_name": _accept(name="Eve")}
        cases = {
            "another key": ("ask_name", {"greeting": "Hi"}, self.ctx(self.key_ab)),
            "another tool": ("two_steps", {}, None),
            "other arguments": ("ask_name", {"greeting": "Bye"}, None),
        }
        for what, (name, arguments, ctx) in cases.items():
            with self.subTest(what):
                response, _ctx = self.call(name, arguments, ctx, inputResponses=answers, requestState=state)
                self.assertEqual(response["error"], INVALID_STATE)

    def test_bound_question_cannot_be_answered_up_front(self):
        """A write tool's bound confirmation: an answer sent without the
        state that asked it is not taken (asked again), and neither round
        that asked left its contact behind; the answer to the asked
        question completes it, once."""
        partners = self.env["res.partner"].with_context(active_test=False)
        confirm = {"confirm": _accept(ok=True)}
        response, _ctx = self.call("create_confirmed", {"name": "MRTR Bound Contact"}, inputResponses=confirm)
        result = response["result"]
        self.assertEqual(result["resultType"], "input_required")
        self.assertEqual(partners.search_count([("name", "=", "MRTR Bound Contact")]), 0, "rolled back")
        # the state of that round carries the up-front answer, still not bound
        response, _ctx = self.call("create_confirmed", {"name": "MRTR Bound Contact"},
                                   requestState=result["requestState"])
        self.assertEqual(response["result"]["resultType"], "input_required")
        self.assertEqual(partners.search_count([("name", "=", "MRTR Bound Contact")]), 0)
        response, _ctx = self.call("create_confirmed", {"name": "MRTR Bound Contact"}, inputResponses=confirm,
                                   requestState=result["requestState"])
        created = response["result"]["structuredContent"]
        self.assertEqual(created["ok"], True)
        self.assertEqual(partners.search([("name", "=", "MRTR Bound Contact")]).ids, [created["id"]])

    def test_multi_round_carries_answers_and_state(self):
        """Three rounds: each state differs, carries the earlier answers and
        call.state; the last run sees all three answers."""
        result1, _ctx = self.first_round("two_steps")
        self.assertEqual(set(result1["inputRequests"]), {"step1"})
        response, _ctx = self.call("two_steps", inputResponses={"step1": _accept(name="Ada")},
                                   requestState=result1["requestState"])
        result2 = response["result"]
        self.assertEqual(result2["inputRequests"]["step2"]["method"], "sampling/createMessage")
        self.assertEqual(result2["inputRequests"]["step2"]["params"]["maxTokens"], 10)
        self.assertNotEqual(result2["requestState"], result1["requestState"])
        response, _ctx = self.call("two_steps", inputResponses={"step2": {
            "role": "assistant", "content": {"type": "text", "text": "blue"}, "model": "m"}},
            requestState=result2["requestState"])
        result3 = response["result"]
        self.assertEqual(result3["inputRequests"], {"step3": {"method": "roots/list", "params": {}}})
        response, _ctx = self.call("two_steps", inputResponses={"step3": {"roots": [{"uri": "file:///w"}]}},
                                   requestState=result3["requestState"])
        self.assertEqual(response["result"]["structuredContent"],
                         {"name": "Ada", "colour": "blue", "roots": ["file:///w"], "runs": 4})

    def test_undeclared_capability_is_refused(self):
        """Asking for a capability the client did not declare is -32021
        (HTTP 400) naming it; declared, or unknown (a session): asked."""
        response, ctx = self.call("two_steps", ctx=self.ctx(capabilities={"sampling": {}}))
        self.assertEqual(response["error"]["code"], errors.MISSING_REQUIRED_CLIENT_CAPABILITY)
        self.assertEqual(response["error"]["data"], {"requiredCapabilities": {"elicitation": {}}})
        self.assertEqual(ctx.failure.http_status, 400)
        ctx = self.ctx(revision="2025-06-18")
        ctx.client_capabilities = None
        response, _ctx = self.call("two_steps", ctx=ctx)
        self.assertEqual(response["result"]["resultType"], "input_required")

    def test_prompts_and_resources_may_ask(self):
        """prompts/get and resources/read handlers ask the same way; the
        input_required result of resources/read is no CacheableResult."""
        def get_prompt(server, ctx, name, arguments):
            answer = ctx.ask({"ctx": {"method": "elicitation/create", "params": {
                "message": "Context?", "requestedSchema": {"type": "object", "properties": {}}}}})
            return {"messages": [{"role": "user", "content": {"type": "text", "text": str(answer["ctx"])}}]}

        def read_resource(server, ctx, uri):
            roots = ctx.list_roots("roots")
            return {"contents": [{"uri": uri, "text": json.dumps(roots)}]}

        model = type(self.env["mcp.server"])
        with patch.object(model, "_mcp_get_prompt", get_prompt), patch.object(model, "_mcp_read_resource",
                                                                               read_resource):
            response, _ctx = self.handle("prompts/get", {"name": "p"}, self.ctx())
            result = response["result"]
            self.assertEqual(result["inputRequests"]["ctx"]["method"], "elicitation/create")
            response, _ctx = self.handle("prompts/get", {"name": "p", "inputResponses": {"ctx": _accept()},
                                                         "requestState": result["requestState"]}, self.ctx())
            self.assertIn("messages", response["result"])
            response, _ctx = self.handle("resources/read", {"uri": "x://y"}, self.ctx())
            result = response["result"]
            stateless.finalize_result(result, REVISION, "resources/read")
            self.assertEqual(result["resultType"], "input_required")
            self.assertNotIn("ttlMs", result)
            self.assertNotIn("cacheScope", result)
            response, _ctx = self.handle("resources/read", {"uri": "x://y", "inputResponses": {"roots": {
                "roots": []}}, "requestState": result["requestState"]}, self.ctx())
            self.assertEqual(response["result"]["contents"][0]["text"], '{"roots": []}')

    def test_other_methods_ignore_input_params(self):
        """Only tools/call, prompts/get and resources/read take input:
        tools/list with inputResponses and a bad state answers as usual."""
        response, _ctx = self.handle("tools/list", {"inputResponses": 5, "requestState": "x"}, self.ctx())
        self.assertIn("tools", response["result"])
        self.assertNotIn("resultType", response["result"])

    def test_state_is_readable_but_holds_no_secret(self):
        """The state is signed, not encrypted: it holds the binding and the
        answers, never the signing key or the database secret."""
        result, _ctx = self.first_round()
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret")
        body = result["requestState"].split(".")[0]
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        self.assertEqual(payload["m"], "tools/call")
        self.assertEqual(payload["t"], "ask_name")
        self.assertEqual(payload["k"], self.key_write.id)
        self.assertNotIn(secret, result["requestState"])
        self.assertNotIn(secret, json.dumps(payload))
