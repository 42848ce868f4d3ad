"""Client snippets (protocol/client_configs.py), each read the way its client
reads it: JSON files parsed with json and checked against the keys the client
expects, command lines split with shlex and parsed like the client's own CLI
(plain pytest, no database)."""
import argparse
import html
import json
import os
import shlex
import subprocess
import sys

import pytest

from odoo.addons.mcp_bridge.protocol import client_configs as cc

URL = "https://odoo.example.com/mcp"
TOKEN = "mcp_" + "A1b2-_" * 9
AUTH = "Bearer " + TOKEN
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: server names a user may type in the wizard: shell quoting and JSON must hold
NAMES = ["odoo", "my odoo's \"prod\"", "odoo-$HOME;rm -rf /"]


def _shell_argv(text):
    """argv of a shell snippet, as a POSIX shell reads it (backslash-newline
    continues the line)."""
    return shlex.split(text.replace("\\\n", ""))


def _headers(values):
    """``Name: value`` strings → dict, as HTTP clients send them."""
    return dict((name.strip(), value.strip()) for name, value in (v.split(":", 1) for v in values))


def _claude_code_cli():
    """``claude mcp add`` as Claude Code documents it."""
    parser = argparse.ArgumentParser(prog="claude mcp add")
    parser.add_argument("--transport", "-t", choices=["stdio", "sse", "http"], default="stdio")
    parser.add_argument("--header", "-H", action="append", default=[])
    parser.add_argument("--scope", "-s")
    parser.add_argument("name")
    parser.add_argument("url")
    return parser


def test_one_snippet_per_client_in_order():
    configs = cc.client_configs(URL, TOKEN, "odoo")
    assert list(configs) == [client for client, *_rest in cc.CLIENTS]
    assert list(configs) == ["claude_code", "claude_code_oauth", "claude_desktop", "cursor", "cursor_oauth", "vscode",
                             "remote", "inspector", "curl"]
    assert cc.client_configs(URL)["cursor"] == cc.cursor(URL, cc.TOKEN_PLACEHOLDER, "odoo")


@pytest.mark.parametrize("name", NAMES)
def test_claude_code_command(name):
    argv = _shell_argv(cc.client_configs(URL, TOKEN, name)["claude_code"])
    assert argv[:3] == ["claude", "mcp", "add"]
    args = _claude_code_cli().parse_args(argv[3:])
    assert (args.transport, args.name, args.url) == ("http", name, URL)
    assert _headers(args.header) == {"Authorization": AUTH}


@pytest.mark.parametrize("name", NAMES)
def test_claude_code_oauth_command_has_no_header(name):
    """Without a header, Claude Code signs in with OAuth (``/mcp`` →
    Authenticate) when the server answers 401 with its resource metadata."""
    text = cc.client_configs(URL, TOKEN, name)["claude_code_oauth"]
    assert TOKEN not in text
    argv = _shell_argv(text)
    assert argv[:3] == ["claude", "mcp", "add"]
    args = _claude_code_cli().parse_args(argv[3:])
    assert (args.transport, args.name, args.url, args.header) == ("http", name, URL, [])


@pytest.mark.parametrize("name", NAMES)
def test_claude_desktop_runs_mcp_remote(name):
    """claude_desktop_config.json takes local (stdio) servers only: a command
    (npx mcp-remote <url>), its args and env; no ``type``/``url``."""
    config = json.loads(cc.client_configs(URL, TOKEN, name)["claude_desktop"])
    assert list(config) == ["mcpServers"]
    server = config["mcpServers"][name]
    assert set(server) == {"command", "args", "env"}
    assert server["command"] == "npx"
    args = server["args"]
    assert args[:3] == ["-y", "mcp-remote", URL]
    assert "--allow-http" not in args
    # No argument holds a space (Cursor and Claude Desktop on Windows split
    # them); mcp-remote expands ${VAR} in a header from the server's env.
    assert not any(" " in arg for arg in args)
    header = args[args.index("--header") + 1]
    name_, value = header.split(":", 1)
    for var, val in server["env"].items():
        value = value.replace("${%s}" % var, val)
    assert (name_, value) == ("Authorization", AUTH)


