"""Attack suite: writes whose side effects change users, groups, modules or
security settings, through the real /mcp endpoint.

- Holes 3 and 9: ``res.company`` and ``res.lang`` are read-only through MCP
  (creating a company links its creator and the superuser to it and to
  base.group_multi_company; ``install_l10n_modules`` and
  ``action_activate_langs`` install code): -32003 ``MSG_MODEL_READ_ONLY``,
  reads still work.
- The write fence (models/mcp_write_fence.py): a write whose own ORM code
  changes a protected table is rolled back and refused with -32003
  ``MSG_SIDE_EFFECT`` (reason ``side_effect``). Activating a second currency
  adds every employee to base.group_multi_currency: the example at hand.
- The side-effect sweep: every model the admin read-write key may create is
  created with generated values, updated, its form's object buttons run, and
  deleted; the rows of res_users, res_groups, their relation tables and
  ir_module_module are identical before and after. Refusals and tool errors
  are fine; an HTTP 5xx or a JSON-RPC internal error is not.

The fence tests and the sweep run on a copy of the e2e database with a
server of their own (they write a lot; ``any_public_method`` is enabled
there so that the method policy does not hide what the fence must catch).
"""
import time

import pytest

from ...models.mcp_guard_rules import MSG_METHOD_DENIED, MSG_MODEL_READ_ONLY, MSG_SIDE_EFFECT
from .attack_helpers import (client, dedicated_server, denied, e2e_db, odoo_shell, sessions,  # noqa: F401
                             sql, tool_ok, tool_raw)

INTERNAL_ERROR = -32603
#: Tables whose rows the sweep must leave exactly as they were.
WATCHED_TABLES = ("res_users", "res_groups", "res_groups_users_rel", "res_company_users_rel",
                  "res_groups_implied_rel", "ir_module_module")
SWEEP_SECONDS = 180


def _read_only(model, operation):
    return MSG_MODEL_READ_ONLY % {"model": model, "operation": operation}


def _side_effect(model):
    return MSG_SIDE_EFFECT % {"model": model}


def _snapshot(db):
    """{table: (row count, md5 of all rows)} of the watched tables."""
    return {table: sql(db, f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"  # noqa: S608
                           f" FROM {table} t")[0] for table in WATCHED_TABLES}


def _lang_id(db):
    return sql(db, "SELECT id FROM res_lang WHERE code = 'en_US'")[0][0]


# ----------------------------------------------------------------------
# holes 3 and 9: res.company and res.lang are read-only (shared server)
# ----------------------------------------------------------------------
READ_ONLY_CALLS = {
    "create": ("create", lambda rid: {"values": {"name": "E2E Company X"}}),
    "update": ("write", lambda rid: {"ids": [rid], "values": {"name": "E2E renamed"}}),
    "delete": ("unlink", lambda rid: {"ids": [rid]}),
}


@pytest.mark.parametrize("key", ["attack_admin_write", "attack_employee_write", "attack_admin_read"])
@pytest.mark.parametrize("model", ["res.company", "res.lang"])
@pytest.mark.parametrize("tool", sorted(READ_ONLY_CALLS))
def test_company_and_lang_are_read_only(sessions, e2e_keys, key, model, tool):
    """create/update/delete of res.company and res.lang ⇒ -32003 read_only
    (before scope and ACL checks: the same for every key); nothing changed."""
    operation, build = READ_ONLY_CALLS[tool]
    db = e2e_db()
    rid = e2e_keys["company_a"] if model == "res.company" else _lang_id(db)
    table = model.replace(".", "_")
    before = sql(db, f"SELECT count(*), max(write_date) FROM {table}"), _snapshot(db)  # noqa: S608
    body = tool_raw(sessions(key), tool, dict(build(rid), model=model))
    denied(body, _read_only(model, operation), {"model": model, "operation": operation, "reason": "read_only"})
    assert (sql(db, f"SELECT count(*), max(write_date) FROM {table}"), _snapshot(db)) == before  # noqa: S608


@pytest.mark.parametrize("model", ["res.company", "res.lang"])
def test_company_and_lang_still_readable(sessions, model):
    """Reads are not affected: search_read answers."""
    result = tool_ok(tool_raw(sessions("attack_admin_write"), "search_read",
                              {"model": model, "fields": ["name"], "limit": 5}))
    assert result["records"]


@pytest.mark.parametrize("model, method", [("res.company", "install_l10n_modules"),
                                           ("res.lang", "action_activate_langs")])
