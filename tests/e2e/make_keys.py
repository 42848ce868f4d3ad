# Run through `odoo shell` by the e2e fixtures: create the users and API keys
# the end-to-end tests use, print their tokens as JSON between markers.
import json
from datetime import timedelta

from odoo import fields
from odoo.addons.mcp_bridge.protocol.oauth import SCOPES_OF

Users = env["res.users"].sudo()  # noqa: F821 (env is provided by odoo shell)
Key = env["mcp.api.key"].sudo()  # noqa: F821
company_a = env.ref("base.main_company")  # noqa: F821
company_b = env["res.company"].sudo().search([("name", "=", "E2E Company B")], limit=1) \
    or env["res.company"].sudo().create({"name": "E2E Company B"})  # noqa: F821


def user(login, groups, companies=(company_a,)):
    found = Users.with_context(active_test=False).search([("login", "=", login)], limit=1)
    if found:
        return found
    return Users.create({
        "name": login.replace("_", " ").title(), "login": login,
        "groups_id": [(6, 0, [env.ref(g).id for g in groups])],  # noqa: F821
        "company_id": companies[0].id, "company_ids": [(6, 0, [c.id for c in companies])],
    })


employee = user("e2e_employee", ["base.group_user", "base.group_partner_manager"])
user_b = user("e2e_company_b", ["base.group_user"], (company_b,))
portal = user("e2e_portal", ["base.group_portal"])
admin = env.ref("base.user_admin")  # noqa: F821

specs = {
    "admin_write": {"user_id": admin.id, "scope": "write"},
    "admin_read": {"user_id": admin.id, "scope": "read"},
    "employee_write": {"user_id": employee.id, "scope": "write"},
    "employee_read": {"user_id": employee.id, "scope": "read"},
    "company_b": {"user_id": user_b.id, "scope": "write"},
    "portal": {"user_id": portal.id, "scope": "write"},
    "expired": {"user_id": admin.id, "scope": "write",
                "expiry_date": fields.Datetime.now() - timedelta(days=1)},
    "revoked": {"user_id": admin.id, "scope": "write"},
    "ip_restricted": {"user_id": admin.id, "scope": "write", "allowed_ips": "203.0.113.0/24"},
    "other_admin": {"user_id": admin.id, "scope": "write"},
    "spare": {"user_id": admin.id, "scope": "write"},
}

# --- Attack suite (tests/e2e/test_attacks_*.py) --------------------------------
# Dedicated keys so that the attack suite never eats the per-minute rate limit
# of the keys other tests use, plus the users and records its cases need.
inactive_user = user("e2e_inactive_user", ["base.group_user"])
# may write partners (so that only company B's record rules stop it)
user_b_manager = user("e2e_company_b_manager", ["base.group_user", "base.group_partner_manager"], (company_b,))
specs.update({
    "attack_admin_write": {"user_id": admin.id, "scope": "write"},
    "attack_admin_read": {"user_id": admin.id, "scope": "read"},
    "attack_employee_write": {"user_id": employee.id, "scope": "write"},
    "attack_employee_read": {"user_id": employee.id, "scope": "read"},
    "attack_company_b": {"user_id": user_b_manager.id, "scope": "write"},
    "attack_methods": {"user_id": admin.id, "scope": "write"},
    "attack_leaks": {"user_id": admin.id, "scope": "write"},
    "attack_secrets": {"user_id": admin.id, "scope": "write"},
    "inactive": {"user_id": admin.id, "scope": "write"},
    "inactive_user": {"user_id": inactive_user.id, "scope": "write"},
    "ip_loopback": {"user_id": admin.id, "scope": "write", "allowed_ips": "127.0.0.77/32, ::1"},
})
# --- Writes a human confirms or approves (tests/e2e/test_approvals.py) ------------
specs.update({
    "confirm_write": {"user_id": admin.id, "scope": "write", "write_policy": "confirm"},
    "approve_write": {"user_id": admin.id, "scope": "write", "write_policy": "approve"},
})
# --- Admin changes reach every worker (tests/e2e/test_key_changes.py) ------------
# a key manager who changes keys and users over JSON-RPC, as in the backend,
# and per server mode a key whose user has both companies
KEY_MANAGER_PASSWORD = "e2e-key-manager-password"
key_manager = user("e2e_key_manager", ["base.group_user", "base.group_erp_manager", "mcp_bridge.group_mcp_manager"])
key_manager.password = KEY_MANAGER_PASSWORD
# the person of the OAuth end-to-end flows (tests/e2e/test_oauth_e2e.py): logs in to Odoo, allows an app
OAUTH_USER_PASSWORD = "e2e-oauth-user-password"
oauth_user = user("e2e_oauth_user", ["base.group_user", "base.group_partner_manager"])
oauth_user.password = OAUTH_USER_PASSWORD
live_users = {mode: user(f"e2e_live_{mode}", ["base.group_user"], (company_a, company_b))
              for mode in ("threaded", "prefork")}
