# Run through `odoo shell` by the e2e fixtures: create the users and API keys
# the end-to-end tests use, print their tokens as JSON between markers.
import json
from datetime import timedelta

from odoo import fields

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
env["ir.config_parameter"].sudo().set_param("mcp_bridge.allowed_origins", "http://allowed.example")  # noqa: F821
tokens = {}
for name, vals in specs.items():
    key, token = Key._generate_key(dict(vals, name=f"e2e {name}"))
    tokens[name] = token
    if name == "revoked":
        key.action_revoke()
env.cr.commit()  # noqa: F821 (a test fixture script, not request code)
print("MCP_KEYS_BEGIN")
print(json.dumps({"tokens": tokens, "company_b": company_b.id, "company_a": company_a.id,
                  "users": {"employee": employee.id, "company_b": user_b.id, "admin": admin.id}}))
print("MCP_KEYS_END")
