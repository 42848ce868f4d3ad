"""The agent's toolbox through a real client: the Python MCP SDK 1.x over
Streamable HTTP (/mcp) against the threaded Odoo server, on demo data.

Per tool: a happy path whose ``structuredContent`` is validated against the
``outputSchema`` announced by ``tools/list`` (JSON Schema 2020-12), and an
error case that comes back as an ``isError`` result with a message saying
what to fix. Then resources, resource templates, prompts and completion.
"""
import asyncio
import json

import jsonschema
import pytest
from mcp import types
from mcp.shared.exceptions import McpError
from pydantic import AnyUrl

from ...models.mcp_guard_rules import DOMAIN_TERM_OPERATORS, MSG_DID_YOU_MEAN, MSG_DOMAIN_BAD_OPERATOR, MSG_UNKNOWN_FIELD
from . import sdk1

#: One message for an unknown field on every path (domain, fields, values): the guard's.
UNKNOWN_NME = (MSG_UNKNOWN_FIELD % {"field": "nme", "model": "res.partner"}
               + MSG_DID_YOU_MEAN % {"suggestions": "name"})


@pytest.fixture(scope="module")
def mcp_url(threaded_server):
    return threaded_server.url + "/mcp"


@pytest.fixture(scope="module")
def output_schemas(mcp_url, token):
    """``{tool name: outputSchema}`` from tools/list."""
    listed = asyncio.run(sdk1.list_tools(mcp_url, token))
    return {tool["name"]: tool["outputSchema"] for tool in listed["tools"]}


def _calls(url, token, calls):
    """Run ``[(name, arguments), ...]`` on one SDK session; the results as dicts."""
    async def run():
        async with sdk1.open_session(url, token) as (session, _init):
            return [sdk1._dump(await session.call_tool(name, args)) for name, args in calls]
    return asyncio.run(run())


def _ok(result, schema):
    """The structured content of a successful result, checked against ``schema``."""
    assert result["isError"] is False, result
    structured = result["structuredContent"]
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(structured)
    assert json.loads(result["content"][0]["text"]) == structured
    return structured


def _error(result):
    """The message of an ``isError`` result (no structured content)."""
    assert result["isError"] is True, result
    assert "structuredContent" not in result
    return result["content"][0]["text"]


def test_every_tool_has_an_output_schema(output_schemas):
    assert sorted(output_schemas) == sorted([
        "aggregate", "count", "create", "delete", "duplicate", "execute_method", "export_records", "find_user",
        "get_approval", "get_model_schema", "list_actions", "list_models", "name_search", "print_report", "read", "search_read",
        "update", "whoami", "wizard"])


def test_list_models(mcp_url, token, output_schemas):
    first, second, bad = _calls(mcp_url, token, [
        ("list_models", {"query": "partner", "limit": 2}),
        ("list_models", {"query": "partner", "limit": 2, "offset": 2}),
        ("list_models", {"limit": 0}),
    ])
    page = _ok(first, output_schemas["list_models"])
    assert page["count"] == 2 and page["next_offset"] == 2 and page["total"] >= 3
    assert page["models"][0] == {"model": "res.partner", "name": "Contact", "transient": False}
    following = _ok(second, output_schemas["list_models"])
    assert not {m["model"] for m in page["models"]} & {m["model"] for m in following["models"]}
    assert _error(bad) == "Invalid arguments: limit: 0 is less than the minimum of 1"


def test_get_model_schema(mcp_url, token, output_schemas):
    good, bad = _calls(mcp_url, token, [
        ("get_model_schema", {"model": "res.partner", "fields": ["name", "country_id"]}),
        ("get_model_schema", {"model": "res.partnr"}),
    ])
    schema = _ok(good, output_schemas["get_model_schema"])
    fields = {f["name"]: f for f in schema["fields"]}
    assert set(fields) == {"name", "country_id"}
    assert fields["country_id"]["type"] == "many2one" and fields["country_id"]["relation"] == "res.country"
    assert _error(bad) == "Unknown model 'res.partnr'. Did you mean: res.partner, res.partner.bank, res.partner.title?"


