"""What this server announces: capabilities, identity, initialize/discover results.

Only fields the revision's schema defines are sent (``completions`` from
2025-03-26, ``title`` from 2025-06-18, ``logging`` not in 2026-07-28 where it
is deprecated and ``logging/setLevel`` is gone).
"""
import ast
import os

from . import revisions

SERVER_NAME = "odoo-mcp-bridge"
SERVER_TITLE = "Odoo MCP Server"
#: Client-side caching hint of ``server/discover`` (2026-07-28 ``CacheableResult``).
DISCOVER_TTL_MS = 300000
META_SERVER_INFO = "io.modelcontextprotocol/serverInfo"


def _module_version():
    """The addon's version from ``__manifest__.py`` (read, not imported)."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "__manifest__.py")
    try:
        with open(path, encoding="utf-8") as manifest:
            return str(ast.literal_eval(manifest.read()).get("version", "0"))
    except (OSError, ValueError, SyntaxError):
        return "0"


SERVER_VERSION = _module_version()


def server_capabilities(revision, logging=None):
    """``ServerCapabilities`` for ``revision``.

    tools/prompts/resources without list-change notifications, resource
    subscriptions where ``resources/subscribe`` exists; ``completions`` where defined (2025-03-26+); ``logging``
    (``logging/setLevel``) for the handshake revisions unless ``logging`` is
    given explicitly.
    """
    caps = {
        "tools": {"listChanged": False},
        # resources/subscribe in the handshake revisions (2026-07-28 moved
        # subscriptions to subscriptions/listen, not served yet)
        "resources": {"subscribe": revisions.supports_resource_subscribe(revision), "listChanged": False},
        "prompts": {"listChanged": False},
    }
    if logging is None:
        logging = revisions.supports_set_level(revision)
    if logging:
        caps["logging"] = {}
    if revisions.supports_completions_capability(revision):
        caps["completions"] = {}
    return caps


def server_info(revision=revisions.LATEST):
    """``Implementation`` of this server: name, version, and ``title`` where
    the revision has it."""
    info = {"name": SERVER_NAME, "version": SERVER_VERSION}
    if revisions.supports_title(revision):
        info["title"] = SERVER_TITLE
    return info


def initialize_result(revision, instructions=None):
    """The ``initialize`` result for a negotiated (handshake) ``revision``."""
    result = {
        "protocolVersion": revision,
        "capabilities": server_capabilities(revision),
        "serverInfo": server_info(revision),
    }
    if instructions:
        result["instructions"] = instructions
    return result


def discover_result(instructions=None, ttl_ms=DISCOVER_TTL_MS, cache_scope="public"):
    """The ``server/discover`` result (2026-07-28 ``DiscoverResult``).

    ``supportedVersions`` lists every revision we serve, newest first (a
    dual-era server: the 2.x Python SDK falls back to ``initialize`` when it
    finds no modern version there). ``resultType``, ``ttlMs`` and
    ``cacheScope`` are required; ``serverInfo`` goes in ``_meta``. The result
    does not depend on the caller, hence ``cacheScope: "public"``.
    """
    result = {
        "resultType": "complete",
        "supportedVersions": revisions.supported_versions(),
        "capabilities": server_capabilities(revisions.LATEST),
        "_meta": {META_SERVER_INFO: server_info(revisions.LATEST)},
        "ttlMs": ttl_ms,
        "cacheScope": cache_scope,
    }
    if instructions:
        result["instructions"] = instructions
    return result
