# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""OAuth clients of the MCP server: the apps that may ask a user for a grant.

Three kinds: an HTTPS URL ``client_id`` whose metadata document Odoo
fetched (CIMD, ``services/oauth_cimd.py``), a dynamically registered client
(RFC 7591, ``/oauth/register``) and a client the administrator registered
(its secret shown once, stored as an HMAC digest like API keys).

Redirect URIs match exactly (RFC 9700 §4.1.3), but for loopback hosts,
whose port may vary (RFC 8252 §7.3).
"""
import hmac
import ipaddress
import logging
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..protocol.oauth import TOKEN_AUTH_METHODS
from ..services import oauth_cimd
from .mcp_api_key import parse_networks, token_digest

_logger = logging.getLogger(__name__)

LOOPBACK_NAMES = ("localhost",)
CLIENT_ID_PREFIX = "mcpc_"
SECRET_PREFIX = "mcpcs_"
#: Fields holding secret material: never readable or writable outside sudo.
CLIENT_SECRET_FIELDS = ("secret_digest",)


def is_loopback_host(host):
    """Whether ``host`` (a URL's hostname) is a loopback name or address."""
    if not host:
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def redirect_uri_problem(uri, allowed_hosts=None):
    """Why ``uri`` cannot be a redirect URI (a message), or None: absolute
    ``https`` (``http`` for loopback hosts only), no fragment, no userinfo;
    with ``allowed_hosts``, its host must be one of them (loopback hosts
    when the list names one)."""
    if not isinstance(uri, str) or not uri or len(uri) > 2000 or any(ch.isspace() for ch in uri):
        return _("a redirect URI must be an absolute URL without spaces")
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return _("%(uri)s is not a valid URL", uri=uri)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        return _("%(uri)s must be an https URL (http only for loopback addresses)", uri=uri)
    if parts.scheme == "http" and not is_loopback_host(host):
        return _("%(uri)s must be an https URL (http only for loopback addresses)", uri=uri)
    if parts.fragment or "#" in uri:
        return _("%(uri)s must not have a fragment", uri=uri)
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return _("%(uri)s must not carry user information", uri=uri)
    if allowed_hosts is not None:
        loopback_allowed = any(is_loopback_host(h) for h in allowed_hosts)
        if not (host in allowed_hosts or (loopback_allowed and is_loopback_host(host))):
            return _("the redirect host %(host)s is not allowed on this server", host=host)
    return None


def redirect_uri_matches(registered, candidate):
    """Whether ``candidate`` is the registered redirect URI: the same
    string, or for a loopback host the same URI on another port."""
    if registered == candidate:
        return True
    try:
        reg, cand = urlsplit(registered), urlsplit(candidate)
        reg_port, cand_port = reg.port, cand.port  # noqa: F841 - raise ValueError for a bad port
    except ValueError:
        return False
    if not is_loopback_host(reg.hostname) or "@" in cand.netloc:
        return False
    return (reg.scheme == cand.scheme and reg.hostname == cand.hostname and reg.path == cand.path
            and reg.query == cand.query and not cand.fragment)


class McpOauthClient(models.Model):
    _name = "mcp.oauth.client"
    _description = "MCP OAuth Client"
    _order = "name, id"

    name = fields.Char(required=True, help="The app's name, as the app itself says (not verified).")
    client_id = fields.Char(
        string="Client ID", required=True, index=True, readonly=True, copy=False,
        default=lambda self: CLIENT_ID_PREFIX + secrets.token_urlsafe(16))
    kind = fields.Selection(
        [("cimd", "Client ID Metadata Document"), ("dcr", "Dynamic Registration"),
         ("manual", "Registered by an administrator")],
        required=True, default="manual", readonly=True)
    active = fields.Boolean(default=True)
    redirect_uris = fields.Text(
        string="Redirect URIs", required=True,
        help="One per line, matched exactly (loopback addresses: any port).")
    client_uri = fields.Char(string="Home Page", help="Given by the app, not verified.")
    logo_uri = fields.Char(string="Logo URL", help="Given by the app, not verified.")
    auth_method = fields.Selection(
        [(method, method) for method in TOKEN_AUTH_METHODS], string="Token Endpoint Authentication",
        required=True, default="none",
        help="none: a public client (PKCE only); client_secret_basic / client_secret_post: the client "
        "authenticates with its secret.")
    registered_ip = fields.Char(
        string="Registered From", readonly=True, copy=False,
        help="Dynamic registration: the client address that registered the app (for the per-address limit).")
    secret_digest = fields.Char(readonly=True, copy=False, groups=".")
    metadata_expires_at = fields.Datetime(
        readonly=True, copy=False, help="Metadata documents (CIMD) are fetched again after this time.")
    allowed_ips = fields.Text(
        string="Allowed IPs",
        help="The client addresses this app's access tokens are accepted from (IPv4/IPv6 addresses or CIDR "
        "networks, one per line or comma separated), for every user who connected it. Empty: any address.")
    grant_ids = fields.One2many("mcp.oauth.grant", "client_id", string="Grants")
    grant_count = fields.Integer(compute="_compute_grant_count")

    _sql_constraints = [("client_id_unique", "UNIQUE(client_id)", "This client ID is already registered.")]  # noqa: RUF012

    def _compute_grant_count(self):
        counts = dict(self.env["mcp.oauth.grant"]._read_group(
            [("client_id", "in", self.ids), ("revoked_at", "=", False)], ["client_id"], ["__count"]))
        for client in self:
            client.grant_count = counts.get(client, 0)

    @api.constrains("redirect_uris")
    def _check_redirect_uris(self):
        for client in self:
            uris = client._redirect_uri_list()
            if not uris:
                raise ValidationError(_("A client needs at least one redirect URI."))
            for uri in uris:
                problem = redirect_uri_problem(uri)
                if problem:
                    raise ValidationError(_("Invalid redirect URI: %(problem)s", problem=problem))

    @api.constrains("allowed_ips")
    def _check_allowed_ips(self):
        for client in self:
            try:
                parse_networks(client.allowed_ips)
            except ValueError as error:
                raise ValidationError(
                    _("Invalid IP address or network in Allowed IPs: %(error)s", error=error)) from None

    @api.model_create_multi
    def create(self, vals_list):
        """Create clients; their secret can only be set by ``_generate_secret``."""
        if not self.env.su and any(field in vals for vals in vals_list for field in CLIENT_SECRET_FIELDS):
            raise AccessError(_("Client secrets cannot be set directly."))
        return super().create(vals_list)

    def write(self, vals):
        """Refuse direct writes of the secret. Archiving a client revokes
        its grants: their tokens stop at once (not at their expiry). Its
        allowed IPs go to the backing keys of its grants (the key check's
        IP whitelist: the next request from another address gets 401)."""
        if not self.env.su and any(field in vals for field in CLIENT_SECRET_FIELDS):
            raise AccessError(_("Client secrets cannot be set directly."))
        result = super().write(vals)
        if "allowed_ips" in vals:
            for client in self:
                live = client.sudo().grant_ids.filtered(lambda grant: not grant.revoked_at)
                live.key_id.write({"allowed_ips": client.allowed_ips or False})
        if "active" in vals and not vals["active"]:
            self.grant_ids.filtered(lambda grant: not grant.revoked_at).action_revoke()
        return result

    # ------------------------------------------------------------------
    # Redirect URIs and secrets
    # ------------------------------------------------------------------
    def _redirect_uri_list(self):
        """The registered redirect URIs."""
        self.ensure_one()
        return [line.strip() for line in (self.redirect_uris or "").splitlines() if line.strip()]

    def _redirect_uri_allowed(self, uri):
        """Whether ``uri`` is one of this client's redirect URIs (exact, or a
        loopback one on another port)."""
        self.ensure_one()
        return isinstance(uri, str) and any(redirect_uri_matches(reg, uri) for reg in self._redirect_uri_list())

    def _is_confidential(self):
        """Whether the client must authenticate at the token endpoint."""
        self.ensure_one()
        return self.auth_method != "none"

    def _generate_secret(self):
        """Give this (administrator-registered) client a new secret and
        return it: the database keeps only its HMAC digest."""
        self.ensure_one()
        self.check_access("write")
        secret = SECRET_PREFIX + secrets.token_urlsafe(32)
        self.sudo().write({"secret_digest": self.env["mcp.api.key"]._digest(secret)})
        return secret

    def action_generate_secret(self):
        """Button: give this confidential, administrator-registered client a
        new secret (the old one stops working) and show it once."""
        self.ensure_one()
        if self.kind != "manual" or not self._is_confidential():
            raise UserError(_("Only a confidential client registered by an administrator has a secret."))
        secret = self._generate_secret()
        return {
            "type": "ir.actions.act_window",
            "res_model": "mcp.oauth.client.secret",
            "name": _("Your new client secret"),
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_secret": secret, "default_client_id": self.client_id,
                        "default_client_name": self.name},
        }

    def _check_secret(self, secret):
        """Whether ``secret`` is this client's secret (constant time)."""
        self.ensure_one()
        stored = self.sudo().secret_digest
        if not (stored and isinstance(secret, str) and secret):
            return False
        return hmac.compare_digest(stored, token_digest(self.env["mcp.api.key"]._digest_key(), secret))

    @api.model
    def _find(self, client_id):
        """The active client of ``client_id`` (sudo: the layer's own data),
        an HTTPS-URL client id being fetched (CIMD) when new or stale; an
        empty recordset when there is none."""
        if not isinstance(client_id, str) or not client_id or len(client_id) > 2000:
            return self.sudo().browse()
        client = self.sudo().search([("client_id", "=", client_id)], limit=1)
        if client.kind == "cimd" or (not client and client_id.startswith("https://")):
            return self._resolve_cimd(client_id, client)
        return client

    @api.model
    def _resolve_cimd(self, client_id, client):
        """The client of the HTTPS-URL ``client_id`` (CIMD): ``client`` while
        its metadata document is fresh, else the document is fetched
        (``services/oauth_cimd.py``: SSRF guards, size and time limits) and
        the client created or updated from it, for as long as its
        ``Cache-Control`` says (bounded). A document that cannot be used, or
        CIMD turned off, gives no client."""
        settings = self.env["mcp.settings"]._get_settings()
        if not settings["oauth_cimd_enabled"]:
            return self.sudo().browse()
        now = fields.Datetime.now()
        if client and client.metadata_expires_at and client.metadata_expires_at > now:
            return client
        try:
            document, seconds = oauth_cimd.fetch(client_id)
            vals = self._cimd_values(document, settings["oauth_redirect_hosts"])
        except oauth_cimd.CimdError as error:
            _logger.info("MCP OAuth: client metadata document %s refused: %s", client_id, error)
            return self.sudo().browse()
        vals["metadata_expires_at"] = now + timedelta(seconds=seconds)
        if client:
            client.write(vals)
            return client
        return self.sudo().create(dict(vals, client_id=client_id, kind="cimd"))

    @api.model
    def _cimd_values(self, document, allowed_hosts):
        """The client fields of a metadata ``document``; raises ``CimdError``."""
        uris = document.get("redirect_uris")
        if not isinstance(uris, list) or not uris or len(uris) > 10:
            raise oauth_cimd.CimdError("redirect_uris must list 1 to 10 URIs")
        for uri in uris:
            problem = redirect_uri_problem(uri, allowed_hosts)
            if problem:
                raise oauth_cimd.CimdError(str(problem))
        if document.get("token_endpoint_auth_method", "none") != "none":
            raise oauth_cimd.CimdError("only public clients (token_endpoint_auth_method none) are supported")
        texts = {}
        for name in ("client_name", "client_uri", "logo_uri"):
            value = document.get(name)
            if value is not None and (not isinstance(value, str) or len(value) > 512):
                raise oauth_cimd.CimdError(f"{name} must be a short string")
            if value and name != "client_name" and not value.startswith("https://"):
                value = None
            texts[name] = value or False
        return {"name": texts["client_name"] or urlsplit(document["client_id"]).hostname,
                "client_uri": texts["client_uri"], "logo_uri": texts["logo_uri"],
                "redirect_uris": "\n".join(uris), "auth_method": "none", "active": True}
