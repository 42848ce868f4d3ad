# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The only two windows into ``res.users`` (which stays blocked): who the
key's user is, and the display names of users.

- ``whoami``: the key's own user, company, companies, language, time zone,
  the key's scope and what it may do on models (the guard's own checks).
- **Names of users**: a many2one to ``res.users`` shows ``[id, "Marc Demo"]``
  where Odoo lets the key's user read that user (its access rights and
  record rules, never sudo); ``find_user`` finds *active internal* users by
  name and gives their id and name only.

Nothing else of a user is reachable: no field, domain path (``user_id.login``
stays refused), order, group or method of ``res.users``. The setting
``identity_windows`` (on by default) closes both windows: names are ``null``
again and ``find_user`` refuses.
"""
from odoo import api, models

from ..protocol.errors import McpAccessDenied
from .mcp_guard_rules import MSG_IDENTITY_CLOSED, OPERATIONS, is_model_blocked

#: Most users ``find_user`` returns per call.
MAX_FOUND_USERS = 20
#: Most models ``whoami`` reports access for in one call.
MAX_ACCESS_MODELS = 50


class McpGuardIdentity(models.AbstractModel):
    _inherit = "mcp.guard"

    @api.model
    def identity_enabled(self):
        """Whether the identity windows are open (setting ``identity_windows``)."""
        return bool(self.env["mcp.settings"]._setting("identity_windows"))

    @api.model
    def user_names(self, user_ids):
        """``{id: display name}`` of the users of ``user_ids`` the key's user
        may read in Odoo (``readable_ids``: access rights and record rules as
        that user); empty when the identity windows are closed. The name is
        the only thing read."""
        if not self.identity_enabled():
            return {}
        readable = self.readable_ids("res.users", user_ids)
        users = self.env(su=False)["res.users"].browse(readable)
        return {user.id: user.display_name or None for user in users}

    @api.model
    def find_users(self, name, limit=MAX_FOUND_USERS):
        """``[{"id", "name"}]`` of the active internal users whose name holds
        ``name`` (case-insensitive), as far as the key's user may read them
        (Odoo's rules, never sudo), by name. Portal, public and archived users
        are never found. McpAccessDenied when the identity windows are closed."""
        if not self.identity_enabled():
            raise McpAccessDenied(self._msg(MSG_IDENTITY_CLOSED), data={"model": "res.users", "reason": "blocked"})
        domain = [("share", "=", False), ("active", "=", True)]
        if name:
            domain.append(("name", "ilike", name))
        users = self.env(su=False)["res.users"].with_context(active_test=True).search(
            domain, limit=max(1, min(int(limit), MAX_FOUND_USERS)), order="name, id")
        return [{"id": user.id, "name": user.display_name or None} for user in users]

    @api.model
    def model_access(self, key, model_names):
        """``{model: {read, create, write, unlink}}`` for at most
        ``MAX_ACCESS_MODELS`` of ``model_names``, each answer the guard's own
        (blocklist, read-only models, key scope, model-access rule, Odoo ACL).
        A model that is blocked or not installed gets every operation False."""
        extra = self._extra_blocked()
        result = {}
        for name in list(dict.fromkeys(model_names))[:MAX_ACCESS_MODELS]:
            if not isinstance(name, str) or name not in self.env or is_model_blocked(self.env, name, extra):
                result[name] = dict.fromkeys(OPERATIONS, False)
                continue
            result[name] = {operation: self._refusal(name, operation, key, extra) is None
                            for operation in OPERATIONS}
        return result
