"""Attack suite: indirect paths into blocked models, through the real /mcp endpoint.

Dotted paths in fields, domains, order and groupby; SQL in ``order`` and
aggregate specs; a custom related field reading through ``res.users``;
many2one / x2many values and groups pointing into a blocked model.
"""
import pytest

from ...models.mcp_guard_rules import (
    AGGREGATE_FUNCTIONS, MSG_BAD_ORDER, MSG_DOMAIN_ID_ONLY, MSG_PATH_DENIED, MSG_UNKNOWN_AGGREGATE, MSG_UNKNOWN_FIELD,
)
from .attack_helpers import client, denied, e2e_db, sql, tool_error_text, tool_ok, tool_raw

USERS = "res.users"


@pytest.fixture(scope="module")
def mcp(threaded_server, e2e_keys):
    """An admin read-write session on the threaded server (its own key)."""
    return client(threaded_server, e2e_keys["tokens"]["attack_leaks"])


def _path_denied(path, field, model=USERS):
    return (MSG_PATH_DENIED % {"path": path, "model": model},
            {"model": model, "path": path, "field": field, "reason": "blocked"})


# ----------------------------------------------------------------------
# fields
# ----------------------------------------------------------------------
@pytest.mark.parametrize("tool", ["search_read", "read"])
def test_dotted_field_path_into_users(mcp, e2e_keys, tool):
    """``partner_id.user_ids.login`` in ``fields`` is refused (no dotted reads)."""
    arguments = {"model": "res.company", "fields": ["name", "partner_id.user_ids.login"]}
    if tool == "read":
        arguments["ids"] = [e2e_keys["company_a"]]
    text = tool_error_text(tool_raw(mcp, tool, arguments))
    assert text == ("Dotted paths such as 'partner_id.user_ids.login' are not supported in 'fields': "
                    "read the related model instead.")


def _user_name(uid):
    return sql(e2e_db(), "SELECT p.name FROM res_users u JOIN res_partner p ON p.id = u.partner_id WHERE u.id = %s",
               (uid,))[0][0]


def test_relational_values_into_blocked_model_carry_ids_and_names_only(mcp, e2e_keys):
    """``create_uid`` / ``write_uid`` of a partner: the users' ids and display
    names (the identity window: Odoo lets the key's user read those users),
    nothing else of them (``user_ids``, which mirrors res.users, is not
    readable at all: see test_attacks_links.py)."""
    partner = e2e_keys["records"]["admin_partner"]
    rows = tool_ok(tool_raw(mcp, "read", {"model": "res.partner", "ids": [partner],
                                          "fields": ["create_uid", "write_uid"], "x2many_names": True}))
    record = rows["records"][0]
    for field in ("create_uid", "write_uid"):
        assert record[field] == [record[field][0], _user_name(record[field][0])]
    plain = tool_ok(tool_raw(mcp, "search_read", {"model": "res.partner", "domain": [["id", "=", partner]],
                                                  "fields": ["create_uid"]}))
    assert plain["records"][0]["create_uid"] == record["create_uid"]


# ----------------------------------------------------------------------
# domains
# ----------------------------------------------------------------------
DOMAIN_CASES = {
    "password": ([["user_id.password", "!=", False]],) + _path_denied("user_id.password", "user_id"),
    "login": ([["user_id.login", "=", "admin"]],) + _path_denied("user_id.login", "user_id"),
    "create_uid": ([["create_uid.login", "=", "admin"]],) + _path_denied("create_uid.login", "create_uid"),
    "or_branch": (["|", ["name", "=", "x"], ["write_uid.login", "ilike", "a"]],)
    + _path_denied("write_uid.login", "write_uid"),
    "not_branch": (["!", ["user_id.share", "=", True]],) + _path_denied("user_id.share", "user_id"),
    "nested_any": ([["child_ids", "any", [["user_id.login", "=", "admin"]]]],)
    + _path_denied("user_id.login", "user_id"),
    "any_on_users": ([["user_id", "any", [["login", "=", "admin"]]]],
                     MSG_PATH_DENIED % {"path": "user_id", "model": USERS},
                     {"model": USERS, "path": "user_id", "reason": "blocked"}),
    "name_search_comodel": ([["user_id", "ilike", "admin"]],
                            MSG_DOMAIN_ID_ONLY % {"field": "user_id", "model": "res.partner", "comodel": USERS},
                            {"model": USERS, "path": "user_id", "reason": "blocked"}),
    "child_of_name": ([["create_uid", "child_of", "Administrator"]],
                      MSG_DOMAIN_ID_ONLY % {"field": "create_uid", "model": "res.partner", "comodel": USERS},
                      {"model": USERS, "path": "create_uid", "reason": "blocked"}),
}


