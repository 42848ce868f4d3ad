from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..models.mcp_audit_log import _insert_own_cursor, audit_write_failures
from ..protocol.revisions import REVISIONS


@tagged("post_install", "-at_install")
class TestHealth(HttpCase):
    def test_health_is_public_json(self):
        response = self.url_open("/mcp/health")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"].split(";")[0], "application/json")
        self.assertEqual(response.headers["Cache-Control"], "no-store")
        body = response.json()
        self.assertEqual(body["status"], "ok")
        self.assertEqual(body["module"], "mcp_bridge")
        self.assertEqual(body["version"], "18.0.1.0.0")
        self.assertEqual(body["protocol_versions"], list(REVISIONS))
        self.assertEqual(body["database"], {"selected": True, "reachable": True, "replica": "none"})
        # the count of this process so far (other tests make audit writes fail on purpose)
        self.assertEqual(body["audit"], {"write_failures": audit_write_failures()})
        # No session cookie is handed out to anonymous probes.
        self.assertNotIn("session_id", response.cookies)

    def test_health_leaks_nothing(self):
        text = self.url_open("/mcp/health").text
        for secret in (self.env.cr.dbname, "admin", "password", "uid"):
            self.assertNotIn(secret, text)

    def test_health_other_methods_are_405_json(self):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            response = self.opener.request(method, self.base_url() + "/mcp/health", timeout=10)
            self.assertEqual(response.status_code, 405, method)
            self.assertEqual(response.headers["Allow"], "GET, HEAD")
            self.assertEqual(response.json()["error"], "method not allowed")

    def test_health_counts_audit_rows_that_could_not_be_written(self):
        """An audit row that cannot be written is never lost silently: it is
        logged at ERROR and /mcp/health counts it."""
        before = audit_write_failures()
        with mute_logger("odoo.addons.mcp_bridge.models.mcp_audit_log", "odoo.sql_db"):
            written = _insert_own_cursor(self.env.registry, "INSERT INTO mcp_audit_log (no_such_column) VALUES (1)")
        self.assertFalse(written)
        self.assertEqual(self.url_open("/mcp/health").json()["audit"], {"write_failures": before + 1})
