"""Attack suite: users' UI configuration (saved filters, field defaults,
export templates) through the real /mcp endpoint.

Hole 5: a non-admin key could hide the audit log from every admin with
``execute_method ir.filters.create_or_replace`` (a default filter matching
nothing on ``mcp.audit.log``). ``ir.filters``, ``ir.default``, ``ir.exports``
and ``ir.exports.line`` are always blocked now: every path ⇒ -32003
``MSG_MODEL_BLOCKED``, for admin and non-admin keys, and nothing reaches the
database.
"""
import pytest

from ...models.mcp_guard_rules import ALWAYS_BLOCKED_MODELS, MSG_MODEL_BLOCKED
from .attack_helpers import denied, e2e_db, sessions, sql, tool_raw  # noqa: F401 (sessions: fixture)

CONFIG_MODELS = ("ir.filters", "ir.default", "ir.exports", "ir.exports.line")
KEYS = ("attack_admin_write", "attack_employee_write")

#: The call of hole 5: a default filter for everybody that shows no audit row.
HIDE_AUDIT_LOG = {"name": "E2E hide audit", "model_id": "mcp.audit.log", "domain": "[('id', '=', 0)]",
                  "user_id": False, "is_default": True, "context": "{}"}

CALLS = {
    "create_or_replace": ("execute_method", {"model": "ir.filters", "method": "create_or_replace",
                                             "args": [HIDE_AUDIT_LOG]}),
    "get_filters": ("execute_method", {"model": "ir.filters", "method": "get_filters", "args": ["mcp.audit.log"]}),
    "default_set": ("execute_method", {"model": "ir.default", "method": "set",
                                       "args": ["res.partner", "comment", "E2E default"]}),
}


def _blocked(model):
    return MSG_MODEL_BLOCKED % {"model": model}


def _filters_rows():
    return sql(e2e_db(), "SELECT count(*), coalesce(max(id), 0) FROM ir_filters")[0]


def test_config_models_are_always_blocked():
    """The four models are in the constant (no setting can open them)."""
    assert set(CONFIG_MODELS) <= set(ALWAYS_BLOCKED_MODELS)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("call", sorted(CALLS))
def test_config_methods_refused(sessions, key, call):
    """create_or_replace (hole 5), get_filters, ir.default.set ⇒ -32003
    blocked; no filter row was written."""
    tool, arguments = CALLS[call]
    before = _filters_rows()
    body = tool_raw(sessions(key), tool, arguments)
    denied(body, _blocked(arguments["model"]), {"model": arguments["model"], "reason": "blocked"})
    assert _filters_rows() == before
    assert sql(e2e_db(), "SELECT count(*) FROM ir_filters WHERE model_id = 'mcp.audit.log'") == [(0,)]


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("model", CONFIG_MODELS)
@pytest.mark.parametrize("tool, arguments", [
    ("create", {"values": {"name": "E2E config"}}),
    ("search_read", {}),
    ("get_model_schema", {}),
    ("update", {"ids": [1], "values": {"name": "E2E config"}}),
    ("delete", {"ids": [1]}),
], ids=["create", "search_read", "get_model_schema", "update", "delete"])
def test_config_models_every_tool(sessions, key, model, tool, arguments):
    """create / search_read / get_model_schema / update / delete on each
    model ⇒ -32003 blocked (before any existence check)."""
    body = tool_raw(sessions(key), tool, dict(arguments, model=model))
    denied(body, _blocked(model), {"model": model, "reason": "blocked"})

