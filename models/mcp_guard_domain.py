# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The guard's checks of what a search says besides its fields (see
``mcp_guard.py``): the domain (structure, operators, values, each path hop
by hop), the order, the groupby and the aggregates of ``aggregate``, the
operators of ``name_search``. The lists they accept and the messages they
refuse with are in ``mcp_guard_rules.py``."""
import json

from odoo import api, models

from ..protocol.errors import McpAccessDenied, ToolError
from .mcp_guard_rules import (
    DOMAIN_TERM_OPERATORS, DOMAIN_LOGIC_OPERATORS, ID_ONLY_OPERATORS, GROUPBY_GRANULARITIES, AGGREGATE_FUNCTIONS,
    MAX_DOMAIN_DEPTH, MAX_DOMAIN_LENGTH, _IDENT_RE, _ORDER_TERM_RE, _GROUPBY_RE, MSG_PATH_DENIED, MSG_DOMAIN_NOT_LIST,
    MSG_DOMAIN_BAD_TERM, MSG_DOMAIN_BAD_OPERATOR, MSG_DOMAIN_BAD_VALUE, MSG_DOMAIN_ARITY, MSG_DOMAIN_FLAT,
    MSG_DOMAIN_TOO_COMPLEX, MSG_DOMAIN_ID_ONLY, MSG_BAD_ORDER, MSG_ORDER_NOT_STORED, MSG_BAD_GROUPBY,
    MSG_BAD_GRANULARITY, MSG_BAD_AGGREGATE, MSG_UNKNOWN_AGGREGATE, MSG_AGGREGATE_NOT_NUMERIC, MSG_GROUPBY_PATH,
    MSG_NAME_SEARCH_OPERATOR, NAME_SEARCH_OPERATORS, NUMERIC_AGGREGATE_FUNCTIONS, NUMERIC_FIELD_TYPES,
    _is_json_scalar,
)


class McpGuardDomain(models.AbstractModel):
    _inherit = "mcp.guard"

    # ------------------------------------------------------------------
    # domain
    # ------------------------------------------------------------------
    @api.model
    def check_domain(self, model_name, domain, key):
        """Validate ``domain`` structurally (prefix notation, Odoo operators,
        JSON values) and check each left-hand path like ``check_fields``.
        Returns the domain as a list (terms as tuples)."""
        if domain is None:
            return []
        if isinstance(domain, (list, tuple)) and len(domain) == 3 and isinstance(domain[0], str) \
                and domain[0] not in DOMAIN_LOGIC_OPERATORS and isinstance(domain[1], str) \
                and domain[1].lower() in DOMAIN_TERM_OPERATORS:
            # one condition not wrapped: ["name", "=", "x"] for [["name", "=", "x"]]
            raise ToolError(self._msg(MSG_DOMAIN_FLAT, term=json.dumps(list(domain), default=str)))
        return self._check_domain(model_name, domain, key, self._extra_blocked(), depth=0)

    def _check_domain(self, model_name, domain, key, extra, depth):
        if not isinstance(domain, (list, tuple)):
            raise ToolError(self._msg(MSG_DOMAIN_NOT_LIST))
        if depth > MAX_DOMAIN_DEPTH or len(domain) > MAX_DOMAIN_LENGTH:
            raise ToolError(self._msg(MSG_DOMAIN_TOO_COMPLEX))
        result = []
        for element in domain:
            if isinstance(element, str):
                if element not in DOMAIN_LOGIC_OPERATORS:
                    raise ToolError(self._msg(MSG_DOMAIN_BAD_TERM, term=repr(element)))
                result.append(element)
                continue
            result.append(self._check_term(model_name, element, key, extra, depth))
        # arity: read the prefix notation backwards with an operand counter
        operands = 0
        for element in reversed(result):
            if element in ("&", "|"):
                if operands < 2:
                    raise ToolError(self._msg(MSG_DOMAIN_ARITY, operator=element))
                operands -= 1
            elif element == "!":
                if operands < 1:
                    raise ToolError(self._msg(MSG_DOMAIN_ARITY, operator=element))
            else:
                operands += 1
        return result

    def _check_term(self, model_name, term, key, extra, depth):
        if not isinstance(term, (list, tuple)) or len(term) != 3:
            raise ToolError(self._msg(MSG_DOMAIN_BAD_TERM, term=repr(term)))
        path, operator, value = term
        # Odoo's TRUE_LEAF / FALSE_LEAF
        if tuple(term) in ((1, "=", 1), (0, "=", 1)) and not isinstance(path, bool):
            return (path, operator, value)
        if not isinstance(path, str):
            raise ToolError(self._msg(MSG_DOMAIN_BAD_TERM, term=repr(term)))
        if not isinstance(operator, str) or operator.lower() not in DOMAIN_TERM_OPERATORS:
            raise ToolError(self._msg(MSG_DOMAIN_BAD_OPERATOR, operator=operator, term=repr(list(term)),
                                      operators=", ".join(sorted(DOMAIN_TERM_OPERATORS))))
        operator = operator.lower()
        model, field = self._resolve_path(model_name, path, key, extra)
        relational = field.relational and not (field.type == "properties")
        if operator in ("any", "not any"):
            if not relational:
                raise ToolError(self._msg(MSG_DOMAIN_BAD_OPERATOR, operator=operator, term=repr(list(term)),
                                          operators=", ".join(sorted(DOMAIN_TERM_OPERATORS - {"any", "not any"}))))
            refusal = self._refusal(field.comodel_name, "read", key, extra)
            if refusal:
                raise McpAccessDenied(self._msg(MSG_PATH_DENIED, path=path, model=field.comodel_name),
                                   data={"model": field.comodel_name, "path": path, "reason": refusal[0]})
            value = self._check_domain(field.comodel_name, value, key, extra, depth + 1)
            return self.scope_attached_term(model_name, (path, operator, value), key)
        if _is_json_scalar(value):
            pass
        elif isinstance(value, (list, tuple)) and all(_is_json_scalar(item) for item in value):
            value = list(value)
        else:
            raise ToolError(self._msg(MSG_DOMAIN_BAD_VALUE, term=repr(list(term))))
        if relational:
            items = value if isinstance(value, list) else [value]
            ids_only = operator in ID_ONLY_OPERATORS and all(
                isinstance(item, bool) or (isinstance(item, int)) or item is None for item in items)
            if not ids_only and self._refusal(field.comodel_name, "read", key, extra):
                raise McpAccessDenied(
                    self._msg(MSG_DOMAIN_ID_ONLY, field=field.name, model=model._name, comodel=field.comodel_name),
                    data={"model": field.comodel_name, "path": path, "reason": "blocked"},
                )
        if "." in path:  # a hop into messages, activities... of documents the key may read only
            return self.scope_attached_term(model_name, (path, operator, value), key)
        return (path, operator, value)

    # ------------------------------------------------------------------
    # order, groupby, aggregates
    # ------------------------------------------------------------------
    @api.model
    def check_order(self, model_name, order, key):
        """Return a safe order string built from ``order``: comma-separated
        ``field [asc|desc] [nulls first|last]`` (one dotted hop allowed,
        e.g. ``partner_id.id`` or a property), every field checked. Anything
        else (SQL, parentheses, semicolons...) ⇒ ToolError."""
        if order in (None, ""):
            return ""
        if not isinstance(order, str) or len(order) > 1000:
            raise ToolError(self._msg(MSG_BAD_ORDER, order=order))
        extra = self._extra_blocked()
        terms = []
        for part in order.split(","):
            match = _ORDER_TERM_RE.match(part)
            if not match:
                raise ToolError(self._msg(MSG_BAD_ORDER, order=order))
            path = match["path"]
            model, field = self._resolve_path(model_name, path, key, extra)
            if "." not in path and not (field.store or field.name == "id"):
                raise ToolError(self._msg(MSG_ORDER_NOT_STORED, field=field.name, model=model._name))
            term = path
            if match["direction"]:
                term += " " + match["direction"].upper()
            if match["nulls"]:
                term += " NULLS " + match["nulls"].upper()
            terms.append(term)
        return ", ".join(terms)

    @api.model
    def check_groupby(self, model_name, groupby, key):
        """Return ``groupby`` as a list of checked specs: ``field`` or
        ``field:granularity`` (day/week/month/quarter/year on date and
        datetime fields only)."""
        if groupby in (None, "", []):
            return []
        if isinstance(groupby, str):
            groupby = [groupby]
        if not isinstance(groupby, (list, tuple)):
            raise ToolError(self._msg(MSG_BAD_GROUPBY, groupby=groupby))
        extra = self._extra_blocked()
        result = []
        for spec in groupby:
            match = _GROUPBY_RE.match(spec) if isinstance(spec, str) else None
            if not match:
                raise ToolError(self._msg(MSG_BAD_GROUPBY, groupby=spec))
            path = match["path"]
            model, field = self._resolve_path(model_name, path, key, extra)
            if "." in path and field.type != "properties":
                # Odoo groups by a field of the model, or a property of a properties field
                raise ToolError(self._msg(MSG_GROUPBY_PATH, path=path, field=path.split(".")[0]))
            granularity = match["granularity"]
            if granularity:
                if granularity not in GROUPBY_GRANULARITIES:
                    raise ToolError(self._msg(MSG_BAD_GROUPBY, groupby=spec))
                if field.type not in ("date", "datetime"):
                    raise ToolError(self._msg(MSG_BAD_GRANULARITY, granularity=granularity, field=field.name))
            result.append(spec)
        return result

    @api.model
    def check_aggregates(self, model_name, aggregates, key):
        """Return ``aggregates`` (``field:function`` specs or ``__count``)
        as a checked list: a known function (``AGGREGATE_FUNCTIONS``) on a
        readable field, numeric for sum and avg."""
        if aggregates in (None, "", []):
            return []
        if isinstance(aggregates, str):
            aggregates = [aggregates]
        if not isinstance(aggregates, (list, tuple)):
            raise ToolError(self._msg(MSG_BAD_AGGREGATE, spec=aggregates, functions=", ".join(AGGREGATE_FUNCTIONS)))
        extra = self._extra_blocked()
        result = []
        for spec in aggregates:
            if spec == "__count":
                result.append(spec)
                continue
            if not isinstance(spec, str) or spec.count(":") != 1:
                raise ToolError(self._msg(MSG_BAD_AGGREGATE, spec=spec, functions=", ".join(AGGREGATE_FUNCTIONS)))
            fname, function = spec.split(":")
            if not _IDENT_RE.match(fname):
                raise ToolError(self._msg(MSG_BAD_AGGREGATE, spec=spec, functions=", ".join(AGGREGATE_FUNCTIONS)))
            if function not in AGGREGATE_FUNCTIONS:
                raise ToolError(self._msg(MSG_UNKNOWN_AGGREGATE, function=function, spec=spec,
                                          functions=", ".join(AGGREGATE_FUNCTIONS)))
            _model, field = self._resolve_path(model_name, fname, key, extra)
            if function in NUMERIC_AGGREGATE_FUNCTIONS and field.type not in NUMERIC_FIELD_TYPES:
                raise ToolError(self._msg(MSG_AGGREGATE_NOT_NUMERIC, function=function, field=fname, type=field.type))
            result.append(spec)
        return result

    @api.model
    def check_name_search_operator(self, operator):
        """Return ``operator`` if ``name_search`` may use it
        (``NAME_SEARCH_OPERATORS``), else raise ToolError."""
        if operator not in NAME_SEARCH_OPERATORS:
            raise ToolError(self._msg(MSG_NAME_SEARCH_OPERATOR, operators=", ".join(NAME_SEARCH_OPERATORS)))
        return operator