@pytest.mark.parametrize("url, allow_http", [
    ("https://odoo.example.com/mcp", False),
    ("http://127.0.0.1:8069/mcp", False),
    ("http://localhost:8069/mcp", False),
    ("http://192.168.1.10:8069/mcp", True),
    ("http://odoo.lan/mcp", True),
])
def test_claude_desktop_allows_plain_http_only_where_mcp_remote_needs_it(url, allow_http):
    """mcp-remote refuses http:// beyond localhost/127.0.0.1 unless --allow-http."""
    args = json.loads(cc.claude_desktop(url, TOKEN, "odoo"))["mcpServers"]["odoo"]["args"]
    assert args[2] == url
    assert ("--allow-http" in args) is allow_http


@pytest.mark.parametrize("name", NAMES)
def test_cursor_mcp_json(name):
    config = json.loads(cc.client_configs(URL, TOKEN, name)["cursor"])
    assert list(config) == ["mcpServers"]
    assert config["mcpServers"][name] == {"url": URL, "headers": {"Authorization": AUTH}}


@pytest.mark.parametrize("name", NAMES)
def test_cursor_oauth_mcp_json_is_the_url_alone(name):
    """A remote server with ``url`` and no ``headers``: Cursor runs the OAuth flow."""
    text = cc.client_configs(URL, TOKEN, name)["cursor_oauth"]
    assert TOKEN not in text
    config = json.loads(text)
    assert config == {"mcpServers": {name: {"url": URL}}}


@pytest.mark.parametrize("name", NAMES)
def test_vscode_mcp_json(name):
    config = json.loads(cc.client_configs(URL, TOKEN, name)["vscode"])
    assert list(config) == ["servers"]
    assert config["servers"][name] == {"type": "http", "url": URL, "headers": {"Authorization": AUTH}}


def test_inspector_command():
    argv = _shell_argv(cc.client_configs(URL, TOKEN, "odoo")["inspector"])
    assert argv[:2] == ["npx", "@modelcontextprotocol/inspector"]
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", action="store_true")
    parser.add_argument("--transport")
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--method")
    parser.add_argument("url")
    args = parser.parse_args(argv[2:])
    assert (args.cli, args.url, args.transport, args.method) == (True, URL, "http", "tools/list")
    assert _headers(args.header) == {"Authorization": AUTH}


def test_curl_initialize():
    argv = _shell_argv(cc.client_configs(URL, TOKEN, "odoo")["curl"])
    assert argv[0] == "curl"
    parser = argparse.ArgumentParser()
    parser.add_argument("-s", action="store_true")
    parser.add_argument("-H", action="append", default=[])
    parser.add_argument("-d")
    parser.add_argument("url")
    args = parser.parse_args(argv[1:])
    assert args.url == URL
    assert _headers(args.H) == {"Authorization": AUTH, "Content-Type": "application/json",
                                "Accept": "application/json, text/event-stream"}
    body = json.loads(args.d)
    assert (body["jsonrpc"], body["method"]) == ("2.0", "initialize")
    assert body["params"]["protocolVersion"] == cc.CURL_REVISION


def test_remote_connectors_connect_by_url():
    """claude.ai, Claude Desktop connectors and ChatGPT: the one URL to paste,
    what the user does (log in, Allow), where to revoke; a key for platforms
    that set a header."""
    lines = cc.client_configs(URL, TOKEN, "odoo")["remote"].splitlines()
    assert lines[0] == "Server URL: " + URL
    assert any(line.startswith("claude.ai and Claude Desktop: ") and "Add custom connector" in line for line in lines)
    assert any(line.startswith("ChatGPT: ") and "OAuth" in line for line in lines)
    assert any("log in" in line and "Allow" in line for line in lines)
    assert any("Connected apps (MCP)" in line for line in lines)
    assert lines[-1] == "Authorization: " + AUTH
    assert "not yet" not in "\n".join(lines).lower()


