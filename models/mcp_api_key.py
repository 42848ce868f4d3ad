# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Per-agent API keys of the MCP server.

A token looks like ``mcp_<index8><secret>``: ``index8`` (8 hex chars) is
stored in clear to find the row, the whole token is stored only as an
HMAC-SHA256 digest keyed with the database secret. Tokens are random (32
bytes), so a fast keyed hash is enough (no dictionary attack possible): it
costs microseconds, where Odoo's pbkdf2 API-key check costs milliseconds.
This file holds the key records, their tokens and their management; the
key check of every request (lockout, rate limit, cache, the user's
environment) is ``mcp_key_check.py``.
"""
import hashlib
import hmac
import ipaddress
import logging
import re
import secrets
from datetime import timedelta

from odoo import SUPERUSER_ID, _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from .mcp_guard_rules import _IDENT_RE
from .mcp_settings import parse_list
from .mcp_write_policy import WRITE_POLICIES, WRITE_POLICY_HELP, WRITE_POLICY_METHODS_HELP

_logger = logging.getLogger(__name__)

TOKEN_PREFIX = "mcp_"
INDEX_SIZE = 8
SECRET_BYTES = 32
#: ``mcp_`` + 8 hex chars + token_urlsafe(32) (43 chars, allow longer)
TOKEN_RE = re.compile(r"^mcp_[0-9a-f]{8}[A-Za-z0-9_\-]{43,128}$")
#: days before its expiry date from which a key is flagged "expiring soon" (UI)
EXPIRING_SOON_DAYS = 14

#: The one message for every authentication failure (never say which check failed).
MSG_INVALID_KEY = "Invalid or expired API key"
MSG_LOCKED_OUT = "Too many failed authentication attempts from this address; retry later"
MSG_RATE_LIMITED = "Rate limit exceeded for this API key; retry later"


def token_digest(digest_key, token):
    """The stored digest of ``token``: HMAC-SHA256 keyed with ``digest_key``
    (the database secret, see ``mcp.api.key._digest_key``), hex."""
    return hmac.new(digest_key, token.encode(), hashlib.sha256).hexdigest()


#: Fields holding secret material: never readable or writable outside sudo.
SECRET_FIELDS = ("key_index", "key_digest", "previous_key_index", "previous_key_digest", "previous_valid_until")


def parse_networks(text):
    """Parse a CIDR list (one per line or comma/space separated, IPv4 and
    IPv6; a bare address is a /32 or /128) into ``ip_network`` objects.
    Raises ValueError on an invalid entry."""
    networks = []
    for item in re.split(r"[\s,;]+", (text or "").strip()):
        if item:
            network = ipaddress.ip_network(item, strict=False)
            mapped = network.network_address.ipv4_mapped if network.version == 6 else None
            if mapped is not None and network.prefixlen >= 96:
                # ::ffff:a.b.c.d/n is written for IPv4 clients: match them as IPv4
                network = ipaddress.ip_network(f"{mapped}/{network.prefixlen - 96}", strict=False)
            networks.append(network)
    return networks


def ip_allowed(ip, networks):
    """Whether address ``ip`` (text) belongs to one of ``networks``
    (IPv4-mapped IPv6 addresses are matched as IPv4)."""
    try:
        address = ipaddress.ip_address((ip or "").strip().split("%", 1)[0])
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address.version == net.version and address in net for net in networks)


class McpApiKey(models.Model):
    _name = "mcp.api.key"
    _description = "MCP API Key"
    _order = "active desc, name, id"

    name = fields.Char(required=True, help="What this key is for, e.g. the agent or machine using it.")
    user_id = fields.Many2one(
        "res.users", string="User", required=True, ondelete="cascade", index=True,
        domain=[("id", "!=", SUPERUSER_ID)],
        help="The agent acts as this Odoo user: its access rights and record rules apply.")
    active = fields.Boolean(default=True)
    expiry_date = fields.Datetime(string="Expires On", help="Leave empty for a key that never expires.")
    allowed_ips = fields.Text(
        string="Allowed IPs",
        help="IPv4/IPv6 addresses or CIDR networks, one per line or comma separated. Empty: any address.")
    scope = fields.Selection(
        [("read", "Read-only"), ("write", "Read & Write")], required=True, default="read",
        help="A read-only key can never create, update, delete or call methods that write.")
    write_policy = fields.Selection(
        WRITE_POLICIES, string="Write Policy", required=True, default="direct", help=WRITE_POLICY_HELP)
    write_policy_methods = fields.Char(string="Policy Methods", help=WRITE_POLICY_METHODS_HELP)
    company_ids = fields.Many2many(
        "res.company", "mcp_api_key_res_company_rel", "key_id", "company_id", string="Allowed Companies",
        help="Companies the agent may work in (a subset of the user's). Empty: all of the user's companies.")
    rotation_grace_minutes = fields.Integer(
        string="Rotation Grace Period (minutes)", default=0,
        help="After a rotation, the previous token keeps working for this many minutes.")
    last_used_at = fields.Datetime(
        compute="_compute_last_used", search="_search_last_used_at",
        help="Stamped at most once a minute (see mcp.key.usage).")
    last_used_ip = fields.Char(string="Last Used From", compute="_compute_last_used")
    revoked_at = fields.Datetime(readonly=True, copy=False)
    oauth_grant_id = fields.Many2one(
        "mcp.oauth.grant", string="OAuth Grant", readonly=True, copy=False, index="btree_not_null",
        ondelete="cascade",
        help="Set for the credential of an app connected by OAuth: its access tokens act as this key.")
    oauth_client_id = fields.Many2one(related="oauth_grant_id.client_id", string="OAuth App")
    rotated_at = fields.Datetime(readonly=True, copy=False)
    key_index = fields.Char(
        readonly=True, copy=False, index=True, size=INDEX_SIZE,
        groups="mcp_bridge.group_mcp_manager")
    key_digest = fields.Char(readonly=True, copy=False, groups=".")
    previous_key_index = fields.Char(readonly=True, copy=False, index=True, size=INDEX_SIZE, groups=".")
    previous_key_digest = fields.Char(readonly=True, copy=False, groups=".")
    previous_valid_until = fields.Datetime(readonly=True, copy=False, groups=".")
    token_hint = fields.Char(
        string="Key", compute="_compute_token_hint",
        help="The recognisable start of the token, to tell keys apart.")
    state = fields.Selection(
        [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked"), ("archived", "Archived")],
        compute="_compute_state")
    expiring_soon = fields.Boolean(
        compute="_compute_state",
        help="Active key whose expiry date is within the next two weeks.")

    # ------------------------------------------------------------------
    # Computes, constraints, CRUD guards
    # ------------------------------------------------------------------
    @api.depends("key_index")
    def _compute_token_hint(self):
        for key in self:
            index = key.sudo().key_index
            key.token_hint = f"{TOKEN_PREFIX}{index}…" if index else False

    def _compute_last_used(self):
        stamps = self.env["mcp.key.usage"].sudo()._stamps(self._origin.ids)
        for key in self:
            key.last_used_at, key.last_used_ip = stamps.get(key._origin.id, (False, False))

    def _search_last_used_at(self, operator, value):
        """Domain on the last-use stamps: ``= False`` (never used),
        ``!= False`` and comparisons with a datetime."""
        if operator in ("=", "!=") and not value:
            self.env.cr.execute(SQL("SELECT key_id FROM mcp_key_usage"))
            used = [row[0] for row in self.env.cr.fetchall()]
            return [("id", "not in" if operator == "=" else "in", used)]
        sql_operator = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "=": "=", "!=": "<>"}.get(operator)
        if sql_operator is None:
            raise UserError(_("Unsupported search on Last Used: %(operator)s", operator=operator))
        value = fields.Datetime.to_datetime(value)
        self.env.cr.execute(SQL("SELECT key_id FROM mcp_key_usage WHERE used_at %s %s", SQL(sql_operator), value))
        matching = [row[0] for row in self.env.cr.fetchall()]
        if operator == "!=":  # never-used keys differ from any date too
            return ["|", ("id", "in", matching), ("last_used_at", "=", False)]
        return [("id", "in", matching)]

    @api.depends("active", "expiry_date", "revoked_at")
    def _compute_state(self):
        now = fields.Datetime.now()
        soon = now + timedelta(days=EXPIRING_SOON_DAYS)
        for key in self:
            key.expiring_soon = bool(
                key.active and not key.revoked_at and key.expiry_date and now < key.expiry_date <= soon)
            if key.revoked_at:
                key.state = "revoked"
            elif key.expiry_date and key.expiry_date <= now:
                key.state = "expired"
            elif not key.active:
                key.state = "archived"
            else:
                key.state = "active"

    @api.constrains("allowed_ips")
    def _check_allowed_ips(self):
        for key in self:
            try:
                parse_networks(key.allowed_ips)
            except ValueError as error:
                raise ValidationError(
                    _("Invalid IP address or network in Allowed IPs: %(error)s", error=error)) from None

    @api.constrains("user_id", "company_ids")
    def _check_user_companies(self):
        for key in self:
            if key.user_id.id == SUPERUSER_ID:
                raise ValidationError(_("An MCP key cannot act as the superuser (OdooBot)."))
            extra = key.company_ids - key.user_id.company_ids
            if extra:
                raise ValidationError(_(
                    "Allowed companies must be companies of the key's user; %(user)s cannot access: %(companies)s.",
                    user=key.user_id.display_name, companies=", ".join(extra.mapped("display_name")),
                ))

    @api.constrains("write_policy_methods")
    def _check_write_policy_methods(self):
        for key in self:
            for name in parse_list(key.write_policy_methods):
                if not _IDENT_RE.match(name):
                    raise ValidationError(_("Invalid method name %(method)s in Policy Methods.", method=name))

    @api.constrains("rotation_grace_minutes")
    def _check_rotation_grace(self):
        for key in self:
            if not 0 <= key.rotation_grace_minutes <= 10080:
                raise ValidationError(_("The rotation grace period must be between 0 and 10080 minutes (one week)."))

    @api.model_create_multi
    def create(self, vals_list):
        """Create keys; secret fields can only be set by ``_generate_key``."""
        if not self.env.su and any(field in vals for vals in vals_list for field in SECRET_FIELDS):
            raise AccessError(_("API key secrets cannot be set directly."))
        return super().create(vals_list)

    def write(self, vals):
        """Refuse direct writes of secret fields and un-revoking a key."""
        if not self.env.su and any(
                field in vals for field in SECRET_FIELDS + ("revoked_at", "rotated_at")):
            raise AccessError(_("API key secrets cannot be set directly."))
        if vals.get("active") and any(key.revoked_at for key in self):
            raise UserError(_("A revoked key cannot be reactivated: generate a new key."))
        return super().write(vals)

    def unlink(self):
        """Delete keys and their last-use stamps."""
        ids = self.ids
        result = super().unlink()
        self.env["mcp.key.usage"].sudo()._forget(ids)
        return result

    def copy(self, default=None):
        """Keys are not duplicated: a copy would have no secret."""
        raise UserError(_("API keys cannot be duplicated: generate a new key instead."))

    # ------------------------------------------------------------------
    # Token helpers
    # ------------------------------------------------------------------
    @api.model
    def _digest(self, token):
        """HMAC-SHA256 of ``token`` keyed with the database secret (hex)."""
        return token_digest(self._digest_key(), token)

    @api.model
    @tools.ormcache()
    def _digest_key(self):
        """The HMAC key: the database secret (cached; cleared with the
        ``ir.config_parameter`` caches)."""
        return (self.env["ir.config_parameter"].sudo().get_param("database.secret") or "").encode()

    @api.model
    def _new_token(self):
        """Return ``(token, index, digest)`` of a fresh random token."""
        index = secrets.token_hex(INDEX_SIZE // 2)
        token = f"{TOKEN_PREFIX}{index}{secrets.token_urlsafe(SECRET_BYTES)}"
        return token, index, self._digest(token)

    def _log_event(self, event):
        """Audit a key-management event (same transaction: the key row it
        refers to is not committed yet). Never logs the token."""
        for key in self:
            _logger.info("MCP API key %s (id %s, user %s): %s by uid %s",
                         key.name, key.id, key.user_id.id, event, self.env.uid)
        self.env["mcp.audit.log"].sudo().create([{
            "key_id": key.id,
            "user_id": self.env.uid,
            "rpc_method": f"key/{event}",
            "outcome": "ok",
        } for key in self])

    @api.model
    def _generate_key(self, vals):
        """Create a key from ``vals`` and return ``(record, token)``.

        The plaintext token exists only in the return value: the database
        keeps its lookup index and HMAC digest. Access rights of the caller
        apply to the creation (MCP managers). Private: not callable over RPC.
        """
        record = self.create(dict(vals))
        token, index, digest = self._new_token()
        record.sudo().write({"key_index": index, "key_digest": digest})
        record._log_event("generate")
        return record, token

    @api.model
    def _generate_agent_key(self, name, user, scope="read", expiry_date=False, allowed_ips=False, companies=None):
        """Create the key of an agent from the values the admin chose in a
        wizard (*Generate API Key*, *Connect*) and return ``(record, token)``
        (see ``_generate_key``). ``companies`` empty: all of the user's."""
        return self._generate_key({
            "name": name,
            "user_id": user.id,
            "scope": scope or "read",
            "expiry_date": expiry_date or False,
            "allowed_ips": allowed_ips or False,
            "company_ids": [fields.Command.set(companies.ids if companies else [])],
        })

    def _rotate(self):
        """Give this key a new secret and return the new token.

        The old token dies at once, or after ``rotation_grace_minutes``.
        """
        self.ensure_one()
        self.check_access("write")
        if self.revoked_at:
            raise UserError(_("A revoked key cannot be rotated: generate a new key."))
        if self.oauth_grant_id:
            raise UserError(_("The credential of an app connected by OAuth has no key to rotate: revoke the app."))
        now = fields.Datetime.now()
        token, index, digest = self._new_token()
        secret_vals = {
            "key_index": index,
            "key_digest": digest,
            "rotated_at": now,
            "previous_key_index": False,
            "previous_key_digest": False,
            "previous_valid_until": False,
        }
        if self.rotation_grace_minutes:
            current = self.sudo()
            secret_vals.update({
                "previous_key_index": current.key_index,
                "previous_key_digest": current.key_digest,
                "previous_valid_until": now + timedelta(minutes=self.rotation_grace_minutes),
            })
        self.sudo().write(secret_vals)
        self._log_event("rotate")
        return token

    def action_rotate(self):
        """Rotate the key's secret and show the new token once."""
        self.ensure_one()
        token = self._rotate()
        return self._action_show_token(token)

    def action_revoke(self):
        """Revoke the keys at once and for good (their digests are erased)."""
        self.check_access("write")
        now = fields.Datetime.now()
        self.sudo().write({
            "active": False,
            "revoked_at": now,
            "key_digest": False,
            "previous_key_index": False,
            "previous_key_digest": False,
            "previous_valid_until": False,
        })
        self._log_event("revoke")
        return True

    def _action_show_token(self, token):
        """Window action showing ``token`` once (it travels in the action's
        context to the browser only, nothing is stored)."""
        return {
            "type": "ir.actions.act_window",
            "res_model": "mcp.api.key.show",
            "name": _("Your new MCP API key"),
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_token": token, "default_key_name": self.name},
        }

    # ------------------------------------------------------------------
    # Companies
    # ------------------------------------------------------------------
    def _allowed_companies(self):
        """The companies this key may work in (sudo record)."""
        self.ensure_one()
        key = self.sudo()
        user_companies = key.user_id.company_ids
        return (key.company_ids & user_companies) if key.company_ids else user_companies