specs.update({f"live_{mode}": {"user_id": live.id, "scope": "read"} for mode, live in live_users.items()})
# one key per tool path of the blocked-model matrix (about 100 calls each)
for path in ("search_read", "read", "count", "aggregate", "name_search", "create", "update", "delete",
             "execute_method", "get_model_schema", "resource_model", "resource_record"):
    specs[f"matrix_{path}"] = {"user_id": admin.id, "scope": "write"}
Partner = env["res.partner"].sudo()  # noqa: F821
secret_a = Partner.search([("name", "=", "E2E Company A Secret Partner")], limit=1) or Partner.create({
    "name": "E2E Company A Secret Partner", "company_id": company_a.id, "email": "secret-a@e2e.example",
    "comment": "company A only"})
# A custom related field reading through a blocked model (res.users): what an
# admin could add in Settings > Technical; the guard must refuse reading it.
IrFields = env["ir.model.fields"].sudo()  # noqa: F821
if not IrFields.search([("model", "=", "res.partner.category"), ("name", "=", "x_e2e_creator_login")]):
    IrFields.create({
        "model_id": env["ir.model"]._get_id("res.partner.category"),  # noqa: F821
        "name": "x_e2e_creator_login", "field_description": "E2E creator login", "ttype": "char",
        "related": "create_uid.login", "store": False, "readonly": True,
    })
category = env["res.partner.category"].sudo().search([("name", "=", "E2E Attack Category")], limit=1) \
    or env["res.partner.category"].sudo().create({"name": "E2E Attack Category"})  # noqa: F821
# execute_method calls only view buttons by default: the suite's non-button
# methods (address_get, find_or_create, onchange_parent_id) are allowed by the
# partner rule, as an admin would (every CRUD box ticked: the rule narrows
# nothing else), which also hides street2 (tests/e2e/test_attacks_hidden.py).
Rules = env["mcp.model.access"].sudo()  # noqa: F821
if not Rules.search([("model", "=", "res.partner")]):
    Rules.create({"model_id": env["ir.model"]._get_id("res.partner"),  # noqa: F821
                  "perm_read": True, "perm_create": True, "perm_write": True, "perm_unlink": True,
                  "allowed_methods": "address_get, find_or_create, onchange_parent_id",
                  "hidden_field_ids": [(6, 0, IrFields._get("res.partner", "street2").ids)]})
# a company whose street2 is hidden, and its contact (onchange_parent_id
# returns the company's address values)
hidden_co = Partner.search([("name", "=", "E2E Hidden Co")], limit=1) or Partner.create({
    "name": "E2E Hidden Co", "is_company": True, "street": "1 Open Street", "street2": "E2E-HIDDEN-STREET2",
    "city": "Brussels", "zip": "1000"})
hidden_contact = Partner.search([("name", "=", "E2E Hidden Contact")], limit=1) or Partner.create({
    "name": "E2E Hidden Contact", "type": "contact", "parent_id": hidden_co.id})
