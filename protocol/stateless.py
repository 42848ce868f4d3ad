"""2026-07-28 (stateless) request envelope: per-request ``_meta`` and the
``MCP-Protocol-Version`` / ``Mcp-Method`` / ``Mcp-Name`` headers.

Spec (2026-07-28 ``basic/index`` "Per-request protocol fields",
``transports/streamable-http`` "Request Metadata" / "Server Validation"):

* every request's ``params._meta`` carries
  ``io.modelcontextprotocol/protocolVersion`` and
  ``io.modelcontextprotocol/clientCapabilities`` (required: else -32602 and
  HTTP 400), optionally ``clientInfo`` and ``logLevel``;
* on HTTP the headers must mirror the body: ``MCP-Protocol-Version`` = the
  ``_meta`` version, ``Mcp-Method`` = ``method`` (all requests), ``Mcp-Name``
  = ``params.name`` (``tools/call``, ``prompts/get``) or ``params.uri``
  (``resources/read``), possibly ``=?base64?…?=``-encoded; missing or
  different ⇒ -32020 HeaderMismatch, HTTP 400;
* an unsupported version ⇒ -32022 with ``data.supported``/``requested``,
  HTTP 400; an unknown method ⇒ -32601 with HTTP 404;
* every result carries ``resultType`` and SHOULD carry
  ``_meta['io.modelcontextprotocol/serverInfo']``.

The checks run in the order of the reference SDK (mcp 2.x
``mcp.shared.inbound``): envelope, then headers, then version support.
"""
import base64
import binascii
import re

from .capabilities import META_SERVER_INFO, server_info
from .errors import HeaderMismatch, InvalidParams, MethodNotFound, UnsupportedProtocolVersion
from .revisions import STATELESS_REVISIONS, is_stateless, supported_versions

META_PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion"
META_CLIENT_INFO = "io.modelcontextprotocol/clientInfo"
META_CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities"
META_LOG_LEVEL = "io.modelcontextprotocol/logLevel"

HEADER_PROTOCOL_VERSION = "MCP-Protocol-Version"
HEADER_METHOD = "Mcp-Method"
HEADER_NAME = "Mcp-Name"
#: Method → the ``params`` member mirrored in ``Mcp-Name``.
NAME_BEARING_METHODS = {"tools/call": "name", "prompts/get": "name", "resources/read": "uri"}

_B64_SENTINEL = re.compile(r"^=\?base64\?(?P<payload>.*)\?=$", re.S)


def is_modern_request(message):
    """True when a request carries the per-request protocol version in
    ``params._meta`` (a dual-era server serves it statelessly)."""
    params = message.get("params") if isinstance(message, dict) else None
    meta = params.get("_meta") if isinstance(params, dict) else None
    return isinstance(meta, dict) and META_PROTOCOL_VERSION in meta


def decode_header_value(value):
    """Decode a ``=?base64?…?=`` header value (UTF-8); plain values pass
    through; a malformed sentinel gives ``None`` (never matches a body)."""
    if value is None:
        return None
    match = _B64_SENTINEL.match(value)
    if not match:
        return value
    payload = match.group("payload")
    try:
        decoded = base64.b64decode(payload, validate=True)
        if base64.b64encode(decoded).decode("ascii") != payload:
            return None
        return decoded.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


def request_meta(message):
    """The per-request protocol fields of a 2026-07-28 request, as a dict
    ``{"protocol_version", "client_capabilities", "client_info", "log_level"}``.

    Raises :class:`InvalidParams` (HTTP 400) when ``_meta`` or a required
    field is missing, or the version is not a string.
    """
    params = message.get("params")
    meta = params.get("_meta") if isinstance(params, dict) else None
    if not isinstance(meta, dict):
        raise InvalidParams("params._meta must be an object carrying %s and %s"
                            % (META_PROTOCOL_VERSION, META_CLIENT_CAPABILITIES), http_status=400)
    missing = [key for key in (META_PROTOCOL_VERSION, META_CLIENT_CAPABILITIES) if key not in meta]
    if missing:
        raise InvalidParams("params._meta is missing required field(s): %s" % ", ".join(missing),
                            http_status=400)
    if not isinstance(meta[META_PROTOCOL_VERSION], str):
        raise InvalidParams("%s must be a string" % META_PROTOCOL_VERSION, http_status=400)
    if not isinstance(meta[META_CLIENT_CAPABILITIES], dict):
        raise InvalidParams("%s must be an object" % META_CLIENT_CAPABILITIES, http_status=400)
    return {
        "protocol_version": meta[META_PROTOCOL_VERSION],
        "client_capabilities": meta[META_CLIENT_CAPABILITIES],
        "client_info": meta.get(META_CLIENT_INFO),
        "log_level": meta.get(META_LOG_LEVEL),
    }


