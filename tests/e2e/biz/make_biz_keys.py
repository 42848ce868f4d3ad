# Run through `odoo shell` by tests/e2e/biz/conftest.py: the users and API keys
# of the business end-to-end tests, printed as JSON between markers.
#
# "salesman" is a non-admin user with what a sales person gets in Odoo:
# Sales (own documents), Billing (invoices), Inventory user. Each area of tests
# has its own keys so that none eats another's per-minute rate limit.
import json

Users = env["res.users"].sudo()  # noqa: F821 (env is provided by odoo shell)
Key = env["mcp.api.key"].sudo()  # noqa: F821
admin = env.ref("base.user_admin")  # noqa: F821
salesman = Users.with_context(active_test=False).search([("login", "=", "biz_salesman")], limit=1) or Users.create({
    "name": "Biz Salesman", "login": "biz_salesman",
    "groups_id": [(6, 0, [env.ref(g).id for g in (  # noqa: F821
        "base.group_user", "sales_team.group_sale_salesman", "account.group_account_invoice",
        "stock.group_stock_user")])],
})
AREAS = ("smoke", "wizards", "documents", "chatter", "people", "discovery", "create")
tokens = {}
for area in AREAS:
    for who, user in (("admin", admin), ("salesman", salesman)):
        for scope in ("write", "read"):
            name = f"{area}_{who}_{scope}"
            _key, tokens[name] = Key._generate_key({"name": f"biz {name}", "user_id": user.id, "scope": scope})
env.cr.commit()  # noqa: F821 (a test fixture script, not request code)
print("MCP_BIZ_KEYS_BEGIN")
print(json.dumps({"tokens": tokens, "users": {"admin": admin.id, "salesman": salesman.id}}))
print("MCP_BIZ_KEYS_END")

# --- people area (tests/e2e/biz/test_people_*.py) -------------------------
# crm.lead.action_set_lost(**values) writes its keyword arguments: allowed on
# crm.lead by a model-access rule (full CRUD, so it narrows nothing else) to
# prove that execute_method checks such kwargs like update values.
_lead_model = env["ir.model"]._get_id("crm.lead")  # noqa: F821
_rule = env["mcp.model.access"].sudo().search([("model_id", "=", _lead_model)], limit=1)  # noqa: F821
_methods = " ".join(sorted(set((_rule.allowed_methods or "").split()) | {"action_set_lost"}))
if _rule:
    _rule.write({"allowed_methods": _methods})
else:
    env["mcp.model.access"].sudo().create({  # noqa: F821
        "model_id": _lead_model, "perm_read": True, "perm_create": True, "perm_write": True, "perm_unlink": True,
        "allowed_methods": _methods})
# a portal user and an archived internal user named like Marc Demo: find_user must not return them
for _login, _name, _groups, _active in (("biz_portal_marc", "Marc Portal", "base.group_portal", True),
                                        ("biz_archived_marc", "Marc Archived", "base.group_user", False)):
    if not Users.with_context(active_test=False).search([("login", "=", _login)]):
        Users.create({"name": _name, "login": _login, "active": _active,
                      "groups_id": [(6, 0, [env.ref(_groups).id])]})  # noqa: F821
# assigning a lead notifies the new salesperson by email: the sender needs an address
if not salesman.email:
    salesman.email = "biz.salesman@example.com"
env.cr.commit()  # noqa: F821 (a test fixture script, not request code)
# --- end of people area ------------------------------------------------------
