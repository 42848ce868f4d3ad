"""Attacks on the chatter of a document the key may not read, through the
real endpoint of the business database.

Odoo lets a user read the messages, tracking values, activities and
followers of every document the user may read. A model an MCP model-access
rule hides (here calendar.event, read refused) must not be readable through
those rows either: every generic tool sees them as missing, while the same
rows of a readable document (a partner's note, the control) stay visible.
"""
import contextlib
import os

import pytest

from ..attack_helpers import client, rpc, tool_error_text, tool_ok, tool_raw
from ..harness import shell_json

SCRIPT = os.path.join(os.path.dirname(__file__), "make_attached_records.py")
SECRET = "SecretBoard"


@pytest.fixture(scope="module")
def rows(e2e_conf, biz_db, biz_server):
    """Ids of the hidden document's rows; the hiding rule is archived after
    the module (other business tests see calendar.event as before)."""
    conf, _db = e2e_conf
    made = shell_json(conf, biz_db, SCRIPT, "MCP_ATTACHED")
    assert all(made.values()), made  # every kind of row was made
    yield made
    os.environ["MCP_ATTACHED_UNDO"] = "1"
    try:
        shell_json(conf, biz_db, SCRIPT, "MCP_ATTACHED")
    finally:
        with contextlib.suppress(KeyError):
            del os.environ["MCP_ATTACHED_UNDO"]


@pytest.fixture(scope="module")
def mcp(biz_server, biz_keys, rows):
    return client(biz_server, biz_keys["tokens"]["attached_admin_write"])


HIDDEN_SEARCHES = {
    "mail.message": [["model", "=", "calendar.event"]],
    "mail.tracking.value": [["mail_message_id.model", "=", "calendar.event"]],
    "mail.activity": [["summary", "ilike", SECRET]],  # res_model names ir.model: refused in a domain
    "mail.followers": [["res_model", "=", "calendar.event"]],
}


def test_the_document_itself_is_refused(mcp, rows):
    body = tool_raw(mcp, "read", {"model": "calendar.event", "ids": [rows["event"]]})
    assert body["error"]["code"] == -32003, body
    assert body["error"]["message"] == "The MCP model-access rule of 'calendar.event' does not allow 'read'."


@pytest.mark.parametrize("model", sorted(HIDDEN_SEARCHES))
def test_search_read_finds_none_of_its_rows(mcp, model):
    result = tool_ok(tool_raw(mcp, "search_read", {"model": model, "domain": HIDDEN_SEARCHES[model],
                                                   "fields": ["id"]}))
    assert result["records"] == [] and result["total"] == 0, result


@pytest.mark.parametrize("model", sorted(HIDDEN_SEARCHES))
def test_count_finds_none_of_its_rows(mcp, model):
    result = tool_ok(tool_raw(mcp, "count", {"model": model, "domain": HIDDEN_SEARCHES[model]}))
    assert result["count"] == 0, result


def test_text_search_in_message_bodies(mcp, rows):
    """A search on the secret's words finds nothing, the control's words find the control."""
    hidden = tool_ok(tool_raw(mcp, "search_read", {"model": "mail.message", "domain": [["body", "ilike", SECRET]],
                                                   "fields": ["id"]}))
    assert hidden["records"] == [], hidden
    control = tool_ok(tool_raw(mcp, "search_read", {"model": "mail.message",
                                                    "domain": [["body", "ilike", "OpenPartnerNote"]],
                                                    "fields": ["id", "model", "res_id"]}))
    assert [row["id"] for row in control["records"]] == [rows["control"]]


def test_aggregate_has_no_group_of_the_hidden_model(mcp):
    result = tool_ok(tool_raw(mcp, "aggregate", {"model": "mail.message", "groupby": ["model"]}))
    assert "calendar.event" not in {group.get("model") for group in result["groups"]}, result
    assert "res.partner" in {group.get("model") for group in result["groups"]}, result


@pytest.mark.parametrize("model,row", [("mail.message", "message"), ("mail.tracking.value", "tracking"),
                                       ("mail.activity", "activity"), ("mail.followers", "follower")])