def test_search_read_pages(mcp_url, token, output_schemas):
    domain = [["is_company", "=", True]]
    first, second, bad = _calls(mcp_url, token, [
        ("search_read", {"model": "res.partner", "domain": domain, "fields": ["name", "country_id"],
                         "order": "id", "limit": 2, "count_total": True}),
        ("search_read", {"model": "res.partner", "domain": domain, "fields": ["name"], "order": "id",
                         "limit": 2, "offset": 2}),
        ("search_read", {"model": "res.partner", "domain": [["nme", "=", "x"]]}),
    ])
    page = _ok(first, output_schemas["search_read"])
    assert page["count"] == 2 and page["offset"] == 0 and page["next_offset"] == 2 and page["total"] > 2
    record = page["records"][0]
    assert set(record) == {"id", "name", "country_id"}
    assert record["country_id"] is False or (isinstance(record["country_id"], list) and len(record["country_id"]) == 2)
    following = _ok(second, output_schemas["search_read"])
    assert following["records"][0]["id"] > page["records"][-1]["id"]
    # without count_total, total is known on the last page only
    assert (following["total"] is None) == (following["next_offset"] is not None)
    assert _error(bad) == UNKNOWN_NME


def test_read(mcp_url, token, output_schemas):
    good, bad = _calls(mcp_url, token, [
        ("read", {"model": "res.partner", "ids": [1, 999999999], "fields": ["name", "email"]}),
        ("read", {"model": "res.partner", "ids": [1], "fields": ["nme"]}),
    ])
    result = _ok(good, output_schemas["read"])
    assert result["count"] == 1 and result["missing_ids"] == [999999999]
    assert result["records"][0]["id"] == 1 and result["records"][0]["name"]
    assert _error(bad) == UNKNOWN_NME


def test_count(mcp_url, token, output_schemas):
    good, bad = _calls(mcp_url, token, [
        ("count", {"model": "res.country", "domain": [["code", "=", "BE"]]}),
        ("count", {"model": "no.such.model"}),
    ])
    assert _ok(good, output_schemas["count"]) == {"model": "res.country", "count": 1}
    assert _error(bad) == "Unknown model 'no.such.model'."


def test_domain_operators_are_the_guards(mcp_url, token, output_schemas):
    """'<>' and upper-case operators reach the guard's handling (the tools
    have no operator list of their own); a bad one gets the guard's message."""
    not_be, upper, bad = _calls(mcp_url, token, [
        ("count", {"model": "res.country", "domain": [["code", "<>", "BE"], ["code", "in", ["BE", "FR"]]]}),
        ("search_read", {"model": "res.country", "domain": [["code", "IN", ["BE", "FR"]]], "fields": ["code"],
                         "order": "code"}),
        ("count", {"model": "res.country", "domain": [["code", "~", "BE"]]}),
    ])
    assert _ok(not_be, output_schemas["count"]) == {"model": "res.country", "count": 1}
    assert [r["code"] for r in _ok(upper, output_schemas["search_read"])["records"]] == ["BE", "FR"]
    assert _error(bad) == MSG_DOMAIN_BAD_OPERATOR % {"operator": "~", "term": "['code', '~', 'BE']",
                                                     "operators": ", ".join(sorted(DOMAIN_TERM_OPERATORS))}


def test_aggregate(mcp_url, token, output_schemas):
    good, bad = _calls(mcp_url, token, [
        ("aggregate", {"model": "res.partner", "groupby": ["country_id"], "measures": ["__count"],
                       "order": "__count desc", "limit": 2}),
        ("aggregate", {"model": "res.partner", "groupby": ["country_id"], "measures": ["name:sum"]}),
    ])
    result = _ok(good, output_schemas["aggregate"])
    assert result["count"] == 2
    counts = [group["__count"] for group in result["groups"]]
    assert counts == sorted(counts, reverse=True) and counts[0] >= 1
    assert _error(bad) == "sum needs a numeric field; 'name' is char."


