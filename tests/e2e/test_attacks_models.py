"""Attack suite: blocked models and blocked methods, through the real /mcp endpoint.

Every always-blocked model × every tool path naming a model ⇒ JSON-RPC
error -32003 ``MSG_MODEL_BLOCKED`` with ``data == {model, reason: blocked}``
(threaded server, one session per path); every name of ``METHOD_BLOCKLIST``
and every blocked prefix via ``execute_method`` on res.partner ⇒ -32003
``MSG_METHOD_DENIED``. A representative subset runs on both server modes.
"""
import pytest

from ...models.mcp_guard_rules import (ALWAYS_BLOCKED_MODELS, METHOD_BLOCKED_PREFIXES, METHOD_BLOCKLIST,
                                 MSG_METHOD_DENIED, MSG_MODEL_BLOCKED, MSG_MODEL_SCOPE)
from .attack_helpers import batch, client, denied, rpc, sessions, tool_ok, tool_raw  # noqa: F401 (sessions: fixture)

SEED_MODELS = (
    "ir.rule", "ir.model.access", "ir.config_parameter", "mcp.api.key", "res.users", "res.groups",
    "ir.cron", "ir.module.module", "ir.ui.view", "ir.attachment", "ir.actions.server",
    "ir.actions.act_window",
)
#: models blocked by prefix only (not in the constant), and future ones
PREFIX_MODELS = ("mcp.something.new", "ir.actions.future", "res.users.secret_thing", "ir.model.whatever")

#: tool path -> (JSON-RPC method, params builder)
PATHS = {
    "search_read": lambda m: ("tools/call", {"name": "search_read", "arguments": {"model": m}}),
    "read": lambda m: ("tools/call", {"name": "read", "arguments": {"model": m, "ids": [1]}}),
    "count": lambda m: ("tools/call", {"name": "count", "arguments": {"model": m}}),
    "aggregate": lambda m: ("tools/call", {"name": "aggregate", "arguments": {
        "model": m, "groupby": ["create_uid"], "measures": ["__count"]}}),
    "name_search": lambda m: ("tools/call", {"name": "name_search", "arguments": {"model": m, "name": "a"}}),
    "create": lambda m: ("tools/call", {"name": "create", "arguments": {"model": m, "values": {"name": "x"}}}),
    "update": lambda m: ("tools/call", {"name": "update", "arguments": {
        "model": m, "ids": [1], "values": {"name": "x"}}}),
    "delete": lambda m: ("tools/call", {"name": "delete", "arguments": {"model": m, "ids": [1]}}),
    "execute_method": lambda m: ("tools/call", {"name": "execute_method", "arguments": {
        "model": m, "method": "action_open", "ids": [1]}}),
    "get_model_schema": lambda m: ("tools/call", {"name": "get_model_schema", "arguments": {"model": m}}),
    "resource_model": lambda m: ("resources/read", {"uri": f"odoo://model/{m}"}),
    "resource_record": lambda m: ("resources/read", {"uri": f"odoo://record/{m}/1"}),
}


def _blocked(model):
    return MSG_MODEL_BLOCKED % {"model": model}


MATRIX_MODELS = sorted(set(ALWAYS_BLOCKED_MODELS) | set(PREFIX_MODELS))


@pytest.fixture(scope="module")
def matrix(threaded_server, e2e_keys):
    """{(path, model): response body}: one JSON-RPC batch per path (its own key)."""
    answers = {}
    for path, build in PATHS.items():
        bodies = batch(threaded_server, e2e_keys["tokens"][f"matrix_{path}"],
                       [build(model) for model in MATRIX_MODELS])
        answers.update({(path, model): body for model, body in zip(MATRIX_MODELS, bodies)})
    return answers


@pytest.mark.parametrize("path", sorted(PATHS))
@pytest.mark.parametrize("model", MATRIX_MODELS)
def test_blocked_model_every_path(matrix, path, model):
    """Every always-blocked model (and prefix-blocked names) on every path ⇒ -32003 blocked."""
    denied(matrix[path, model], _blocked(model), {"model": model, "reason": "blocked"})


@pytest.mark.parametrize("path", sorted(PATHS))
@pytest.mark.parametrize("model", SEED_MODELS)
def test_seed_model_every_path_single_requests(sessions, path, model):
    """The twelve seed models, one plain (non-batch, 2025-06-18) request each."""
    method, params = PATHS[path](model)
    body = rpc(sessions(f"matrix_{path}"), method, params)
    denied(body, _blocked(model), {"model": model, "reason": "blocked"})


def test_seed_models_are_in_the_constant():
    """The twelve models of the issue are all in ALWAYS_BLOCKED_MODELS."""
    assert set(SEED_MODELS) <= set(ALWAYS_BLOCKED_MODELS)


