# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""A change of an API key's user clears the key cache
(``mcp.api.key._invalidate_key_states``, ``mcp_key_cache.py``); users see
their connected apps (OAuth grants) in their preferences."""
from odoo import fields, models

from .mcp_key_cache import CACHED_USER_FIELDS


class ResUsers(models.Model):
    _inherit = "res.users"

    mcp_oauth_grant_ids = fields.One2many(
        "mcp.oauth.grant", "user_id", string="Connected Apps (MCP)", domain=[("revoked_at", "=", False)],
        groups="base.group_user", help="Apps this user allowed to use Odoo through MCP (OAuth).")

    @property
    def SELF_READABLE_FIELDS(self):
        """Users read their own connected apps in their preferences."""
        return super().SELF_READABLE_FIELDS + ["mcp_oauth_grant_ids"]

    def write(self, vals):
        """Write users; clear the MCP key cache when what it holds changes
        (``CACHED_USER_FIELDS``)."""
        result = super().write(vals)
        if CACHED_USER_FIELDS.intersection(vals):
            self.env["mcp.api.key"]._invalidate_key_states()
        return result

    def unlink(self):
        """Delete users (their keys go with them) and clear the MCP key cache."""
        result = super().unlink()
        self.env["mcp.api.key"]._invalidate_key_states()
        return result
