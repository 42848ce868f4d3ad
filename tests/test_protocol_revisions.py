"""Revisions, negotiation, headers, feature flags, capabilities, the
2026-07-28 envelope and tool results (plain pytest)."""
import pytest

from odoo.addons.mcp_bridge.protocol import capabilities, revisions, stateless, tool_result
from odoo.addons.mcp_bridge.protocol.errors import (
    HeaderMismatch,
    InvalidParams,
    MissingRequiredClientCapability,
    UnsupportedProtocolVersion,
)
from odoo.addons.mcp_bridge.tools.base import Tool

ALL = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28")


def test_revision_constants():
    assert revisions.REVISIONS == ALL
    assert revisions.LATEST == "2026-07-28"
    assert revisions.HANDSHAKE_REVISIONS == ALL[:4]
    assert revisions.LATEST_HANDSHAKE == "2025-11-25"
    assert revisions.supported_versions() == list(reversed(ALL))


@pytest.mark.parametrize("version", ALL[:4])
def test_negotiate_known_handshake_versions(version):
    assert revisions.negotiate(version) == version


@pytest.mark.parametrize("version", ["2026-07-28", "2024-10-07", "2099-01-01", "", None, 20250618, ["2025-06-18"]])
def test_negotiate_anything_else_gets_latest_handshake(version):
    assert revisions.negotiate(version) == "2025-11-25"


def test_check_header_missing_defaults():
    assert revisions.check_header(None) == "2025-03-26"
    assert revisions.check_header("") == "2025-03-26"
    assert revisions.check_header("  ") == "2025-03-26"
    assert revisions.check_header(None, session_revision="2025-06-18") == "2025-06-18"


@pytest.mark.parametrize("version", ALL)
def test_check_header_supported(version):
    assert revisions.check_header(version) == version
    assert revisions.check_header(" %s " % version) == version
    assert revisions.check_header(version, session_revision=version) == version


def test_check_header_unsupported_is_400():
    with pytest.raises(UnsupportedProtocolVersion) as info:
        revisions.check_header("2099-01-01")
    err = info.value
    assert err.http_status == 400
    assert err.code == -32022
    assert err.message == "Unsupported MCP-Protocol-Version header: 2099-01-01"
    assert err.to_error() == {"code": -32022, "message": "Unsupported MCP-Protocol-Version header: 2099-01-01",
                              "data": {"supported": list(reversed(ALL)), "requested": "2099-01-01"}}


def test_check_header_unprintable_value_is_sanitized():
    with pytest.raises(UnsupportedProtocolVersion) as info:
        revisions.check_header("x\x01" + "y" * 100)
    assert info.value.message == "Unsupported MCP-Protocol-Version header: x?" + "y" * 38 + "..."


def test_check_header_differs_from_session():
    with pytest.raises(UnsupportedProtocolVersion) as info:
        revisions.check_header("2025-06-18", session_revision="2025-03-26")
    assert info.value.http_status == 400
    assert info.value.message == (
        "MCP-Protocol-Version 2025-06-18 does not match the session's negotiated version 2025-03-26")
    assert info.value.data == {"supported": ["2025-03-26"], "requested": "2025-06-18"}


FLAGS = {
    # flag the server uses: revisions where it is true
    "supports_batch": {"2025-03-26"},
    "supports_tool_annotations": set(ALL[1:]),
    "supports_completions_capability": set(ALL[1:]),
    "supports_structured_content": set(ALL[2:]),
    "supports_title": set(ALL[2:]),
    "is_stateless": {"2026-07-28"},
    "supports_set_level": set(ALL[:4]),
}


@pytest.mark.parametrize("flag", sorted(FLAGS))
def test_feature_flags(flag):
    function = getattr(revisions, flag)
    assert {rev for rev in ALL if function(rev)} == FLAGS[flag]


def test_at_least_and_unknown():
    assert revisions.at_least("2025-06-18", "2025-03-26")
    assert not revisions.at_least("2024-11-05", "2025-03-26")
    assert not revisions.at_least("2099-01-01", "2024-11-05")
    assert not revisions.supports_structured_content("garbage")
    assert not revisions.supports_tool_annotations("2099-01-01")


class _Echo(Tool):
    name = "echo"
    title = "Echo"
    description = "test"
    output_schema = {"type": "object"}
    annotations = {"readOnlyHint": True}


