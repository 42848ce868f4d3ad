"""Attack suite: the list of installed models must not leak through
selections whose values are model names (hole 6).

``get_model_schema`` answered such a selection (``ir.filters.model_id`` was
one; reference fields built on ``_selection_target_model`` and ``res_model``
selections of addons are others) with every installed model and its
description, blocked ones included. The base/web e2e database has no such
field on a readable model any more, so the module fixture adds two custom
ones (what an admin or an addon can add) on ``res.partner.industry``: a
selection and a reference field whose values are model names, readable and
blocked ones, plus a value that is no model.
"""
import json

import pytest

from ...models.mcp_guard_rules import MSG_MODEL_BLOCKED
from .attack_helpers import denied, e2e_db, odoo_shell, sessions, sql, tool_error_text, tool_ok, tool_raw  # noqa: F401

MODEL = "res.partner.industry"
SELECTION_FIELD = "x_e2e_target_model"
REFERENCE_FIELD = "x_e2e_target_ref"
#: values of both fields, in this order: readable models, blocked models, not a model
VALUES = ("res.partner", "res.country", "mcp.api.key", "res.users.apikeys", "ir.config_parameter",
          "res.users", "ir.filters", "other")
VISIBLE = ("res.partner", "res.country", "other")
KEYS = ("attack_admin_write", "attack_employee_write")

SETUP = """
import json
values = %(values)r
IrFields = env["ir.model.fields"].sudo()
model_id = env["ir.model"]._get_id(%(model)r)
for name, ttype in ((%(selection)r, "selection"), (%(reference)r, "reference")):
    if not IrFields.search([("model", "=", %(model)r), ("name", "=", name)]):
        IrFields.create({
            "model_id": model_id, "name": name, "field_description": "E2E " + name, "ttype": ttype,
            "selection_ids": [(0, 0, {"value": value, "sequence": position,
                                      "name": env[value]._description if value in env else "Other"})
                              for position, value in enumerate(values)]})
industry = env[%(model)r].sudo().search([("name", "=", "E2E Model Names")], limit=1) \\
    or env[%(model)r].sudo().create({"name": "E2E Model Names"})
env.cr.commit()
env.registry.signal_changes()
print("OUT_BEGIN" + json.dumps({"industry": industry.id}) + "OUT_END")
"""
TEARDOWN = """
import json
env["ir.model.fields"].sudo().search([("model", "=", %(model)r), ("name", "in", [%(selection)r, %(reference)r])]).unlink()
env.cr.commit()
env.registry.signal_changes()
print("OUT_BEGIN" + json.dumps(True) + "OUT_END")
"""


@pytest.fixture(scope="module")
def industry(e2e_conf, threaded_server):
    """Id of a res.partner.industry record; the model has the two custom
    model-name fields while this module runs (removed afterwards)."""
    conf, db = e2e_conf
    names = {"values": VALUES, "model": MODEL, "selection": SELECTION_FIELD, "reference": REFERENCE_FIELD}
    record = odoo_shell(conf, db, SETUP % names)["industry"]
    yield record
    odoo_shell(conf, db, TEARDOWN % names)


def _schema_field(mcp, name):
    result = tool_ok(tool_raw(mcp, "get_model_schema", {"model": MODEL, "fields": [name]}))
    (field,) = result["fields"]
    return field


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("name", [SELECTION_FIELD, REFERENCE_FIELD])
def test_schema_lists_only_readable_models(sessions, industry, key, name):
    """get_model_schema: the selection of a model-name field holds the
    readable models and the non-model value, no blocked model."""
    field = _schema_field(sessions(key), name)
    assert [value for value, _label in field["selection"]] == list(VISIBLE), field
    assert dict(field["selection"])["res.partner"] == "Contact"


@pytest.mark.parametrize("key", KEYS)
def test_schema_of_all_fields_hides_them_too(sessions, industry, key):
    """Without a field filter (the usual call) the same values are hidden."""
    result = tool_ok(tool_raw(sessions(key), "get_model_schema", {"model": MODEL}))
    selections = {field["name"]: field.get("selection") for field in result["fields"]}
    for name in (SELECTION_FIELD, REFERENCE_FIELD):
        assert [value for value, _label in selections[name]] == list(VISIBLE)
    text = json.dumps(result)
    for blocked in ("mcp.api.key", "res.users.apikeys", "ir.config_parameter"):
        assert blocked not in text


