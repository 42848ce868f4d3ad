"""Odoo's HTTP request and response as oauthlib sees them, in one place.

``make_server(env, settings)`` is oauthlib's ``WebApplicationServer``
(authorization code + refresh token grants, revocation) on
:class:`~.oauth_validator.OdooRequestValidator`, with PKCE S256 only and
this server's token formats; ``oauthlib_request(httprequest, params)`` is
what its endpoints take, ``to_response`` what they give back as an Odoo
response. oauthlib's own logger is kept at INFO: at DEBUG it would log
request bodies, which carry codes and tokens.
"""
import logging
from urllib.parse import urlencode, urlsplit, urlunsplit

from oauthlib.oauth2 import WebApplicationServer
from oauthlib.oauth2.rfc6749.grant_types.authorization_code import (
    code_challenge_method_s256,
)
from werkzeug.wrappers import Response

from .oauth_validator import OdooRequestValidator

logging.getLogger("oauthlib").setLevel(logging.INFO)

#: headers of every page and answer of the authorization server
NO_STORE = [("Cache-Control", "no-store"), ("Pragma", "no-cache")]
#: headers of the pages a user sees (consent, errors): never in a frame
NOT_FRAMEABLE = [("X-Frame-Options", "DENY"), ("Content-Security-Policy", "frame-ancestors 'none'")]


def make_server(env, settings):
    """oauthlib's authorization server on the OAuth models of ``env``."""
    Tokens = env["mcp.oauth.token"]
    server = WebApplicationServer(
        OdooRequestValidator(env, settings),
        token_expires_in=settings["oauth_access_token_ttl"],
        token_generator=lambda request: Tokens._new_secret("access"),
        refresh_token_generator=lambda request: Tokens._new_secret("refresh"),
    )
    # PKCE with S256 only: "plain" (or no method, which defaults to plain) is refused
    server.auth_grant._code_challenge_methods = {"S256": code_challenge_method_s256}
    return server


def oauthlib_request(httprequest, params=None):
    """``(uri, http_method, body, headers)`` of an Odoo request for oauthlib;
    ``params``: the form parameters, when they are not the request's own
    (the consent form posts the authorization request back)."""
    headers = {name: value for name, value in httprequest.headers.items()
               if name.lower() in ("authorization", "content-type")}
    if params is not None:
        parts = urlsplit(httprequest.url)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(params), "")), "GET", None, headers
    # Odoo parsed the form already (the stream is read): encode it again
    body = urlencode(list(httprequest.form.items(multi=True))) if httprequest.method == "POST" else None
    return httprequest.url, httprequest.method, body, headers


def to_response(headers, body, status):
    """An Odoo (werkzeug) response of an oauthlib endpoint's answer."""
    response = Response(body or "", status=status)
    for name, value in list(headers.items()) + NO_STORE:
        response.headers[name] = value
    return response


def add_query(uri, params):
    """``uri`` with ``params`` added to its query (for redirects)."""
    parts = urlsplit(uri)
    extra = urlencode([(name, value) for name, value in params if value is not None])
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
