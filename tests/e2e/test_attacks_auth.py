"""Attack suite: authentication, lockout and rate limit, through the real /mcp endpoint.

Failed authentications are sent from other loopback addresses (127.0.0.x)
so that they never count towards a lockout of 127.0.0.1, which every other
e2e test uses. The lockout and the rate limit run on a dedicated server
over a copy of the e2e database whose settings are lowered (settings are
global: the shared servers keep theirs).
"""
import itertools
import time

import pytest

from ...models.mcp_api_key import MSG_INVALID_KEY, MSG_LOCKED_OUT, MSG_RATE_LIMITED
from .attack_helpers import (RATE_LIMITED, UNAUTHORIZED, dedicated_server, e2e_db, odoo_shell, post_initialize,
                             sql)

_addresses = itertools.count(10)


def fresh_ip():
    """A loopback address no other test authenticates from."""
    return "127.0.0.%d" % next(_addresses)


def assert_unauthorized(response, token_sent=True):
    """HTTP 401 + WWW-Authenticate + the one JSON-RPC error that says nothing
    more (``token_sent``: the challenge's ``error="invalid_token"``, which a
    request without a bearer token does not get, RFC 6750 §3.1)."""
    assert response.status_code == 401, (response.status_code, response.text)
    challenge = response.headers["WWW-Authenticate"]
    error = ' error="invalid_token",' if token_sent else ""
    assert challenge.startswith(f'Bearer realm="mcp",{error} resource_metadata="http'), challenge
    assert challenge.endswith('/.well-known/oauth-protected-resource/mcp", scope="mcp:read mcp:write"'), challenge
    assert response.json() == {"jsonrpc": "2.0", "id": None,
                               "error": {"code": UNAUTHORIZED, "message": MSG_INVALID_KEY}}


def assert_rate_limited(response, message, max_retry):
    """HTTP 429 + Retry-After (1..max_retry) + JSON-RPC error -32005 with the same hint."""
    assert response.status_code == 429, (response.status_code, response.text)
    retry = int(response.headers["Retry-After"])
    assert 1 <= retry <= max_retry
    assert response.json()["error"] == {"code": RATE_LIMITED, "message": message, "data": {"retryAfter": retry}}
    return retry


BAD_KEYS = ["expired", "revoked", "inactive", "inactive_user", "ip_restricted"]


@pytest.mark.parametrize("name", BAD_KEYS)
def test_unusable_keys_are_401(server, e2e_keys, name):
    """expired / revoked / archived / key of an archived user / IP outside the
    whitelist ⇒ 401 with the same message."""
    assert_unauthorized(post_initialize(server, e2e_keys["tokens"][name], fresh_ip()))


def test_forged_tokens_are_401(threaded_server, e2e_keys):
    """A valid key's lookup index with another secret, a truncated or
    extended token, another scheme ⇒ 401."""
    good = e2e_keys["tokens"]["spare"]
    for forged in (good[:12] + "A" * (len(good) - 12), good[:-1], good + "x", good.upper()):
        assert_unauthorized(post_initialize(threaded_server, forged, fresh_ip()))
    ip = fresh_ip()
    response = post_initialize(threaded_server, None, ip, Authorization=f"Basic {good}")
    assert_unauthorized(response, token_sent=False)
    assert post_initialize(threaded_server, good, ip).status_code == 200


def test_ip_whitelist(threaded_server, e2e_keys):
    """The ip_loopback key (127.0.0.77/32) works from that address only;
    X-Forwarded-For is ignored without proxy_mode."""
    token = e2e_keys["tokens"]["ip_loopback"]
    assert post_initialize(threaded_server, token, "127.0.0.77").status_code == 200
    assert_unauthorized(post_initialize(threaded_server, token, fresh_ip()))
    assert_unauthorized(post_initialize(threaded_server, token, fresh_ip(), X_Forwarded_For="127.0.0.77"))
    restricted = e2e_keys["tokens"]["ip_restricted"]
    assert_unauthorized(post_initialize(threaded_server, restricted, fresh_ip(), X_Forwarded_For="203.0.113.7"))


