# Run through `odoo shell` by test_two_servers.py: a fresh write key of the
# admin user (to be revoked by the test), printed as JSON between markers.
# With MCP_SETTINGS set (JSON {setting: value}, e.g. rate_limit_per_minute):
# first set those settings.
import json
import os
import uuid

for name, value in json.loads(os.environ.get("MCP_SETTINGS") or "{}").items():
    env["ir.config_parameter"].sudo().set_param(f"mcp_bridge.{name}", str(value))  # noqa: F821

key, token = env["mcp.api.key"].sudo()._generate_key({  # noqa: F821 (env is provided by odoo shell)
    "name": f"e2e spare {uuid.uuid4().hex[:8]}", "user_id": env.ref("base.user_admin").id,  # noqa: F821
    "scope": "write"})
env.cr.commit()  # noqa: F821
env.registry.signal_changes()  # noqa: F821 - the running servers drop their cached settings
print("MCP_KEYS_BEGIN")
print(json.dumps({"token": token, "key_id": key.id}))
print("MCP_KEYS_END")