@pytest.mark.parametrize("key", ["attack_admin_write", "attack_employee_write"])
def test_code_installing_methods_refused(sessions, e2e_keys, key, model, method):
    """install_l10n_modules (returned true for an admin write key) ⇒ -32003,
    refused by name ('install') before anything else; action_activate_langs ⇒
    -32003 read_only; no module changed state."""
    db = e2e_db()
    rid = e2e_keys["company_a"] if model == "res.company" else _lang_id(db)
    modules = sql(db, "SELECT name, state FROM ir_module_module ORDER BY name")
    body = tool_raw(sessions(key), "execute_method", {"model": model, "method": method, "ids": [rid]})
    if "install" in method:
        denied(body, MSG_METHOD_DENIED % {"method": method, "model": model},
               {"model": model, "method": method, "reason": "method"})
    else:
        denied(body, _read_only(model, "write"), {"model": model, "operation": "write", "reason": "read_only"})
    assert sql(db, "SELECT name, state FROM ir_module_module ORDER BY name") == modules


# ----------------------------------------------------------------------
# a dedicated server for the fence and the sweep
# ----------------------------------------------------------------------
SETUP = r"""
import datetime
import json
from lxml import etree

env["ir.config_parameter"].sudo().set_param("mcp_bridge.any_public_method", "True")
admin = env.ref("base.user_admin")
employee = env["res.users"].search([("login", "=", "e2e_employee")], limit=1)
Key = env["mcp.api.key"].sudo()
keys = {}
tokens = {}
for name, user in (("admin", admin), ("employee", employee)):
    keys[name], tokens[name] = Key._generate_key({"name": "fence " + name, "user_id": user.id, "scope": "write"})
uenv = env(user=admin)
guard = uenv["mcp.guard"]
today = datetime.date.today().isoformat()
now = datetime.datetime.utcnow().replace(microsecond=0).isoformat() + "Z"
MAGIC = {"id", "display_name", "create_uid", "create_date", "write_uid", "write_date"}


def writable(field):
    return not field.readonly and not (field.compute and not field.inverse) and field.name not in MAGIC


def text(field, value):
    return value[:field.size] if field.size else value


def generated(model, field):
    kind = field.type
    if kind in ("char", "text", "html"):
        return text(field, "sweep")
    if kind in ("integer", "float", "monetary"):
        return 1
    if kind == "boolean":
        return True
    if kind == "date":
        return today
    if kind == "datetime":
        return now
    if kind == "selection":
        options = guard.filter_selection(field._description_selection(uenv))
        return options[0][0] if options else None
    if kind == "many2one":
        return uenv[field.comodel_name].sudo().search([], limit=1).id or None
    return None


def buttons(model):
    try:
        arch = model.get_views([(False, "form")])["views"]["form"]["arch"]
    except Exception:  # noqa: BLE001 - a model without a usable form view has no buttons
        return []
    names = [node.get("name") for node in etree.fromstring(arch).iter("button") if node.get("type") == "object"]
    return list(dict.fromkeys(name for name in names if name))


plan = []
for name in guard.allowed_models(keys["admin"], "create"):
    model = uenv[name]
    try:
        defaults = model.default_get(list(model._fields))
    except Exception:  # noqa: BLE001 - defaults that fail here fail in create too: an outcome
        defaults = {}
    values = {}
    for fname, field in model._fields.items():
        if field.required and defaults.get(fname) in (None, False) and writable(field):
            value = generated(model, field)
            if value is not None:
                values[fname] = value
    if not values:  # everything has a default: set one simple field anyway
        simple = next((field for field in model._fields.values() if field.store and writable(field)
                       and field.type in ("char", "text", "integer", "float", "date")), None)
        if simple is not None:
            values[simple.name] = generated(model, simple)
    update = next((fname for fname, field in model._fields.items()
                   if field.type == "char" and field.store and writable(field) and field.is_accessible(uenv)), None)
    plan.append({"model": name, "values": values, "update": update,
                 "update_value": text(model._fields[update], "sweep 2") if update else None,
                 "buttons": buttons(model)})
env.cr.commit()
print("OUT_BEGIN" + json.dumps({"tokens": tokens, "plan": plan}) + "OUT_END")
"""


@pytest.fixture(scope="module")
def fence(e2e_conf, e2e_credentials):
    """(server, info, db): threaded server on a copy of the e2e db (made
    after the e2e users exist) with ``any_public_method`` on, admin/employee
    write keys and the sweep plan."""
    with dedicated_server(e2e_conf, "fence", lambda conf, copy: odoo_shell(conf, copy, SETUP)) as (server, info, copy):
        yield server, info, copy


