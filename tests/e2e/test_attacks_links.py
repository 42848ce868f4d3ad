"""Attack suite: links to records the key's user may not read, fields that
mirror blocked models, user names in Odoo's messages and existence oracles,
through the real /mcp endpoint (issue 13, holes 1, 8 and 10).

A partner of a company neither the demo employee nor the admin belongs to is
invisible to both (Odoo's multi-company record rule); ``exists()`` does not
know that. Linking it (``parent_id``, ``child_ids`` commands...) used to copy
its commercial fields into a record the agent could read. Every refusal must
read exactly like the one for an id that does not exist.
"""
import json
import re
import uuid

import pytest

from ...models.mcp_guard_rules import MSG_FIELD_DENIED, MSG_LINK_REFUSED, USER_NAME_PLACEHOLDER
from .attack_helpers import (  # noqa: F401 (sessions: fixture)
    client, denied, e2e_db, odoo_shell, rpc, sessions, sql, tool_error_text, tool_ok, tool_raw,
)

KEYS = ["attack_employee_write", "attack_admin_write"]
MISSING = 2 ** 31 - 7

SETUP = r'''
import json
env = env(context={})  # noqa: F821 (odoo shell)
Company, Partner, Users = env["res.company"].sudo(), env["res.partner"].sudo(), env["res.users"].sudo()
company = Company.search([("name", "=", "E2E Links Hidden Company")], limit=1) \
    or Company.create({"name": "E2E Links Hidden Company"})
hidden = Partner.search([("name", "=", "E2E Links Hidden Parent")], limit=1) or Partner.create({
    "name": "E2E Links Hidden Parent", "company_id": company.id, "is_company": True,
    "street": "7 Hidden Lane", "city": "Nowhere", "vat": "HIDDEN-VAT-42", "company_registry": "HIDDEN-REG-42"})
def user(login, name, groups, company_ids):
    found = Users.with_context(active_test=False).search([("login", "=", login)], limit=1)
    return found or Users.create({"name": name, "login": login,
                                  "groups_id": [(6, 0, [env.ref(g).id for g in groups])],
                                  "company_id": company_ids[0], "company_ids": [(6, 0, company_ids)]})
main = env.ref("base.main_company").id
hidden_portal = user("e2e_links_hidden_portal", "E2E Links Hidden Portal", ["base.group_portal"], [company.id])
victim = user("e2e_links_victim", "Evangeline Linksvictim", ["base.group_user"], [main])
env.cr.commit()
print("OUT_BEGIN")
print(json.dumps({"company": company.id, "hidden": hidden.id, "hidden_portal": hidden_portal.id,
                  "victim": victim.id, "victim_partner": victim.partner_id.id, "victim_name": victim.name}))
print("OUT_END")
'''


@pytest.fixture(scope="module")
def links(e2e_conf, e2e_credentials):
    """The hidden company, its partner and portal user, and an internal user
    whose contact the archive test tries to archive."""
    conf, db = e2e_conf
    return odoo_shell(conf, db, SETUP)


def refused(field, comodel, rid, model="res.partner"):
    return MSG_LINK_REFUSED % {"field": field, "model": model, "comodel": comodel, "ids": rid}


def _hidden_row(links):
    return sql(e2e_db(), "SELECT parent_id, name, street, comment, active, write_date FROM res_partner WHERE id = %s",
               (links["hidden"],))


def _target(mcp, label):
    """A partner of the key's own company, created through MCP."""
    return tool_ok(tool_raw(mcp, "create", {"model": "res.partner", "values": {
        "name": f"E2E links target {label} {uuid.uuid4().hex[:8]}"}}))["id"]


# ----------------------------------------------------------------------
# hole 1: links to hidden records
# ----------------------------------------------------------------------
@pytest.mark.parametrize("key", KEYS)
def test_hidden_partner_is_hidden(sessions, links, key):
    """Control: the key's user really cannot read the hidden partner."""
    mcp = sessions(key)
    found = tool_ok(tool_raw(mcp, "search_read", {"model": "res.partner", "domain": [["id", "=", links["hidden"]]]}))
    assert found["records"] == [] and found["total"] == 0


@pytest.mark.parametrize("key", KEYS)
def test_parent_link_to_hidden_partner_refused(sessions, links, key):
    """create res.partner {parent_id: hidden} ⇒ the "no record you may use"
    error, exactly as for a missing id; nothing created, the hidden
    partner's street / registry never reach the agent."""
    mcp = sessions(key)
    texts = {}
    for label, parent in (("hidden", links["hidden"]), ("missing", MISSING)):
        name = f"E2E links probe {uuid.uuid4().hex}"
        body = tool_raw(mcp, "create", {"model": "res.partner", "values": {"name": name, "parent_id": parent}})
        text = tool_error_text(body)
        assert text == refused("parent_id", "res.partner", parent)
        assert "Hidden" not in json.dumps(body) and "HIDDEN" not in json.dumps(body)
        assert sql(e2e_db(), "SELECT count(*) FROM res_partner WHERE name = %s", (name,))[0][0] == 0
        texts[label] = text.replace(str(parent), "<id>")
    assert texts["hidden"] == texts["missing"]


