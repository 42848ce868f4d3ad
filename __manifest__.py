# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
{
    "name": "MCP Server",
    "version": "18.0.1.0.0",
    "category": "Productivity/Tools",
    "summary": "Expose Odoo to AI agents as a secure Model Context Protocol (MCP) server",
    "description": """
Turns this Odoo database into a Model Context Protocol server at /mcp:
AI agents (Claude Code, Claude Desktop, Cursor, VS Code, any MCP client) connect with a per-agent
API key and work on Odoo data through tools, always as the key's Odoo user.
""",
    "author": "MCP Server for Odoo contributors",
    "website": "https://github.com/mcp-bridge/mcp_bridge",
    "license": "LGPL-3",
    "depends": ["base", "web"],
    "data": [
        "security/mcp_security.xml",
        "security/ir.model.access.csv",
        "views/mcp_menus.xml",
        "views/mcp_connect_wizard_views.xml",
        "views/mcp_api_key_views.xml",
        "views/mcp_oauth_grant_views.xml",
        "views/mcp_oauth_client_views.xml",
        "views/res_users_views.xml",
        "views/mcp_model_access_views.xml",
        "views/mcp_session_views.xml",
        "views/mcp_audit_log_views.xml",
        "views/res_config_settings_views.xml",
        "views/oauth_templates.xml",
        "views/mcp_approval_views.xml",
        "data/mcp_cron.xml",
    ],
    "demo": [],
    "assets": {
        "web.assets_backend": [
            "mcp_bridge/static/src/fields/*",
        ],
        "web.assets_tests": [
            "mcp_bridge/static/src/tours/*.js",
        ],
    },
    "images": [
        "static/description/screenshot_api_keys.png",
        "static/description/screenshot_connect.png",
        "static/description/screenshot_token.png",
        "static/description/screenshot_model_access.png",
        "static/description/screenshot_audit_log.png",
        "static/description/screenshot_settings.png",
    ],
    "external_dependencies": {"python": ["jsonschema", "oauthlib"]},
    "application": True,
    "installable": True,
}
