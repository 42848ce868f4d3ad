"""Running agent-built queries so that a bad domain is an answer, not a crash."""
import contextlib

import psycopg2

from ..protocol.errors import InvalidQuery


@contextlib.contextmanager
def agent_query(what="domain"):
    """Run an ORM query built from agent input.

    A ``ValueError`` from Odoo's domain parser or a PostgreSQL data error
    (a value of the wrong type for a column) becomes ``InvalidQuery`` naming
    ``what`` was wrong (a ``ToolError``: the error map answers it as an
    ``isError`` result). ``UserError``, ``ValidationError`` and
    ``AccessError`` pass through unchanged. No savepoint of its own: tools
    run inside the dispatcher's savepoint (``mcp.server._rpc_tools_call``),
    whose rollback leaves the transaction usable after a database error.
    """
    try:
        yield
    except (ValueError, psycopg2.DataError) as exc:
        raise InvalidQuery(what, exc) from None
