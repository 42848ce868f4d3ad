"""Pure-Python MCP / JSON-RPC building blocks (no ORM, no Odoo imports).

Everything under this package can be imported and unit-tested without a
database: framing, error codes, protocol revisions and version negotiation,
capabilities, the 2026-07-28 stateless envelope, SSE framing, pagination
cursors and tool results.
"""
from . import revisions  # noqa: F401
from . import (  # noqa: F401
    capabilities,
    errors,
    jsonrpc,
    pagination,
    sse,
    stateless,
    tool_result,
)
