# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Archiving a company clears the key cache
(``mcp.api.key._invalidate_key_states``, ``mcp_key_cache.py``): the key's
environment lists the user's active companies."""
from odoo import models

from .mcp_key_cache import CACHED_COMPANY_FIELDS


class ResCompany(models.Model):
    _inherit = "res.company"

    def write(self, vals):
        """Write companies; clear the MCP key cache when what it holds
        changes (``CACHED_COMPANY_FIELDS``: one is (un)archived)."""
        result = super().write(vals)
        if CACHED_COMPANY_FIELDS.intersection(vals):
            self.env["mcp.api.key"]._invalidate_key_states()
        return result
