# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""OAuth grants: what a user allowed an app on the consent page.

A grant is a credential of the same security layer as an API key: at
consent it gets a backing ``mcp.api.key`` (the grant's user, its scope,
named "OAuth: <client>") without a token of its own. Its access tokens
authenticate as that key (``mcp_key_check.py``), so blocklists, model-access
rules, Odoo ACLs and record rules, companies, the IP whitelist (the
client's allowed IPs, ``mcp_oauth_client.py``), the rate
limit, the lockout and the audit log apply unchanged, and the audit rows
name the grant and its client through the key.

Revoking a grant revokes its key and every code and token of it; a user
deactivated or a key archived stops its tokens too (401). A grant whose
code was never exchanged is deleted with its key by the autovacuum.
"""
import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..protocol.oauth import SCOPES_OF

_logger = logging.getLogger(__name__)

#: a grant whose code was not exchanged this long after the consent is deleted (autovacuum)
UNUSED_GRANT_AGE = timedelta(hours=1)


class McpOauthGrant(models.Model):
    _name = "mcp.oauth.grant"
    _description = "MCP OAuth Grant (Connected App)"
    _order = "create_date desc, id desc"
    _rec_name = "client_id"

    client_id = fields.Many2one("mcp.oauth.client", string="App", required=True, ondelete="cascade",
                                index=True, readonly=True)
    user_id = fields.Many2one("res.users", string="User", required=True, ondelete="cascade", index=True,
                              readonly=True)
    key_id = fields.Many2one("mcp.api.key", string="Credential", required=True, ondelete="cascade",
                             index=True, readonly=True, copy=False,
                             help="The credential the app's access tokens act as (rules, rate limit, audit).")
    scope = fields.Selection(related="key_id.scope", string="Access")
    company_ids = fields.Many2many(related="key_id.company_ids", string="Companies")
    write_policy = fields.Selection(related="key_id.write_policy", readonly=False,
                                    groups="mcp_bridge.group_mcp_manager")
    resource = fields.Char(readonly=True, help="The MCP URL the grant is for (RFC 8707).")
    redirect_host = fields.Char(readonly=True, help="Where the app received the authorization.")
    revoked_at = fields.Datetime(readonly=True, copy=False)
    exchanged_at = fields.Datetime(
        readonly=True, copy=False, help="When the app exchanged the authorization code of the consent for tokens.")
    last_used_at = fields.Datetime(related="key_id.last_used_at", string="Last Used")
    token_ids = fields.One2many("mcp.oauth.token", "grant_id", string="Tokens")
    state = fields.Selection([("active", "Active"), ("revoked", "Revoked")], compute="_compute_state")

    @api.depends("revoked_at", "key_id.active")
    def _compute_state(self):
        for grant in self:
            grant.state = "revoked" if grant.revoked_at or not grant.key_id.active else "active"

    def _scopes(self):
        """The OAuth scopes of this grant (``mcp:read`` [``mcp:write``])."""
        self.ensure_one()
        return list(SCOPES_OF[self.sudo().key_id.scope])

    @api.model
    def _create_for_consent(self, client, user, scope, resource, redirect_host):
        """The grant ``user`` gave ``client`` on the consent page (sudo: the
        layer's own records), with its backing key of ``scope``
        (``read``/``write``) in all of the user's companies, from the
        client's allowed IPs."""
        key = self.env["mcp.api.key"].sudo().create({
            "name": _("OAuth: %(client)s", client=client.name)[:128],
            "user_id": user.id,
            "scope": scope,
            "allowed_ips": client.sudo().allowed_ips or False,
        })
        grant = self.sudo().create({
            "client_id": client.id, "user_id": user.id, "key_id": key.id,
            "resource": resource, "redirect_host": redirect_host,
        })
        key.write({"oauth_grant_id": grant.id})
        key._log_event("oauth-consent")
        return grant

    @api.autovacuum
    def _gc_unused_grants(self):
        """Delete the grants whose authorization code was never exchanged
        (the app never came back from the consent, or its code expired)
        more than ``UNUSED_GRANT_AGE`` after the consent — a code lives 10
        minutes at most —, with their backing keys, codes and tokens.
        Grants that ever got tokens stay (Connected Apps keeps their
        history)."""
        self.env.cr.execute(SQL("""
            SELECT g.key_id FROM mcp_oauth_grant g
             WHERE g.exchanged_at IS NULL AND g.create_date < %s
               AND NOT EXISTS (SELECT 1 FROM mcp_oauth_token t WHERE t.grant_id = g.id AND t.kind != 'code')
        """, fields.Datetime.now() - UNUSED_GRANT_AGE))
        keys = self.env["mcp.api.key"].sudo().browse([row[0] for row in self.env.cr.fetchall()])
        if keys:
            _logger.info("MCP OAuth: deleting %d grants whose authorization code was never exchanged", len(keys))
            keys.unlink()  # the grants, their codes and tokens go with their keys (ondelete cascade)
        return len(keys)

    def action_revoke(self):
        """Revoke the grants: their key, codes and tokens stop at once. A
        user may revoke their own grants (record rule), managers any; the
        authorization server (sudo) revokes a grant whose code or refresh
        token was replayed."""
        self.check_access("read")
        if not self.env.su and not self.env.user.has_group("mcp_bridge.group_mcp_manager") and any(
                grant.user_id != self.env.user for grant in self):
            raise AccessError(_("You can only revoke your own connected apps."))
        grants = self.sudo().filtered(lambda grant: not grant.revoked_at)
        if not grants:
            return True
        now = fields.Datetime.now()
        grants.write({"revoked_at": now})
        grants.token_ids.filtered(lambda token: not token.revoked_at).write({"revoked_at": now})
        grants.key_id.filtered(lambda key: not key.revoked_at).action_revoke()
        return True
