"""The one ORM hook of resource subscriptions (``models/mcp_subscription.py``).

Every ``write``/``unlink`` asks whether its model has subscriptions (a
cached set: nothing else when it has none); when it has, the records'
subscribers get ``notifications/resources/updated`` queued in the same
transaction. Not while the registry is loading (module install/upgrade:
the subscription table may not exist yet, and no stream listens).
"""
from odoo import models

from .mcp_guard_rules import BLOCKED_MODEL_PREFIXES
from .ormcache_hit import cached


class Base(models.AbstractModel):
    _inherit = "base"

    def _mcp_queue_updates(self):
        """Queue ``resources/updated`` for the subscribers of these records."""
        if not self._ids or not self.env.registry.ready or self._name.startswith(BLOCKED_MODEL_PREFIXES):
            return
        subscriptions = self.env["mcp.subscription"]
        if self._name in cached(subscriptions, "_subscribed_models"):
            subscriptions._queue_record_updates(self._name, [rid for rid in self._ids if isinstance(rid, int)])

    def write(self, vals):
        """Odoo's ``write``; then notify the records' MCP subscribers."""
        result = super().write(vals)
        self._mcp_queue_updates()
        return result

    def unlink(self):
        """Notify the records' MCP subscribers; then Odoo's ``unlink``."""
        self._mcp_queue_updates()
        return super().unlink()
