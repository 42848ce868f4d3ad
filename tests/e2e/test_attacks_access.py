"""Attack suite: key scope, Odoo ACLs, multi-company record rules and refused
writes, through the real /mcp endpoint; the database is checked afterwards
(psycopg2) to prove that nothing of a refused write reached it."""
import uuid

import pytest

from ...models.mcp_guard_rules import MSG_FIELD_DENIED, MSG_MODEL_ACL, MSG_MODEL_BLOCKED, MSG_MODEL_READ_ONLY, MSG_MODEL_SCOPE
from .attack_helpers import ACL_MESSAGE, client, denied, e2e_db, rpc, sessions, sql, tool_ok, tool_raw  # noqa: F401 (sessions: fixture)


def _partners_named(name):
    return sql(e2e_db(), "SELECT count(*) FROM res_partner WHERE name = %s", (name,))[0][0]


# ----------------------------------------------------------------------
# read-only keys
# ----------------------------------------------------------------------
WRITE_CALLS = {
    "create": ("create", {"values": {"name": "NAME"}}),
    "update": ("write", {"ids": ["PARTNER"], "values": {"name": "NAME"}}),
    "delete": ("unlink", {"ids": ["PARTNER"]}),
    "execute_method": ("write", {"method": "create_company", "ids": ["PARTNER"]}),
}


def _arguments(arguments, partner, name):
    result = {}
    for key, value in arguments.items():
        if key == "ids":
            value = [partner]
        elif key == "values":
            value = {"name": name}
        result[key] = value
    return result


@pytest.mark.parametrize("key", ["attack_admin_read", "attack_employee_read"])
@pytest.mark.parametrize("tool", sorted(WRITE_CALLS))
def test_read_only_key_never_writes(sessions, e2e_keys, key, tool):
    """create/update/delete/execute_method with a read-only key ⇒ -32003 reason 'scope';
    the partner is unchanged and nothing was created."""
    operation, arguments = WRITE_CALLS[tool]
    partner = e2e_keys["records"]["employee_partner"]
    name = f"E2E refused {tool} {uuid.uuid4().hex}"
    before = sql(e2e_db(), "SELECT name, active, write_date FROM res_partner WHERE id = %s", (partner,))
    body = tool_raw(sessions(key), tool, dict(_arguments(arguments, partner, name), model="res.partner"))
    denied(body, MSG_MODEL_SCOPE % {"operation": operation, "model": "res.partner"},
           {"operation": operation, "model": "res.partner", "reason": "scope"})
    assert sql(e2e_db(), "SELECT name, active, write_date FROM res_partner WHERE id = %s", (partner,)) == before
    assert _partners_named(name) == 0


def test_read_only_key_both_server_modes(server, e2e_keys):
    """Representative scope refusal on both server modes."""
    name = f"E2E refused ro {uuid.uuid4().hex}"
    body = tool_raw(client(server, e2e_keys["tokens"]["attack_admin_read"]), "create",
                    {"model": "res.partner", "values": {"name": name}})
    denied(body, MSG_MODEL_SCOPE % {"operation": "create", "model": "res.partner"},
           {"operation": "create", "model": "res.partner", "reason": "scope"})
    assert _partners_named(name) == 0


# ----------------------------------------------------------------------
# Odoo ACLs
# ----------------------------------------------------------------------
@pytest.mark.parametrize("tool,arguments", [
    ("search_read", {}), ("read", {"ids": [1]}), ("count", {}), ("aggregate", {}),
    ("name_search", {"name": "Product"}), ("get_model_schema", {}),
])
def test_employee_without_acl(sessions, tool, arguments):
    """decimal.precision has no read ACL for employees ⇒ -32003 reason 'acl', no data."""
    body = tool_raw(sessions("attack_employee_write"), tool, dict(arguments, model="decimal.precision"))
    denied(body, MSG_MODEL_ACL % {"operation": "read", "model": "decimal.precision"},
           {"operation": "read", "model": "decimal.precision", "reason": "acl"})


def test_employee_without_acl_resource(sessions):
    """Same through resources/read."""
    body = rpc(sessions("attack_employee_write"), "resources/read", {"uri": "odoo://record/decimal.precision/1"})
    denied(body, MSG_MODEL_ACL % {"operation": "read", "model": "decimal.precision"},
           {"operation": "read", "model": "decimal.precision", "reason": "acl"})


def test_employee_without_write_acl(sessions, e2e_keys):
    """An employee may read but not write res.country ⇒ -32003 reason 'acl' (write)."""
    body = tool_raw(sessions("attack_employee_write"), "update",
                    {"model": "res.country", "ids": [1], "values": {"name": "Hacked"}})
    denied(body, MSG_MODEL_ACL % {"operation": "write", "model": "res.country"},
           {"operation": "write", "model": "res.country", "reason": "acl"})
    assert sql(e2e_db(), "SELECT name->>'en_US' FROM res_country WHERE id = 1")[0][0] != "Hacked"


