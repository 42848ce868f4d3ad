# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Selections whose values are model names (``ir.filters.model_id``,
reference fields built on ``_selection_target_model``, ``res_model``
selections of addons...) would list every installed model with its
description, blocked ones included. The guard shows such values only for
models the key may read, as ``list_models`` does."""
from odoo import models


class McpGuard(models.AbstractModel):
    _inherit = "mcp.guard"

    def filter_selection(self, selection, key=None):
        """Return the ``(value, label)`` pairs of ``selection`` an agent may
        see and set: a value naming an installed model is kept only when the
        model may be read (blocklist, model-access rule, Odoo ACL: the same
        checks as ``allowed_models``); other values are kept as they are.

        ``key`` is accepted for symmetry with the other checks; read access
        does not depend on it (a key's scope only limits writes).
        """
        selection = list(selection or ())
        registry = self.env.registry
        names = {value for value, _label in selection if isinstance(value, str) and value in registry}
        if not names:
            return selection
        hidden = self.unreadable_models(key, names)
        if not hidden:
            return selection
        return [(value, label) for value, label in selection if value not in hidden]