X2MANY_CASES = {
    "ids": ("child_ids", lambda rid: [rid]),
    "link": ("child_ids", lambda rid: [[4, rid]]),
    "set": ("child_ids", lambda rid: [[6, 0, [rid]]]),
    "unlink": ("child_ids", lambda rid: [[3, rid]]),
    "update": ("child_ids", lambda rid: [[1, rid, {"comment": "pwned"}]]),
    "nested_many2one": ("parent_id", lambda rid: [[0, 0, {"name": "E2E links kid", "parent_id": rid}]]),
    "nested_link": ("child_ids", lambda rid: [[0, 0, {"name": "E2E links kid", "child_ids": [[4, rid]]}]]),
}


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("case", sorted(X2MANY_CASES))
def test_x2many_link_to_hidden_partner_refused(sessions, links, key, case):
    """child_ids ids / [4] / [6] / [3] / [1] and nested values naming the hidden
    partner ⇒ refused like a missing id; the hidden partner is untouched."""
    mcp = sessions(key)
    target = _target(mcp, case)
    field, value = X2MANY_CASES[case]
    before = _hidden_row(links)
    texts = {}
    for label, rid in (("hidden", links["hidden"]), ("missing", MISSING)):
        body = tool_raw(mcp, "update", {"model": "res.partner", "ids": [target], "values": {"child_ids": value(rid)}})
        text = tool_error_text(body)
        assert text == refused(field, "res.partner", rid)
        texts[label] = text.replace(str(rid), "<id>")
    assert texts["hidden"] == texts["missing"]
    assert _hidden_row(links) == before
    assert sql(e2e_db(), "SELECT count(*) FROM res_partner WHERE parent_id = %s", (target,))[0][0] == 0


@pytest.mark.parametrize("key", KEYS)
def test_readable_links_still_work(sessions, e2e_keys, key):
    """Control: links to readable records (a tag, an own contact) are set."""
    mcp = sessions(key)
    parent, child = _target(mcp, "parent"), _target(mcp, "child")
    tag = e2e_keys["records"]["category"]
    tool_ok(tool_raw(mcp, "update", {"model": "res.partner", "ids": [parent],
                                     "values": {"child_ids": [[4, child]], "category_id": [tag]}}))
    assert sql(e2e_db(), "SELECT parent_id FROM res_partner WHERE id = %s", (child,))[0][0] == parent
    assert sql(e2e_db(), "SELECT category_id FROM res_partner_res_partner_category_rel WHERE partner_id = %s",
               (parent,)) == [(tag,)]


@pytest.mark.parametrize("key", KEYS)
def test_salesperson_links_follow_odoo_rules(sessions, e2e_keys, links, key):
    """user_id (res.users is blocked): an internal user links; a portal user of
    another company and a missing id give the same refusal (no user-id oracle)."""
    mcp = sessions(key)
    target = _target(mcp, "salesperson")
    employee = e2e_keys["users"]["employee"]
    tool_ok(tool_raw(mcp, "update", {"model": "res.partner", "ids": [target], "values": {"user_id": employee}}))
    assert sql(e2e_db(), "SELECT user_id FROM res_partner WHERE id = %s", (target,))[0][0] == employee
    row = tool_ok(tool_raw(mcp, "read", {"model": "res.partner", "ids": [target], "fields": ["user_id"]}))
    # the identity window: the user's name, which Odoo lets this key's user read
    assert row["records"][0]["user_id"] == [employee, "E2E Employee"]
    texts = {}
    for label, uid in (("hidden", links["hidden_portal"]), ("missing", MISSING)):
        text = tool_error_text(tool_raw(mcp, "update", {"model": "res.partner", "ids": [target],
                                                        "values": {"user_id": uid}}))
        assert text == refused("user_id", "res.users", uid)
        texts[label] = text.replace(str(uid), "<id>")
    assert texts["hidden"] == texts["missing"]
    assert sql(e2e_db(), "SELECT user_id FROM res_partner WHERE id = %s", (target,))[0][0] == employee


def test_hidden_parent_both_server_modes(server, e2e_keys, links):
    """Representative refusal on both server modes."""
    mcp = client(server, e2e_keys["tokens"]["attack_employee_write"])
    body = tool_raw(mcp, "create", {"model": "res.partner", "values": {"name": "E2E links modes",
                                                                       "parent_id": links["hidden"]}})
    assert tool_error_text(body) == refused("parent_id", "res.partner", links["hidden"])