@pytest.mark.parametrize("path", ["search_read", "create", "execute_method", "resource_record"])
@pytest.mark.parametrize("model", ["res.users", "ir.config_parameter"])
def test_blocked_model_both_server_modes(server, e2e_keys, path, model):
    """Representative subset on the threaded and the prefork server."""
    mcp = client(server, e2e_keys["tokens"]["attack_admin_write"])
    method, params = PATHS[path](model)
    denied(rpc(mcp, method, params), _blocked(model), {"model": model, "reason": "blocked"})


def test_blocked_model_refused_before_scope(sessions):
    """A read-only key writing a blocked model hears 'blocked', not 'scope'
    (the blocklist comes first and never reveals more)."""
    body = tool_raw(sessions("attack_admin_read"), "create", {"model": "res.users", "values": {"name": "x"}})
    denied(body, _blocked("res.users"), {"model": "res.users", "reason": "blocked"})


def test_blocked_models_are_never_listed(sessions):
    """list_models, resources/list and the model completion list no blocked model."""
    mcp = sessions("attack_admin_write")
    names, offset = set(), 0
    while offset is not None:
        page = tool_ok(tool_raw(mcp, "list_models", {"offset": offset}))
        names |= {entry["model"] for entry in page["models"]}
        offset = page["next_offset"]
    assert "res.partner" in names
    assert not names & set(ALWAYS_BLOCKED_MODELS)
    assert not {n for n in names if n.startswith(("mcp.", "ir.actions.", "ir.model", "res.users"))}
    uris, cursor = [], None
    while True:
        page = rpc(mcp, "resources/list", {"cursor": cursor} if cursor else {})["result"]
        uris += [r["uri"] for r in page["resources"]]
        cursor = page.get("nextCursor")
        if not cursor:
            break
    assert "odoo://model/res.partner" in uris
    assert not {u for u in uris if u.split("/")[-1] in ALWAYS_BLOCKED_MODELS}
    completion = rpc(mcp, "completion/complete", {
        "ref": {"type": "ref/resource", "uri": "odoo://model/{model}"},
        "argument": {"name": "model", "value": "res.u"}})["result"]["completion"]
    assert "res.users" not in completion["values"]
    ids = rpc(mcp, "completion/complete", {
        "ref": {"type": "ref/resource", "uri": "odoo://record/{model}/{id}"},
        "argument": {"name": "id", "value": "adm"}, "context": {"arguments": {"model": "res.users"}}})
    assert ids["result"]["completion"]["values"] == []


# ----------------------------------------------------------------------
# execute_method blocklist
# ----------------------------------------------------------------------
#: one name per blocked prefix (and dunder names) that is not in the list itself
PREFIXED = sorted({
    "_read", "__init__", "__class__", "_sql", "check_access_rights_foo", "unlink_all", "web_anything",
    "with_anything", "invalidate_all", "flush_all", "search_panel_select_range", "export_xlsx",
    "import_file", "copy_translations", "sudo_like",
})


def test_prefixed_examples_cover_every_prefix():
    """Each blocked prefix has an example above."""
    assert all(any(name.startswith(prefix) for name in PREFIXED) for prefix in METHOD_BLOCKED_PREFIXES)


BLOCKED_METHODS = sorted(METHOD_BLOCKLIST) + PREFIXED


@pytest.fixture(scope="module")
def method_answers(threaded_server, e2e_keys):
    """{method: response body} of execute_method on res.partner, one batch."""
    partner = e2e_keys["records"]["admin_partner"]
    calls = [("tools/call", {"name": "execute_method", "arguments": {
        "model": "res.partner", "method": method, "ids": [partner]}}) for method in BLOCKED_METHODS]
    return dict(zip(BLOCKED_METHODS, batch(threaded_server, e2e_keys["tokens"]["attack_methods"], calls)))


@pytest.mark.parametrize("method", BLOCKED_METHODS)
def test_blocked_method(method_answers, method):
    """Every blocked method and alias ⇒ -32003 MSG_METHOD_DENIED, reason 'method'."""
    body = method_answers[method]
    denied(body, MSG_METHOD_DENIED % {"method": method, "model": "res.partner"},
           {"model": "res.partner", "method": method, "reason": "method"})


@pytest.mark.parametrize("method", ["write", "unlink", "sudo", "web_save", "_read", "message_post"])
def test_blocked_method_both_server_modes(server, e2e_keys, method):
    """A representative subset on both server modes; ``message_post`` (no
    mail installed here) is refused for a read-only key by scope."""
    if method == "message_post":
        mcp = client(server, e2e_keys["tokens"]["attack_admin_read"])
        body = tool_raw(mcp, "execute_method", {"model": "res.partner", "method": method, "ids": [1]})
        denied(body, MSG_MODEL_SCOPE % {"operation": "write", "model": "res.partner"},
               {"operation": "write", "model": "res.partner", "reason": "scope"})
        return
    mcp = client(server, e2e_keys["tokens"]["attack_admin_write"])
    body = tool_raw(mcp, "execute_method", {"model": "res.partner", "method": method, "ids": [1]})
    denied(body, MSG_METHOD_DENIED % {"method": method, "model": "res.partner"},
           {"model": "res.partner", "method": method, "reason": "method"})
