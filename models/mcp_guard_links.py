# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The guard's rules about other records: links, mirrored fields, user names.

- **Links**: every id an agent sets (many2one, reference, x2many id lists and
  commands, nested values; method arguments and wizard values through
  :meth:`check_links`) must be a record the key's user may *read* by Odoo's
  own access rights and record rules. ``exists()`` alone ignores record
  rules: linking a hidden partner as ``parent_id`` copied its commercial
  fields (street, VAT...) into a record the agent could read. A missing and
  a hidden id get the same message, so the answer tells nothing about
  records the user may not see (the "user-id oracle" included).
- **Mirrored fields**: an x2many field into a blocked model that mirrors that
  model's own data (``res.partner.user_ids``, ``res.company.user_ids``) and
  the fields of ``NEVER_EXPOSED_FIELDS`` (``partner_share``...) are not
  accessible on any path: ``_field_accessible`` is what every path asks.
- **User names** in Odoo's user-facing messages (``UserError`` /
  ``ValidationError``, e.g. "Linked active users: ...") are replaced by a
  placeholder before they reach the agent.
"""
import re

from odoo import SUPERUSER_ID, api, models
from odoo.tools import SQL
from odoo.osv import expression

from ..protocol.errors import ToolError
from .mcp_guard_rules import (
    MAX_IDS_NAMED, MAX_REDACTED_MESSAGE, MAX_REDACTED_NAMES, MIN_REDACTED_NAME, MSG_LINK_REFUSED,
    NEVER_EXPOSED_FIELDS, USER_NAME_PLACEHOLDER, is_model_blocked,
)


def _valid_id(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2 ** 31


def _strings(value, depth=0):
    """The strings in a JSON-like ``value`` (keys included), depth-first."""
    if isinstance(value, str):
        yield value
    elif depth < 20 and isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key, depth + 1)
            yield from _strings(item, depth + 1)
    elif depth < 20 and isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item, depth + 1)


class McpGuardLinks(models.AbstractModel):
    _inherit = "mcp.guard"

    # ------------------------------------------------------------------
    # links
    # ------------------------------------------------------------------
    @api.model
    def readable_ids(self, model_name, ids):
        """The ids of ``ids`` (given order, no duplicates) that are records of
        ``model_name`` that exist and that the user of this environment may
        read: Odoo's access rights and record rules, as that user (never as
        superuser), and for rows that belong to a document (messages,
        activities...: ``attached_scope``) a document the key may read.
        Anything else — missing, hidden, not an id, unknown or abstract
        model — is simply left out, so callers cannot tell why."""
        wanted = list(dict.fromkeys(rid for rid in ids if _valid_id(rid)))
        model_cls = self.env.registry.get(model_name) if isinstance(model_name, str) else None
        if not wanted or model_cls is None or model_cls._abstract:
            return []
        model = self.env(su=False)[model_name]
        scope = self.attached_scope(model_name, None)  # messages etc.: of documents the key may read
        if scope:
            wanted_set = set(model.with_context(active_test=False).search(
                expression.AND([[("id", "in", wanted)], scope]))._ids)
            wanted = [rid for rid in wanted if rid in wanted_set]
        records = model.browse(wanted).exists()
        readable = set(records._filtered_access("read")._ids)
        return [rid for rid in wanted if rid in readable]

    @api.model
    def check_links(self, model_name, field_name, comodel_name, ids, key=None, chosen_model=False):
        """Refuse linking ``ids`` of ``comodel_name`` through ``field_name`` of
        ``model_name`` (ToolError) unless every id is a record the key's user
        may read (:meth:`readable_ids`); return ``ids``.

        Missing and unreadable ids (and ids of a model that is not
        installed) get one and the same message, naming every refused id.
        Blocked comodels (``res.users`` as a salesperson) are no exception
        to the rule nor to Odoo's: a link by id is allowed exactly where
        Odoo would let the user read the record. Call it for any value an
        agent supplies that names records (method arguments, wizard
        values). ``key`` is the request's key (its user is this env's).
        ``chosen_model``: the agent named ``comodel_name`` itself (a
        reference value): the model must also be one the guard lets the key
        read, else every id is refused the same way."""
        ids = list(ids)
        if chosen_model and self.unreadable_models(key, [comodel_name]):
            # the agent named the model (reference, many2one_reference): it
            # must be one this key may read, not only one Odoo lets the user
            # read (an admin reads mcp.api.key; the guard blocks it)
            readable = set()
        else:
            readable = set(self.readable_ids(comodel_name, ids))
        refused = sorted({rid for rid in ids if _valid_id(rid) and rid not in readable})
        for rid in ids:  # not ids at all (method arguments): named too, after the ids
            if not _valid_id(rid) and rid not in refused:
                refused.append(rid)
        if refused:
            named = ", ".join(map(str, refused[:MAX_IDS_NAMED])) + (", …" if len(refused) > MAX_IDS_NAMED else "")
            raise ToolError(
                self._msg(MSG_LINK_REFUSED, field=field_name, model=model_name, comodel=comodel_name, ids=named),
                data={"model": model_name, "field": field_name, "refused_ids": refused},
            )
        return ids

    # ------------------------------------------------------------------
    # fields that mirror blocked models
    # ------------------------------------------------------------------
    def _field_accessible(self, field):
        return super()._field_accessible(field) and not self._mirrors_blocked(field)

    def _mirrors_blocked(self, field):
        """Whether ``field`` exposes the data of a blocked model: a listed
        (model, field) pair, or an x2many into a blocked model that mirrors
        that model's own records (``_writes_comodel``: a one2many, or a
        many2many sharing its table with a field of the comodel) — its ids
        tell which users a partner or a company has."""
        if (field.model_name, field.name) in NEVER_EXPOSED_FIELDS:
            return True
        if field.type not in ("one2many", "many2many"):
            return False
        return is_model_blocked(self.env, field.comodel_name, self._extra_blocked()) \
            and self._writes_comodel(field)

    # ------------------------------------------------------------------
    # user names in Odoo's messages
    # ------------------------------------------------------------------
    @api.model
    def redact_user_names(self, message, known=None):
        """``message`` with the names of users (active or not; not the
        superuser, "System"/"OdooBot", whose name is a common word) replaced by
        ``USER_NAME_PLACEHOLDER`` (whole words only, longest names first);
        cut at ``MAX_REDACTED_MESSAGE`` characters. Names found in the
        strings of ``known`` (what the agent sent: a string or JSON-like
        arguments) are kept: replacing them would tell the agent that a text
        it wrote is a user's name. One query, meant for the error path."""
        if not isinstance(message, str) or not message:
            return message
        if len(message) > MAX_REDACTED_MESSAGE:
            message = message[:MAX_REDACTED_MESSAGE] + "…"
        self.env.cr.execute(SQL(
            """SELECT DISTINCT p.name, length(p.name)
                 FROM res_users u JOIN res_partner p ON p.id = u.partner_id
                WHERE u.id != %(superuser)s
                  AND length(p.name) >= %(min)s
                  AND position(p.name in %(message)s) > 0
                  AND position(p.name in %(known)s) = 0
             ORDER BY length(p.name) DESC
                LIMIT %(limit)s""",
            superuser=SUPERUSER_ID, min=MIN_REDACTED_NAME, message=message,
            known="\n".join(_strings(known))[:MAX_REDACTED_MESSAGE * 4], limit=MAX_REDACTED_NAMES,
        ))
        names = [row[0] for row in self.env.cr.fetchall()]
        if not names:
            return message
        pattern = re.compile(r"(?<!\w)(?:%s)(?!\w)" % "|".join(map(re.escape, names)))
        return pattern.sub(USER_NAME_PLACEHOLDER, message)