def test_name_search(mcp_url, token, output_schemas):
    good, bad = _calls(mcp_url, token, [
        ("name_search", {"model": "res.country", "name": "belg"}),
        ("name_search", {"model": "res.country", "name": "x", "operator": "bogus"}),
    ])
    result = _ok(good, output_schemas["name_search"])
    assert [name for _id, name in result["results"]] == ["Belgium"]
    assert _error(bad).startswith("Invalid arguments: operator: 'bogus' is not one of ['ilike'")


def test_create_update_delete(mcp_url, token, output_schemas):
    """create → update → delete a partner tag; each with its error case."""
    created, bad_create = _calls(mcp_url, token, [
        ("create", {"model": "res.partner.category", "values": {"name": "E2E SDK tag"}}),
        ("create", {"model": "res.partner", "values": {"nme": "x"}}),
    ])
    record = _ok(created, output_schemas["create"])
    assert record["model"] == "res.partner.category" and record["display_name"] == "E2E SDK tag"
    assert _error(bad_create) == UNKNOWN_NME
    tag_id = record["id"]
    updated, bad_update, check = _calls(mcp_url, token, [
        ("update", {"model": "res.partner.category", "ids": [tag_id], "values": {"name": "E2E SDK tag 2"}}),
        ("update", {"model": "res.partner.category", "ids": [999999999], "values": {"name": "x"}}),
        ("read", {"model": "res.partner.category", "ids": [tag_id], "fields": ["name"]}),
    ])
    assert _ok(updated, output_schemas["update"]) == {
        "model": "res.partner.category", "ids": [tag_id], "count": 1, "fields": ["name"]}
    assert _error(bad_update) == "No res.partner.category record with id 999999999; nothing was updated."
    assert check["structuredContent"]["records"][0]["name"] == "E2E SDK tag 2"
    deleted, bad_delete, gone = _calls(mcp_url, token, [
        ("delete", {"model": "res.partner.category", "ids": [tag_id, 999999999]}),
        ("delete", {"model": "res.partnr", "ids": [1]}),
        ("count", {"model": "res.partner.category", "domain": [["id", "=", tag_id]]}),
    ])
    assert _ok(deleted, output_schemas["delete"]) == {
        "model": "res.partner.category", "deleted_ids": [tag_id], "missing_ids": [999999999], "count": 1}
    assert _error(bad_delete).startswith("Unknown model 'res.partnr'. Did you mean: res.partner")
    assert gone["structuredContent"]["count"] == 0


def test_execute_method(mcp_url, token, output_schemas):
    good, bad = _calls(mcp_url, token, [
        ("execute_method", {"model": "res.partner", "method": "address_get", "ids": [1], "args": [["invoice"]]}),
        ("execute_method", {"model": "res.partner", "method": "no_such_method", "ids": [1]}),
    ])
    result = _ok(good, output_schemas["execute_method"])
    assert result["result"] == {"contact": 1, "invoice": 1} and result["hidden_records"] == 0
    assert _error(bad) == "Model 'res.partner' has no public method 'no_such_method'."


