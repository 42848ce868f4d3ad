# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Rows that belong to another record: messages, activities, followers,
tracking values, ratings... (``mail.message.model``/``res_id`` and the like).

Odoo lets a user read the messages of every document the user may read. A
document the key may *not* read through MCP (an always-blocked model such as
``iap.account``, a model of the ``extra_blocked_models`` setting, a
model-access rule without read) must not be readable through its chatter
either: the guard narrows every search of such a model to rows whose
document model the key may read (:meth:`attached_scope`: ``get_domain``
adds it to the agent's domain), and ids outside it are not readable
(``readable_ids``: read, update, delete, methods, links, resources...).

A search of another model may reach such rows through a path
(``res.partner`` ``starred_message_ids.body``) or an ``any`` condition:
:meth:`scope_attached_term` narrows those to the same rows, as Odoo itself
turns a path into ``any`` conditions (``expression._anyfy_leaves``).
"""
import weakref

from odoo import api, models
from odoo.osv import expression

from .mcp_guard_rules import ATTACHED_THROUGH_MESSAGE

#: {model class: attached paths} (``McpGuardAttached._attached_paths``); a
#: weak mapping: the classes of a replaced registry go with it.
_PATHS = weakref.WeakKeyDictionary()


class McpGuardAttached(models.AbstractModel):
    _inherit = "mcp.guard"

    @api.model
    def _attached_paths(self, model_name):
        """Paths of the fields of ``model_name`` naming the model of the
        document its rows belong to (empty: the rows are documents). Static
        for a registry: kept per model class (a new registry has new classes),
        every search asks it."""
        model_cls = type(self.env[model_name])
        paths = _PATHS.get(model_cls)
        if paths is None:
            paths = _PATHS[model_cls] = self._find_attached_paths(model_name)
        return list(paths)

    @api.model
    def _find_attached_paths(self, model_name):
        """:meth:`_attached_paths` read from the model's fields (a tuple)."""
        model = self.env[model_name]
        paths = [field.model_field for field in model._fields.values()
                 if field.type == "many2one_reference" and field.model_field in model._fields]
        through = ATTACHED_THROUGH_MESSAGE.get(model_name)
        if through and through.split(".", 1)[0] in model._fields:
            paths.append(through)
        return tuple(paths)

    @api.model
    def attached_scope(self, model_name, key):
        """The domain every search of ``model_name`` by ``key`` gets: rows
        whose document is of a model the key may read, or of none. ``[]`` for
        a model whose rows are no other record's."""
        paths = self._attached_paths(model_name)
        if not paths:
            return []
        readable = self.allowed_models(key, "read")
        return expression.AND([["|", (path, "=", False), (path, "in", readable)] for path in paths])

    @api.model
    def scope_attached_term(self, model_name, term, key):
        """The checked domain ``term`` of ``model_name`` with every hop into
        rows that belong to another record (messages, activities...) narrowed
        to :meth:`attached_scope`: ``("starred_message_ids.body", "ilike",
        "x")`` becomes ``("starred_message_ids", "any", [("body", "ilike",
        "x"), <scope>])``, Odoo's own reading of a path. An ``any``/``not
        any`` condition gets the scope added to its subdomain (its terms were
        scoped when checked). The term is returned as is when no hop needs it.
        A condition on ids alone (``starred_message_ids in [5]``) is left."""
        path, operator, value = term
        if not isinstance(path, str):
            return term
        head, _dot, rest = path.partition(".")
        field = self.env[model_name]._fields.get(head)
        if field is None or not field.relational or field.type == "properties":
            return term
        scope = self.attached_scope(field.comodel_name, key)
        if rest:
            inner = self.scope_attached_term(field.comodel_name, (rest, operator, value), key)
            if not scope and inner == (rest, operator, value):
                return term
            return (head, "any", expression.AND([[inner], scope]) if scope else [inner])
        if operator in ("any", "not any") and scope:
            return (path, operator, expression.AND([list(value), scope]))
        return term
