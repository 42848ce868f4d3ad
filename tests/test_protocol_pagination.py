"""Opaque pagination cursors (plain pytest)."""
import base64
import json

import pytest

from odoo.addons.mcp_bridge.protocol import pagination
from odoo.addons.mcp_bridge.protocol.errors import InvalidParams


def test_round_trip():
    for offset in (0, 1, 50, 10**9):
        assert pagination.decode_cursor(pagination.encode_cursor(offset)) == offset
    cursor = pagination.encode_cursor(20, scope="tools/list")
    assert pagination.decode_cursor(cursor, scope="tools/list") == 20


def test_cursor_is_opaque_url_safe_text():
    cursor = pagination.encode_cursor(100, scope="resources/list")
    assert isinstance(cursor, str)
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    assert "100" not in cursor and "=" not in cursor


@pytest.mark.parametrize("offset", [-1, 1.0, "1", None, True])
def test_encode_refuses_bad_offsets(offset):
    with pytest.raises(ValueError):
        pagination.encode_cursor(offset)


def _forged(payload, mac=b"x" * 12):
    def b64(raw):
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return "%s.%s" % (b64(json.dumps(payload).encode()), b64(mac))


@pytest.mark.parametrize("cursor", [
    "", "garbage", "a.b", "a.b.c", ".", "x" * 600, 5, None, [], {"o": 1},
    _forged({"o": 1, "s": ""}),
    pagination.encode_cursor(5)[:-2],
    pagination.encode_cursor(5) + "A",
    "é." + pagination.encode_cursor(5).split(".")[1],
])
def test_decode_garbage_is_invalid_params(cursor):
    with pytest.raises(InvalidParams) as info:
        pagination.decode_cursor(cursor)
    assert info.value.code == -32602
    assert info.value.to_error() == {"code": -32602, "message": "Invalid cursor"}


def test_cursor_of_another_list_or_secret_is_refused():
    cursor = pagination.encode_cursor(10, scope="tools/list")
    with pytest.raises(InvalidParams):
        pagination.decode_cursor(cursor, scope="prompts/list")
    with pytest.raises(InvalidParams):
        pagination.decode_cursor(pagination.encode_cursor(10, secret="a"), secret="b")
    assert pagination.decode_cursor(pagination.encode_cursor(10, secret="k"), secret="k") == 10


def test_paginate_walks_every_item_once():
    items = list(range(25))
    seen, cursor, pages = [], None, 0
    while True:
        page, cursor = pagination.paginate(items, cursor, 10, scope="tools/list")
        seen.extend(page)
        pages += 1
        if cursor is None:
            break
    assert seen == items and pages == 3


def test_paginate_edges():
    assert pagination.paginate([], None, 10) == ([], None)
    assert pagination.paginate([1, 2], None, 2) == ([1, 2], None)
    page, cursor = pagination.paginate([1, 2, 3], None, 2)
    assert page == [1, 2] and pagination.decode_cursor(cursor) == 2
    assert pagination.paginate([1], pagination.encode_cursor(5), 2) == ([], None)  # list shrank
    assert pagination.paginate((1, 2, 3), pagination.encode_cursor(1), 1)[0] == [2]
    with pytest.raises(InvalidParams):
        pagination.paginate([1, 2, 3], "bogus", 2)
    for size in (0, -1, 1.5, True):
        with pytest.raises(ValueError):
            pagination.paginate([1], None, size)
