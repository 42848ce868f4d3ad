"""Running agent-built queries so that a bad domain is an answer, not a crash."""
import contextlib

import psycopg2

from ..protocol.errors import ToolError


@contextlib.contextmanager
def agent_query(what="domain"):
    """Run an ORM query built from agent input.

    A ``ValueError`` from Odoo's domain parser or a PostgreSQL data error
    (a value of the wrong type for a column) becomes a ToolError saying
    what is wrong. ``UserError``, ``ValidationError`` and ``AccessError``
    pass through unchanged. No savepoint of its own: tools run inside the
    dispatcher's savepoint (``mcp.server._rpc_tools_call``), whose rollback
    leaves the transaction usable after a database error.
    """
    try:
        yield
    except ValueError as exc:
        raise ToolError("Invalid %s: %s" % (what, exc)) from None
    except psycopg2.DataError as exc:
        detail = (exc.pgerror or str(exc)).strip().splitlines()[0]
        raise ToolError("Invalid value in %s: %s" % (what, detail)) from None
