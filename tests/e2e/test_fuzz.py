"""Fuzzing the real /mcp endpoint (threaded server) with hypothesis.

Invariants after every generated request: never HTTP 5xx, never an HTML page
or a traceback, always a well-formed JSON-RPC error / result (``isError`` for
refused tool calls) or 202 for notifications, never the -32603 "internal
error" of an unexpected exception, and the watched tables (``res_partner``,
``res_country``, …: row count, max id, last write) unchanged after every
refused call.

Example counts are small for CI (about a minute in total); ``scripts/fuzz.sh``
raises them with ``MCP_FUZZ_EXAMPLES``.
"""
import json
import os

import pytest
import requests
from hypothesis import HealthCheck, given, settings, strategies as st

from .rawmcp import RawMcp
from .reliability import check_message, check_response, is_refusal

EXAMPLES = int(os.environ.get("MCP_FUZZ_EXAMPLES", "0")) or None
FUZZ = settings(max_examples=EXAMPLES or 40, deadline=None, derandomize=not EXAMPLES, database=None,
                suppress_health_check=list(HealthCheck))
STATS = {"cases": 0}

# -- strategies ---------------------------------------------------------------
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=40))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=12)
ids = st.one_of(st.integers(min_value=-(2 ** 70), max_value=2 ** 70), st.text(max_size=20), st.none(),
                st.booleans(), st.floats(allow_nan=False), st.lists(json_scalars, max_size=2),
                st.dictionaries(st.text(max_size=3), json_scalars, max_size=2))
methods = st.one_of(st.sampled_from([
    "ping", "tools/list", "tools/call", "resources/list", "resources/read", "resources/templates/list",
    "prompts/list", "prompts/get", "completion/complete", "logging/setLevel", "server/discover",
    "initialize", "notifications/initialized", "notifications/cancelled", "", "rpc.discover"]),
    st.text(max_size=30), json_scalars)


@st.composite
def envelopes(draw):
    """A JSON-RPC-looking object with each member possibly wrong, missing or extra."""
    message = {}
    if draw(st.integers(0, 5)):
        message["jsonrpc"] = draw(st.one_of(st.just("2.0"), st.just("2.0"), st.sampled_from(
            ["1.0", "2", "", "2.0 "]), json_scalars))
    if draw(st.integers(0, 4)):
        message["id"] = draw(ids)
    if draw(st.integers(0, 5)):
        message["method"] = draw(methods)
    if draw(st.booleans()):
        message["params"] = draw(st.one_of(json_values, st.dictionaries(st.sampled_from(
            ["name", "arguments", "cursor", "uri", "ref", "argument", "context", "level", "_meta",
             "protocolVersion"]), json_values, max_size=4)))
    for extra in draw(st.lists(st.sampled_from(["result", "error", "extra", "ID", "Method"]), max_size=2)):
        message[extra] = draw(json_values)
    return message


bodies = st.one_of(envelopes(), st.lists(st.one_of(envelopes(), json_values), min_size=0, max_size=5),
                   json_values)


