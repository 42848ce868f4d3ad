"""Attack suite: API tokens never reach the database nor the server logs.

Runs last of the attack files (alphabetical order): by then every attack
has used the tokens, good and bad. Each token is sent once more here, also
as a *value* of tool arguments (an agent pasting its key), then the whole
database is dumped (``pg_dump --data-only``), the text columns of the
``mcp_*`` tables and ``ir_logging`` are read, and the logs of the shared
servers are read: neither a token nor its secret part may appear.
"""
import pytest

from .attack_helpers import client, dump_database_text, e2e_db, post_initialize, sql, tool_raw

#: keys whose tokens authenticate (the others are refused on purpose)
GOOD = ("attack_secrets", "admin_read", "employee_write", "company_b")


def _secret(token):
    """The part of a token after ``mcp_`` and the 8-char lookup index."""
    return token[len("mcp_") + 8:]


def _text_columns_of_mcp_tables(db):
    rows = sql(db, """
        SELECT table_name, column_name FROM information_schema.columns
         WHERE table_schema = 'public' AND (table_name LIKE 'mcp%%' OR table_name = 'ir_logging')
           AND data_type IN ('character varying', 'text', 'jsonb', 'json')""")
    values = []
    for table, column in rows:
        values += [str(v[0]) for v in sql(db, f'SELECT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL')]
    return values


@pytest.fixture(scope="module")
def used_tokens(threaded_server, prefork_server, e2e_keys):
    """Every token sent to both servers (bad ones from another loopback
    address), the good ones also inside tool arguments."""
    tokens = e2e_keys["tokens"]
    for index, server in enumerate((threaded_server, prefork_server)):
        for name, token in tokens.items():
            if name in GOOD:
                mcp = client(server, token)
                tool_raw(mcp, "name_search", {"model": "res.partner", "name": token})
                tool_raw(mcp, "search_read", {"model": "res.partner", "domain": [["comment", "=", token]],
                                              "fields": ["name"]})
                tool_raw(mcp, "create", {"model": "res.partner", "values": {"name": "E2E token holder",
                                                                            "comment": "x"}})
            else:
                post_initialize(server, token, "127.0.0.%d" % (100 + index))
    return tokens


def test_tokens_nowhere_in_the_database(used_tokens):
    """No token (nor its secret part) in any table of the e2e database."""
    dump = dump_database_text(e2e_db())
    columns = "\n".join(_text_columns_of_mcp_tables(e2e_db()))
    assert "mcp_api_key" in dump  # the dump is real
    for name, token in used_tokens.items():
        for needle in (token, _secret(token)):
            assert needle not in dump, f"token {name} found in the database"
            assert needle not in columns, f"token {name} found in an mcp_*/ir_logging column"


def test_tokens_not_in_server_logs(used_tokens, threaded_server, prefork_server):
    """No token in the logs of the shared threaded and prefork servers."""
    logs = threaded_server.log_text() + prefork_server.log_text()
    for name, token in used_tokens.items():
        assert _secret(token) not in logs, f"token {name} found in a server log"
