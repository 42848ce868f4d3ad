# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Archiving a company clears the key cache (``mcp_key_cache.py``): the
key's environment lists the user's active companies."""
from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    def write(self, vals):
        """Write companies; clear the MCP key cache when one is (un)archived."""
        result = super().write(vals)
        if "active" in vals:
            self.env["mcp.api.key"]._invalidate_key_states()
        return result