# ----------------------------------------------------------------------
# lockout and rate limit: a dedicated server on a copy of the database
# ----------------------------------------------------------------------
LIMITS_SNIPPET = """
import json
params = env["ir.config_parameter"].sudo()
for name, value in {"lockout_threshold": 3, "lockout_window": 300, "lockout_duration": 10,
                    "rate_limit_per_minute": 5}.items():
    params.set_param("mcp_bridge." + name, str(value))
Key = env["mcp.api.key"].sudo()
admin = env.ref("base.user_admin")
names = ("lockout_good", "rate", "rate_other")
tokens = {"key": {name: Key._generate_key({"name": "limits " + name, "user_id": admin.id, "scope": "read"})[1]
                  for name in names}, "oauth": {}}
# the same as OAuth grants of an app, each with an access token for this server's MCP URL
app = env["mcp.oauth.client"].sudo().create({"name": "limits app", "redirect_uris": "https://claude.ai/cb"})
resource = env["mcp.settings"]._base_url() + "/mcp"
Tokens = env["mcp.oauth.token"].sudo()
for name in names:
    grant = env["mcp.oauth.grant"]._create_for_consent(app, admin, "read", resource, "claude.ai")
    tokens["oauth"][name] = Tokens._new_secret("access")
    Tokens._issue("access", tokens["oauth"][name], grant, 3600, scope="mcp:read", resource=resource)
env.cr.commit()
print("OUT_BEGIN" + json.dumps(tokens) + "OUT_END")
"""


@pytest.fixture(scope="module")
def limits(e2e_conf):
    """(server, tokens): threaded server on a copy of the e2e db with
    lockout threshold 3 / duration 10 s and 5 requests per minute per key."""
    with dedicated_server(e2e_conf, "limits",
                          lambda conf, copy: odoo_shell(conf, copy, LIMITS_SNIPPET)) as (server, tokens, copy):
        yield server, tokens, copy


#: a well-formed token of each kind that no credential has
UNKNOWN_TOKENS = {"key": "mcp_0000000bad" + "x" * 43, "oauth": "mcpat_" + "x" * 43}


@pytest.mark.parametrize("kind", ["key", "oauth"])
def test_lockout_after_failures_then_released(limits, kind):
    """3 bad keys (access tokens) from one address ⇒ that address gets 429
    even with a good one (others do not) until the lockout passes; then the
    good one works."""
    server, tokens, _copy = limits
    tokens = tokens[kind]
    ip, other = ("127.0.0.200", "127.0.0.201") if kind == "key" else ("127.0.0.202", "127.0.0.203")
    for _attempt in range(3):
        assert_unauthorized(post_initialize(server, UNKNOWN_TOKENS[kind], ip))
    retry = assert_rate_limited(post_initialize(server, tokens["lockout_good"], ip), MSG_LOCKED_OUT, 10)
    assert post_initialize(server, tokens["lockout_good"], other).status_code == 200
    time.sleep(retry + 0.5)
    assert post_initialize(server, tokens["lockout_good"], ip).status_code == 200


@pytest.mark.parametrize("kind", ["key", "oauth"])
def test_rate_limit_per_key(limits, kind):
    """The 6th request of a key (an OAuth grant) within a minute ⇒ 429 +
    Retry-After; another key is not affected; once the window is over the
    key works again."""
    server, tokens, copy = limits
    tokens = tokens[kind]
    ip = "127.0.0.210" if kind == "key" else "127.0.0.212"
    for _request in range(5):
        assert post_initialize(server, tokens["rate"], ip).status_code == 200
    assert_rate_limited(post_initialize(server, tokens["rate"], ip), MSG_RATE_LIMITED, 60)
    assert_rate_limited(post_initialize(server, tokens["rate"], "127.0.0.211"), MSG_RATE_LIMITED, 60)
    assert post_initialize(server, tokens["rate_other"], ip).status_code == 200
    # the window passes (moved back in time rather than waiting a minute)
    tables = {row[0] for row in sql(copy, "SELECT tablename FROM pg_tables WHERE tablename LIKE 'mcp_%%'")}
    for table in tables & {"mcp_auth_counter", "mcp_audit_log"}:
        columns = {row[0] for row in sql(copy, "SELECT column_name FROM information_schema.columns"
                                               " WHERE table_name = %s", (table,))}
        for column in columns & {"window_start", "create_date", "hit_at", "minute", "at"}:
            sql(copy, f"UPDATE {table} SET {column} = {column} - interval '2 minutes'")  # noqa: S608 (test)
    assert post_initialize(server, tokens["rate"], ip).status_code == 200


def test_limits_do_not_touch_the_shared_database(limits, e2e_keys):
    """The lowered settings live in the copy only."""
    _server, _tokens, copy = limits
    query = "SELECT value FROM ir_config_parameter WHERE key = 'mcp_bridge.rate_limit_per_minute'"
    assert sql(copy, query) == [("5",)]
    assert sql(e2e_db(), query) != [("5",)]