@pytest.mark.parametrize("tool", ["search_read", "count", "aggregate", "name_search"])
@pytest.mark.parametrize("case", sorted(DOMAIN_CASES))
def test_domain_into_users(mcp, tool, case):
    """A domain reaching res.users (paths, any, name match) ⇒ -32003 on every searching tool."""
    domain, message, data = DOMAIN_CASES[case]
    denied(tool_raw(mcp, tool, {"model": "res.partner", "domain": domain}), message, data)


def test_domain_two_hops_into_users(mcp):
    """``partner_id.user_id.login`` from res.company: refused at the user hop."""
    body = tool_raw(mcp, "search_read", {"model": "res.company",
                                         "domain": [["partner_id.user_id.login", "=", "admin"]]})
    denied(body, *_path_denied("partner_id.user_id.login", "user_id"))


def test_domain_comparing_user_ids_is_allowed(mcp, e2e_keys):
    """Comparing a relation into a blocked model with ids stays possible (control case)."""
    admin = e2e_keys["users"]["admin"]
    for domain in ([["create_uid", "in", [admin]]], [["user_id", "in", [admin]]], [["write_uid", "!=", False]]):
        assert isinstance(tool_ok(tool_raw(mcp, "count", {"model": "res.partner", "domain": domain}))["count"], int)


# ----------------------------------------------------------------------
# groupby / order / aggregate specs
# ----------------------------------------------------------------------
@pytest.mark.parametrize("groupby,field", [("create_uid.login", "create_uid"), ("user_id.login", "user_id"),
                                           ("write_uid.password", "write_uid")])
def test_groupby_into_users(mcp, groupby, field):
    """``groupby: create_uid.login`` ⇒ -32003 path denied."""
    body = tool_raw(mcp, "aggregate", {"model": "res.partner", "groupby": [groupby]})
    denied(body, *_path_denied(groupby, field))


def test_groupby_many2one_to_users_gives_ids_and_names_only(mcp, e2e_keys):
    """Grouping by ``create_uid`` gives user ids and display names, as search_read does."""
    groups = tool_ok(tool_raw(mcp, "aggregate", {"model": "res.partner", "groupby": ["create_uid"]}))["groups"]
    assert groups
    for group in groups:
        value = group["create_uid"]
        assert set(group) == {"create_uid", "__count"}
        assert value is None or value == [value[0], _user_name(value[0])], group


@pytest.mark.parametrize("order,field", [("create_uid.login", "create_uid"), ("user_id.login", "user_id"),
                                         ("name, write_uid.login desc", "write_uid")])
def test_order_into_users(mcp, order, field):
    """``order: create_uid.login`` ⇒ -32003 path denied."""
    path = order.split(",")[-1].split()[0]
    body = tool_raw(mcp, "search_read", {"model": "res.partner", "order": order})
    denied(body, *_path_denied(path, field))


@pytest.mark.parametrize("order,bad_name", [
    ("name_x desc", "name_x"),
    ("id, pg_sleep desc", "pg_sleep"),
])
def test_order_unknown_field(mcp, order, bad_name):
    """A well-formed order on a field the model lacks: the guard's unknown-field message."""
    text = tool_error_text(tool_raw(mcp, "search_read", {"model": "res.partner", "order": order}))
    assert text.startswith(MSG_UNKNOWN_FIELD % {"field": bad_name, "model": "res.partner"}), text


