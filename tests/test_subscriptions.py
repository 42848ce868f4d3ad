# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""``resources/subscribe`` / ``resources/unsubscribe`` through ``POST /mcp``,
and what a subscribed session's stream receives when the record changes:
queued in the writing transaction, re-checked against the key's read access
when delivered (``services/streams._fetch``)."""
import json

from odoo.tests import new_test_user, tagged

from ..protocol import errors
from ..services import streams
from .http_common import McpHttpCase


@tagged("post_install", "-at_install", "mcp_security")
class TestSubscriptions(McpHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.ref("base.main_company")
        cls.company_b = cls.env["res.company"].create({"name": "MCP Subs Company B"})
        cls.agent = new_test_user(cls.env, login="mcp_subs_agent", groups="base.group_user,base.group_partner_manager",
                                  company_id=cls.company_a.id, company_ids=[(6, 0, cls.company_a.ids)])
        cls.key, cls.token = cls.env["mcp.api.key"]._generate_key(
            {"name": "subs test", "user_id": cls.agent.id, "scope": "read"})
        cls.partner = cls.env["res.partner"].create({"name": "Watched", "company_id": cls.company_a.id})
        cls.other = cls.env["res.partner"].create({"name": "Of company B", "company_id": cls.company_b.id})
        cls.uri = f"odoo://record/res.partner/{cls.partner.id}"

    def open_session(self):
        session_id, result = self.handshake("subs")
        self.assertIs(result["capabilities"]["resources"]["subscribe"], True)
        session = self.env["mcp.session"].sudo().search([("session_id", "=", session_id)])
        return session_id, session

    def call(self, session_id, method, uri):
        return self.post({"jsonrpc": "2.0", "id": 7, "method": method, "params": {"uri": uri}}, session=session_id).json()

    def delivered(self, session):
        """What the session's stream would send now (and takes it)."""
        self.env.flush_all()
        return [json.loads(payload) for payload in streams._fetch(self.env.cr.dbname, session.id)]

    def updated(self, uri):
        return {"jsonrpc": "2.0", "method": "notifications/resources/updated", "params": {"uri": uri}}

    def test_subscribe_write_deliver_unsubscribe(self):
        session_id, session = self.open_session()
        self.assertEqual(self.call(session_id, "resources/subscribe", self.uri), {"jsonrpc": "2.0", "id": 7, "result": {}})
        self.assertEqual(self.call(session_id, "resources/subscribe", self.uri)["result"], {})  # idempotent
        self.assertEqual(self.env["mcp.subscription"].sudo().search([("session_id", "=", session.id)]).mapped("uri"),
                         [self.uri])
        self.assertEqual(self.delivered(session), [])

        # two writes in one transaction: one notification
        self.partner.write({"name": "Watched 2"})
        self.partner.write({"phone": "123"})
        self.other.write({"name": "not watched"})
        self.assertEqual(self.delivered(session), [self.updated(self.uri)])
        self.assertEqual(self.delivered(session), [])

        # a write rolled back (savepoint) queues nothing
        with self.assertRaises(ZeroDivisionError), self.env.cr.savepoint():
            self.partner.write({"name": "rolled back"})
            1 / 0  # noqa: B018
        self.assertEqual(self.delivered(session), [])

        self.assertEqual(self.call(session_id, "resources/unsubscribe", self.uri), {"jsonrpc": "2.0", "id": 7, "result": {}})
        self.partner.write({"name": "Watched 3"})
        self.assertEqual(self.delivered(session), [])
        self.assertEqual(self.call(session_id, "resources/unsubscribe", self.uri)["result"], {})  # nothing to end

    def test_not_delivered_once_the_record_is_out_of_reach(self):
        session_id, session = self.open_session()
        self.call(session_id, "resources/subscribe", self.uri)
        # the record moves to a company the key's user is not in: queued, dropped at delivery
        self.partner.write({"company_id": self.company_b.id})
        self.assertEqual(self.env["mcp.session.message"].sudo().search_count([("session_id", "=", session.id)]), 1)
        self.assertEqual(self.delivered(session), [])
        self.partner.write({"company_id": self.company_a.id})
        self.assertEqual(self.delivered(session), [self.updated(self.uri)])
        # the model gets blocked by the settings: dropped too
        self.env["ir.config_parameter"].sudo().set_param("mcp_bridge.extra_blocked_models", "res.partner")
        self.partner.write({"name": "blocked now"})
        self.assertEqual(self.delivered(session), [])
        self.env["ir.config_parameter"].sudo().set_param("mcp_bridge.extra_blocked_models", "")
        # a deleted record is delivered: the client reads it and finds it gone
        self.partner.unlink()
        self.assertEqual(self.delivered(session), [self.updated(self.uri)])

    def test_ending_the_session_ends_its_subscriptions(self):
        session_id, session = self.open_session()
        self.call(session_id, "resources/subscribe", self.uri)
        session.action_end()
        self.assertFalse(self.env["mcp.subscription"].sudo().search([("uri", "=", self.uri)]))

    def test_only_subscribed_models_are_watched(self):
        subscriptions = self.env["mcp.subscription"]
        self.assertNotIn("res.partner", subscriptions._subscribed_models())
        session_id, _session = self.open_session()
        self.call(session_id, "resources/subscribe", self.uri)
        self.assertIn("res.partner", subscriptions._subscribed_models())
        self.call(session_id, "resources/unsubscribe", self.uri)
        self.assertNotIn("res.partner", subscriptions._subscribed_models())

    # attacks: the exact JSON-RPC errors ---------------------------------------
    def test_subscribe_refusals(self):
        session_id, session = self.open_session()
        user_uri = f"odoo://record/res.users/{self.agent.id}"
        self.assertEqual(self.call(session_id, "resources/subscribe", user_uri)["error"], {
            "code": errors.ACCESS_DENIED, "message": "Model 'res.users' is not available through MCP.",
            "data": {"model": "res.users", "reason": "blocked"}})
        key_uri = f"odoo://record/mcp.api.key/{self.key.id}"
        self.assertEqual(self.call(session_id, "resources/subscribe", key_uri)["error"], {
            "code": errors.ACCESS_DENIED, "message": "Model 'mcp.api.key' is not available through MCP.",
            "data": {"model": "mcp.api.key", "reason": "blocked"}})
        # another company's record and a missing one look the same
        for record_id in (self.other.id, 999999999):
            uri = f"odoo://record/res.partner/{record_id}"
            self.assertEqual(self.call(session_id, "resources/subscribe", uri)["error"], {
                "code": errors.RESOURCE_NOT_FOUND, "message": f"No res.partner record with id {record_id}.",
                "data": {"uri": uri}})
        self.assertEqual(self.call(session_id, "resources/subscribe", "file:///etc/passwd")["error"], {
            "code": errors.RESOURCE_NOT_FOUND, "message": "Unknown resource file:///etc/passwd.",
            "data": {"uri": "file:///etc/passwd"}})
        self.assertEqual(self.call(session_id, "resources/subscribe", "odoo://model/res.partner")["error"], {
            "code": errors.INVALID_PARAMS,
            "message": "Only records can be subscribed to (odoo://record/{model}/{id}), not odoo://model/res.partner."})
        response = self.post({"jsonrpc": "2.0", "id": 8, "method": "resources/subscribe", "params": {}},
                             session=session_id).json()
        self.assertEqual(response["error"], {"code": errors.INVALID_PARAMS,
                                             "message": "resources/subscribe needs a uri string"})
        self.assertFalse(self.env["mcp.subscription"].sudo().search([("session_id", "=", session.id)]))

    def test_subscriptions_per_session_are_bounded(self):
        self.env["ir.config_parameter"].sudo().set_param("mcp_bridge.max_subscriptions", "1")
        session_id, _session = self.open_session()
        self.assertEqual(self.call(session_id, "resources/subscribe", self.uri)["result"], {})
        second = self.env["res.partner"].create({"name": "Second", "company_id": self.company_a.id})
        self.assertEqual(self.call(session_id, "resources/subscribe", f"odoo://record/res.partner/{second.id}")["error"], {
            "code": errors.INVALID_PARAMS,
            "message": "This session has 1 subscriptions, the most allowed: unsubscribe from one first.",
            "data": {"limit": 1}})
        self.assertEqual(self.call(session_id, "resources/subscribe", self.uri)["result"], {})  # the same one again
