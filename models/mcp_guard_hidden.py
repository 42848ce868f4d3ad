# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The guard's rule about fields an admin hides: the *Hidden Fields* of a
model's MCP access rule (``mcp.model.access.hidden_field_ids``).

A hidden field is refused on every path exactly like a field of groups the
user lacks (``McpAccessDenied`` reason 'field', the same message): it is
not accessible (:meth:`_field_accessible`, which the field lists, paths,
domains, orders, groupbys, aggregates, values and suggestions ask), so a
default field list, a preview, a tracking value or a schema silently leaves
it out, and a dotted path passing through or ending in it (``partner_id.vat``
from ``sale.order``) is refused hop by hop. A related field reading through
or from a hidden field is refused the same way (:meth:`_check_related`).
The tools that return what Odoo computed (``execute_method`` results, the
fields ``get_model_schema`` describes, the values ``duplicate`` copies) ask
:meth:`hidden_fields`. What Odoo answers with a model's name search (the
``name_search`` tool, a condition on ``display_name``, a text compared with
a relational field) is checked against the fields that search reaches
(:meth:`_name_search_reaches`: the searched names, and the domain of a
model's own ``_search_display_name``). The names come with the cached rules
(``_get_rules``), cleared whenever a rule changes.
"""
from odoo import api, models
from odoo.osv import expression

from ..protocol.errors import McpAccessDenied
from .mcp_guard_links import _strings
from .mcp_guard_rules import MAX_DOMAIN_DEPTH, MSG_FIELD_DENIED

#: x2many commands whose third element is a values dict of the comodel.
_VALUES_COMMANDS = (0, 1)


class McpGuardHidden(models.AbstractModel):
    _inherit = "mcp.guard"

    @api.model
    def hidden_fields(self, model_name):
        """Names of the fields of ``model_name`` that its active MCP access
        rule hides from agents (a frozenset, empty without a rule)."""
        rule = self._get_rules().get(model_name)
        return rule["hidden"] if rule else frozenset()

    def _path_hidden(self, model_name, path):
        """Whether dotted ``path`` from ``model_name`` passes through or ends
        in a hidden field."""
        current = self.env[model_name]
        for hop in path.split("."):
            if hop in self.hidden_fields(current._name):
                return True
            field = current._fields.get(hop)
            if field is None or not field.relational:
                return False
            current = self.env[field.comodel_name]
        return False

    def _searched_names(self, model_name):
        """The fields (or paths) Odoo's default ``_search_display_name`` of
        ``model_name`` matches: ``_rec_names_search``, else ``_rec_name``."""
        model = self.env[model_name]
        return list(model._rec_names_search or ([model._rec_name] if model._rec_name else []))

    def _name_search_reaches(self, model_name, operator, value):
        """The first hidden field (a name or path of ``model_name``) that
        Odoo's name search of ``model_name`` may match for ``operator`` and
        ``value``, or None: one of the names it searches
        (``_hidden_searched_name``) or a field named by the domain of the
        model's own search of display names (``_own_search_domain``)."""
        name = self._hidden_searched_name(model_name)
        if name is None:
            name = self._hidden_leaf(model_name, self._own_search_domain(model_name, operator, value), 0)
        return name

    def _hidden_searched_name(self, model_name):
        """The first of the names Odoo's default name search of
        ``model_name`` matches (``_searched_names``) that is hidden, or None."""
        for name in self._searched_names(model_name):
            if self._path_hidden(model_name, name):
                return name
        return None

    def _own_search_domain(self, model_name, operator, value):
        """The domain by which a model that searches display names its own
        way (an override of ``_search_display_name``: products by code and
        barcode, states by "Name (country code)") matches ``value``, while
        any rule hides fields; None otherwise."""
        model = self.env[model_name]
        if type(model)._search_display_name is models.BaseModel._search_display_name or not self._any_hidden():
            return None
        return model._search_display_name(operator, value)

    def _any_hidden(self):
        """Whether any active rule hides fields."""
        return any(rule["hidden"] for rule in self._get_rules().values())

    def _hidden_leaf(self, model_name, domain, depth):
        """The path of the first condition of ``domain`` (on ``model_name``)
        that passes through or ends in a hidden field, conditions inside
        ``any`` included; None when there is none."""
        if not isinstance(domain, (list, tuple)) or depth > MAX_DOMAIN_DEPTH:
            return None
        for leaf in domain:
            if not (isinstance(leaf, (list, tuple)) and len(leaf) == 3 and isinstance(leaf[0], str)):
                continue
            path, operator, value = leaf
            if self._path_hidden(model_name, path):
                return path
            if operator in ("any", "not any"):
                comodel = self._comodel_of(model_name, path)
                inner = comodel and self._hidden_leaf(comodel, value, depth + 1)
                if inner:
                    return f"{path}.{inner}"
        return None

    def _without_hidden_leaves(self, model_name, domain, depth=0):
        """``domain`` (on ``model_name``) with each condition on a hidden
        field replaced by a constant, as if that field matched nothing
        (``FALSE_LEAF``; ``TRUE_LEAF`` for a negative operator), inside
        ``any`` too: what it finds no longer depends on a hidden value."""
        result = []
        for leaf in domain:
            if isinstance(leaf, (list, tuple)) and len(leaf) == 3 and isinstance(leaf[0], str):
                path, operator, value = leaf
                if self._path_hidden(model_name, path):
                    negative = operator in expression.NEGATIVE_TERM_OPERATORS
                    leaf = expression.TRUE_LEAF if negative else expression.FALSE_LEAF
                elif operator in ("any", "not any") and isinstance(value, (list, tuple)) and depth < MAX_DOMAIN_DEPTH:
                    comodel = self._comodel_of(model_name, path)
                    if comodel:
                        leaf = (path, operator, self._without_hidden_leaves(comodel, value, depth + 1))
            result.append(leaf)
        return result

    def _comodel_of(self, model_name, path):
        """The comodel a relational dotted ``path`` of ``model_name`` ends
        in, or None."""
        current = self.env[model_name]
        for hop in path.split("."):
            field = current._fields.get(hop)
            if field is None or not field.relational:
                return None
            current = self.env[field.comodel_name]
        return current._name

    @api.model
    def name_search_domain(self, model_name, text, operator):
        """``None`` when Odoo's own search of display names of
        ``model_name`` matches no hidden field (``_name_search_reaches``);
        otherwise a domain that matches ``text`` without them, so that a
        text matching only a hidden field (a partner's VAT or e-mail, a
        product's barcode) finds nothing: where a searched name is hidden,
        the domain of Odoo's default ``_search_display_name`` over the
        fields it searches (``_rec_names_search`` or ``_rec_name``) less the
        hidden ones; where the model's own search of display names names a
        hidden field, that search with those conditions made constant
        (``_without_hidden_leaves``: a product is still found by its code)."""
        if self._hidden_searched_name(model_name) is None:
            own = self._own_search_domain(model_name, operator, text)
            if self._hidden_leaf(model_name, own, 0) is None:
                return None
            return self._without_hidden_leaves(model_name, own)
        names = self._searched_names(model_name)
        kept = [name for name in names if not self._path_hidden(model_name, name)]
        negative = operator in expression.NEGATIVE_TERM_OPERATORS
        if operator.endswith("like") and not text and "=" not in operator:
            return expression.FALSE_DOMAIN if negative else expression.TRUE_DOMAIN
        if not kept:
            return expression.TRUE_DOMAIN if negative else expression.FALSE_DOMAIN
        aggregator = expression.AND if negative else expression.OR
        return aggregator([[(name, operator, text)] for name in kept])

    def _check_term(self, model_name, term, key, extra, depth):
        """Also refuse a condition that Odoo answers with the name search of
        a model whose name search matches a hidden field
        (``name_search_domain``): one on ``display_name``, or a text compared
        with a relational field (``partner_id ilike "BE0477..."`` searches
        the partners' names, VAT included). It would tell which records have
        a hidden value (reason 'field', naming the hidden field it reaches)."""
        checked = super()._check_term(model_name, term, key, extra, depth)
        path = term[0] if isinstance(term, (list, tuple)) and term else None
        if not isinstance(path, str) or not self._any_hidden():
            return checked
        operator, value = str(term[1]).lower(), term[2]
        if path.rsplit(".", 1)[-1] == "display_name":
            searched = self._resolve_path(model_name, path, key, extra)[0]._name
        elif next(_strings(value), None) is not None and operator not in ("any", "not any"):
            # a text (or a list holding one) on a relational field
            field = self._resolve_path(model_name, path, key, extra)[1]
            if not field.relational or field.type == "properties":
                return checked
            searched = field.comodel_name  # Odoo matches the text with the comodel's name search
        else:
            return checked
        name = self._name_search_reaches(searched, operator, value)
        if name is not None:
            raise McpAccessDenied(self._msg(MSG_FIELD_DENIED, field=name, model=searched),
                                  data={"model": searched, "field": name, "reason": "field"})
        return checked

    def _field_accessible(self, field):
        return super()._field_accessible(field) and field.name not in self.hidden_fields(field.model_name)

    def _check_related(self, model, field, key, path, extra):
        """Also refuse a related field whose chain passes through or ends in
        a hidden field (reason 'field', naming the related field only)."""
        super()._check_related(model, field, key, path, extra)
        related = field.related
        if related and self._path_hidden(model._name, related if isinstance(related, str) else ".".join(related)):
            raise McpAccessDenied(self._msg(MSG_FIELD_DENIED, field=field.name, model=model._name),
                                  data={"model": model._name, "field": field.name, "reason": "field"})

    @api.model
    def check_method(self, model_name, method, key, args=None, kwargs=None):
        """Also refuse a method argument naming a hidden field of the model
        (a string such as ``get_field_translations("vat")``, at any depth),
        as the field itself is refused; keyword arguments named like a field
        are checked as values (``tools/execute_method.field_kwargs``)."""
        model = super().check_method(model_name, method, key, args, kwargs)
        secret = self.hidden_fields(model_name)
        if secret:
            for text in _strings([args or [], list((kwargs or {}).values())]):
                if text in secret:
                    raise McpAccessDenied(self._msg(MSG_FIELD_DENIED, field=text, model=model_name),
                                          data={"model": model_name, "field": text, "reason": "field"})
        return model

    @api.model
    def without_hidden(self, model_name, values):
        """``values`` (a create/write dict that Odoo built, not the agent:
        ``copy_data``) without the fields the rules hide, in nested x2many
        values too, so that the guard's checks of the rest do not refuse
        what Odoo copies by itself."""
        if not isinstance(values, dict):
            return values
        model = self.env[model_name]
        secret = self.hidden_fields(model_name)
        result = {}
        for fname, value in values.items():
            if fname in secret:
                continue
            field = model._fields.get(fname)
            if field is not None and field.type in ("one2many", "many2many") and isinstance(value, (list, tuple)):
                value = [self._command_without_hidden(field.comodel_name, command) for command in value]
            result[fname] = value
        return result

    def _command_without_hidden(self, comodel_name, command):
        if isinstance(command, (list, tuple)) and len(command) == 3 and command[0] in _VALUES_COMMANDS \
                and isinstance(command[2], dict):
            return type(command)((command[0], command[1], self.without_hidden(comodel_name, command[2])))
        return command