def test_read_only_key_cannot_write(mcp_url, e2e_keys):
    """A read-scope key is offered the 12 read tools only (``initialize``'s
    instructions say so), and a write tool called anyway is refused with a
    JSON-RPC error the SDK raises."""
    async def run():
        async with sdk1.open_session(mcp_url, e2e_keys["tokens"]["employee_read"]) as (session, init):
            listed = sorted(tool.name for tool in (await session.list_tools()).tools)
            try:
                await session.call_tool("create", {"model": "res.partner.category", "values": {"name": "x"}})
            except McpError as exc:
                return init, listed, exc.error
        return init, listed, None
    init, listed, error = asyncio.run(run())
    assert listed == ["aggregate", "count", "export_records", "find_user", "get_approval", "get_model_schema",
                      "list_actions", "list_models", "name_search", "print_report", "read", "search_read", "whoami"]
    assert init.instructions.endswith(
        "This API key is read-only, so tools/list does not offer the write tools "
        "(create, delete, duplicate, execute_method, update, wizard).")
    assert error is not None, "the create call was not refused"
    assert error.code == -32003
    assert error.message == "This API key is read-only: 'create' on 'res.partner.category' is not allowed."


def test_resources_prompts_completion(mcp_url, token):
    """resources/list (+ next page), templates, resources/read of a model and a
    record, prompts/list + prompts/get, completion/complete, all via the SDK."""
    async def run():
        out = {}
        async with sdk1.open_session(mcp_url, token) as (session, _init):
            out["list"] = await session.list_resources()
            if out["list"].nextCursor:
                out["next"] = await session.list_resources(cursor=out["list"].nextCursor)
            out["templates"] = await session.list_resource_templates()
            out["model"] = await session.read_resource(AnyUrl("odoo://model/res.partner"))
            out["record"] = await session.read_resource(AnyUrl("odoo://record/res.partner/1"))
            try:
                await session.read_resource(AnyUrl("odoo://record/res.partner/999999999"))
            except McpError as exc:
                out["missing"] = exc.error
            out["prompts"] = await session.list_prompts()
            out["prompt"] = await session.get_prompt("explore_model", {"model": "res.partner"})
            try:
                await session.get_prompt("no_such_prompt", {})
            except McpError as exc:
                out["bad_prompt"] = exc.error
            out["complete_model"] = await session.complete(
                types.PromptReference(type="ref/prompt", name="explore_model"),
                {"name": "model", "value": "res.partn"})
            out["complete_field"] = await session.complete(
                types.PromptReference(type="ref/prompt", name="analyze_data"),
                {"name": "groupby", "value": "countr"}, context_arguments={"model": "res.partner"})
            out["complete_unknown"] = await session.complete(
                types.PromptReference(type="ref/prompt", name="no_such_prompt"), {"name": "x", "value": ""})
        return out
    out = asyncio.run(run())

    pages = [out["list"]] + ([out["next"]] if "next" in out else [])
    uris = [str(r.uri) for page in pages for r in page.resources]
    assert "odoo://model/res.partner" in uris
    assert len(uris) == len(set(uris))
    assert all(r.mimeType == "application/json" for r in out["list"].resources)
    assert sorted(t.uriTemplate for t in out["templates"].resourceTemplates) == [
        "odoo://model/{model}", "odoo://record/{model}/{id}"]

    model = json.loads(out["model"].contents[0].text)
    assert model["model"] == "res.partner"
    assert "country_id" in {f["name"] for f in model["fields"]}
    record = json.loads(out["record"].contents[0].text)
    assert record["model"] == "res.partner" and record["record"]["id"] == 1
    assert str(out["record"].contents[0].uri) == "odoo://record/res.partner/1"
    assert out["missing"].code == -32002
    assert out["missing"].message == "No res.partner record with id 999999999."

    assert {p.name for p in out["prompts"].prompts} == {
        "explore_model", "summarize_record", "build_domain", "analyze_data"}
    text = " ".join(m.content.text for m in out["prompt"].messages if m.content.type == "text")
    assert "res.partner" in text
    assert out["bad_prompt"].code == -32602
    assert out["bad_prompt"].message.startswith("Unknown prompt 'no_such_prompt'. Available: explore_model")

    assert out["complete_model"].completion.values[0] == "res.partner"
    assert "country_id" in out["complete_field"].completion.values
    # Nothing to suggest for a prompt we do not have (conformance completion-complete).
    assert out["complete_unknown"].completion.values == []
