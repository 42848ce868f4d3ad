"""oauthlib's ``RequestValidator`` on the MCP server's OAuth models.

oauthlib runs the protocol (parameters, PKCE S256, code and refresh grants,
refresh rotation, revocation, error responses); this class answers its
questions from ``mcp.oauth.client`` / ``mcp.oauth.grant`` /
``mcp.oauth.token`` (sudo: the layer's own records, never agent data).
Codes and tokens are only ever handled as digests once stored (see
``mcp_oauth_token.py``).
"""
import base64
import binascii
from urllib.parse import unquote

from oauthlib.oauth2 import RequestValidator
from odoo import fields

from ..protocol import oauth


class OdooRequestValidator(RequestValidator):
    """Answers oauthlib from the database of ``env``."""

    def __init__(self, env, settings):
        self.env = env
        self.settings = settings
        self.Clients = env["mcp.oauth.client"].sudo()
        self.Tokens = env["mcp.oauth.token"].sudo()

    # -- clients -----------------------------------------------------------
    def _client(self, client_id, request):
        client = getattr(request, "mcp_client", None)
        if client is None or client.client_id != client_id:
            client = self.Clients._find(client_id)
            request.mcp_client = client
        return client

    def validate_client_id(self, client_id, request, *args, **kwargs):
        client = self._client(client_id, request)
        if client:
            request.client = client
        return bool(client)

    def client_authentication_required(self, request, *args, **kwargs):
        client_id = request.client_id or self._basic_credentials(request)[0]
        client = self._client(client_id, request) if client_id else None
        return bool(client) and client._is_confidential()

    @staticmethod
    def _basic_credentials(request):
        """``(client_id, secret)`` of an ``Authorization: Basic`` header."""
        header = (request.headers or {}).get("Authorization", "")
        scheme, _sep, value = header.partition(" ")
        if scheme.lower() != "basic":
            return None, None
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        client_id, sep, secret = decoded.partition(":")
        return (unquote(client_id), unquote(secret)) if sep else (None, None)

    def authenticate_client(self, request, *args, **kwargs):
        client_id, secret = self._basic_credentials(request)
        method = "client_secret_basic"
        if client_id is None:
            client_id, secret = request.client_id, getattr(request, "client_secret", None)
            method = "client_secret_post"
        client = self._client(client_id, request) if client_id else None
        if not client or client.auth_method != method or not client._check_secret(secret):
            return False
        request.client = client
        request.client_id = client.client_id
        return True

    def authenticate_client_id(self, client_id, request, *args, **kwargs):
        client = self._client(client_id, request)
        if not client or client._is_confidential():
            return False
        request.client = client
        return True

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        client = self._client(client_id, request)
        return bool(client) and client._redirect_uri_allowed(redirect_uri)

    def get_default_redirect_uri(self, client_id, request, *args, **kwargs):
        return None  # redirect_uri is required (OAuth 2.1)

    def validate_response_type(self, client_id, response_type, client, request, *args, **kwargs):
        return response_type == "code"

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        return grant_type in ("authorization_code", "refresh_token")

    # -- scopes ------------------------------------------------------------
    def get_default_scopes(self, client_id, request, *args, **kwargs):
        return list(oauth.SCOPES)

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        return all(scope in oauth.SCOPES for scope in scopes)

    def get_original_scopes(self, refresh_token, request, *args, **kwargs):
        return request.mcp_grant._scopes()

    def is_within_original_scope(self, request_scopes, refresh_token, request, *args, **kwargs):
        return set(request_scopes) <= set(request.mcp_grant._scopes())

    # -- PKCE --------------------------------------------------------------
    def is_pkce_required(self, client_id, request):
        return True

    def get_code_challenge(self, code, request):
        row = getattr(request, "mcp_code", None)
        return row.code_challenge if row else None

    def get_code_challenge_method(self, code, request):
        return "S256"

    # -- codes -------------------------------------------------------------
    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        grant = request.mcp_grant
        self.Tokens._issue("code", code["code"], grant, self.settings["oauth_code_ttl"],
                           redirect_uri=request.redirect_uri, code_challenge=request.code_challenge,
                           scope=" ".join(request.scopes or ()), resource=grant.resource)

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        row = self.Tokens._lookup("code", code)
        if not row or row.grant_id.client_id != client:
            return False
        if row.used_at:  # replayed: revoke what the code gave (RFC 6749 §4.1.2)
            row.grant_id.action_revoke()
            return False
        if not row._is_live():
            return False
        resource = request._params.get("resource")
        if resource is not None and resource.rstrip("/") != (row.resource or "").rstrip("/"):
            return False
        request.mcp_code = row
        request.mcp_grant = row.grant_id
        request.user = row.grant_id.user_id
        request.scopes = (row.scope or "").split()
        return True

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, request, *args, **kwargs):
        row = getattr(request, "mcp_code", None)
        return bool(row) and redirect_uri == row.redirect_uri

    def invalidate_authorization_code(self, client_id, code, request, *args, **kwargs):
        now = self._now()
        request.mcp_code.write({"used_at": now})
        if not request.mcp_grant.exchanged_at:  # the grant is in use (never vacuumed as unused)
            request.mcp_grant.write({"exchanged_at": now})

    # -- tokens ------------------------------------------------------------
    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        row = self.Tokens._lookup("refresh", refresh_token)
        if not row or row.grant_id.client_id != client:
            return False
        if row.used_at:  # a rotated-away refresh token again: stolen, revoke the grant (RFC 9700 §4.14.2)
            row.grant_id.action_revoke()
            return False
        if not row._is_live():
            return False
        resource = request._params.get("resource")  # RFC 8707 §2.2: a refresh may only keep its audience
        if resource is not None and oauth.normalize_resource(resource) != oauth.normalize_resource(row.resource):
            return False
        request.mcp_refresh = row
        request.mcp_grant = row.grant_id
        request.user = row.grant_id.user_id
        return True

    def rotate_refresh_token(self, request):
        return True

    def save_bearer_token(self, token, request, *args, **kwargs):
        grant = request.mcp_grant
        refresh = getattr(request, "mcp_refresh", None)
        if refresh:
            refresh.write({"used_at": self._now()})
        scope = " ".join(request.scopes or grant._scopes())
        self.Tokens._issue("access", token["access_token"], grant, self.settings["oauth_access_token_ttl"],
                           scope=scope, resource=grant.resource)
        if token.get("refresh_token"):
            self.Tokens._issue("refresh", token["refresh_token"], grant, self.settings["oauth_refresh_token_ttl"],
                               scope=scope, resource=grant.resource)

    def revoke_token(self, token, token_type_hint, request, *args, **kwargs):
        kinds = ("refresh", "access") if token_type_hint == "refresh_token" else ("access", "refresh")
        for kind in kinds:
            row = self.Tokens._lookup(kind, token)
            if row and row.grant_id.client_id == request.client:
                if kind == "refresh":  # the grant's tokens go with it (RFC 7009 §2.1)
                    row.grant_id.action_revoke()
                elif not row.revoked_at:
                    row.write({"revoked_at": self._now()})
                return

    @staticmethod
    def _now():
        return fields.Datetime.now()