@pytest.mark.parametrize("revision", ALL)
def test_tools_list_entry_per_revision(revision):
    """``annotations`` from 2025-03-26, ``title`` and ``outputSchema`` from 2025-06-18."""
    entry = _Echo().describe(revision)
    expected = {"name": "echo", "description": "test", "inputSchema": Tool.input_schema}
    if revision != "2024-11-05":
        expected["annotations"] = {"readOnlyHint": True, "title": "Echo"}
    if revision >= "2025-06-18":
        expected.update(title="Echo", outputSchema={"type": "object"})
    assert entry == expected


@pytest.mark.parametrize("revision", ALL)
def test_results_carry_text_content_only(revision):
    """Tool results are one ``text`` block in every revision (no audio,
    image or resource_link blocks); ``resultType`` only in 2026-07-28."""
    for result in (tool_result.tool_result({"a": 1}, revision), tool_result.tool_error_result("no", revision)):
        assert [block["type"] for block in result["content"]] == ["text"]
        assert ("resultType" in result) == (revision == "2026-07-28")


@pytest.mark.parametrize("revision", ALL)
def test_server_info_has_no_icons(revision):
    """``icons``/``description``/``websiteUrl`` (2025-11-25+) are not sent."""
    assert set(capabilities.server_info(revision)) <= {"name", "version", "title"}


def test_cache_hints_only_on_cacheable_stateless_results():
    """2026-07-28 list/read results get ``ttlMs: 0`` / ``cacheScope: private``;
    other methods and other revisions get none."""
    listed = stateless.finalize_result({"tools": []}, "2026-07-28", "tools/list")
    assert (listed["ttlMs"], listed["cacheScope"], listed["resultType"]) == (0, "private", "complete")
    called = stateless.finalize_result({"content": []}, "2026-07-28", "tools/call")
    assert "ttlMs" not in called and "cacheScope" not in called and called["resultType"] == "complete"
    assert stateless.finalize_result({"tools": []}, "2025-11-25", "tools/list") == {"tools": []}


def test_client_methods_and_not_found_code():
    legacy = revisions.client_methods("2025-06-18")
    modern = revisions.client_methods("2026-07-28")
    assert {"initialize", "ping", "logging/setLevel"} <= legacy and "server/discover" not in legacy
    assert {"server/discover", "tools/call", "subscriptions/listen"} <= modern
    assert not {"initialize", "ping", "logging/setLevel", "resources/subscribe"} & modern
    assert revisions.client_methods("2024-11-05") == legacy == revisions.client_methods("2025-11-25")
    assert revisions.resource_not_found_code("2025-11-25") == -32002
    assert revisions.resource_not_found_code("2026-07-28") == -32602


# -- capabilities -------------------------------------------------------------

BASE_CAPS = {"tools": {"listChanged": False}, "resources": {"subscribe": False, "listChanged": False},
             "prompts": {"listChanged": False}}
#: the handshake revisions have resources/subscribe; 2026-07-28 does not
HANDSHAKE_CAPS = dict(BASE_CAPS, resources={"subscribe": True, "listChanged": False})


def test_server_capabilities_per_revision():
    assert capabilities.server_capabilities("2024-11-05") == dict(HANDSHAKE_CAPS, logging={})
    for rev in ("2025-03-26", "2025-06-18", "2025-11-25"):
        assert capabilities.server_capabilities(rev) == dict(HANDSHAKE_CAPS, logging={}, completions={})
    assert capabilities.server_capabilities("2026-07-28") == dict(BASE_CAPS, completions={})
    assert "logging" in capabilities.server_capabilities("2026-07-28", logging=True)


def test_server_info_and_initialize_result():
    assert capabilities.server_info("2025-03-26") == {"name": "odoo-mcp-bridge", "version": "18.0.1.0.0"}
    assert capabilities.server_info("2025-06-18") == {
        "name": "odoo-mcp-bridge", "version": "18.0.1.0.0", "title": "Odoo MCP Server"}
    result = capabilities.initialize_result("2025-06-18", "Use list_models first.")
    assert result == {
        "protocolVersion": "2025-06-18",
        "capabilities": dict(HANDSHAKE_CAPS, logging={}, completions={}),
        "serverInfo": {"name": "odoo-mcp-bridge", "version": "18.0.1.0.0", "title": "Odoo MCP Server"},
        "instructions": "Use list_models first.",
    }
    assert "instructions" not in capabilities.initialize_result("2024-11-05")


