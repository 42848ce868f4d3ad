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
AREAS = ("smoke", "wizards", "documents", "chatter", "people", "discovery", "create", "attached", "tasks",
         "approvals", "hidden")
tokens = {}
for area in AREAS:
    for who, user in (("admin", admin), ("salesman", salesman)):
        for scope in ("write", "read"):
            name = f"{area}_{who}_{scope}"
            _key, tokens[name] = Key._generate_key({"name": f"biz {name}", "user_id": user.id, "scope": scope})
# --- wizards area (issue 16 points 1 and 5) ---
# A second read-write key of the admin (a wizard handle of one key is refused
# to another key of the same user), and a model-access rule that lets the
# admin call the onboarding step that opens the document layout wizard (an
# admin wizard that stays blocked).
# Sending a quotation by email needs the sender's address, as in Odoo's UI.
if not salesman.email:
    salesman.email = "biz.salesman@example.com"
_key, tokens["wizards_admin_write_other"] = Key._generate_key(
    {"name": "biz wizards_admin_write_other", "user_id": admin.id, "scope": "write"})
if "onboarding.onboarding.step" in env:  # noqa: F821
    Access = env["mcp.model.access"].sudo()  # noqa: F821
    if not Access.search([("model_id.model", "=", "onboarding.onboarding.step")]):
        Access.create({"model_id": env["ir.model"]._get_id("onboarding.onboarding.step"),  # noqa: F821
                       "perm_read": True, "perm_create": False, "perm_write": True, "perm_unlink": False,
                       "allowed_methods": "action_open_step_base_document_layout"})
# --- end wizards area ---
# --- approvals area (tests/e2e/biz/test_approvals_flows.py, issue 18) --------
# A user who approves MCP writes (and only that, besides being an employee),
# and keys of the sales person whose pressing of the payment wizard's button
# needs a confirmation (confirm) or an approver (approve); the wizard itself
# opens directly (the policy names the button only).
APPROVER_PASSWORD = "biz-approver-pw"
approver = Users.search([("login", "=", "biz_approver")], limit=1) or Users.create({
    "name": "Biz Approver", "login": "biz_approver", "email": "biz.approver@example.com",
    "groups_id": [(6, 0, [env.ref(g).id for g in ("base.group_user", "mcp_bridge.group_mcp_approver")])],  # noqa: F821
})
approver.write({"password": APPROVER_PASSWORD, "notification_type": "inbox"})  # notified in Odoo, not by email
_approval_tokens = {}
for _policy in ("confirm", "approve"):
    _key, _approval_tokens[f"approvals_salesman_{_policy}"] = Key._generate_key({
        "name": f"biz approvals_salesman_{_policy}", "user_id": salesman.id, "scope": "write",
        "write_policy": _policy, "write_policy_methods": "action_create_payments"})
tokens.update(_approval_tokens)
approvals = {"approver": {"id": approver.id, "partner_id": approver.partner_id.id, "login": approver.login,
                          "password": APPROVER_PASSWORD}, "admin_partner_id": admin.partner_id.id}
# --- end of approvals area -----------------------------------------------------
env.cr.commit()  # noqa: F821 (a test fixture script, not request code)
print("MCP_BIZ_KEYS_BEGIN")
print(json.dumps({"tokens": tokens, "users": {"admin": admin.id, "salesman": salesman.id},
                  "approvals": approvals}))
print("MCP_BIZ_KEYS_END")

# --- area "documents" / "chatter" (documents helper): Odoo refuses to post a
# message from a user without an email address ("configure the sender's
# email address"); a sales person has one.
if not salesman.partner_id.email:
    salesman.partner_id.email = "biz.salesman@example.com"
    env.cr.commit()  # noqa: F821 (a test fixture script, not request code)
# --- end of area "documents" / "chatter"
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