@st.composite
def raw_bodies(draw):
    """Bytes that are rarely valid JSON: invalid UTF-8, truncation, nesting, huge strings."""
    kind = draw(st.sampled_from(["binary", "invalid_utf8", "truncated", "nested", "huge", "text", "nan"]))
    if kind == "binary":
        return draw(st.binary(max_size=200))
    if kind == "invalid_utf8":
        bad = draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80"]))
        return b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"' + bad + b'"}}'
    if kind == "truncated":
        text = json.dumps(draw(envelopes()))
        return text[:draw(st.integers(0, max(0, len(text) - 1)))].encode()
    if kind == "nested":
        depth = draw(st.integers(min_value=30, max_value=20000))
        opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
        inner = opener * depth + "1" + closer * depth
        return ('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":%s}}' % inner).encode()
    if kind == "huge":
        size = draw(st.integers(min_value=10_000, max_value=900_000))
        return json.dumps({"jsonrpc": "2.0", "id": 1, "method": draw(st.sampled_from(["ping", "x" * size])),
                           "params": {"pad": "é" * (size // 2)}}).encode()
    if kind == "nan":
        return draw(st.sampled_from([b'{"jsonrpc":"2.0","id":NaN,"method":"ping"}',
                                     b'{"jsonrpc":"2.0","id":1' + b"9" * 5000 + b',"method":"ping"}',
                                     b'{"jsonrpc":"2.0","id":Infinity,"method":"ping"}']))
    return draw(st.text(max_size=200)).encode("utf-8", "surrogatepass")


INJECTION = ["name; DROP TABLE res_partner", "id desc, (select 1)", "name asc --", "1/0", "name'||'",
             "pg_sleep(5)", "id desc nulls first; select", "country_id.code", "partner_id.user_ids.login",
             "create_uid.password", "name,\x00", "__count desc", "id::text", "(name)", "name COLLATE \"C\"",
             "date:month", "create_date:week", "'); DELETE FROM res_partner; --", "name desc, " * 20]
MODELS = ["res.partner", "res.country", "res.currency", "res.users", "ir.config_parameter", "mcp.api.key",
          "res.partner.category", "", "no.such.model", "ir.rule"]
FIELD_NAMES = ["name", "email", "id", "display_name", "country_id", "country_id.code", "user_ids.login",
               "password", "", "x" * 300, "parent_id.parent_id.name", "__last_update", "comment"]
OPERATORS = ["=", "!=", "ilike", "in", "not in", "child_of", "like", "=?", ">", "any", "bogus", ""]
domain_terms = st.one_of(
    st.sampled_from(["&", "|", "!", "?"]),
    st.tuples(st.sampled_from(FIELD_NAMES), st.sampled_from(OPERATORS), json_values).map(list),
    json_values)
domains = st.one_of(st.lists(domain_terms, max_size=5), json_values)
limits = st.one_of(st.integers(min_value=-(2 ** 65), max_value=2 ** 65), st.sampled_from([0, -1, 10 ** 12]),
                   json_scalars)


@st.composite
def tool_calls(draw, scratch_id):
    """``(tool name, arguments)``: plausible keys with wrong/odd values, unknown keys."""
    name = draw(st.sampled_from(["search_read", "read", "count", "aggregate", "name_search", "create",
                                 "update", "delete", "execute_method", "get_model_schema", "list_models",
                                 "whoami", "find_user", "list_actions", "no_such_tool"]))
    record_ids = st.one_of(st.lists(st.sampled_from([scratch_id, 10 ** 9, -1, 0, 2 ** 63]), max_size=3),
                           json_values)
    pool = {
        "model": st.one_of(st.sampled_from(MODELS), json_scalars),
        "domain": domains, "fields": st.one_of(st.lists(st.sampled_from(FIELD_NAMES), max_size=4), json_values),
        "order": st.one_of(st.sampled_from(INJECTION), json_scalars),
        "groupby": st.one_of(st.lists(st.sampled_from(INJECTION + FIELD_NAMES), max_size=3), json_values),
        "measures": st.one_of(st.lists(st.sampled_from(FIELD_NAMES + ["__count", "id:sum", "name:max"]),
                                       max_size=3), json_values),
        "limit": limits, "offset": limits, "ids": record_ids,
        "values": st.one_of(st.dictionaries(st.sampled_from(FIELD_NAMES + ["parent_id", "child_ids",
                                                                           "company_id", "lang"]),
                                            json_values, max_size=3), json_values),
        "method": st.one_of(st.sampled_from(["name_get", "write", "unlink", "_read", "read", "sudo",
                                             "check_access_rights", "fields_get", "exists", "copy",
                                             "toggle_active", "onchange", "__init__", "search_count"]),
                            json_scalars),
        "args": json_values, "kwargs": json_values, "context": json_values, "name": json_values,
        "operator": json_values, "query": json_values, "attributes": json_values, "unknown_arg": json_values,
    }
    keys = draw(st.lists(st.sampled_from(sorted(pool)), max_size=6, unique=True))
    arguments = {key: draw(pool[key]) for key in keys}
    if draw(st.booleans()):
        arguments.setdefault("model", "res.partner")
    if name in ("update", "delete") and isinstance(arguments.get("ids"), list):
        # never touch records the other e2e tests rely on: scratch or missing ids only
        arguments["ids"] = [i if isinstance(i, int) and i in (scratch_id, 10 ** 9, -1, 0, 2 ** 63) else 10 ** 9
                            for i in arguments["ids"]]
    if name in ("update", "delete", "execute_method") and not isinstance(arguments.get("ids"), list):
        arguments.pop("ids", None)
    return name, arguments


# -- fixtures -----------------------------------------------------------------
@pytest.fixture(scope="module", autouse=True)
def report_cases(request):
    """Print the number of fuzzed requests at the end of the module."""
    yield
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\nfuzz cases run: {STATS['cases']}")


@pytest.fixture(scope="module")
def scratch(threaded_server, token, probe):
    """A partner the fuzzed update/delete may target; junk that a fuzzed
    ``create`` managed to create is removed at the end."""
    client = RawMcp(threaded_server.url, token)
    client.initialize()
    result = client.tool("create", {"model": "res.partner", "values": {"name": "fuzz scratch"}})
    created = {"res.partner": [result["structuredContent"]["id"]]}
    yield {"id": result["structuredContent"]["id"], "created": created}
    for model, record_ids in created.items():
        table = model.replace(".", "_")
        if table in ("res_partner", "res_partner_category"):
            probe.query(f"DELETE FROM {table} WHERE id = ANY(%s)", (record_ids,))  # noqa: S608


def _session(server, token, revision):
    client = RawMcp(server.url, token, revision)
    client.initialize(revision)
    return client


def _post_and_check(client, probe, data, headers=None):
    """POST ``data`` (bytes); check the invariants; the decoded body."""
    before = probe.snapshot()
    response = client.http.post(client.url, data=data, headers=headers or client.headers(), timeout=60)
    STATS["cases"] += 1
    body = check_response(response)
    messages = body if isinstance(body, list) else [body] if body else []
    if response.status_code >= 400 or all(isinstance(m, dict) and is_refusal(m) for m in messages):
        assert probe.snapshot() == before, ("refused call changed the database", data[:300])
    return response, body


# -- tests --------------------------------------------------------------------
@FUZZ
@given(body=bodies, batch_revision=st.booleans())
def test_fuzz_jsonrpc_envelopes(threaded_server, token, probe, body, batch_revision):
    """Any JSON value as the body, in a 2025-03-26 session (batches allowed) or 2025-06-18."""
    client = _FUZZ_CLIENTS.get(batch_revision) or _FUZZ_CLIENTS.setdefault(
        batch_revision, _session(threaded_server, token, "2025-03-26" if batch_revision else "2025-06-18"))
    response, decoded = _post_and_check(client, probe, json.dumps(body).encode())
    if isinstance(body, dict) and body.get("jsonrpc") == "2.0" and "method" in body and "id" not in body \
            and isinstance(body.get("method"), str) and body["method"] and (
                "params" not in body or isinstance(body["params"], dict)) \
            and "result" not in body and "error" not in body:
        assert response.status_code == 202, (body, response.status_code)  # a valid notification
    if isinstance(decoded, dict) and "error" in decoded and not (isinstance(body, dict) and _id_ok(body)):
        assert decoded["id"] is None, (body, decoded)


def _id_ok(body):
    value = body.get("id")
    return isinstance(value, (str, int)) and not isinstance(value, bool) or (
        isinstance(value, float) and value.is_integer())


_FUZZ_CLIENTS = {}


@FUZZ
@given(data=raw_bodies(), stateless=st.booleans())
def test_fuzz_raw_bytes(threaded_server, token, probe, data, stateless):
    """Invalid UTF-8, truncated JSON, deep nesting, huge strings: 4xx JSON-RPC errors."""
    client = _FUZZ_CLIENTS.get("raw") or _FUZZ_CLIENTS.setdefault("raw", _session(threaded_server, token,
                                                                                   "2025-06-18"))
    headers = client.headers()
    if stateless:
        headers = {k: v for k, v in headers.items() if k.lower() not in ("mcp-session-id",)}
        headers["MCP-Protocol-Version"] = "2026-07-28"
    response, body = _post_and_check(client, probe, data, headers)
    if response.status_code == 400 and isinstance(body, dict) and body.get("error", {}).get("code") == -32700:
        assert body["id"] is None


@FUZZ
@given(data=st.data())
def test_fuzz_tool_arguments(threaded_server, token, probe, scratch, data):
    """Wrong types, bad domains, unknown fields, odd limits, injection-looking order/groupby."""
    client = _FUZZ_CLIENTS.get("tools") or _FUZZ_CLIENTS.setdefault("tools", _session(threaded_server, token,
                                                                                       "2025-06-18"))
    name, arguments = data.draw(tool_calls(scratch["id"]))
    body = {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": name, "arguments": arguments}}
    response, decoded = _post_and_check(client, probe, json.dumps(body).encode())
    assert response.status_code == 200, (response.status_code, decoded)
    result = decoded.get("result") or {}
    if name == "create" and not is_refusal(decoded):
        structured = result.get("structuredContent") or {}
        scratch["created"].setdefault(structured.get("model"), []).append(structured.get("id"))
    if name == "delete" and not is_refusal(decoded) and scratch["id"] in (
            (result.get("structuredContent") or {}).get("deleted_ids") or []):
        again = client.tool("create", {"model": "res.partner", "values": {"name": "fuzz scratch"}})
        scratch["id"] = again["structuredContent"]["id"]
        scratch["created"]["res.partner"].append(scratch["id"])


@FUZZ
@given(data=st.data())
def test_fuzz_tool_arguments_read_only_key(threaded_server, e2e_keys, probe, scratch, data):
    """The same fuzzed calls with a read-only key of a plain employee: write tools always refused."""
    client = _FUZZ_CLIENTS.get("employee") or _FUZZ_CLIENTS.setdefault(
        "employee", _session(threaded_server, e2e_keys["tokens"]["employee_read"], "2025-06-18"))
    name, arguments = data.draw(tool_calls(scratch["id"]))
    body = {"jsonrpc": "2.0", "id": "x", "method": "tools/call", "params": {"name": name, "arguments": arguments}}
    response, decoded = _post_and_check(client, probe, json.dumps(body).encode())
    if name in ("create", "update", "delete", "execute_method"):  # every write tool, whatever the arguments
        assert is_refusal(decoded), decoded


@FUZZ
@given(headers=st.dictionaries(st.sampled_from(["Content-Type", "Accept", "MCP-Protocol-Version", "Mcp-Session-Id",
                                                "Mcp-Method", "Mcp-Name", "Origin", "Authorization"]),
                               st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60).map(str.strip),
                               max_size=4),
       method=st.sampled_from(["POST", "GET", "DELETE", "PUT", "PATCH", "OPTIONS"]))
def test_fuzz_http_headers_and_methods(threaded_server, token, probe, headers, method):
    """Odd header values and HTTP methods: JSON refusals, never a 5xx (GET streams are not opened)."""
    client = _FUZZ_CLIENTS.get("headers") or _FUZZ_CLIENTS.setdefault("headers", _session(threaded_server, token,
                                                                                         "2025-06-18"))
    all_headers = client.headers()
    all_headers.update(headers)
    if method == "GET":
        all_headers["Accept"] = "application/json"  # a stream would be 200 and endless
    before = probe.snapshot()
    response = requests.request(method, client.url, headers=all_headers, timeout=30,
                                data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}))
    STATS["cases"] += 1
    if response.headers.get("Content-Type", "").startswith("text/event-stream"):
        response.close()
        return
    check_response(response)
    assert probe.snapshot() == before


def test_fuzz_error_ids_echo(threaded_server, token):
    """Every valid id type is echoed exactly in the error of an unknown method."""
    client = _session(threaded_server, token, "2025-06-18")
    for value in ("", "ü" * 1000, 0, -1, 2 ** 53, 2 ** 63 + 5, "null"):
        response = client.post({"jsonrpc": "2.0", "id": value, "method": "no/such"})
        body = check_response(response)
        check_message(body)
        assert body["id"] == value and body["error"]["code"] == -32601, body
