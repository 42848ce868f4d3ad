# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Read-only fields an agent may still set when it creates a record.

Odoo marks some fields ``readonly`` in the model that its own menus set when
a record is created: the *Vendor Bills* menu opens the invoice form with
``{'default_move_type': 'in_invoice'}``. The create tool accepts exactly
those: stored, not computed, read-only fields that a window action of the
model presets with a ``default_<field>`` context key. Every other read-only
field (a state, a hash, a sequence number, a signature) stays refused on
create as on write, and the value goes through the same checks as any other.
"""
import re

from odoo import api, models, tools

#: ``'default_<field>':`` in the context text of a window action (``search_default_`` is a filter).
_DEFAULT_KEY_RE = re.compile(r"""(?<![\w])['"]default_([a-z_][a-z0-9_]*)['"]\s*:""")


class McpGuardCreate(models.AbstractModel):
    _inherit = "mcp.guard"

    @api.model
    def create_only_fields(self, model_name):
        """Names of the read-only, stored, non-computed fields of
        ``model_name`` that Odoo's own window actions preset on create
        (``default_<field>`` in their context): the create tool accepts them."""
        return self._create_only_fields(model_name)

    @tools.ormcache("model_name")
    def _create_only_fields(self, model_name):
        # Which actions exist is metadata of the layer (no agent input but
        # the model name), read with sudo like the view buttons.
        model = self.env[model_name]
        actions = self.env["ir.actions.act_window"].sudo().search_fetch(
            [("res_model", "=", model_name), ("context", "ilike", "default_")], ["context"])
        names = set()
        for action in actions:
            names.update(_DEFAULT_KEY_RE.findall(action.context or ""))
        return frozenset(
            name for name in names
            if name in model._fields and model._fields[name].readonly and model._fields[name].store
            and not model._fields[name].compute and not model._fields[name].related)
