"""Attack suite: the execute_method policy through the real /mcp endpoint.

By default an agent calls only the buttons of the model's views that the
key's user can see, the chatter/activity methods and the methods a
model-access rule allows (the e2e database allows ``address_get`` and
``find_or_create`` on res.partner); everything else is -32003 with the list
of what can be called. Blocked names (blocklist, prefixes, substrings such as
``install``) are refused before the policy is even asked.
"""
import pytest

from ...models.mcp_guard_rules import (MSG_METHOD_CALLABLE, MSG_METHOD_DENIED, MSG_METHOD_NOT_OFFERED,
                                       MSG_MODEL_READ_ONLY)
from .attack_helpers import denied, e2e_db, sessions, sql, tool_error_text, tool_ok, tool_raw  # noqa: F401 (sessions: fixture)

KEYS = ["attack_admin_write", "attack_employee_write"]


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("method", ["get_external_id", "get_xml_id", "install_l10n_modules",
                                    "button_immediate_install", "action_reset_password"])
def test_blocked_names_refused(sessions, e2e_keys, key, method):
    """Hole 4 (xml ids of ir.model.data through get_external_id) and hole 9
    (module installation through a public method) by name, on any model."""
    partner = e2e_keys["records"]["admin_partner"]
    body = tool_raw(sessions(key), "execute_method", {"model": "res.partner", "method": method, "ids": [partner]})
    denied(body, MSG_METHOD_DENIED % {"method": method, "model": "res.partner"},
           {"model": "res.partner", "method": method, "reason": "method"})


def test_install_l10n_modules_refused_on_company(sessions, e2e_keys):
    """Hole 9: res.company.install_l10n_modules answered true for an admin key."""
    company = e2e_keys["company_a"]
    body = tool_raw(sessions("attack_admin_write"), "execute_method",
                    {"model": "res.company", "method": "install_l10n_modules", "ids": [company]})
    denied(body, MSG_METHOD_DENIED % {"method": "install_l10n_modules", "model": "res.company"},
           {"model": "res.company", "method": "install_l10n_modules", "reason": "method"})
    installing = sql(e2e_db(), "SELECT count(*) FROM ir_module_module WHERE state IN ('to install', 'to upgrade')")
    assert installing == [(0,)]


def test_activate_langs_refused(sessions):
    """res.lang.action_activate_langs toggles languages: res.lang is read-only."""
    lang = sql(e2e_db(), "SELECT id FROM res_lang WHERE code = 'fr_FR'")[0][0]
    body = tool_raw(sessions("attack_admin_write"), "execute_method",
                    {"model": "res.lang", "method": "action_activate_langs", "ids": [lang]})
    denied(body, MSG_MODEL_READ_ONLY % {"model": "res.lang", "operation": "write"},
           {"model": "res.lang", "operation": "write", "reason": "read_only"})
    assert sql(e2e_db(), "SELECT coalesce(active, false) FROM res_lang WHERE id = %s", (lang,)) == [(False,)]


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("method", ["view_header_get", "get_import_templates", "onchange_email"])
def test_public_method_that_is_no_button_refused(sessions, e2e_keys, key, method):
    """A public, unblocked method that no view offers ⇒ -32003 naming what
    can be called (the partner form's create_company button, the rule's
    allowed methods)."""
    partner = e2e_keys["records"]["admin_partner"]
    body = tool_raw(sessions(key), "execute_method", {"model": "res.partner", "method": method, "ids": [partner]})
    error = body["error"]
    callable_methods = error["data"]["callable"]
    assert {"create_company", "address_get", "find_or_create"} <= set(callable_methods)
    assert method not in callable_methods
    denied(body, MSG_METHOD_NOT_OFFERED % {"method": method, "model": "res.partner"}
           + MSG_METHOD_CALLABLE % {"model": "res.partner", "methods": ", ".join(callable_methods)},
           {"model": "res.partner", "method": method, "reason": "method", "callable": callable_methods})


def test_button_and_allowed_methods_work(sessions, e2e_keys):
    """The partner form's button and a rule-allowed method run."""
    mcp = sessions("attack_employee_write")
    created = tool_ok(tool_raw(mcp, "create", {"model": "res.partner", "values": {
        "name": "Policy Person", "company_name": "Policy Person Corp"}}))
    pid = created["ids"][0] if "ids" in created else created["id"]
    tool_ok(tool_raw(mcp, "execute_method", {"model": "res.partner", "method": "create_company", "ids": [pid]}))
    parent = sql(e2e_db(), "SELECT p.name FROM res_partner c JOIN res_partner p ON p.id = c.parent_id "
                           "WHERE c.id = %s", (pid,))
    assert parent == [("Policy Person Corp",)]
    result = tool_ok(tool_raw(mcp, "execute_method", {"model": "res.partner", "method": "address_get",
                                                      "ids": [pid], "args": [["contact"]]}))
    assert result["result"] == {"contact": pid}


def test_button_takes_no_arguments(sessions, e2e_keys):
    partner = e2e_keys["records"]["employee_partner"]
    body = tool_raw(sessions("attack_employee_write"), "execute_method",
                    {"model": "res.partner", "method": "create_company", "ids": [partner], "args": [1]})
    assert tool_error_text(body) == ("Method 'create_company' takes keyword arguments only (kwargs): "
                                     "none: it is a button.")


def test_hidden_ids_look_missing(sessions, e2e_keys):
    """A record of company A is hidden from the company B key: execute_method
    on it says what it says for an id that does not exist."""
    secret = e2e_keys["records"]["secret_a_partner"]
    mcp = sessions("attack_company_b")
    hidden = tool_error_text(tool_raw(mcp, "execute_method", {"model": "res.partner", "method": "address_get",
                                                              "ids": [secret]}))
    missing = tool_error_text(tool_raw(mcp, "execute_method", {"model": "res.partner", "method": "address_get",
                                                               "ids": [987654321]}))
    assert hidden == "No res.partner record with id %d." % secret
    assert missing == "No res.partner record with id 987654321."