# ----------------------------------------------------------------------
# multi-company record rules
# ----------------------------------------------------------------------
def test_company_b_never_sees_company_a(sessions, e2e_keys):
    """The company B user: company A's partner and company are invisible
    through search_read, count, aggregate, name_search; read and
    resources/read answer exactly as for a record that does not exist."""
    mcp = sessions("attack_company_b")
    secret = e2e_keys["records"]["secret_a_partner"]
    company_a = e2e_keys["company_a"]
    by_id = [["id", "=", secret]]
    found = tool_ok(tool_raw(mcp, "search_read", {"model": "res.partner", "domain": by_id}))
    assert (found["records"], found["total"]) == ([], 0)
    assert tool_ok(tool_raw(mcp, "count", {"model": "res.partner", "domain": by_id}))["count"] == 0
    groups = tool_ok(tool_raw(mcp, "aggregate", {"model": "res.partner", "groupby": ["name"],
                                                 "domain": [["name", "ilike", "Company A Secret"]]}))["groups"]
    assert groups == []
    assert tool_ok(tool_raw(mcp, "name_search", {"model": "res.partner", "name": "Company A Secret"}))["results"] == []
    assert tool_ok(tool_raw(mcp, "count", {"model": "res.company", "domain": [["id", "=", company_a]]}))["count"] == 0
    for model, record in (("res.partner", secret), ("res.company", company_a)):
        # hidden reads exactly like missing: listed in missing_ids, no record data
        hidden = tool_ok(tool_raw(mcp, "read", {"model": model, "ids": [record]}))
        missing = tool_ok(tool_raw(mcp, "read", {"model": model, "ids": [987654321]}))
        assert (hidden["records"], hidden["missing_ids"]) == ([], [record])
        assert {**hidden, "missing_ids": None} == {**missing, "missing_ids": None}
        body = rpc(mcp, "resources/read", {"uri": f"odoo://record/{model}/{record}"})
        assert body["error"]["code"] == -32002 and body["error"]["message"] == f"No {model} record with id {record}.", body
        assert "Secret" not in str(body) and "secret" not in str(body)


def test_company_b_cannot_write_company_a(sessions, e2e_keys):
    """Updating / deleting company A's partner as the company B user ⇒ the
    answers for an id that does not exist, the row untouched."""
    mcp = sessions("attack_company_b")
    secret = e2e_keys["records"]["secret_a_partner"]
    before = sql(e2e_db(), "SELECT name, comment, active, write_date FROM res_partner WHERE id = %s", (secret,))
    for rid in (secret, 987654321):  # hidden and missing: the same answers
        body = tool_raw(mcp, "update", {"model": "res.partner", "ids": [rid], "values": {"comment": "pwned"}})
        assert body["result"]["isError"] is True
        assert body["result"]["content"][0]["text"] == "No res.partner record with id %d; nothing was updated." % rid
        deleted = tool_ok(tool_raw(mcp, "delete", {"model": "res.partner", "ids": [rid]}))
        assert deleted == {"model": "res.partner", "deleted_ids": [], "missing_ids": [rid], "count": 0}
    assert sql(e2e_db(), "SELECT name, comment, active, write_date FROM res_partner WHERE id = %s",
               (secret,)) == before


def test_company_b_execute_method_stays_in_its_company(sessions, e2e_keys):
    """find_or_create with company A's partner e-mail does not find it (record
    rules hold in methods): a new partner is created, the secret one is not returned."""
    mcp = sessions("attack_company_b")
    result = tool_ok(tool_raw(mcp, "execute_method", {"model": "res.partner", "method": "find_or_create",
                                                      "args": ["secret-a@e2e.example"]}))
    returned = result["result"]
    assert len(returned) == 1 and set(returned[0]) == {"id", "display_name"}
    assert returned[0]["id"] != e2e_keys["records"]["secret_a_partner"]
    assert result["hidden_records"] == 0


def test_company_b_record_rules_both_server_modes(server, e2e_keys):
    """Representative record-rule case on both server modes."""
    mcp = client(server, e2e_keys["tokens"]["attack_company_b"])
    secret = e2e_keys["records"]["secret_a_partner"]
    assert tool_ok(tool_raw(mcp, "count", {"model": "res.partner", "domain": [["id", "=", secret]]}))["count"] == 0
    assert tool_ok(tool_raw(mcp, "read", {"model": "res.partner", "ids": [secret]}))["missing_ids"] == [secret]


