# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""A user's language or timezone changed on its contact clears the key
cache (``mcp.api.key._invalidate_key_states``, ``mcp_key_cache.py``): the
key's environment carries them."""
from odoo import models

from .mcp_key_cache import CACHED_PARTNER_FIELDS


class ResPartner(models.Model):
    _inherit = "res.partner"

    def write(self, vals):
        """Write partners; clear the MCP key cache when the contact of a user
        changes what the cache holds (``CACHED_PARTNER_FIELDS``)."""
        result = super().write(vals)
        if CACHED_PARTNER_FIELDS.intersection(vals) and self.env["res.users"].sudo().with_context(
                active_test=False).search_count([("partner_id", "in", self.ids)], limit=1):
            self.env["mcp.api.key"]._invalidate_key_states()
        return result
