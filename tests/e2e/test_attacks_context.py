"""Attack suite: agent-supplied context (execute_method's ``context``),
through the real /mcp endpoint.

Only ``lang``, ``tz``, ``active_test`` and ``allowed_company_ids`` (within
the key's companies) are kept: ``default_*``, ``uid``, ``su``, ``sudo``,
``tracking_disable``, ``active_ids``… are dropped, companies outside the
key's are refused.
"""
import uuid

import pytest

from ...models.mcp_guard_rules import MSG_CONTEXT_BAD_COMPANIES, MSG_CONTEXT_COMPANIES
from .attack_helpers import client, denied, e2e_db, sql, tool_error_text, tool_ok, tool_raw

INJECTED = {
    "default_comment": "INJECTED", "default_company_id": None, "uid": None, "su": True, "sudo": True,
    "tracking_disable": True, "mail_notrack": True, "mail_create_nolog": True, "active_ids": [1],
    "active_model": "res.users", "install_mode": True, "force_company": None, "bin_size": False,
    "lang": "en_US", "tz": "Europe/Brussels",
}


@pytest.fixture(scope="module")
def employee(threaded_server, e2e_keys):
    """The employee's read-write session (its own key)."""
    return client(threaded_server, e2e_keys["tokens"]["attack_employee_write"])


def test_unsafe_context_keys_are_dropped(employee, e2e_keys):
    """create_company with ``default_comment``/``uid``/``su``/… in the context:
    the company partner is created by the employee, without the injected default."""
    company_name = f"E2E Ctx Co {uuid.uuid4().hex}"
    created = tool_ok(tool_raw(employee, "create", {"model": "res.partner", "values": {
        "name": f"E2E Ctx person {uuid.uuid4().hex}", "company_name": company_name}}))
    context = dict(INJECTED, uid=e2e_keys["users"]["admin"], default_company_id=e2e_keys["company_b"],
                   force_company=e2e_keys["company_b"])
    result = tool_ok(tool_raw(employee, "execute_method", {
        "model": "res.partner", "method": "create_company", "ids": [created["id"]], "context": context}))
    assert result["result"] is True
    rows = sql(e2e_db(), "SELECT comment, create_uid, company_id FROM res_partner WHERE name = %s", (company_name,))
    assert rows == [(None, e2e_keys["users"]["employee"], None)]


def test_active_test_is_honoured(employee):
    """``active_test: false`` (whitelisted) finds an archived partner; without
    it a new one is created. Returned records are {id, display_name} only."""
    email = f"archived-{uuid.uuid4().hex[:8]}@e2e.example"
    archived = tool_ok(tool_raw(employee, "create", {"model": "res.partner", "values": {
        "name": "E2E Archived", "email": email, "active": False}}))["id"]
    found = tool_ok(tool_raw(employee, "execute_method", {"model": "res.partner", "method": "find_or_create",
                                                          "args": [email], "context": {"active_test": False}}))
    assert found["result"] == [{"id": archived, "display_name": "E2E Archived"}]
    assert found["hidden_records"] == 0
    fresh = tool_ok(tool_raw(employee, "execute_method", {"model": "res.partner", "method": "find_or_create",
                                                          "args": [email]}))
    assert len(fresh["result"]) == 1 and set(fresh["result"][0]) == {"id", "display_name"}
    assert fresh["result"][0]["id"] != archived


@pytest.mark.parametrize("key,companies", [("attack_company_b", ["company_a"]),
                                           ("attack_employee_write", ["company_b"]),
                                           ("attack_employee_write", ["company_a", "company_b"])])
def test_allowed_company_ids_outside_the_key(threaded_server, e2e_keys, key, companies):
    """``allowed_company_ids`` naming a company outside the key's ⇒ -32003 reason 'company'."""
    mcp = client(threaded_server, e2e_keys["tokens"][key])
    ids = [e2e_keys[name] for name in companies]
    refused = [cid for cid, name in zip(ids, companies)
               if not (key == "attack_employee_write" and name == "company_a")]
    body = tool_raw(mcp, "execute_method", {"model": "res.partner", "method": "address_get",
                                            "ids": [e2e_keys["records"]["employee_partner"]],
                                            "context": {"allowed_company_ids": ids}})
    denied(body, MSG_CONTEXT_COMPANIES % {"companies": ", ".join(map(str, refused))},
           {"reason": "company", "companies": refused})


@pytest.mark.parametrize("value", ["1", [], [True], [1.5], {"1": 1}])
def test_allowed_company_ids_malformed(employee, e2e_keys, value):
    """A malformed ``allowed_company_ids`` ⇒ a tool error with the exact message."""
    body = tool_raw(employee, "execute_method", {"model": "res.partner", "method": "address_get",
                                                 "ids": [e2e_keys["records"]["employee_partner"]],
                                                 "context": {"allowed_company_ids": value}})
    assert tool_error_text(body) == MSG_CONTEXT_BAD_COMPANIES


def test_allowed_company_ids_inside_the_key(employee, e2e_keys):
    """Control: the key's own company is accepted."""
    body = tool_raw(employee, "execute_method", {"model": "res.partner", "method": "address_get",
                                                 "ids": [e2e_keys["records"]["employee_partner"]],
                                                 "context": {"allowed_company_ids": [e2e_keys["company_a"]]}})
    partner = e2e_keys["records"]["employee_partner"]
    assert tool_ok(body)["result"] == {"contact": partner}


def test_context_injection_both_server_modes(server, e2e_keys):
    """Representative refusal on both server modes."""
    mcp = client(server, e2e_keys["tokens"]["attack_company_b"])
    company_a = e2e_keys["company_a"]
    body = tool_raw(mcp, "execute_method", {"model": "res.partner", "method": "address_get",
                                            "ids": [e2e_keys["records"]["company_b_partner"]],
                                            "context": {"allowed_company_ids": [company_a], "su": True}})
    denied(body, MSG_CONTEXT_COMPANIES % {"companies": str(company_a)},
           {"reason": "company", "companies": [company_a]})