def _refused_value_text(value):
    """The write check's error for a selection value it does not accept."""
    return ("Invalid value %s for field %r (selection) of model %r: expected one of %s."
            % (json.dumps(value), SELECTION_FIELD, MODEL, json.dumps(list(VISIBLE))))


@pytest.mark.parametrize("value", ["mcp.api.key", "res.users.apikeys", "ir.filters", "no.such.model"])
def test_writing_a_blocked_model_name_is_refused_like_an_unknown_value(sessions, industry, value):
    """update / create with a value naming a blocked model ⇒ the same isError
    text as for a value that is no option at all; the error lists only the
    readable values; nothing is written. (Industries are written by
    administrators: the admin key.)"""
    mcp = sessions("attack_admin_write")
    body = tool_raw(mcp, "update", {"model": MODEL, "ids": [industry], "values": {SELECTION_FIELD: value}})
    assert tool_error_text(body) == _refused_value_text(value)
    body = tool_raw(mcp, "create", {"model": MODEL, "values": {"name": "E2E refused", SELECTION_FIELD: value}})
    assert tool_error_text(body) == _refused_value_text(value)
    assert sql(e2e_db(), f"SELECT count(*) FROM res_partner_industry WHERE {SELECTION_FIELD} = %s",  # noqa: S608
               (value,)) == [(0,)]


def test_writing_a_readable_model_name_works(sessions, industry):
    """The filter keeps what may be set: res.country is written."""
    body = tool_raw(sessions("attack_admin_write"), "update",
                    {"model": MODEL, "ids": [industry], "values": {SELECTION_FIELD: "res.country"}})
    assert tool_ok(body)["ids"] == [industry]
    assert sql(e2e_db(), f"SELECT {SELECTION_FIELD} FROM res_partner_industry WHERE id = %s",  # noqa: S608
               (industry,)) == [("res.country",)]


def test_ir_filters_model_list_is_blocked(sessions):
    """ir.filters.model_id (the field of the report) is no longer reachable:
    the model is blocked."""
    body = tool_raw(sessions("attack_employee_write"), "get_model_schema", {"model": "ir.filters"})
    denied(body, MSG_MODEL_BLOCKED % {"model": "ir.filters"}, {"model": "ir.filters", "reason": "blocked"})


def _reference_refused_text(value):
    return ("Invalid value %s for field %r (reference) of model %r: expected a \"model,id\" string whose model is "
            "one of %s." % (json.dumps(value), REFERENCE_FIELD, MODEL, json.dumps(list(VISIBLE))))


@pytest.mark.parametrize("target", ["mcp.api.key", "res.users.apikeys", "ir.config_parameter", "no.such.model"])
def test_reference_to_a_blocked_model_is_refused(sessions, industry, target):
    """A reference value naming a blocked model (an admin may read mcp.api.key
    in Odoo: the guard may not let the link through) ⇒ the same text as a
    model the field does not offer; nothing written."""
    body = tool_raw(sessions("attack_admin_write"), "update",
                    {"model": MODEL, "ids": [industry], "values": {REFERENCE_FIELD: "%s,1" % target}})
    assert tool_error_text(body) == _reference_refused_text("%s,1" % target)
    assert sql(e2e_db(), f"SELECT {REFERENCE_FIELD} FROM res_partner_industry WHERE id = %s",  # noqa: S608
               (industry,)) != [("%s,1" % target,)]


def test_reference_to_a_readable_record(sessions, industry, e2e_keys):
    """A readable model and record is linked; a missing id is refused with the
    link message (hidden ids get the same one: tests/test_guard_links.py)."""
    admin = sessions("attack_admin_write")
    partner = e2e_keys["records"]["company_b_partner"]
    ok = tool_raw(admin, "update", {"model": MODEL, "ids": [industry],
                                    "values": {REFERENCE_FIELD: "res.partner,%d" % partner}})
    assert tool_ok(ok)["ids"] == [industry]
    body = tool_raw(admin, "update", {"model": MODEL, "ids": [industry],
                                      "values": {REFERENCE_FIELD: "res.partner,987654321"}})
    assert tool_error_text(body) == ("Field %r of model %r: no res.partner record with id 987654321 that you may use."
                                     % (REFERENCE_FIELD, MODEL))