def test_currency_activation_is_fenced(fence):
    """Activating a second currency (res.currency's own write adds every
    employee to base.group_multi_currency) ⇒ -32003 side_effect naming
    res.users; the currency, the groups and their members are unchanged."""
    server, info, db = fence
    (eur,) = sql(db, "SELECT id FROM res_currency WHERE name = 'EUR' AND NOT active")[0]
    before = _snapshot(db)
    body = tool_raw(client(server, info["tokens"]["admin"]), "update",
                    {"model": "res.currency", "ids": [eur], "values": {"active": True}})
    denied(body, _side_effect("res.users"), {"model": "res.users", "reason": "side_effect"})
    assert sql(db, "SELECT active FROM res_currency WHERE id = %s", (eur,)) == [(False,)]
    assert _snapshot(db) == before


def test_currency_creation_is_fenced(fence):
    """Creating an active currency does the same ⇒ refused, no currency row."""
    server, info, db = fence
    before = _snapshot(db)
    body = tool_raw(client(server, info["tokens"]["admin"]), "create",
                    {"model": "res.currency", "values": {"name": "ZZF", "symbol": "z", "active": True}})
    denied(body, _side_effect("res.users"), {"model": "res.users", "reason": "side_effect"})
    assert sql(db, "SELECT count(*) FROM res_currency WHERE name = 'ZZF'") == [(0,)]
    assert _snapshot(db) == before


@pytest.mark.parametrize("key", ["admin", "employee"])
def test_ordinary_writes_pass_the_fence(fence, key):
    """Contacts and tags: create (with a nested tag), update (also the
    user's own contact), a method and delete all succeed."""
    server, info, db = fence
    mcp = client(server, info["tokens"][key])
    created = tool_ok(tool_raw(mcp, "create", {"model": "res.partner", "values": {
        "name": f"E2E fence {key}", "category_id": [[0, 0, {"name": f"E2E fence tag {key}"}]]}}))
    partner = created["id"]
    tool_ok(tool_raw(mcp, "update", {"model": "res.partner", "ids": [partner], "values": {"city": "Fence"}}))
    own = sql(db, "SELECT partner_id FROM res_users WHERE login = %s",
              ("admin" if key == "admin" else "e2e_employee",))[0][0]
    tool_ok(tool_raw(mcp, "update", {"model": "res.partner", "ids": [own], "values": {"phone": "+32 2 123 45 67"}}))
    tool_ok(tool_raw(mcp, "execute_method", {"model": "res.partner", "method": "address_get", "ids": [partner]}))
    tool_ok(tool_raw(mcp, "delete", {"model": "res.partner", "ids": [partner]}))
    assert sql(db, "SELECT phone FROM res_partner WHERE id = %s", (own,)) == [("+32 2 123 45 67",)]


def _outcome(mcp, tool, arguments, problems):
    """Call ``tool``; return its structured result when it succeeded, else
    None. A 5xx or a JSON-RPC internal error is recorded in ``problems``."""
    response = mcp.request("tools/call", {"name": tool, "arguments": arguments})
    where = "%s %s" % (tool, {k: v for k, v in arguments.items() if k != "values"})
    if response.status_code >= 500:
        problems.append("%s: HTTP %s %s" % (where, response.status_code, response.text[:300]))
        return None
    body = response.json()
    error = body.get("error")
    if error:
        if error.get("code") == INTERNAL_ERROR:
            problems.append("%s: internal error %s" % (where, error))
        return None
    result = body["result"]
    return None if result.get("isError") else result.get("structuredContent")


def test_side_effect_sweep(fence):
    """Create, update, run each form button of and delete a record of every
    model the admin may create: no crash, and users, groups, their relations
    and modules are exactly as before."""
    server, info, db = fence
    mcp = client(server, info["tokens"]["admin"])
    plan = info["plan"]
    assert len(plan) >= 10, [entry["model"] for entry in plan]
    before = _snapshot(db)
    problems, created, started = [], [], time.monotonic()
    for entry in plan:
        model = entry["model"]
        result = _outcome(mcp, "create", {"model": model, "values": entry["values"]}, problems)
        if not result:
            continue
        record = result["id"]
        created.append(model)
        if entry["update"]:
            _outcome(mcp, "update", {"model": model, "ids": [record],
                                     "values": {entry["update"]: entry["update_value"]}}, problems)
        for method in entry["buttons"]:
            _outcome(mcp, "execute_method", {"model": model, "method": method, "ids": [record]}, problems)
        _outcome(mcp, "delete", {"model": model, "ids": [record]}, problems)
        assert time.monotonic() - started < SWEEP_SECONDS, "sweep too slow (stopped at %s)" % model
    assert not problems, "\n".join(problems)
    assert len(created) >= 5, created
    assert _snapshot(db) == before
