"""The module uninstalls cleanly (no table, sequence, model or menu left) and installs again."""
import os
import subprocess

import pytest

from .harness import odoo_command

CHECK = r'''
import json
env.cr.execute("SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'mcp\\_%'")
tables = env.cr.fetchone()[0]
env.cr.execute("SELECT count(*) FROM pg_class WHERE relkind = 'S' AND relname LIKE 'mcp\\_%'")
sequences = env.cr.fetchone()[0]
env.cr.execute("SELECT to_regclass('mcp_auth_lockout_seq') IS NOT NULL")
signal = env.cr.fetchone()[0]
models = env["ir.model"].sudo().search_count([("model", "=like", "mcp.%")])
menus = env["ir.ui.menu"].sudo().search_count([("name", "=", "MCP Server")])
state = env["ir.module.module"].sudo().search([("name", "=", "mcp_bridge")]).state
print("MCP_STATE " + json.dumps({"tables": tables, "sequences": sequences, "signal": signal, "models": models,
                                 "menus": menus, "state": state}))
'''
UNINSTALL = '''
env["ir.module.module"].sudo().search([("name", "=", "mcp_bridge")]).button_immediate_uninstall()
env.cr.commit()
'''


def _shell(conf, db, script):
    out = subprocess.run([*odoo_command(), "shell", "-c", conf, "-d", db, "--no-http", "--log-level", "error"],
                         input=script.encode(), capture_output=True, timeout=600)
    text = out.stdout.decode()
    assert "MCP_STATE " in text, text[-2000:] + out.stderr.decode()[-3000:]
    import json
    return json.loads(text.split("MCP_STATE ", 1)[1].splitlines()[0])


@pytest.mark.slow
def test_uninstall_then_reinstall(e2e_conf):
    conf, _db = e2e_conf
    db = os.environ.get("MCP_INSTALL_DB")
    if not db:
        pytest.skip("MCP_INSTALL_DB is set by scripts/test.sh")
    before = _shell(conf, db, CHECK)
    assert before["state"] == "installed" and before["tables"] > 0 and before["models"] > 0
    assert before["signal"], "the lockout signal (mcp_auth_lockout_seq) is made at install"
    after = _shell(conf, db, UNINSTALL + CHECK)
    assert after == {"tables": 0, "sequences": 0, "signal": False, "models": 0, "menus": 0, "state": "uninstalled"}
    out = subprocess.run([*odoo_command(), "-c", conf, "-d", db, "-i", "mcp_bridge", "--stop-after-init",
                          "--log-level", "warn"], capture_output=True, timeout=600)
    assert out.returncode == 0, out.stderr.decode()[-3000:]
    assert b"ERROR" not in out.stdout + out.stderr
    again = _shell(conf, db, CHECK)
    assert again["state"] == "installed" and again["tables"] == before["tables"]
    assert again["sequences"] == before["sequences"] and again["signal"]
