# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Authorization codes, access tokens and refresh tokens of OAuth grants.

One row per code or token, stored only as the HMAC-SHA256 digest of the
secret (keyed with the database secret, like API keys: ``token_digest``),
found by that digest and compared in constant time. Digests are keyed, so
an equality lookup reveals nothing about a token. Nothing here is ever
logged.

* a **code** is bound to its grant (client, user), redirect URI, PKCE
  challenge (S256) and resource, lives ``oauth_code_ttl`` seconds and is
  used once;
* an **access token** (``mcpat_…``) authenticates ``/mcp`` as the grant's
  backing key until it expires (``oauth_access_token_ttl``) or is revoked;
* a **refresh token** (``mcprt_…``) is rotated on use; presenting a used one
  again revokes the whole grant (RFC 9700 §4.14.2).

Expired and used rows are deleted by the autovacuum.
"""
import hmac
import re
import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..protocol.oauth import ACCESS_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX

#: used/expired rows are kept this long (a replayed code or refresh token
#: must still be recognised to revoke its grant), then vacuumed
KEEP_AFTER_EXPIRY = timedelta(days=1)
SECRET_BYTES = 32
#: what an access token looks like (the key check tells it from an API key by this)
ACCESS_TOKEN_RE = re.compile(rf"^{ACCESS_TOKEN_PREFIX}[A-Za-z0-9_\-]{{43,128}}$")
TOKEN_SECRET_FIELDS = ("token_digest", "code_challenge")


class McpOauthToken(models.Model):
    _name = "mcp.oauth.token"
    _description = "MCP OAuth Code or Token"
    _order = "id desc"
    _rec_name = "kind"

    kind = fields.Selection([("code", "Authorization Code"), ("access", "Access Token"),
                             ("refresh", "Refresh Token")], required=True, readonly=True)
    grant_id = fields.Many2one("mcp.oauth.grant", required=True, ondelete="cascade", index=True, readonly=True)
    token_digest = fields.Char(required=True, readonly=True, copy=False, groups=".")
    expires_at = fields.Datetime(required=True, readonly=True)
    used_at = fields.Datetime(readonly=True, copy=False, help="Codes and refresh tokens: when they were used.")
    revoked_at = fields.Datetime(readonly=True, copy=False)
    # what a code is bound to (RFC 6749 §4.1.3, RFC 7636, RFC 8707)
    redirect_uri = fields.Char(readonly=True)
    code_challenge = fields.Char(readonly=True, groups=".")
    scope = fields.Char(readonly=True)
    resource = fields.Char(readonly=True)

    _sql_constraints = [("token_digest_unique", "UNIQUE(token_digest)", "Token digests are unique.")]  # noqa: RUF012

    @api.model_create_multi
    def create(self, vals_list):
        """Only the layer itself (sudo) issues codes and tokens."""
        if not self.env.su:
            raise AccessError(self.env._("OAuth codes and tokens are issued by the authorization server only."))
        return super().create(vals_list)

    def write(self, vals):
        """Only the layer itself changes codes and tokens; a revocation
        clears the cached credential states."""
        if not self.env.su:
            raise AccessError(self.env._("OAuth codes and tokens are issued by the authorization server only."))
        result = super().write(vals)
        if "revoked_at" in vals:
            self.env["mcp.api.key"]._invalidate_key_states()
        return result

    def unlink(self):
        """Delete codes and tokens and forget cached credential states."""
        result = super().unlink()
        self.env["mcp.api.key"]._invalidate_key_states()
        return result

    # ------------------------------------------------------------------
    # Issue and look up
    # ------------------------------------------------------------------
    @api.model
    def _new_secret(self, kind):
        """A fresh random access or refresh token (plaintext: returned once)."""
        prefix = ACCESS_TOKEN_PREFIX if kind == "access" else REFRESH_TOKEN_PREFIX
        return prefix + secrets.token_urlsafe(SECRET_BYTES)

    @api.model
    def _issue(self, kind, secret, grant, ttl, **vals):
        """Store the digest of ``secret`` as a ``kind`` row of ``grant``
        valid for ``ttl`` seconds (``vals``: what a code is bound to)."""
        return self.sudo().create(dict(
            vals, kind=kind, grant_id=grant.id, token_digest=self.env["mcp.api.key"]._digest(secret),
            expires_at=fields.Datetime.now() + timedelta(seconds=ttl)))

    @api.model
    def _lookup(self, kind, secret):
        """The ``kind`` row of ``secret`` (sudo), whatever its state (used,
        revoked, expired: the caller decides), or an empty recordset."""
        if not isinstance(secret, str) or not secret or len(secret) > 512:
            return self.sudo().browse()
        digest = self.env["mcp.api.key"]._digest(secret)
        self.env.cr.execute(SQL("SELECT id, token_digest FROM mcp_oauth_token WHERE token_digest = %s AND kind = %s",
                                digest, kind))
        row = self.env.cr.fetchone()
        if not row or not hmac.compare_digest(row[1], digest):
            return self.sudo().browse()
        return self.sudo().browse(row[0])

    def _is_live(self):
        """Whether this code or token can still be used: not used, not
        revoked, not expired, its grant not revoked."""
        self.ensure_one()
        return bool(not self.used_at and not self.revoked_at and not self.grant_id.revoked_at
                    and self.expires_at > fields.Datetime.now())

    @api.autovacuum
    def _gc_expired(self):
        """Delete codes and tokens expired or revoked more than a day ago."""
        floor = fields.Datetime.now() - KEEP_AFTER_EXPIRY
        self.flush_model(["expires_at", "revoked_at"])
        self.env.cr.execute(SQL("DELETE FROM mcp_oauth_token WHERE expires_at < %s OR revoked_at < %s",
                                floor, floor))
        deleted = self.env.cr.rowcount
        self.invalidate_model()
        return deleted
