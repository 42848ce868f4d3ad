# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Selections whose values are model names show only readable models
(models/mcp_guard_selection.py)."""
from odoo.tests import tagged

from .common import McpSecurityCase


@tagged("post_install", "-at_install")
class TestSelectionOfModelNames(McpSecurityCase):
    def test_filter_selection(self):
        """Values naming a model the key may not read are dropped; other
        values (model names or not) are kept in order."""
        guard = self.guard_for(self.key_write)
        selection = [("res.partner", "Contact"), ("mcp.api.key", "MCP API Key"),
                     ("res.users.apikeys", "API Key"), ("ir.config_parameter", "System Parameter"),
                     ("res.users", "User"), ("other", "Other"), ("res.country", "Country")]
        self.assertEqual(guard.filter_selection(selection, self.key_write),
                         [("res.partner", "Contact"), ("other", "Other"), ("res.country", "Country")])
        self.assertEqual(guard.filter_selection([("a", "A")], self.key_write), [("a", "A")])
        self.assertEqual(guard.filter_selection(None), [])

    def test_all_models_selection(self):
        """ir.filters.model_id lists every installed model: once filtered,
        only models list_models offers are left."""
        guard = self.guard_for(self.key_write)
        field = self.env["ir.filters"]._fields["model_id"]
        values = {value for value, _label in guard.filter_selection(
            field._description_selection(self.env), self.key_write)}
        self.assertIn("res.partner", values)
        self.assertEqual(values - set(guard.allowed_models(self.key_write, "read")), set())