# ----------------------------------------------------------------------
# hole 8: fields that expose blocked data
# ----------------------------------------------------------------------
def _field_denied(field, model="res.partner"):
    return (MSG_FIELD_DENIED % {"field": field, "model": model},
            {"model": model, "field": field, "reason": "field"})


@pytest.mark.parametrize("key", KEYS)
def test_user_fields_hidden(sessions, e2e_keys, key):
    """user_ids (res.partner, res.company) and partner_share: refused in
    fields, domains, groupby and order; absent from schemas and default reads."""
    mcp = sessions(key)
    partner = e2e_keys["records"]["admin_partner"]
    for field in ("user_ids", "partner_share"):
        denied(tool_raw(mcp, "read", {"model": "res.partner", "ids": [partner], "fields": [field]}),
               *_field_denied(field))
        denied(tool_raw(mcp, "search_read", {"model": "res.partner", "fields": ["name", field]}), *_field_denied(field))
        for tool in ("search_read", "count"):
            denied(tool_raw(mcp, tool, {"model": "res.partner", "domain": [[field, "!=", False]]}),
                   *_field_denied(field))
        denied(tool_raw(mcp, "aggregate", {"model": "res.partner", "groupby": [field]}), *_field_denied(field))
    denied(tool_raw(mcp, "search_read", {"model": "res.partner", "order": "partner_share desc"}),
           *_field_denied("partner_share"))
    denied(tool_raw(mcp, "read", {"model": "res.company", "ids": [e2e_keys["company_a"]], "fields": ["user_ids"]}),
           *_field_denied("user_ids", "res.company"))
    schema = tool_ok(tool_raw(mcp, "get_model_schema", {"model": "res.partner"}))
    names = {field["name"] for field in schema["fields"]}
    assert "name" in names and not names & {"user_ids", "partner_share"}
    row = tool_ok(tool_raw(mcp, "read", {"model": "res.partner", "ids": [partner]}))["records"][0]
    assert "partner_share" not in row and "user_ids" not in row
    resource = rpc(mcp, "resources/read", {"uri": f"odoo://record/res.partner/{partner}"})
    assert "partner_share" not in json.loads(resource["result"]["contents"][0]["text"])["record"]


# ----------------------------------------------------------------------
# user names in Odoo's messages
# ----------------------------------------------------------------------
ARCHIVE_MESSAGES = {
    # ValidationError for users who may not write users, RedirectWarning for the others
    "attack_employee_write": ("You cannot archive contacts linked to an active user.\n"
                              "Ask an administrator to archive their associated user first.\n\n"
                              "Linked active users :\n" + USER_NAME_PLACEHOLDER),
    "attack_admin_write": ("You cannot archive contacts linked to an active user.\n"
                           "You first need to archive their associated user.\n\n"
                           "Linked active users : " + USER_NAME_PLACEHOLDER),
}


@pytest.mark.parametrize("key", KEYS)
def test_archive_message_names_no_user(sessions, links, key):
    """Archiving a user's contact: Odoo's message names the user; the tool
    result says USER_NAME_PLACEHOLDER instead, the contact stays active."""
    mcp = sessions(key)
    body = tool_raw(mcp, "update", {"model": "res.partner", "ids": [links["victim_partner"]],
                                    "values": {"active": False}})
    text = tool_error_text(body)
    assert text == ARCHIVE_MESSAGES[key]
    assert links["victim_name"] not in json.dumps(body)
    assert sql(e2e_db(), "SELECT active FROM res_partner WHERE id = %s", (links["victim_partner"],))[0][0] is True


# ----------------------------------------------------------------------
# hole 10: hidden and missing records look the same
# ----------------------------------------------------------------------
@pytest.mark.parametrize("key", KEYS)
def test_prompt_and_resource_hidden_equals_missing(sessions, links, key):
    """prompts/get summarize_record and resources/read odoo://record/...: the
    same error code and message for a hidden and a missing record."""
    mcp = sessions(key)
    answers = {}
    for label, rid in (("hidden", links["hidden"]), ("missing", MISSING)):
        prompt = rpc(mcp, "prompts/get", {"name": "summarize_record",
                                          "arguments": {"model": "res.partner", "record_id": str(rid)}})
        assert prompt["error"] == {"code": -32602, "message": f"No res.partner record with id {rid}."}, prompt
        uri = f"odoo://record/res.partner/{rid}"
        resource = rpc(mcp, "resources/read", {"uri": uri})
        assert resource["error"] == {"code": -32002, "message": f"No res.partner record with id {rid}.",
                                     "data": {"uri": uri}}, resource
        answers[label] = re.sub(rf"\b{rid}\b", "<id>", json.dumps([prompt["error"], resource["error"]]))
    assert answers["hidden"] == answers["missing"]