def _header(headers, name):
    """Case-insensitive lookup in a mapping or a list of ``(name, value)``."""
    items = headers.items() if hasattr(headers, "items") else headers
    wanted = name.lower()
    for key, value in items:
        if key.lower() == wanted:
            return value
    return None


def check_headers(message, headers):
    """Raise :class:`HeaderMismatch` unless the HTTP headers mirror the body
    (``MCP-Protocol-Version``, ``Mcp-Method``, ``Mcp-Name``). ``headers`` is a
    mapping or a list of pairs; names are compared case-insensitively,
    values exactly (``Mcp-Name`` after base64 decoding)."""
    meta = request_meta(message)
    if _header(headers, HEADER_PROTOCOL_VERSION) != meta["protocol_version"]:
        raise HeaderMismatch("Header mismatch: %s header does not match _meta %s"
                             % (HEADER_PROTOCOL_VERSION, META_PROTOCOL_VERSION))
    method = message.get("method")
    if _header(headers, HEADER_METHOD) != method:
        raise HeaderMismatch("Header mismatch: %s header does not match the body's method" % HEADER_METHOD)
    name_key = NAME_BEARING_METHODS.get(method)
    if name_key:
        body_value = message["params"].get(name_key)
        if body_value is not None and decode_header_value(_header(headers, HEADER_NAME)) != body_value:
            raise HeaderMismatch("Header mismatch: %s header does not match params.%s" % (HEADER_NAME, name_key))


def validate_request(message, headers=None):
    """Validate a 2026-07-28 request: envelope, headers (when ``headers`` is
    given, i.e. on HTTP), then version support. Returns :func:`request_meta`.

    Raises :class:`InvalidParams`, :class:`HeaderMismatch` or
    :class:`UnsupportedProtocolVersion` (all HTTP 400).
    """
    meta = request_meta(message)
    if headers is not None:
        check_headers(message, headers)
    if meta["protocol_version"] not in STATELESS_REVISIONS:
        raise UnsupportedProtocolVersion(meta["protocol_version"], supported_versions())
    return meta


def method_not_found(method, revision):
    """:class:`MethodNotFound` for ``method``; HTTP 404 in 2026-07-28 (so a
    dual-era client can tell it from a missing endpoint), 200 before."""
    error = MethodNotFound("Method not found: %s" % method)
    if is_stateless(revision):
        error.http_status = 404
    return error


#: 2026-07-28 methods whose results are ``CacheableResult`` (``ttlMs`` and
#: ``cacheScope`` required).
CACHEABLE_METHODS = frozenset({"server/discover", "tools/list", "resources/list", "resources/templates/list",
                               "resources/read", "prompts/list"})


def finalize_result(result, revision, method=None):
    """Add what a 2026-07-28 result needs (``resultType: "complete"`` unless
    set, ``_meta.serverInfo``, and for a :data:`CACHEABLE_METHODS` ``method``
    ``ttlMs: 0`` / ``cacheScope: "private"`` unless set: what a key sees
    depends on its user and may change at any time); other revisions'
    results are left alone. An ``input_required`` result keeps its
    ``resultType`` and gets no ``ttlMs``/``cacheScope`` (not a
    ``CacheableResult`` in the schema). Returns ``result`` (modified in place)."""
    if is_stateless(revision):
        result.setdefault("resultType", "complete")
        if method in CACHEABLE_METHODS and result["resultType"] == "complete":
            result.setdefault("ttlMs", 0)
            result.setdefault("cacheScope", "private")
        meta = result.setdefault("_meta", {})
        if isinstance(meta, dict):
            meta.setdefault(META_SERVER_INFO, server_info(revision))
    return result
