"""OAuth 2.1 facts of the MCP server that need no database: scopes, the
URLs of its endpoints, the discovery documents (RFC 9728, RFC 8414) and the
``WWW-Authenticate`` challenges of /mcp (RFC 6750, RFC 9728 §5.1).

Every URL derives from one base URL (``web.base.url``, no trailing slash):
the canonical MCP URL (the ``resource``) is ``<base>/mcp``, the issuer is
``<base>``.
"""

SCOPE_READ = "mcp:read"
SCOPE_WRITE = "mcp:write"
SCOPES = (SCOPE_READ, SCOPE_WRITE)
#: the grant's scope (``mcp.api.key.scope`` of its backing key) → OAuth scopes
SCOPES_OF = {"read": (SCOPE_READ,), "write": (SCOPE_READ, SCOPE_WRITE)}

#: Prefixes of the tokens this server issues (access, refresh); codes are opaque.
ACCESS_TOKEN_PREFIX = "mcpat_"
REFRESH_TOKEN_PREFIX = "mcprt_"

PROTECTED_RESOURCE_PATH = "/.well-known/oauth-protected-resource"
AUTHORIZATION_SERVER_PATH = "/.well-known/oauth-authorization-server"
OPENID_CONFIGURATION_PATH = "/.well-known/openid-configuration"
AUTHORIZE_PATH = "/oauth/authorize"
TOKEN_PATH = "/oauth/token"
REVOKE_PATH = "/oauth/revoke"
REGISTER_PATH = "/oauth/register"
MCP_PATH = "/mcp"

TOKEN_AUTH_METHODS = ("none", "client_secret_basic", "client_secret_post")


def grant_scope(scopes):
    """The grant scope (``read``/``write``) of a list of OAuth scopes."""
    return "write" if SCOPE_WRITE in (scopes or ()) else "read"


def resource_url(base_url):
    """The canonical URL of the MCP endpoint (RFC 8707 ``resource``)."""
    return base_url.rstrip("/") + MCP_PATH


def resource_metadata_url(base_url):
    """Where the protected resource metadata of /mcp is (RFC 9728 §3.1)."""
    return base_url.rstrip("/") + PROTECTED_RESOURCE_PATH + MCP_PATH


def normalize_resource(url):
    """``url`` as resources compare: scheme and host lower-cased, no
    trailing slash (None for anything but a non-empty string)."""
    if not isinstance(url, str) or not url:
        return None
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url.rstrip("/")
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}".rstrip("/")


def accepted_resources(base_url, request_root=None):
    """The ``resource`` values an access token may carry at /mcp
    (RFC 8707 audience, MCP authorization "token audience binding"): the
    canonical MCP URL of ``base_url`` (``web.base.url``) and, when given,
    the MCP URL of ``request_root`` — the scheme and host the request came
    to, as Odoo reads them (``X-Forwarded-Host`` / ``-Proto`` only with
    ``proxy_mode``). The second keeps the tokens of a server working while
    ``web.base.url`` moves (an administrator logging in from another host,
    unless ``web.base.url.freeze``); a token minted for any other resource
    is refused."""
    urls = [base_url] + ([request_root] if request_root else [])
    return frozenset(normalize_resource(resource_url(url)) for url in urls if url)


def same_resource(value, base_url):
    """Whether a client's ``resource`` parameter names this MCP endpoint
    (a trailing slash aside)."""
    return isinstance(value, str) and value.rstrip("/") == resource_url(base_url)


def protected_resource_metadata(base_url):
    """The RFC 9728 document of /mcp."""
    base = base_url.rstrip("/")
    return {
        "resource": resource_url(base),
        "authorization_servers": [base],
        "scopes_supported": list(SCOPES),
        "bearer_methods_supported": ["header"],
        "resource_name": "Odoo MCP Server",
    }


def authorization_server_metadata(base_url, registration=True):
    """The RFC 8414 document of this authorization server (``registration``:
    whether dynamic client registration is on)."""
    base = base_url.rstrip("/")
    metadata = {
        "issuer": base,
        "authorization_endpoint": base + AUTHORIZE_PATH,
        "token_endpoint": base + TOKEN_PATH,
        "revocation_endpoint": base + REVOKE_PATH,
        "scopes_supported": list(SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": list(TOKEN_AUTH_METHODS),
        "revocation_endpoint_auth_methods_supported": list(TOKEN_AUTH_METHODS),
        "client_id_metadata_document_supported": True,
        "authorization_response_iss_parameter_supported": True,
    }
    if registration:
        metadata["registration_endpoint"] = base + REGISTER_PATH
    return metadata


def _quoted(value):
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def www_authenticate(base_url, error="invalid_token", scope=None, description=None):
    """A ``WWW-Authenticate: Bearer`` challenge of /mcp pointing at its
    resource metadata; ``scope``: the scopes the request needs."""
    params = [("realm", "mcp")]
    if error:
        params.append(("error", error))
    if description:
        params.append(("error_description", description))
    params.append(("resource_metadata", resource_metadata_url(base_url)))
    params.append(("scope", scope or " ".join(SCOPES)))
    return "Bearer " + ", ".join(f"{name}={_quoted(value)}" for name, value in params)
