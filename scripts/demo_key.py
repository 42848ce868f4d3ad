# Run through `odoo shell` by scripts/run.sh: (re)create the demo API key and
# print its token between markers. Never used in production.
import json

if "mcp.api.key" in env:  # noqa: F821 (env is provided by odoo shell)
    Key = env["mcp.api.key"].sudo()  # noqa: F821
    Key.search([("name", "=", "Demo key (make run)")]).action_revoke()
    admin = env.ref("base.user_admin")  # noqa: F821
    key, token = Key._generate_key({"name": "Demo key (make run)", "user_id": admin.id, "scope": "write"})
    env.cr.commit()  # noqa: F821 (a shell script, not request code)
    print("MCP_DEMO_BEGIN")
    print(json.dumps({"token": token, "user": admin.login, "scope": "write"}))
    print("MCP_DEMO_END")