specs.update({
    "attack_hidden_admin": {"user_id": admin.id, "scope": "write"},
    "attack_hidden_employee": {"user_id": employee.id, "scope": "write"},
})
env["ir.config_parameter"].sudo().set_param("mcp_bridge.allowed_origins", "http://allowed.example")  # noqa: F821
# The whole e2e suite talks from 127.0.0.1 and sends well over 10 bad keys in
# 5 minutes on purpose: with the default lockout threshold 127.0.0.1 would get
# locked out and every later test would fail with 429. The lockout itself is
# tested on a copy of the database with a low threshold (test_attacks_auth).
env["ir.config_parameter"].sudo().set_param("mcp_bridge.lockout_threshold", "10000")  # noqa: F821
# Likewise the shared keys (admin_write...) serve well over 300 requests a
# minute across the suite; the rate limit is tested on its own database copy.
env["ir.config_parameter"].sudo().set_param("mcp_bridge.rate_limit_per_minute", "100000")  # noqa: F821
# A client that never answers an input request is cut off after this many
# seconds (test_input_session): the clients of the suite answer at once.
env["ir.config_parameter"].sudo().set_param("mcp_bridge.input_wait_seconds", "4")  # noqa: F821
tokens = {}
key_ids = {}
for name, vals in specs.items():
    key, token = Key._generate_key(dict(vals, name=f"e2e {name}"))
    tokens[name] = token
    key_ids[name] = key.id
    if name == "revoked":
        key.action_revoke()
    if name == "inactive":
        key.active = False
# --- The same credentials as OAuth grants (the attack suite runs over both kinds) ----
# For each key spec a grant of the same user and scope, made as the consent page makes it (with its
# backing key), and an access token of it. The key states have their OAuth form: "expired" — the access
# token expired; "revoked" — the grant revoked; "inactive" — the grant's key archived; "inactive_user" —
# the same archived user; "ip_restricted"/"ip_loopback" — the IP whitelist on the grant's key (a grant
# has no whitelist of its own: an administrator sets it on the key the grant acts as).
Grants = env["mcp.oauth.grant"].sudo()  # noqa: F821
Tokens = env["mcp.oauth.token"].sudo()  # noqa: F821
attack_app = env["mcp.oauth.client"].sudo().search([("client_id", "=", "e2e-attack-app")], limit=1) \
    or env["mcp.oauth.client"].sudo().create({  # noqa: F821
        "name": "E2E Attack App", "client_id": "e2e-attack-app", "redirect_uris": "http://127.0.0.1/callback"})
resource = env["mcp.settings"]._base_url() + "/mcp"  # noqa: F821
oauth_tokens = {}
for name, vals in specs.items():
    grant = Grants._create_for_consent(attack_app, Users.browse(vals["user_id"]), vals["scope"], resource,
                                       "127.0.0.1")
    access = Tokens._new_secret("access")
    Tokens._issue("access", access, grant, -3600 if name == "expired" else 86400,
                  scope=" ".join(SCOPES_OF[vals["scope"]]), resource=resource)
    oauth_tokens[name] = access
    if vals.get("allowed_ips"):
        grant.key_id.allowed_ips = vals["allowed_ips"]
    if vals.get("write_policy"):
        grant.key_id.write_policy = vals["write_policy"]
    if name == "revoked":
        grant.action_revoke()
    if name == "inactive":
        grant.key_id.active = False
inactive_user.active = False
env.cr.commit()  # noqa: F821 (a test fixture script, not request code)
# running servers reload the registry (the custom field above) on their next request
env.registry.signal_changes()  # noqa: F821
print("MCP_KEYS_BEGIN")
print(json.dumps({"tokens": tokens, "key_ids": key_ids, "oauth_tokens": oauth_tokens,
                  "key_manager": {"login": key_manager.login, "password": KEY_MANAGER_PASSWORD},
                  "oauth_user": {"login": oauth_user.login, "password": OAUTH_USER_PASSWORD, "id": oauth_user.id},
                  "live_users": {mode: live.id for mode, live in live_users.items()},
                  "company_b": company_b.id, "company_a": company_a.id,
                  "users": {"employee": employee.id, "company_b": user_b.id, "admin": admin.id,
                            "inactive": inactive_user.id, "company_b_manager": user_b_manager.id},
                  "records": {"secret_a_partner": secret_a.id, "category": category.id,
                              "admin_partner": admin.partner_id.id, "employee_partner": employee.partner_id.id,
                              "company_b_partner": company_b.partner_id.id,
                              "hidden_co": hidden_co.id, "hidden_contact": hidden_contact.id}}))
print("MCP_KEYS_END")
