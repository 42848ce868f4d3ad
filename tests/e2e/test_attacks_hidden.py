"""Attack suite: fields an admin hides on a model-access rule, through the real /mcp endpoint.

The e2e database's res.partner rule hides ``street2`` (make_keys.py). For an
admin's key and an employee's, every way of reaching it is refused exactly
like a field of groups the user lacks (-32003, reason 'field'), or leaves it
out silently: fields, domains (dotted paths from res.company and ``any``
included), order, groupby, measures, export, values, method arguments; the
schema never names it and a method returning the record's address values
(``onchange_parent_id``) returns the others only.
"""
import pytest

from ...models.mcp_guard_rules import MSG_FIELD_DENIED
from .attack_helpers import client, denied, e2e_db, sql, tool_ok, tool_raw

SECRET = "E2E-HIDDEN-STREET2"
KEYS = ("attack_hidden_admin", "attack_hidden_employee")


@pytest.fixture(scope="module")
def sessions(threaded_server, e2e_keys):
    """A session per key of KEYS on the threaded server."""
    return {name: client(threaded_server, e2e_keys["tokens"][name]) for name in KEYS}


def assert_hidden(body, field="street2", model="res.partner"):
    denied(body, MSG_FIELD_DENIED % {"field": field, "model": model},
           {"model": model, "field": field, "reason": "field"})
    assert SECRET not in str(body)


def _cases(records):
    co, contact = records["hidden_co"], records["hidden_contact"]
    return {
        "read_fields": ("read", {"model": "res.partner", "ids": [co], "fields": ["name", "street2"]}),
        "search_read_fields": ("search_read", {"model": "res.partner", "fields": ["street2"]}),
        "domain": ("search_read", {"model": "res.partner", "domain": [["street2", "=", SECRET]]}),
        "domain_not_null": ("count", {"model": "res.partner", "domain": [["street2", "!=", False]]}),
        "domain_dotted_company": ("search_read", {"model": "res.company",
                                                  "domain": [["partner_id.street2", "ilike", "HIDDEN"]]}),
        "domain_dotted_parent": ("count", {"model": "res.partner", "domain": [["parent_id.street2", "=", SECRET]]}),
        "domain_any": ("search_read", {"model": "res.company",
                                       "domain": [["partner_id", "any", [["street2", "ilike", "HIDDEN"]]]]}),
        "name_search_domain": ("name_search", {"model": "res.partner", "name": "E2E",
                                               "domain": [["street2", "ilike", "HIDDEN"]]}),
        "order": ("search_read", {"model": "res.partner", "order": "street2 desc"}),
        "order_dotted": ("search_read", {"model": "res.company", "order": "partner_id.street2"}),
        "groupby": ("aggregate", {"model": "res.partner", "groupby": ["street2"]}),
        "measure": ("aggregate", {"model": "res.partner", "measures": ["street2:count_distinct"]}),
        "export": ("export_records", {"model": "res.partner", "fields": ["name", "street2"]}),
        "update": ("update", {"model": "res.partner", "ids": [co], "values": {"street2": "changed"}}),
        "create": ("create", {"model": "res.partner", "values": {"name": "E2E Hidden New", "street2": "x"}}),
        "create_nested": ("create", {"model": "res.partner", "values": {
            "name": "E2E Hidden Parent", "child_ids": [[0, 0, {"name": "E2E Hidden Child", "street2": "x"}]]}}),
        "duplicate_default": ("duplicate", {"model": "res.partner", "id": co, "default": {"street2": "x"}}),
        "method_kwarg": ("execute_method", {"model": "res.partner", "method": "onchange_parent_id", "ids": [contact],
                                            "kwargs": {"street2": "x"}}),
        "method_argument": ("execute_method", {"model": "res.partner", "method": "onchange_parent_id",
                                               "ids": [contact], "args": ["street2"]}),
    }


CASE_NAMES = list(_cases({"hidden_co": 0, "hidden_contact": 0}))


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("case", CASE_NAMES)
def test_hidden_field_refused(sessions, e2e_keys, key, case):
    tool, arguments = _cases(e2e_keys["records"])[case]
    assert_hidden(tool_raw(sessions[key], tool, arguments))


def test_nothing_written(sessions, e2e_keys):
    """After the refused writes: the secret as it was, no record created."""
    co = e2e_keys["records"]["hidden_co"]
    assert sql(e2e_db(), "SELECT street2 FROM res_partner WHERE id = %s", (co,)) == [(SECRET,)]
    assert sql(e2e_db(), "SELECT count(*) FROM res_partner WHERE name LIKE 'E2E Hidden %%' AND name NOT IN "
                         "('E2E Hidden Co', 'E2E Hidden Contact')") == [(0,)]


@pytest.mark.parametrize("key", KEYS)
def test_schema_never_names_it(sessions, key):
    schema = tool_ok(tool_raw(sessions[key], "get_model_schema", {"model": "res.partner", "compact": True}))
    names = [entry["name"] for entry in schema["fields"]]
    assert "street" in names
    assert "street2" not in names + schema["blocked_fields"]
    asked = tool_ok(tool_raw(sessions[key], "get_model_schema", {"model": "res.partner", "fields": ["street2"]}))
    assert (asked["fields"], asked["blocked_fields"], asked.get("unknown_fields")) == ([], [], None)


@pytest.mark.parametrize("key", KEYS)
def test_reads_leave_it_out(sessions, e2e_keys, key):
    """The model stays readable: the other fields, never street2."""
    co = e2e_keys["records"]["hidden_co"]
    mcp = sessions[key]
    record = tool_ok(tool_raw(mcp, "read", {"model": "res.partner", "ids": [co], "fields": ["street", "city"]}))
    assert record["records"][0]["street"] == "1 Open Street"
    for tool, arguments in (("read", {"model": "res.partner", "ids": [co]}),
                            ("search_read", {"model": "res.partner", "domain": [["id", "=", co]]})):
        rows = tool_ok(tool_raw(mcp, tool, arguments))["records"]
        assert [row["id"] for row in rows] == [co]
        assert "street2" not in rows[0] and SECRET not in str(rows)


@pytest.mark.parametrize("key", KEYS)
def test_method_result_leaves_it_out(sessions, e2e_keys, key):
    """onchange_parent_id returns the parent company's address values: street
    and city, not street2."""
    contact = e2e_keys["records"]["hidden_contact"]
    body = tool_raw(sessions[key], "execute_method", {"model": "res.partner", "method": "onchange_parent_id",
                                                      "ids": [contact]})
    value = tool_ok(body)["result"]["value"]
    assert (value["street"], value["city"]) == ("1 Open Street", "Brussels")
    assert "street2" not in value
    assert SECRET not in str(body)


@pytest.mark.parametrize("key", KEYS)
def test_duplicate_copies_it_unseen(sessions, e2e_keys, key):
    """duplicate is not refused because Odoo copies street2: the copy has it,
    the answer does not show it."""
    co = e2e_keys["records"]["hidden_co"]
    body = tool_raw(sessions[key], "duplicate", {"model": "res.partner", "id": co})
    copy = tool_ok(body)["id"]
    assert SECRET not in str(body)
    assert sql(e2e_db(), "SELECT street2 FROM res_partner WHERE id = %s", (copy,)) == [(SECRET,)]
    sql(e2e_db(), "DELETE FROM res_partner WHERE id = %s", (copy,))
