# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
import uuid
from contextlib import closing
from datetime import timedelta
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import AccessError
from odoo.sql_db import db_connect
from odoo.tests import tagged

from .common import TEST_IP, McpSecurityCase


@tagged("post_install", "-at_install", "mcp_security")
class TestAuditLog(McpSecurityCase):
    def last_log(self):
        return self.env["mcp.audit.log"].search([], limit=1, order="id desc")

    def test_record_writes_metadata_only(self):
        Audit = self.env["mcp.audit.log"]
        Audit._record({
            "key_id": self.key_read.id, "user_id": self.user_a, "ip": TEST_IP, "transport": "streamable_http",
            "rpc_method": "tools/call", "tool": "search_read", "model": "res.partner", "outcome": "denied",
            "error_code": -32003, "duration_ms": 12.7,
            # never stored: not audit columns
            "arguments": {"domain": [["name", "=", "secret"]]}, "result": "secret rows", "token": self.token_read,
        })
        log = self.last_log()
        self.assertEqual(log.key_id, self.key_read)
        self.assertEqual(log.user_id, self.user_a)
        self.assertEqual((log.ip, log.transport, log.rpc_method, log.tool, log.model),
                         (TEST_IP, "streamable_http", "tools/call", "search_read", "res.partner"))
        self.assertEqual((log.outcome, log.error_code, log.duration_ms), ("denied", -32003, 12))
        self.assertTrue(log.create_date)
        self.env.cr.execute("SELECT row_to_json(l)::text FROM mcp_audit_log l WHERE id = %s", (log.id,))
        row = self.env.cr.fetchone()[0]
        for secret in ("secret", self.token_read, self.token_read[12:]):
            self.assertNotIn(secret, row)

    def test_record_survives_rollback(self):
        # Outside test mode, on a real request-like cursor: the row is written
        # in that transaction, and when it rolls back the rollback hook writes
        # it again on a connection of its own, so it exists for everybody.
        marker = f"survivor-{uuid.uuid4().hex}"
        self.registry.leave_test_mode()
        try:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["mcp.audit.log"]._record({"rpc_method": marker, "outcome": "error", "error_code": -32603})
                cr.rollback()
        finally:
            self.registry.enter_test_mode(self.cr)
        with closing(db_connect(self.env.cr.dbname).cursor()) as other:
            other.execute("SELECT count(*) FROM mcp_audit_log WHERE rpc_method = %s", (marker,))
            count = other.fetchone()[0]
            other.execute("DELETE FROM mcp_audit_log WHERE rpc_method = %s", (marker,))
            other.commit()
        self.assertEqual(count, 1)

    def test_record_joins_the_request_transaction(self):
        opened = []
        registry = self.env.registry
        original = type(registry).cursor

        def spy(reg, *args, **kwargs):
            cursor = original(reg, *args, **kwargs)
            opened.append(cursor)
            return cursor

        with patch.object(type(registry), "cursor", spy):
            self.env["mcp.audit.log"]._record({"rpc_method": "ping", "outcome": "ok"})
        self.assertEqual(opened, [], "no cursor of its own while the transaction lives")
        self.assertEqual(self.last_log().rpc_method, "ping")

    def test_record_never_raises(self):
        with self.assertLogs("odoo.addons.mcp_bridge.models.mcp_audit_log", level="ERROR"):
            self.env["mcp.audit.log"]._record({"outcome": "not-a-valid-outcome"})

    def test_read_only_for_managers(self):
        admin = self.env.ref("base.user_admin")
        self.env["mcp.audit.log"]._record({"rpc_method": "initialize", "outcome": "ok"})
        log = self.last_log().with_user(admin)
        self.assertEqual(log.rpc_method, "initialize")
        with self.assertRaises(AccessError):
            log.write({"outcome": "error"})
        with self.assertRaises(AccessError):
            log.unlink()
        with self.assertRaises(AccessError):
            self.env["mcp.audit.log"].with_user(admin).create({"rpc_method": "forged"})
        with self.assertRaises(AccessError):
            self.env["mcp.audit.log"].with_user(self.user_a).search([])

    def test_retention_cron(self):
        self.set_setting("audit_retention_days", 30)
        Audit = self.env["mcp.audit.log"]
        Audit._record({"rpc_method": "old", "outcome": "ok"})
        old = self.last_log()
        Audit._record({"rpc_method": "recent", "outcome": "ok"})
        recent = self.last_log()
        self.env.cr.execute("UPDATE mcp_audit_log SET create_date = %s WHERE id = %s",
                            (fields.Datetime.now() - timedelta(days=31), old.id))
        self.env.cr.execute("UPDATE mcp_audit_log SET create_date = %s WHERE id = %s",
                            (fields.Datetime.now() - timedelta(days=29), recent.id))
        cron = self.env.ref("mcp_bridge.ir_cron_mcp_audit_gc")
        self.assertEqual(cron.model_id.model, "mcp.audit.log")
        cron.method_direct_trigger()
        self.assertFalse(Audit.search([("id", "=", old.id)]))
        self.assertTrue(Audit.search([("id", "=", recent.id)]))

    def test_failed_auth_leaves_no_token_in_audit(self):
        from ..protocol.errors import Unauthorized
        with self.assertRaises(Unauthorized):
            self.env["mcp.api.key"]._authenticate(self.token_read + "x", TEST_IP)
        self.env.cr.execute("SELECT count(*) FROM mcp_audit_log WHERE row_to_json(mcp_audit_log)::text LIKE %s",
                            (f"%{self.token_read[12:]}%",))
        self.assertEqual(self.env.cr.fetchone()[0], 0)
