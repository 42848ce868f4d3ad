# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""A change of an API key's user clears the key cache
(``mcp.api.key._invalidate_key_states``, ``mcp_key_check.py``)."""
from odoo import models

from .mcp_key_check import CACHED_USER_FIELDS


class ResUsers(models.Model):
    _inherit = "res.users"

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