def test_read_by_id_is_missing(mcp, rows, model, row):
    result = tool_ok(tool_raw(mcp, "read", {"model": model, "ids": [rows[row]]}))
    assert result["records"] == [] and result["missing_ids"] == [rows[row]], result


def test_read_of_the_control_message(mcp, rows):
    result = tool_ok(tool_raw(mcp, "read", {"model": "mail.message", "ids": [rows["control"]],
                                            "fields": ["body", "model", "res_id"]}))
    assert result["records"][0]["res_id"] == rows["partner"], result


def test_name_search_finds_no_message(mcp):
    result = tool_ok(tool_raw(mcp, "name_search", {"model": "mail.activity", "name": SECRET}))
    assert result["results"] == [], result


def test_update_and_delete_are_refused_as_missing(mcp, rows):
    body = tool_raw(mcp, "update", {"model": "mail.message", "ids": [rows["message"]],
                                    "values": {"body": "overwritten"}})
    assert tool_error_text(body) == f"No mail.message record with id {rows['message']}; nothing was updated."
    result = tool_ok(tool_raw(mcp, "delete", {"model": "mail.activity", "ids": [rows["activity"]]}))
    assert result["deleted_ids"] == [] and result["missing_ids"] == [rows["activity"]], result


def test_execute_method_on_its_activity(mcp, rows):
    body = tool_raw(mcp, "execute_method", {"model": "mail.activity", "method": "action_done",
                                            "ids": [rows["activity"]]})
    assert tool_error_text(body) == f"No mail.activity record with id {rows['activity']}."


def test_resource_read_of_its_message(mcp, rows):
    body = rpc(mcp, "resources/read", {"uri": f"odoo://record/mail.message/{rows['message']}"})
    assert body["error"]["code"] == -32002, body
    assert SECRET not in str(body)


PATH_SEARCHES = {
    "dotted path": lambda word: [["starred_message_ids.body", "ilike", word]],
    "any": lambda word: [["starred_message_ids", "any", [["body", "ilike", word]]]],
    "path through a partner": lambda word: [["commercial_partner_id.starred_message_ids.body", "ilike", word]],
}


@pytest.mark.parametrize("how", sorted(PATH_SEARCHES))
def test_paths_from_a_readable_model_do_not_reach_its_messages(mcp, rows, how):
    """The admin starred both notes: a partner search through the stars finds
    the admin for the control's words, nobody for the hidden note's (no yes/no
    oracle on the secret's text)."""
    domain = PATH_SEARCHES[how]
    hidden = tool_ok(tool_raw(mcp, "search_read", {"model": "res.partner", "domain": domain(SECRET),
                                                   "fields": ["id"]}))
    assert hidden["records"] == [], hidden
    count = tool_ok(tool_raw(mcp, "count", {"model": "res.partner", "domain": domain(SECRET)}))
    assert count["count"] == 0, count
    control = tool_ok(tool_raw(mcp, "search_read", {"model": "res.partner", "domain": domain("OpenPartnerNote"),
                                                    "fields": ["id"]}))
    assert [row["id"] for row in control["records"]] == [rows["starrer"]], control


def test_not_any_ignores_its_messages(mcp, rows):
    """'No starred message mentions the secret' holds for the admin: the hidden note is not counted."""
    result = tool_ok(tool_raw(mcp, "search_read", {
        "model": "res.partner", "fields": ["id"],
        "domain": [["id", "=", rows["starrer"]], ["starred_message_ids", "not any", [["body", "ilike", SECRET]]]]}))
    assert [row["id"] for row in result["records"]] == [rows["starrer"]], result


def test_the_rows_still_exist(mcp, rows, biz_db):
    """Nothing above deleted or changed them (the refusals are not because they are gone)."""
    from ..attack_helpers import sql
    assert sql(biz_db, "SELECT body FROM mail_message WHERE id = %s", (rows["message"],))[0][0].find(SECRET) >= 0
    assert sql(biz_db, "SELECT count(*) FROM mail_activity WHERE id = %s", (rows["activity"],))[0][0] == 1