def test_remote_prose_goes_through_the_translator():
    seen = []

    def translate(source, **params):
        seen.append(source)
        return "«%s»" % (source % params if params else source)

    text = cc.client_configs(URL, TOKEN, "odoo", _=translate)["remote"]
    assert "Server URL: %(url)s" in seen
    assert "«Server URL: %s»" % URL in text.splitlines()
    assert cc.client_configs(URL, TOKEN, "odoo", _=translate)["cursor"] == cc.cursor(URL, TOKEN, "odoo")


def _print_connect(*args):
    """scripts/print_connect.py in a Python without site-packages (no Odoo)."""
    return subprocess.run([sys.executable, "-S", "-I", os.path.join(REPO, "scripts", "print_connect.py"), *args],
                          capture_output=True, text=True, timeout=60, check=True).stdout


def test_make_run_prints_the_same_snippets_without_odoo(tmp_path):
    key_file = tmp_path / "key.json"
    key_file.write_text(json.dumps({"token": TOKEN, "user": "admin", "scope": "read"}))
    out = _print_connect("--url", "http://127.0.0.1:8069", "--db", "mcp_demo", "--key-file", str(key_file))
    assert '"type": "http"' not in out.split("VS Code")[0]  # nothing before VS Code's file claims HTTP
    configs = cc.client_configs("http://127.0.0.1:8069/mcp", TOKEN, "odoo")
    for client, title, where, _fmt in cc.CLIENTS:
        block = "\n".join("    " + line for line in configs[client].splitlines())
        assert f"  {title} ({where}):\n{block}\n" in out, client


def test_readme_shows_the_module_output():
    """README's *Connect a client* snippets are the module's output for the
    placeholder URL and token (regenerate: python3 scripts/print_connect.py --readme)."""
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    begin = "<!-- client configs: generated by `python3 scripts/print_connect.py --readme`, do not edit -->\n"
    end = "<!-- end of client configs -->"
    generated = readme[readme.index(begin) + len(begin):readme.index(end)]
    assert generated == cc.markdown("https://odoo.example.com/mcp"), \
        "README.md is stale: run python3 scripts/print_connect.py --readme"
    assert '"type": "http"' not in generated.split("**VS Code**")[0]


def test_apps_page_shows_the_module_claude_desktop_config():
    """static/description/index.html: the Claude Desktop configuration is the
    module's, and the page is a fragment the Apps store accepts (no document
    wrapper, no external CSS or script)."""
    with open(os.path.join(REPO, "static", "description", "index.html"), encoding="utf-8") as handle:
        page = handle.read()
    marker = "<!-- client config: generated by `python3 scripts/print_connect.py --readme`, do not edit -->"
    pre = page[page.index(marker):]
    shown = html.unescape(pre[pre.index("<pre"):pre.index("</pre>")].split(">", 1)[1])
    assert shown.strip() == cc.claude_desktop("https://odoo.example.com/mcp", cc.TOKEN_PLACEHOLDER, "odoo"), \
        "the Apps page is stale: run python3 scripts/print_connect.py --readme"
    assert "mcp-remote" in json.loads(shown)["mcpServers"]["odoo"]["args"]
    lowered = page.lower()
    for tag in ("<html", "<head", "<body", "<script", "<link", "<style"):
        assert tag not in lowered, tag
    assert '"type": "http"' not in page
    # connectors come by URL (OAuth), revoked in Connected Apps
    oauth = page[page.index("<h4>Connect by URL (OAuth 2.1)</h4>"):]
    oauth = oauth[:oauth.index("</ul>")]
    for name in ("claude.ai", "ChatGPT", "consent page"):
        assert name in oauth, name
    apps = page[page.index("Connected apps, under control"):]
    apps = apps[:apps.index("</ul>")]
    for name in ("/mcp", "Claude Code", "Cursor", "Connected Apps", "OAuth Clients"):
        assert name in apps, name
    assert "not yet" not in lowered
