# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Fixtures of the OAuth tests: a client, a consented grant and its tokens."""
from ..protocol.oauth import SCOPES_OF


def make_client(env, **vals):
    """An administrator-registered public client (sudo)."""
    vals.setdefault("name", "Test App")
    vals.setdefault("redirect_uris", "https://claude.ai/api/mcp/auth_callback\nhttp://127.0.0.1:33418/callback")
    return env["mcp.oauth.client"].sudo().create(vals)


def make_grant(env, client, user, scope="write", resource=None):
    """The grant ``user`` gave ``client`` on the consent page, for
    ``resource`` (default: this server's MCP URL, from ``web.base.url``)."""
    resource = resource or env["mcp.settings"]._base_url() + "/mcp"
    return env["mcp.oauth.grant"]._create_for_consent(client, user, scope, resource, "claude.ai")


def issue_access_token(env, grant, ttl=3600):
    """A fresh access token of ``grant``: ``(row, plaintext)``."""
    Tokens = env["mcp.oauth.token"]
    secret = Tokens._new_secret("access")
    return Tokens._issue("access", secret, grant, ttl, scope=" ".join(SCOPES_OF[grant.key_id.scope]),
                         resource=grant.resource), secret
