"""What an admin changes on a key or its user — through Odoo's JSON-RPC, as
the backend does — applies at the very next /mcp request, in every worker,
although each worker caches the state of the keys it has seen
(models/mcp_key_check.py). Run on the threaded and the prefork server
(2 workers: the change is made in one, requests land in both)."""
import requests

from .attack_helpers import UNAUTHORIZED, client, e2e_db, post_initialize, tool_ok, tool_raw

#: requests per check, each on a new connection: the prefork server spreads
#: them over its workers
ROUNDS = 6
SOURCE_IP = "127.0.1.1"


class OdooRpc:
    """Odoo's external JSON-RPC API (``/jsonrpc``) as one user."""

    def __init__(self, server, db, login, password):
        self.url = server.url + "/jsonrpc"
        self.db, self.password = db, password
        self.uid = self.call("common", "login", db, login, password)
        assert self.uid, "key manager login failed"

    def call(self, service, method, *args):
        response = requests.post(self.url, json={"jsonrpc": "2.0", "id": 1, "method": "call", "params": {
            "service": service, "method": method, "args": list(args)}}, timeout=60)
        body = response.json()
        assert "error" not in body, body["error"]
        return body["result"]

    def execute(self, model, method, *args, **kwargs):
        return self.call("object", "execute_kw", self.db, self.uid, self.password, model, method, list(args), kwargs)


def statuses(server, token):
    return [post_initialize(server, token, SOURCE_IP).status_code for _i in range(ROUNDS)]


def assert_served(server, token):
    assert statuses(server, token) == [200] * ROUNDS


def assert_refused(server, token):
    responses = [post_initialize(server, token, SOURCE_IP) for _i in range(ROUNDS)]
    assert [r.status_code for r in responses] == [401] * ROUNDS
    assert {r.json()["error"]["code"] for r in responses} == {UNAUTHORIZED}


def visible_companies(server, token):
    """The companies the key's user works in, per request (each one a new
    session on a new connection)."""
    seen = set()
    for _i in range(ROUNDS):
        found = tool_ok(tool_raw(client(server, token, SOURCE_IP), "search_read",
                                 {"model": "res.company", "fields": ["id"]}))
        seen.add(tuple(sorted(record["id"] for record in found["records"])))
    return seen


def test_admin_changes_apply_at_the_next_request(server, e2e_keys):
    mode = "prefork" if server.workers else "threaded"
    name = f"live_{mode}"
    token, key_id, user_id = e2e_keys["tokens"][name], e2e_keys["key_ids"][name], e2e_keys["live_users"][mode]
    company_a, company_b = e2e_keys["company_a"], e2e_keys["company_b"]
    admin = OdooRpc(server, e2e_db(), **e2e_keys["key_manager"])

    assert_served(server, token)  # every worker has the key cached now
    assert visible_companies(server, token) == {tuple(sorted((company_a, company_b)))}
    admin.execute("mcp.api.key", "write", [key_id], {"company_ids": [(6, 0, [company_a])]})
    assert visible_companies(server, token) == {(company_a,)}

    for change, undo in [
        ({"allowed_ips": "203.0.113.0/24"}, {"allowed_ips": False}),
        ({"active": False}, {"active": True}),
        ({"expiry_date": "2020-01-01 00:00:00"}, {"expiry_date": False}),
    ]:
        admin.execute("mcp.api.key", "write", [key_id], change)
        assert_refused(server, token)
        admin.execute("mcp.api.key", "write", [key_id], undo)
        assert_served(server, token)

    admin.execute("res.users", "write", [user_id], {"active": False})
    assert_refused(server, token)
    admin.execute("res.users", "write", [user_id], {"active": True})
    assert_served(server, token)

    new_token = admin.execute("mcp.api.key", "action_rotate", [key_id])["context"]["default_token"]
    assert_refused(server, token)
    assert_served(server, new_token)
    admin.execute("mcp.api.key", "action_revoke", [key_id])
    assert_refused(server, new_token)
