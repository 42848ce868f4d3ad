"""Opaque pagination cursors for the ``*/list`` methods.

A cursor is ``base64url(JSON payload) "." base64url(MAC)``: the payload
holds the offset and a scope (which list it belongs to); the MAC (HMAC-SHA256
truncated to 96 bits, keyed by ``secret``) lets garbage, truncation or a
cursor of another list be refused with -32602 Invalid params, as the spec's
pagination page says ("Invalid cursors SHOULD result in an error with code
-32602"). The cursor only carries a position in a list the caller may
already read, so the default fixed key is about integrity, not secrecy;
pass a per-database ``secret`` for authenticity.
"""
import base64
import binascii
import hashlib
import hmac
import json

from .errors import InvalidParams

DEFAULT_SECRET = b"mcp_bridge.pagination.v1"
MAX_CURSOR_LENGTH = 512
_MAC_BYTES = 12


def _b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(payload, secret):
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, payload, hashlib.sha256).digest()[:_MAC_BYTES]


def encode_cursor(offset, scope="", secret=DEFAULT_SECRET):
    """The opaque cursor for position ``offset`` (an int ≥ 0) of list ``scope``."""
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValueError("offset must be a non-negative integer")
    payload = json.dumps({"o": offset, "s": scope}, separators=(",", ":"), sort_keys=True).encode()
    return "%s.%s" % (_b64(payload), _b64(_mac(payload, secret)))


def decode_cursor(cursor, scope="", secret=DEFAULT_SECRET):
    """The offset inside ``cursor``; :class:`InvalidParams` for anything that is
    not a cursor made by :func:`encode_cursor` for the same ``scope``."""
    invalid = InvalidParams("Invalid cursor")
    if not isinstance(cursor, str) or not cursor or len(cursor) > MAX_CURSOR_LENGTH or cursor.count(".") != 1:
        raise invalid
    body, mac = cursor.split(".")
    try:
        payload, given = _unb64(body), _unb64(mac)
    except (binascii.Error, ValueError):
        raise invalid from None
    if not hmac.compare_digest(given, _mac(payload, secret)):
        raise invalid
    try:
        data = json.loads(payload)
    except ValueError:
        raise invalid from None
    offset = data.get("o") if isinstance(data, dict) else None
    if data.get("s") != scope or isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise invalid
    return offset


def paginate(items, cursor, page_size, scope="", secret=DEFAULT_SECRET):
    """Return ``(page, next_cursor)`` of the sequence ``items``.

    ``cursor`` is ``None`` for the first page; ``next_cursor`` is ``None`` on
    the last page. A valid cursor past the end (the list shrank) gives an
    empty last page.
    """
    if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
        raise ValueError("page_size must be a positive integer")
    offset = 0 if cursor is None else decode_cursor(cursor, scope, secret)
    end = offset + page_size
    page = list(items[offset:end])
    next_cursor = encode_cursor(end, scope, secret) if end < len(items) else None
    return page, next_cursor
