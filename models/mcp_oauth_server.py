# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The OAuth 2.1 authorization server of /mcp (AbstractModel): discovery
documents, the authorization request (login, consent), the token,
revocation and registration endpoints. The protocol is oauthlib's
(``services/oauth_http.py``, ``services/oauth_validator.py``); this model
adds what OAuth 2.1 and MCP ask beyond it: PKCE S256 only, ``resource``
(RFC 8707) must be this server's MCP URL, ``iss`` in every redirect
(RFC 9207), only users of the authorizing groups, dynamic registration
(RFC 7591) limited to the allowed redirect hosts.

Each method returns an :class:`Outcome` the controller turns into HTTP.
"""
import json
import math
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

from oauthlib.oauth2 import FatalClientError, OAuth2Error
from odoo import _, api, fields, models
from odoo.tools import SQL

from ..protocol import oauth
from ..services.oauth_http import add_query, make_server, oauthlib_request
from .mcp_oauth_client import redirect_uri_problem

#: the authorization request's parameters the consent form posts back
AUTHORIZE_PARAMS = ("response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge",
                    "code_challenge_method", "resource")
#: largest registration request body (bytes)
MAX_REGISTRATION_BODY = 16384
#: most redirect URIs of a registered client
MAX_REDIRECT_URIS = 10
#: the window of the per-address registration limit (``oauth_dcr_per_ip_per_hour``)
DCR_WINDOW = timedelta(hours=1)
#: the transaction lock serializing dynamic registrations (an arbitrary constant)
DCR_LOCK = 0x6D63_7064


class Outcome:
    """What an endpoint answers: ``kind`` is ``page`` (an error page:
    ``message``, ``status``), ``redirect`` (``url``), ``login`` (``url``:
    the authorization request to come back to), ``consent`` (``values`` of
    the consent page) or ``json`` (``body``, ``status``, ``headers``)."""

    __slots__ = ("body", "headers", "kind", "message", "status", "url", "values")

    def __init__(self, kind, status=200, message=None, url=None, values=None, body=None, headers=()):
        self.kind, self.status, self.message, self.url = kind, status, message, url
        self.values, self.body, self.headers = values, body, list(headers)


class McpOauthServer(models.AbstractModel):
    _name = "mcp.oauth.server"
    _description = "MCP OAuth Authorization Server"

    @api.model
    def _is_enabled(self):
        """Whether OAuth is served: the MCP server and its OAuth setting on."""
        settings = self.env["mcp.settings"]._get_settings()
        return settings["enabled"] and settings["oauth_enabled"]

    @api.model
    def _base_url(self):
        """Issuer and resource derive from this (``web.base.url``)."""
        return self.env["mcp.settings"]._base_url()

    # ------------------------------------------------------------------
    # Discovery
    # ------------------------------------------------------------------
    @api.model
    def _protected_resource_metadata(self):
        """RFC 9728 metadata of /mcp."""
        return oauth.protected_resource_metadata(self._base_url())

    @api.model
    def _authorization_server_metadata(self):
        """RFC 8414 metadata of this authorization server."""
        settings = self.env["mcp.settings"]._get_settings()
        return oauth.authorization_server_metadata(self._base_url(), registration=settings["oauth_dcr_enabled"])

    # ------------------------------------------------------------------
    # Authorization endpoint
    # ------------------------------------------------------------------
    def _redirect(self, uri, params):
        """A redirect to the client with ``params`` and ``iss`` (RFC 9207)."""
        return Outcome("redirect", url=add_query(uri, list(params) + [("iss", self._base_url())]))

    def _error_redirect(self, redirect_uri, error, description, state):
        return self._redirect(redirect_uri, [("error", error), ("error_description", description), ("state", state)])

    @api.model
    def _authorize(self, httprequest, user, form=None):
        """Answer an authorization request (GET ``httprequest``; with
        ``form``: the consent form's POST, CSRF already checked by Odoo) for
        ``user`` (the public user when nobody is logged in).

        Errors before the client and its redirect URI are known good are
        shown on a page, never redirected; later errors go back to the
        client with ``error``, ``state`` and ``iss``."""
        settings = self.env["mcp.settings"]._get_settings()
        server = make_server(self.env, settings)
        params = None
        if form is not None:
            params = [(name, form[name]) for name in AUTHORIZE_PARAMS if form.get(name) is not None]
        uri, method, body, headers = oauthlib_request(httprequest, params)
        try:
            scopes, info = server.validate_authorization_request(uri, method, body, headers)
        except FatalClientError as error:
            return Outcome("page", status=400, message=self._fatal_message(error))
        except OAuth2Error as error:
            return self._error_redirect(error.redirect_uri, error.error, error.description, error.state)
        oauth_request = info["request"]
        redirect_uri, state = info["redirect_uri"], info["state"]
        resource = oauth_request._params.get("resource")
        if resource is not None and not oauth.same_resource(resource, self._base_url()):
            return self._error_redirect(redirect_uri, "invalid_target",
                                        "resource must be this server's MCP URL", state)
        if user._is_public():
            return Outcome("login", url=uri)
        if not self._may_authorize(user, settings):
            return self._error_redirect(redirect_uri, "access_denied",
                                        "this Odoo user may not connect apps", state)
        client = oauth_request.client
        if form is None:
            return Outcome("consent", values=self._consent_values(client, user, scopes, redirect_uri, uri))
        if form.get("decision") != "allow":
            return self._error_redirect(redirect_uri, "access_denied", "the user denied access", state)
        if form.get("access") == "read":
            scopes = [oauth.SCOPE_READ]
        grant = self.env["mcp.oauth.grant"]._create_for_consent(
            client, user, oauth.grant_scope(scopes), oauth.resource_url(self._base_url()),
            urlsplit(redirect_uri).hostname)
        response_headers, _body, _status = server.create_authorization_response(
            uri, method, body, headers, scopes, {"mcp_grant": grant})
        return Outcome("redirect", url=add_query(response_headers["Location"], [("iss", self._base_url())]))

    def _fatal_message(self, error):
        """The page text of an authorization request refused before its
        client and redirect URI were known good."""
        if error.error == "invalid_request" and "redirect" in (error.description or "").lower():
            return _("The app sent a redirect address that is not registered for it.")
        if isinstance(error, FatalClientError) and "client" in (error.description or "").lower():
            return _("The app that sent you here is not known to this Odoo server.")
        return _("The app sent an invalid authorization request (%(error)s).", error=error.description or error.error)

    @api.model
    def _may_authorize(self, user, settings):
        """Whether ``user`` belongs to one of the authorizing groups."""
        return any(user.has_group(xmlid) for xmlid in settings["oauth_authorize_groups"]
                   if self.env.ref(xmlid, raise_if_not_found=False))

    def _consent_values(self, client, user, scopes, redirect_uri, uri):
        """What the consent page shows and posts back."""
        params = dict(parse_qsl(urlsplit(uri).query))
        return {
            "client": client,
            "client_home": client.client_uri or (client.client_id if client.kind == "cimd" else False),
            "redirect_host": urlsplit(redirect_uri).hostname,
            "writes": oauth.SCOPE_WRITE in scopes,
            "user": user,
            "company": user.company_id,
            "params": [(name, params[name]) for name in AUTHORIZE_PARAMS if name in params],
        }

    # ------------------------------------------------------------------
    # Token, revocation, registration
    # ------------------------------------------------------------------
    @api.model
    def _token(self, httprequest):
        """The token endpoint (code and refresh grants): oauthlib's answer."""
        server = make_server(self.env, self.env["mcp.settings"]._get_settings())
        uri, method, body, headers = oauthlib_request(httprequest)
        return server.create_token_response(uri, method, body, headers)

    @api.model
    def _revoke(self, httprequest):
        """The revocation endpoint (RFC 7009): oauthlib's answer."""
        server = make_server(self.env, self.env["mcp.settings"]._get_settings())
        uri, method, body, headers = oauthlib_request(httprequest)
        return server.create_revocation_response(uri, method, body, headers)

    @api.model
    def _registration_refusal(self, ip, settings):
        """None, or the answer refusing one more dynamic registration from
        the client address ``ip``: HTTP 429 ``invalid_client_metadata`` when
        ``oauth_dcr_max_clients`` active dynamically registered clients
        exist (until an administrator archives or deletes some), or when
        ``ip`` registered ``oauth_dcr_per_ip_per_hour`` clients in the last
        hour (``Retry-After``: when the oldest of them leaves the hour;
        archived clients count). Registrations wait for each other (a
        transaction lock), so concurrent ones cannot pass a bound together."""
        self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(%s)", DCR_LOCK))
        Clients = self.env["mcp.oauth.client"].sudo()

        def too_many(description, retry_after=None):
            headers = [("Retry-After", str(retry_after))] if retry_after else []
            return Outcome("json", 429, headers=headers,
                           body={"error": "invalid_client_metadata", "error_description": description})

        if Clients.search_count([("kind", "=", "dcr")]) >= settings["oauth_dcr_max_clients"]:
            return too_many("this server accepts no more app registrations")
        now = self.env.cr.now()  # the clock of create_date
        [(count, oldest)] = Clients.with_context(active_test=False)._read_group(
            [("kind", "=", "dcr"), ("registered_ip", "=", ip), ("create_date", ">", now - DCR_WINDOW)],
            [], ["__count", "create_date:min"])
        if count >= settings["oauth_dcr_per_ip_per_hour"]:
            retry = max(1, math.ceil((oldest + DCR_WINDOW - now).total_seconds()))
            return too_many("too many app registrations from this address: try again later", retry)
        return None

    @api.model
    def _register_client(self, httprequest):
        """Dynamic client registration (RFC 7591) of the JSON body of
        ``httprequest`` (at most ``MAX_REGISTRATION_BODY`` bytes): 201 with the
        client's metadata (and its secret, once, for a confidential client), 400 ``invalid_redirect_uri`` /
        ``invalid_client_metadata``, or 429 over the registration bounds
        (``_registration_refusal``)."""
        settings = self.env["mcp.settings"]._get_settings()
        if not settings["oauth_dcr_enabled"]:
            return Outcome("json", 404, body={"error": "not_found"})

        def refuse(error, description):
            return Outcome("json", 400, body={"error": error, "error_description": description})

        length = httprequest.content_length
        if length is None or length > MAX_REGISTRATION_BODY:
            return refuse("invalid_client_metadata", "registration request too large (or without length)")
        try:
            metadata = json.loads(httprequest.get_data())
        except ValueError:
            return refuse("invalid_client_metadata", "the body must be a JSON object")
        if not isinstance(metadata, dict):
            return refuse("invalid_client_metadata", "the body must be a JSON object")
        uris = metadata.get("redirect_uris")
        if not isinstance(uris, list) or not uris or len(uris) > MAX_REDIRECT_URIS:
            return refuse("invalid_redirect_uri", f"redirect_uris must list 1 to {MAX_REDIRECT_URIS} URIs")
        for uri in uris:
            problem = redirect_uri_problem(uri, settings["oauth_redirect_hosts"])
            if problem:
                return refuse("invalid_redirect_uri", str(problem))
        method = metadata.get("token_endpoint_auth_method", "none")
        if method not in oauth.TOKEN_AUTH_METHODS:
            return refuse("invalid_client_metadata", "unsupported token_endpoint_auth_method")
        for name, allowed in (("grant_types", {"authorization_code", "refresh_token"}), ("response_types", {"code"})):
            value = metadata.get(name)
            if value is not None and (not isinstance(value, list) or not set(value) <= allowed):
                return refuse("invalid_client_metadata", f"unsupported {name}")
        texts = {}
        for name in ("client_name", "client_uri", "logo_uri"):
            value = metadata.get(name)
            if value is not None and (not isinstance(value, str) or len(value) > 512):
                return refuse("invalid_client_metadata", f"{name} must be a short string")
            if value and name != "client_name" and not value.startswith("https://"):
                return refuse("invalid_client_metadata", f"{name} must be an https URL")
            texts[name] = value or False
        ip = httprequest.remote_addr or ""
        refusal = self._registration_refusal(ip, settings)
        if refusal:
            return refusal
        client = self.env["mcp.oauth.client"].sudo().create({
            "name": texts["client_name"] or _("Unnamed app"),
            "kind": "dcr",
            "registered_ip": ip,
            "redirect_uris": "\n".join(uris),
            "client_uri": texts["client_uri"],
            "logo_uri": texts["logo_uri"],
            "auth_method": method,
        })
        body = {
            "client_id": client.client_id,
            "client_id_issued_at": int(fields.Datetime.now().timestamp()),
            "client_name": client.name,
            "redirect_uris": uris,
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": method,
            "scope": " ".join(oauth.SCOPES),
        }
        for name in ("client_uri", "logo_uri"):
            if texts[name]:
                body[name] = texts[name]
        if method != "none":
            body.update(client_secret=client._generate_secret(), client_secret_expires_at=0)
        return Outcome("json", 201, body=body)
