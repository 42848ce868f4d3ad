"""MCP protocol revisions this server speaks, oldest first, and what differs.

Facts below come from the specification of each revision (``basic/``,
``changelog``, ``schema.ts`` of 2024-11-05 ... 2026-07-28):

* 2024-11-05: HTTP+SSE transport (``/mcp/sse`` + ``/mcp/messages``), no batch
  (its schema's ``JSONRPCMessage`` has no array form; batching was *added*
  in 2025-03-26), no tool annotations, no ``completions`` capability.
* 2025-03-26: Streamable HTTP, ``Mcp-Session-Id``, JSON-RPC batches (servers
  MUST accept them), tool annotations, ``completions`` capability.
* 2025-06-18: batching removed; ``structuredContent``/``outputSchema``;
  ``title``; ``MCP-Protocol-Version`` header required on requests after
  initialize (missing ⇒ assume 2025-03-26, unsupported ⇒ HTTP 400).
* 2025-11-25: icons, ``description``/``websiteUrl`` on Implementation, SSE
  priming event, 403 for a bad Origin.
* 2026-07-28: stateless. No ``initialize``/``notifications/initialized``,
  no sessions, no GET stream, no ``ping``/``logging/setLevel``,
  ``server/discover``; every request carries ``_meta`` with the protocol
  version and client capabilities plus ``MCP-Protocol-Version``,
  ``Mcp-Method`` (and ``Mcp-Name``) headers; every result has ``resultType``;
  list/read results carry ``ttlMs``/``cacheScope``; resource-not-found is
  -32602. See :mod:`.stateless`.
"""

from .errors import UnsupportedProtocolVersion

REVISIONS = (
    "2024-11-05",
    "2025-03-26",
    "2025-06-18",
    "2025-11-25",
    "2026-07-28",
)
LATEST = REVISIONS[-1]

#: Revisions that start with an ``initialize`` handshake ("legacy" era).
HANDSHAKE_REVISIONS = REVISIONS[:4]
#: Revisions carried per request in ``_meta`` ("modern" era, stateless).
STATELESS_REVISIONS = ("2026-07-28",)
#: Newest revision that ``initialize`` can negotiate.
LATEST_HANDSHAKE = HANDSHAKE_REVISIONS[-1]
#: What a request without ``MCP-Protocol-Version`` (and no session) speaks.
DEFAULT_HEADER_REVISION = "2025-03-26"

_LEGACY_METHODS = frozenset({
    "initialize", "ping",
    "tools/list", "tools/call",
    "resources/list", "resources/templates/list", "resources/read",
    "resources/subscribe", "resources/unsubscribe",
    "prompts/list", "prompts/get",
    "completion/complete", "logging/setLevel",
})
_STATELESS_METHODS = frozenset({
    "server/discover",
    "tools/list", "tools/call",
    "resources/list", "resources/templates/list", "resources/read",
    "prompts/list", "prompts/get",
    "completion/complete", "subscriptions/listen",
})


def at_least(revision, base):
    """True when ``revision`` is ``base`` or newer; False for unknown ones."""
    if revision not in REVISIONS:
        return False
    return REVISIONS.index(revision) >= REVISIONS.index(base)


def negotiate(client_version):
    """The revision to answer an ``initialize`` request with.

    The spec (lifecycle, "Version Negotiation"): answer the client's version
    when supported, else another one we support, preferably our latest.
    ``initialize`` only exists in the handshake revisions, so an unknown
    version — and 2026-07-28 itself, which has no ``initialize`` (a dual-era
    server serves an ``initialize`` with legacy semantics, versioning.mdx) —
    gets :data:`LATEST_HANDSHAKE`, never the stateless :data:`LATEST`.
    """
    if isinstance(client_version, str) and client_version in HANDSHAKE_REVISIONS:
        return client_version
    return LATEST_HANDSHAKE


def check_header(header_value, session_revision=None):
    """Revision of a Streamable HTTP request from its ``MCP-Protocol-Version``.

    * missing/empty: the session's negotiated revision when there is one,
      else :data:`DEFAULT_HEADER_REVISION` (2025-03-26), as the 2025-06-18+
      transports say;
    * not one of :data:`REVISIONS`: :class:`UnsupportedProtocolVersion`
      (HTTP 400, "MUST respond with 400 Bad Request");
    * differing from ``session_revision``: the same error (the client MUST
      send the negotiated version), ``data.supported`` = the session's one.

    Returns the revision string.
    """
    value = header_value.strip() if isinstance(header_value, str) else None
    if not value:
        return session_revision or DEFAULT_HEADER_REVISION
    if value not in REVISIONS:
        raise UnsupportedProtocolVersion(
            value, supported_versions(),
            message="Unsupported MCP-Protocol-Version header: %s" % _printable(value))
    if session_revision and value != session_revision:
        raise UnsupportedProtocolVersion(
            value, [session_revision],
            message="MCP-Protocol-Version %s does not match the session's negotiated version %s"
            % (value, session_revision))
    return value


def supported_versions():
    """All revisions, newest first (``server/discover`` and -32022 errors)."""
    return list(reversed(REVISIONS))


def client_methods(revision):
    """Client→server request methods the revision defines (a frozenset)."""
    return _STATELESS_METHODS if is_stateless(revision) else _LEGACY_METHODS


def _printable(value, limit=40):
    text = "".join(ch if 0x20 <= ord(ch) < 0x7F else "?" for ch in value)
    return text[:limit] + ("..." if len(text) > limit else "")


# -- what the server does differently per revision --------------------------

def supports_batch(revision):
    """JSON-RPC batches: only 2025-03-26 (added there, removed in 2025-06-18)."""
    return revision == "2025-03-26"


def supports_tool_annotations(revision):
    """``annotations`` (readOnlyHint...) on tools: 2025-03-26+."""
    return at_least(revision, "2025-03-26")


def supports_completions_capability(revision):
    """The ``completions`` server capability: 2025-03-26+."""
    return at_least(revision, "2025-03-26")


def supports_structured_content(revision):
    """``structuredContent`` in results and ``outputSchema`` on tools: 2025-06-18+."""
    return at_least(revision, "2025-06-18")


def supports_title(revision):
    """``title`` on tools, prompts, resources and Implementation: 2025-06-18+."""
    return at_least(revision, "2025-06-18")


def is_stateless(revision):
    """Per-request ``_meta``, no initialize, no sessions: 2026-07-28."""
    return revision in STATELESS_REVISIONS


def supports_set_level(revision):
    """``logging/setLevel`` exists in the handshake revisions only (2026-07-28
    sets the level per request with ``_meta['io.modelcontextprotocol/logLevel']``)."""
    return not is_stateless(revision)


def supports_resource_subscribe(revision):
    """``resources/subscribe`` / ``unsubscribe``: the handshake revisions
    (2026-07-28 replaced them with ``subscriptions/listen``)."""
    return not is_stateless(revision)


def resource_not_found_code(revision):
    """-32002 up to 2025-11-25; -32602 (Invalid params) from 2026-07-28."""
    return -32602 if is_stateless(revision) else -32002
