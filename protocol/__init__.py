"""Pure-Python MCP / JSON-RPC building blocks (no ORM, no Odoo imports).

Everything under this package can be imported and unit-tested without a
database: framing, error codes, protocol revisions and version negotiation.
"""
from . import revisions  # noqa: F401
