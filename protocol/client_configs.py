# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Ready-to-paste MCP client configurations: the one source of every snippet.

Pure Python (no ORM, no Odoo import): the *Connect* wizard, ``make run``
(scripts/print_connect.py, which loads this file without Odoo) and the
README's *Connect a client* section all show what :func:`client_configs`
builds from a URL, a token and a server name.

Each snippet follows its client's documented format:

- Claude Code: ``claude mcp add --transport http <name> <url> --header …``;
  without the header it signs in with OAuth (``/mcp`` in Claude Code opens
  Odoo's login and consent page);
- Claude Desktop: ``claude_desktop_config.json`` starts local (stdio) servers
  only, so ``mcp-remote`` bridges to the HTTP endpoint; the header travels
  as ``Authorization:${AUTH_HEADER}`` with the value in ``env`` (as
  mcp-remote's README advises: some platforms split arguments on spaces);
- Cursor: ``.cursor/mcp.json`` with ``url`` + ``headers``; ``url`` alone
  signs in with OAuth;
- VS Code: ``.vscode/mcp.json`` with ``servers`` and ``type: "http"``;
- MCP Inspector CLI and curl: shell commands;
- remote connectors (claude.ai, Claude Desktop's connectors, ChatGPT): the
  URL to paste and what the user sees (Odoo login, consent page, *Allow*).
"""
import json
import shlex
from urllib.parse import urlsplit

#: shown in the configurations when no token is known
TOKEN_PLACEHOLDER = "<YOUR_MCP_KEY>"
#: protocol revision of the curl ``initialize`` example
CURL_REVISION = "2025-06-18"
#: hosts mcp-remote reaches over plain HTTP without ``--allow-http``
_MCP_REMOTE_HTTP_HOSTS = ("localhost", "127.0.0.1")

#: ``(client, title, where it goes, format)`` in the order clients are shown;
#: format is ``shell``, ``json`` or ``text``.
CLIENTS = (
    ("claude_code", "Claude Code", "run in a terminal", "shell"),
    ("claude_code_oauth", "Claude Code with OAuth",
     "run in a terminal, then /mcp in Claude Code to sign in to Odoo (no key)", "shell"),
    ("claude_desktop", "Claude Desktop",
     "Settings → Developer → Edit Config opens claude_desktop_config.json; mcp-remote needs Node.js", "json"),
    ("cursor", "Cursor", "~/.cursor/mcp.json, or .cursor/mcp.json in a project", "json"),
    ("cursor_oauth", "Cursor with OAuth", "the same file without a key: Cursor opens Odoo's login", "json"),
    ("vscode", "VS Code", ".vscode/mcp.json in the workspace", "json"),
    ("remote", "claude.ai / Claude Desktop connectors / ChatGPT", "paste the URL, sign in with OAuth", "text"),
    ("inspector", "MCP Inspector", "lists the tools; Node.js 22 or newer", "shell"),
    ("curl", "curl", "a raw initialize request", "shell"),
)
#: code-fence language of each format (README)
_FENCES = {"shell": "bash", "json": "json", "text": "text"}


def _untranslated(source, **params):
    """Stand-in for a translation function: ``source % params``."""
    return source % params if params else source


def _dump(data):
    return json.dumps(data, indent=2, ensure_ascii=False)


def auth_header(token):
    """The value of the ``Authorization`` header for ``token``."""
    return f"Bearer {token}"


def claude_code(url, token, name):
    """``claude mcp add`` command line (Claude Code, HTTP transport)."""
    q = shlex.quote
    return f"claude mcp add --transport http {q(name)} {q(url)} --header {q('Authorization: ' + auth_header(token))}"


def claude_code_oauth(url, token, name):
    """``claude mcp add`` without a header: Claude Code signs in with OAuth
    (``token`` is not used)."""
    q = shlex.quote
    return f"claude mcp add --transport http {q(name)} {q(url)}"


def claude_desktop(url, token, name):
    """``claude_desktop_config.json``: ``npx mcp-remote`` bridges stdio to
    the HTTP endpoint (``--allow-http`` for plain HTTP beyond localhost,
    which mcp-remote refuses otherwise)."""
    args = ["-y", "mcp-remote", url, "--header", "Authorization:${AUTH_HEADER}"]
    parts = urlsplit(url)
    if parts.scheme == "http" and parts.hostname not in _MCP_REMOTE_HTTP_HOSTS:
        args.append("--allow-http")
    return _dump({"mcpServers": {name: {
        "command": "npx",
        "args": args,
        "env": {"AUTH_HEADER": auth_header(token)},
    }}})


def cursor(url, token, name):
    """``.cursor/mcp.json``: a remote server is ``url`` + ``headers``."""
    return _dump({"mcpServers": {name: {"url": url, "headers": {"Authorization": auth_header(token)}}}})


def cursor_oauth(url, token, name):
    """``.cursor/mcp.json`` with ``url`` only: Cursor signs in with OAuth
    (``token`` is not used)."""
    return _dump({"mcpServers": {name: {"url": url}}})


def vscode(url, token, name):
    """``.vscode/mcp.json``: ``servers`` (not ``mcpServers``), ``type: "http"``."""
    return _dump({"servers": {name: {"type": "http", "url": url, "headers": {"Authorization": auth_header(token)}}}})


def remote(url, token, name, _=_untranslated):
    """Remote connectors (claude.ai, Claude Desktop, ChatGPT): they connect
    by URL and sign in with OAuth; platforms that set a header use a key."""
    return "\n".join([
        _("Server URL: %(url)s", url=url),
        _("The URL must be reachable from the internet over HTTPS: these apps connect from their servers."),
        _("claude.ai and Claude Desktop: Settings → Connectors → Add custom connector, paste the URL."),
        _("ChatGPT: Settings → Connectors (developer mode) → Create, paste the URL, authentication OAuth."),
        _("The app opens Odoo: log in, read what the app asks for, click Allow."),
        _("Revoke it any time: Preferences → Connected apps (MCP), or MCP Server → Connected Apps."),
        _("Agent platforms that let you set an HTTP header can use a key instead:"),
        "Authorization: " + auth_header(token),
    ])


def inspector(url, token, name):
    """MCP Inspector CLI listing the tools."""
    q = shlex.quote
    return (f"npx @modelcontextprotocol/inspector --cli {q(url)} --transport http "
            f"--header {q('Authorization: ' + auth_header(token))} --method tools/list")


def curl(url, token, name):
    """A raw ``initialize`` request with curl."""
    q = shlex.quote
    body = json.dumps({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": CURL_REVISION, "capabilities": {},
                   "clientInfo": {"name": "curl", "version": "1"}}}, separators=(",", ":"))
    return "\n".join([
        f"curl -s {q(url)} \\",
        f"  -H {q('Authorization: ' + auth_header(token))} \\",
        "  -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \\",
        "  -d " + q(body),
    ])


_BUILDERS = {
    "claude_code": claude_code, "claude_code_oauth": claude_code_oauth, "claude_desktop": claude_desktop,
    "cursor": cursor, "cursor_oauth": cursor_oauth, "vscode": vscode, "remote": remote,
    "inspector": inspector, "curl": curl,
}


def client_configs(url, token=TOKEN_PLACEHOLDER, name="odoo", _=_untranslated):
    """``{client: text}`` of every ready-to-paste configuration, in the
    order of :data:`CLIENTS`.

    ``_`` translates the prose of the ``remote`` text (the wizard passes
    ``env._``); it is called like Odoo's ``_(source, **params)``."""
    configs = {}
    for client, *_info in CLIENTS:
        build = _BUILDERS[client]
        configs[client] = build(url, token, name, _=_) if build is remote else build(url, token, name)
    return configs


def markdown(url, token=TOKEN_PLACEHOLDER, name="odoo"):
    """The README's *Connect a client* list: every snippet in a fenced block."""
    configs = client_configs(url, token, name)
    lines = []
    for client, title, where, fmt in CLIENTS:
        lines += [f"- **{title}** — {where}:", "  ```" + _FENCES[fmt]]
        lines += [("  " + line).rstrip() for line in configs[client].splitlines()]
        lines += ["  ```"]
    return "\n".join(lines) + "\n"
