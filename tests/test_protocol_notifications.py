"""Progress and log notifications (plain pytest)."""
import pytest
from odoo.addons.mcp_bridge.protocol import notifications
from odoo.addons.mcp_bridge.protocol.errors import MissingRequiredClientCapability
from odoo.addons.mcp_bridge.tools.context import McpContext


def test_progress_token_from_the_request_meta():
    assert notifications.progress_token({"_meta": {"progressToken": "t"}}) == "t"
    assert notifications.progress_token({"_meta": {"progressToken": 3}}) == 3
    for params in ({}, {"_meta": {}}, {"_meta": {"progressToken": None}}, {"_meta": {"progressToken": True}},
                   {"_meta": {"progressToken": {"a": 1}}}, {"_meta": "x"}, None):
        assert notifications.progress_token(params) is None


def test_progress_notification():
    assert notifications.progress("t", 1, 4, "step", "2025-11-25") == {
        "jsonrpc": "2.0", "method": "notifications/progress",
        "params": {"progressToken": "t", "progress": 1, "total": 4, "message": "step"}}
    assert notifications.progress(None, 1) is None
    # no message before 2025-03-26
    assert notifications.progress("t", 1, None, "step", "2024-11-05")["params"] == {"progressToken": "t",
                                                                                   "progress": 1}
    for bad in ("1", float("nan"), True):
        with pytest.raises(ValueError):
            notifications.progress("t", bad)


@pytest.mark.parametrize("threshold, level, sent", [
    ("debug", "debug", True), ("info", "debug", False), ("info", "info", True), ("warning", "error", True),
    ("emergency", "alert", False), (None, "emergency", False), ("bogus", "error", False),
])
def test_log_threshold(threshold, level, sent):
    note = notifications.log_message(threshold, level, "hello", logger="odoo")
    if sent:
        assert note == {"jsonrpc": "2.0", "method": "notifications/message",
                        "params": {"level": level, "data": "hello", "logger": "odoo"}}
    else:
        assert note is None


def test_log_refuses_an_unknown_level():
    with pytest.raises(ValueError):
        notifications.log_message("debug", "verbose", "x")


def test_context_collects_what_the_client_asked_for():
    ctx = McpContext(None, None, "2025-11-25", {}, None, None, None)
    ctx.progress(1, 2)  # no token: nothing
    ctx.log("error", "boom")  # no level: nothing
    assert ctx.notifications == []
    ctx.params = {"_meta": {"progressToken": "p"}}
    ctx.log_level = "warning"
    ctx.progress(1, 2, "half")
    ctx.log("info", "quiet")
    ctx.log("error", "loud")
    assert [(n["method"], n["params"]) for n in ctx.notifications] == [
        ("notifications/progress", {"progressToken": "p", "progress": 1, "total": 2, "message": "half"}),
        ("notifications/message", {"level": "error", "data": "loud"})]


def test_require_client_capability():
    ctx = McpContext(None, None, "2026-07-28", {}, None, None, None)
    ctx.require_client_capability("sampling")  # not known (a session): no refusal
    ctx.client_capabilities = {"sampling": {}}
    ctx.require_client_capability("sampling")
    with pytest.raises(MissingRequiredClientCapability) as caught:
        ctx.require_client_capability("elicitation")
    assert caught.value.code == -32021 and caught.value.data == {"requiredCapabilities": {"elicitation": {}}}
