# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Which /mcp requests the route's ``readonly`` sends to a read replica
(services/replica.py); the replica itself is tested end to end
(tests/e2e/test_replicas.py)."""
import io
import json
from unittest.mock import patch

from odoo.tests import TransactionCase, tagged

from ..services import replica


def _call(name, msg_id=1):
    return {"jsonrpc": "2.0", "id": msg_id, "method": "tools/call", "params": {"name": name, "arguments": {}}}


class FakeRequest:
    """What ``peek_body`` reads of a werkzeug request."""

    def __init__(self, body, content_length="auto"):
        self.environ = {}
        self.stream = io.BytesIO(body)
        self.content_length = len(body) if content_length == "auto" else content_length


@tagged("post_install", "-at_install")
class TestReplicaRouting(TransactionCase):
    def setUp(self):
        super().setUp()
        self.tools = self.env["mcp.server"]._tool_map()

    def assertRead(self, body, expected):
        self.assertIs(replica.is_read_body(body, self.tools), expected, body)

    def test_read_methods_and_read_tools_go_to_the_replica(self):
        for method in ("ping", "tools/list", "resources/read", "prompts/get", "completion/complete",
                       "server/discover"):
            self.assertRead({"jsonrpc": "2.0", "id": 1, "method": method}, True)
        for name in ("search_read", "read", "count", "list_models", "get_model_schema"):
            self.assertRead(_call(name), True)

    def test_writes_and_unknowns_go_to_the_primary(self):
        for name in ("create", "update", "delete", "execute_method", "wizard", "post_message",
                     "print_report", "no_such_tool"):
            self.assertRead(_call(name), False)
        for message in ({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}},
                        {"jsonrpc": "2.0", "id": 1, "method": "logging/setLevel", "params": {"level": "info"}},
                        {"jsonrpc": "2.0", "method": "notifications/initialized"},
                        {"jsonrpc": "2.0", "id": 1, "result": {}},
                        {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": "search_read"},
                        "ping", [], None):
            self.assertRead(message, False)

    def test_a_batch_reads_only_when_all_its_messages_do(self):
        self.assertRead([_call("search_read", 1), {"jsonrpc": "2.0", "id": 2, "method": "ping"}], True)
        self.assertRead([_call("search_read", 1), _call("create", 2)], False)
        self.assertRead([_call("search_read", 1), {"jsonrpc": "2.0", "method": "notifications/cancelled"}], False)

    def test_body_is_read_once_and_kept_for_the_transport(self):
        body = json.dumps(_call("count")).encode()
        request = FakeRequest(body)
        self.assertEqual(replica.peek_body(request), body)
        self.assertEqual(request.environ[replica.BODY_KEY], body)
        self.assertEqual(request.stream.read(), b"")  # consumed: Exchange.read_body takes it from the environ
        self.assertEqual(replica.peek_body(request), body)

    def test_large_or_chunked_bodies_are_not_read(self):
        for length in (None, replica.PEEK_LIMIT + 1):
            request = FakeRequest(b"{}", content_length=length)
            self.assertIsNone(replica.peek_body(request))
            self.assertNotIn(replica.BODY_KEY, request.environ)
            self.assertEqual(request.stream.read(), b"{}")

    def test_without_a_replica_the_body_is_not_read(self):
        # every cursor is a primary one then: the route decides without
        # touching the request (no body read, no JSON parsed)
        class Untouchable:
            def __getattr__(self, name):
                raise AssertionError(f"request.{name} read without a replica")

        with patch.object(replica.recent_writes, "replica_configured", return_value=False), \
                patch.object(replica, "request", Untouchable()):
            self.assertIs(replica.route_readonly(None), False)
        with patch.object(replica.recent_writes, "replica_configured", return_value=True), \
                patch.object(replica, "request", Untouchable()), self.assertRaises(AssertionError):
            replica.route_readonly(None)
