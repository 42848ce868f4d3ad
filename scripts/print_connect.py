"""Print how to reach the demo server: URLs, login, demo key, client config."""
import argparse
import json
import os


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--key-file")
    args = parser.parse_args()
    key = None
    if args.key_file and os.path.exists(args.key_file):
        text = open(args.key_file, encoding="utf-8").read().strip()
        key = json.loads(text) if text else None
    mcp_url = args.url + "/mcp"
    print()
    print("  MCP Server for Odoo is starting")
    print("  -------------------------------")
    print(f"  Backend : {args.url}/odoo   (login: admin / password: admin, database {args.db})")
    print(f"  MCP URL : {mcp_url}")
    print(f"  Health  : curl -s {args.url}/mcp/health")
    if not key:
        print("  API key : (none yet: the key model is not installed in this build)")
        print()
        return
    token = key["token"]
    print(f"  API key : {token}")
    print(f"            (user {key['user']}, scope {key['scope']}; shown once, a new one each run)")
    config = {"mcpServers": {"odoo": {"type": "http", "url": mcp_url,
                                      "headers": {"Authorization": f"Bearer {token}"}}}}
    print()
    print("  Client config (Claude Desktop / Cursor mcp.json):")
    for line in json.dumps(config, indent=2).splitlines():
        print("    " + line)
    print()
    print("  Claude Code:")
    print(f"    claude mcp add --transport http odoo {mcp_url} --header \"Authorization: Bearer {token}\"")
    print()


if __name__ == "__main__":
    main()