# ----------------------------------------------------------------------
# refused writes leave nothing behind
# ----------------------------------------------------------------------
def test_blocked_model_writes_leave_nothing(sessions, e2e_keys):
    """Creating a user, renaming the admin, deleting a group: refused, DB unchanged."""
    mcp = sessions("attack_admin_write")
    login = f"e2e_pwn_{uuid.uuid4().hex[:8]}"
    admin = e2e_keys["users"]["admin"]
    users_before = sql(e2e_db(), "SELECT id, login, active, write_date FROM res_users ORDER BY id")
    groups_before = sql(e2e_db(), "SELECT count(*) FROM res_groups")
    denied(tool_raw(mcp, "create", {"model": "res.users", "values": {"name": login, "login": login}}),
           MSG_MODEL_BLOCKED % {"model": "res.users"}, {"model": "res.users", "reason": "blocked"})
    denied(tool_raw(mcp, "update", {"model": "res.users", "ids": [admin], "values": {"login": login}}),
           MSG_MODEL_BLOCKED % {"model": "res.users"}, {"model": "res.users", "reason": "blocked"})
    denied(tool_raw(mcp, "delete", {"model": "res.groups", "ids": [1]}),
           MSG_MODEL_BLOCKED % {"model": "res.groups"}, {"model": "res.groups", "reason": "blocked"})
    assert sql(e2e_db(), "SELECT id, login, active, write_date FROM res_users ORDER BY id") == users_before
    assert sql(e2e_db(), "SELECT count(*) FROM res_groups") == groups_before


def test_nested_create_of_blocked_records_leaves_nothing(sessions):
    """A partner created with a nested user ([0, 0, {...}] on user_ids) ⇒ -32003
    (user_ids mirrors res.users: not accessible at all), neither the partner
    nor the user exists afterwards."""
    mcp = sessions("attack_admin_write")
    name = f"E2E nested {uuid.uuid4().hex}"
    login = f"e2e_nested_{uuid.uuid4().hex[:8]}"
    body = tool_raw(mcp, "create", {"model": "res.partner", "values": {
        "name": name, "user_ids": [[0, 0, {"name": login, "login": login}]]}})
    denied(body, MSG_FIELD_DENIED % {"field": "user_ids", "model": "res.partner"},
           {"model": "res.partner", "field": "user_ids", "reason": "field"})
    assert _partners_named(name) == 0
    assert sql(e2e_db(), "SELECT count(*) FROM res_users WHERE login = %s", (login,))[0][0] == 0


LINK_CASES = {
    # one2many res.partner.user_ids: linking writes res_users.partner_id
    "partner_user_link": ("res.partner", "employee_partner", "user_ids", lambda u: [[4, u]]),
    "partner_user_set": ("res.partner", "employee_partner", "user_ids", lambda u: [u]),
    "partner_user_set6": ("res.partner", "employee_partner", "user_ids", lambda u: [[6, 0, [u]]]),
    "partner_user_clear": ("res.partner", "admin_partner", "user_ids", lambda u: []),
    # many2many res.company.user_ids = res.users.company_ids: grants a company
    "company_users_link": ("res.company", "company_b", "user_ids", lambda u: [[4, u]]),
}


@pytest.mark.parametrize("case", sorted(LINK_CASES))
def test_links_that_write_blocked_records(sessions, e2e_keys, case):
    """x2many values that would modify users (re-point a user's partner,
    give a user another company) ⇒ -32003 (the fields mirror res.users: not
    accessible at all; res.company is read-only); users unchanged.
    (A hole found by this suite: links by id were let through.)"""
    model, record_key, field, value = LINK_CASES[case]
    record = e2e_keys[record_key] if record_key == "company_b" else e2e_keys["records"][record_key]
    victim = e2e_keys["users"]["company_b"]
    before = (sql(e2e_db(), "SELECT id, partner_id FROM res_users ORDER BY id"),
              sql(e2e_db(), "SELECT cid, user_id FROM res_company_users_rel ORDER BY 1, 2"))
    body = tool_raw(sessions("attack_admin_write"), "update",
                    {"model": model, "ids": [record], "values": {field: value(victim)}})
    if model == "res.company":
        denied(body, MSG_MODEL_READ_ONLY % {"model": model, "operation": "write"},
               {"model": model, "operation": "write", "reason": "read_only"})
    else:
        denied(body, MSG_FIELD_DENIED % {"field": field, "model": model},
               {"model": model, "field": field, "reason": "field"})
    after = (sql(e2e_db(), "SELECT id, partner_id FROM res_users ORDER BY id"),
             sql(e2e_db(), "SELECT cid, user_id FROM res_company_users_rel ORDER BY 1, 2"))
    assert after == before
