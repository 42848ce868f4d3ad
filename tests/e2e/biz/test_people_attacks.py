"""Attacks on the two windows into res.users (whoami / find_user and users'
display names), through the real /mcp endpoint of the business database, as
the admin and as a sales person: nothing but a user's id and name comes out,
and only of active internal users for find_user."""
import pytest

from ....models.mcp_guard_rules import (
    MSG_DOMAIN_ID_ONLY,
    MSG_METHOD_DENIED,
    MSG_MODEL_BLOCKED,
    MSG_PATH_DENIED,
)
from ..attack_helpers import client, denied, tool_error_text, tool_ok, tool_raw

USERS = "res.users"
WHO = ("admin", "salesman")


@pytest.fixture(scope="module", params=WHO)
def mcp(request, biz_server, biz_keys):
    return client(biz_server, biz_keys["tokens"][f"people_{request.param}_write"])


def _path_denied(path, field="user_id"):
    return (MSG_PATH_DENIED % {"path": path, "model": USERS},
            {"model": USERS, "path": path, "field": field, "reason": "blocked"})


@pytest.mark.parametrize("path", ["user_id.login", "user_id.password", "user_id.groups_id", "user_id.share",
                                  "user_id.api_key_ids", "user_id.partner_id.email", "user_id.name"])
@pytest.mark.parametrize("tool", ["search_read", "count", "aggregate", "name_search"])
def test_domain_paths_through_user_id(mcp, tool, path):
    arguments = {"model": "crm.lead", "domain": [[path, "!=", False]]}
    if tool == "aggregate":
        arguments["groupby"] = ["stage_id"]
    denied(tool_raw(mcp, tool, arguments), *_path_denied(path))


@pytest.mark.parametrize("argument", [{"order": "user_id.login"}, {"order": "user_id.name desc"}])
def test_order_through_user_id(mcp, argument):
    path = argument["order"].split()[0]
    denied(tool_raw(mcp, "search_read", dict(argument, model="sale.order", fields=["name"])), *_path_denied(path))


def test_name_match_on_users_through_a_domain(mcp):
    """Only find_user searches users by name: a domain compares ids only."""
    denied(tool_raw(mcp, "search_read", {"model": "sale.order", "domain": [["user_id", "ilike", "marc"]]}),
           MSG_DOMAIN_ID_ONLY % {"field": "user_id", "model": "sale.order", "comodel": USERS},
           {"model": USERS, "path": "user_id", "reason": "blocked"})


@pytest.mark.parametrize("tool,arguments", [
    ("search_read", {"model": USERS, "fields": ["login"]}),
    ("read", {"model": USERS, "ids": [2], "fields": ["name"]}),
    ("count", {"model": USERS}),
    ("aggregate", {"model": USERS, "groupby": ["share"]}),
    ("name_search", {"model": USERS, "name": "Marc"}),
    ("get_model_schema", {"model": USERS}),
    ("list_actions", {"model": USERS}),
    ("update", {"model": USERS, "ids": [2], "values": {"name": "x"}}),
])
def test_users_model_stays_blocked(mcp, tool, arguments):
    denied(tool_raw(mcp, tool, arguments), MSG_MODEL_BLOCKED % {"model": USERS},
           {"model": USERS, "reason": "blocked"})


def test_methods_of_users_stay_blocked(mcp):
    body = tool_raw(mcp, "execute_method", {"model": USERS, "method": "preference_save", "ids": [2]})
    denied(body, MSG_MODEL_BLOCKED % {"model": USERS}, {"model": USERS, "reason": "blocked"})
    body = tool_raw(mcp, "execute_method", {"model": "crm.lead", "method": "with_user", "args": [2]})
    denied(body, MSG_METHOD_DENIED % {"method": "with_user", "model": "crm.lead"},
           {"model": "crm.lead", "method": "with_user", "reason": "method"})


@pytest.mark.parametrize("extra", [{"fields": ["login"]}, {"domain": [["share", "=", True]]},
                                   {"context": {"active_test": False}}])
def test_find_user_takes_a_name_and_a_limit_only(mcp, extra):
    text = tool_error_text(tool_raw(mcp, "find_user", dict(extra, name="Marc")))
    assert text.startswith("Invalid arguments: arguments: Additional properties are not allowed"), text


@pytest.mark.parametrize("name", ["Portal", "Archived", "biz_portal_marc", "admin", "%", "Public"])
def test_find_user_never_finds_portal_archived_or_by_login(mcp, name):
    """Portal and archived users are never found, logins are not searched
    ("admin" is the admin's login, not his name)."""
    users = tool_ok(tool_raw(mcp, "find_user", {"name": name}))["users"]
    names = {user["name"] for user in users}
    assert not names & {"Marc Portal", "Marc Archived", "Public user"}, names
    assert all(set(user) == {"id", "name"} for user in users)
    if name != "%":
        assert all(name.lower() in user["name"].lower() for user in users), users


def test_display_names_carry_the_name_only(mcp):
    """A user's many2one value is [id, name]; x2many names, groups and
    execute_method results say nothing else about the user either."""
    orders = tool_ok(tool_raw(mcp, "search_read", {"model": "sale.order", "fields": ["user_id"], "limit": 5}))
    for order in orders["records"]:
        if order["user_id"]:
            user_id, name = order["user_id"]
            assert isinstance(user_id, int) and (name is None or isinstance(name, str))
            assert "@" not in (name or ""), "a login or an email is not a name"
    groups = tool_ok(tool_raw(mcp, "aggregate", {"model": "sale.order", "groupby": ["user_id"]}))["groups"]
    assert all(set(group) == {"user_id", "__count"} for group in groups)
    schema = tool_ok(tool_raw(mcp, "get_model_schema", {"model": "sale.order", "fields": ["user_id"]}))
    assert schema["fields"][0]["relation"] == USERS and "find_user" in schema["fields"][0]["note"]
