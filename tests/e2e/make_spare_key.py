# Run through `odoo shell` by test_two_servers.py: a fresh write key of the
# admin user (to be revoked by the test), printed as JSON between markers.
import json
import uuid

key, token = env["mcp.api.key"].sudo()._generate_key({  # noqa: F821 (env is provided by odoo shell)
    "name": f"e2e spare {uuid.uuid4().hex[:8]}", "user_id": env.ref("base.user_admin").id,  # noqa: F821
    "scope": "write"})
env.cr.commit()  # noqa: F821
print("MCP_KEYS_BEGIN")
print(json.dumps({"token": token, "key_id": key.id}))
print("MCP_KEYS_END")