@pytest.mark.parametrize("order", [
    # SQL in ``order`` never reaches the field lookup: the grammar refuses it
    "name; DROP TABLE res_partner",
    "(select 1)",
    "name->>'en_US'",
    "id, (SELECT login FROM res_users LIMIT 1)",
    "name desc limit 1",
    "name collate \"C\"",
    "name desc, id desc nulls first; delete from res_partner",
    "id asc nulls last) union select 1 --",
])
def test_order_injection_bad_order(mcp, order):
    """Anything but ``field [asc|desc] [nulls first|last]`` ⇒ MSG_BAD_ORDER."""
    text = tool_error_text(tool_raw(mcp, "search_read", {"model": "res.partner", "order": order}))
    assert text == MSG_BAD_ORDER % {"order": order}
    assert sql(e2e_db(), "SELECT count(*) FROM res_partner")[0][0] > 0


def test_aggregate_order_and_measure_injection(mcp):
    """SQL in aggregate ``order`` / ``measures`` is refused with the exact message."""
    order = "__count desc; drop table res_partner"
    text = tool_error_text(tool_raw(mcp, "aggregate", {"model": "res.partner", "groupby": ["type"],
                                                       "order": order}))
    assert text == "Invalid order term %r: use \"<groupby or measure> [asc|desc]\"." % order
    spec = "id:sum) from res_users --"
    text = tool_error_text(tool_raw(mcp, "aggregate", {"model": "res.partner", "measures": [spec]}))
    assert text == MSG_UNKNOWN_AGGREGATE % {"function": "sum) from res_users --", "spec": spec,
                                            "functions": ", ".join(AGGREGATE_FUNCTIONS)}


# ----------------------------------------------------------------------
# a custom related field reading through res.users
# ----------------------------------------------------------------------
RELATED = "x_e2e_creator_login"


@pytest.mark.parametrize("tool", ["search_read", "read"])
def test_related_field_through_users_is_refused(mcp, e2e_keys, tool):
    """``x_e2e_creator_login`` (related ``create_uid.login``) ⇒ -32003 path denied."""
    arguments = {"model": "res.partner.category", "fields": ["name", RELATED]}
    if tool == "read":
        arguments["ids"] = [e2e_keys["records"]["category"]]
    denied(tool_raw(mcp, tool, arguments), *_path_denied(RELATED, RELATED))


@pytest.mark.parametrize("tool,arguments", [
    ("count", {"domain": [[RELATED, "=", "admin"]]}),
    ("name_search", {"name": "E2E", "domain": [[RELATED, "ilike", "a"]]}),
    ("search_read", {"order": RELATED}),
    ("aggregate", {"groupby": [RELATED]}),
])
def test_related_field_through_users_in_queries(mcp, tool, arguments):
    """The related field in a domain / order / groupby ⇒ -32003 path denied."""
    body = tool_raw(mcp, tool, dict(arguments, model="res.partner.category"))
    denied(body, *_path_denied(RELATED, RELATED))


def test_related_field_through_users_never_in_defaults(mcp, e2e_keys):
    """Default reads, the schema and the record resource leave the field out."""
    rows = tool_ok(tool_raw(mcp, "search_read", {"model": "res.partner.category",
                                                 "domain": [["id", "=", e2e_keys["records"]["category"]]]}))
    assert rows["records"] and RELATED not in rows["records"][0]
    assert RELATED not in rows["fields"]
    schema = tool_ok(tool_raw(mcp, "get_model_schema", {"model": "res.partner.category"}))
    assert RELATED not in {f["name"] for f in schema["fields"]}
    body = mcp.call("resources/read", {"uri": "odoo://record/res.partner.category/%d"
                                       % e2e_keys["records"]["category"]})
    assert RELATED not in body["contents"][0]["text"]
    assert '"admin"' not in body["contents"][0]["text"]


@pytest.mark.parametrize("case", ["password", "name_search_comodel"])
def test_domain_into_users_both_server_modes(server, e2e_keys, case):
    """Representative leak cases on both server modes."""
    domain, message, data = DOMAIN_CASES[case]
    session = client(server, e2e_keys["tokens"]["attack_admin_write"])
    denied(tool_raw(session, "search_read", {"model": "res.partner", "domain": domain}), message, data)
    denied(tool_raw(session, "aggregate", {"model": "res.partner", "groupby": ["create_uid.login"]}),
           *_path_denied("create_uid.login", "create_uid"))