def test_discover_result():
    assert capabilities.discover_result("Hi") == {
        "resultType": "complete",
        "supportedVersions": ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"],
        "capabilities": dict(BASE_CAPS, completions={}),
        "_meta": {"io.modelcontextprotocol/serverInfo": {
            "name": "odoo-mcp-bridge", "version": "18.0.1.0.0", "title": "Odoo MCP Server"}},
        "ttlMs": 300000,
        "cacheScope": "public",
        "instructions": "Hi",
    }
    assert "instructions" not in capabilities.discover_result()


# -- 2026-07-28 envelope ------------------------------------------------------

META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "c", "version": "1"}}


def _call(name="list_models", meta=META, method="tools/call"):
    return {"jsonrpc": "2.0", "id": 1, "method": method, "params": {"name": name, "arguments": {}, "_meta": meta}}


HEADERS = {"mcp-protocol-version": "2026-07-28", "MCP-METHOD": "tools/call", "Mcp-Name": "list_models"}


def test_is_modern_request():
    assert stateless.is_modern_request(_call())
    assert not stateless.is_modern_request({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert not stateless.is_modern_request({"params": {"_meta": {"progressToken": 1}}})
    assert not stateless.is_modern_request({"params": []})


def test_validate_request_ok():
    meta = stateless.validate_request(_call(), HEADERS)
    assert meta == {"protocol_version": "2026-07-28", "client_capabilities": {},
                    "client_info": {"name": "c", "version": "1"}, "log_level": None}
    assert stateless.validate_request(_call(), list(HEADERS.items()))["protocol_version"] == "2026-07-28"
    assert stateless.validate_request(_call())["protocol_version"] == "2026-07-28"  # no headers: not HTTP


@pytest.mark.parametrize("meta, text", [
    (None, "params._meta must be an object carrying io.modelcontextprotocol/protocolVersion "
           "and io.modelcontextprotocol/clientCapabilities"),
    ({"io.modelcontextprotocol/protocolVersion": "2026-07-28"},
     "params._meta is missing required field(s): io.modelcontextprotocol/clientCapabilities"),
    ({}, "params._meta is missing required field(s): io.modelcontextprotocol/protocolVersion, "
         "io.modelcontextprotocol/clientCapabilities"),
    ({"io.modelcontextprotocol/protocolVersion": 2026, "io.modelcontextprotocol/clientCapabilities": {}},
     "io.modelcontextprotocol/protocolVersion must be a string"),
    ({"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": []},
     "io.modelcontextprotocol/clientCapabilities must be an object"),
])
def test_validate_request_bad_meta(meta, text):
    with pytest.raises(InvalidParams) as info:
        stateless.validate_request(_call(meta=meta), HEADERS)
    assert info.value.code == -32602 and info.value.http_status == 400
    assert info.value.message == text


@pytest.mark.parametrize("changes, text", [
    ({"mcp-protocol-version": None}, "MCP-Protocol-Version header does not match _meta "
                                     "io.modelcontextprotocol/protocolVersion"),
    ({"mcp-protocol-version": "2025-11-25"}, "MCP-Protocol-Version header does not match _meta "
                                             "io.modelcontextprotocol/protocolVersion"),
    ({"MCP-METHOD": None}, "Mcp-Method header does not match the body's method"),
    ({"MCP-METHOD": "tools/list"}, "Mcp-Method header does not match the body's method"),
    ({"MCP-METHOD": "TOOLS/CALL"}, "Mcp-Method header does not match the body's method"),
    ({"Mcp-Name": None}, "Mcp-Name header does not match params.name"),
    ({"Mcp-Name": "other"}, "Mcp-Name header does not match params.name"),
    ({"Mcp-Name": "=?base64?!!!?="}, "Mcp-Name header does not match params.name"),
])
def test_validate_request_header_mismatch(changes, text):
    headers = {k: v for k, v in dict(HEADERS, **changes).items() if v is not None}
    with pytest.raises(HeaderMismatch) as info:
        stateless.validate_request(_call(), headers)
    assert info.value.code == -32020 and info.value.http_status == 400
    assert info.value.message == "Header mismatch: " + text


def test_mcp_name_base64_and_resources_read():
    name = "Hello, 世界"
    headers = dict(HEADERS, **{"Mcp-Name": "=?base64?SGVsbG8sIOS4lueVjA==?="})
    assert stateless.validate_request(_call(name=name), headers)
    read = {"jsonrpc": "2.0", "id": 2, "method": "resources/read",
            "params": {"uri": "odoo://model/res.partner", "_meta": META}}
    hdrs = {"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "resources/read",
            "Mcp-Name": "odoo://model/res.partner"}
    assert stateless.validate_request(read, hdrs)
    with pytest.raises(HeaderMismatch):
        stateless.validate_request(read, dict(hdrs, **{"Mcp-Name": "odoo://model/res.users"}))
    listing = {"jsonrpc": "2.0", "id": 3, "method": "tools/list", "params": {"_meta": META}}
    assert stateless.validate_request(listing, {"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/list"})


def test_decode_header_value():
    assert stateless.decode_header_value("plain") == "plain"
    assert stateless.decode_header_value(None) is None
    assert stateless.decode_header_value("=?base64?IHBhZGRlZCA=?=") == " padded "
    assert stateless.decode_header_value("=?base64?not base64?=") is None
    assert stateless.decode_header_value("=?base64?/w==?=") is None  # not UTF-8


def test_validate_request_unsupported_version():
    meta = dict(META, **{"io.modelcontextprotocol/protocolVersion": "2025-11-25"})
    headers = dict(HEADERS, **{"mcp-protocol-version": "2025-11-25"})
    with pytest.raises(UnsupportedProtocolVersion) as info:
        stateless.validate_request(_call(meta=meta), headers)
    assert info.value.to_error() == {"code": -32022, "message": "Unsupported protocol version", "data": {
        "supported": list(reversed(ALL)), "requested": "2025-11-25"}}


def test_method_not_found_and_finalize():
    assert stateless.method_not_found("ping", "2026-07-28").http_status == 404
    legacy = stateless.method_not_found("nope", "2025-06-18")
    assert (legacy.http_status, legacy.code, legacy.message) == (200, -32601, "Method not found: nope")
    assert stateless.finalize_result({"tools": []}, "2025-11-25") == {"tools": []}
    assert stateless.finalize_result({"tools": []}, "2026-07-28") == {
        "tools": [], "resultType": "complete", "_meta": {"io.modelcontextprotocol/serverInfo": {
            "name": "odoo-mcp-bridge", "version": "18.0.1.0.0", "title": "Odoo MCP Server"}}}
    kept = stateless.finalize_result({"resultType": "input_required", "_meta": {"x/y": 1}}, "2026-07-28")
    assert kept["resultType"] == "input_required" and kept["_meta"]["x/y"] == 1


def test_missing_client_capability_error():
    err = MissingRequiredClientCapability("needs elicitation", {"elicitation": {}})
    assert err.http_status == 400
    assert err.to_error() == {"code": -32021, "message": "needs elicitation",
                              "data": {"requiredCapabilities": {"elicitation": {}}}}


# -- tool results --------------------------------------------------------------

def test_tool_result_per_revision():
    data = {"records": [{"id": 1, "name": "Azure"}], "count": 1}
    text = '{"records": [{"id": 1, "name": "Azure"}], "count": 1}'
    old = tool_result.tool_result(data, "2025-03-26")
    assert old == {"content": [{"type": "text", "text": text}], "isError": False}
    assert tool_result.tool_result(data, "2024-11-05") == old
    for rev in ("2025-06-18", "2025-11-25"):
        assert tool_result.tool_result(data, rev) == {
            "content": [{"type": "text", "text": text}], "structuredContent": data, "isError": False}
    assert tool_result.tool_result(data, "2026-07-28") == {
        "content": [{"type": "text", "text": text}], "structuredContent": data, "isError": False,
        "resultType": "complete"}


def test_tool_result_non_object_and_unicode():
    assert tool_result.tool_result([1, 2], "2025-06-18") == {
        "content": [{"type": "text", "text": "[1, 2]"}], "isError": False}
    assert tool_result.tool_result([1, 2], "2026-07-28")["structuredContent"] == [1, 2]
    assert tool_result.tool_result("done", "2025-06-18")["content"][0]["text"] == "done"
    assert tool_result.tool_result({"n": "é"}, "2025-06-18")["content"][0]["text"] == '{"n": "é"}'
    assert tool_result.tool_result({"a": 1}, "2025-06-18", is_error=True)["isError"] is True


def test_tool_error_result():
    assert tool_result.tool_error_result("Unknown field 'x' on res.partner", "2025-06-18") == {
        "content": [{"type": "text", "text": "Unknown field 'x' on res.partner"}], "isError": True}
    assert tool_result.tool_error_result("boom", "2026-07-28") == {
        "content": [{"type": "text", "text": "boom"}], "isError": True, "resultType": "complete"}
