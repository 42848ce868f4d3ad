"""Tool ``aggregate``: grouped totals (Odoo's read_group).

The tool reads the shape of ``groupby`` and ``measures`` (and fills in a
measure's default function); which fields, granularities and functions are
allowed is the guard's ``check_groupby`` / ``check_aggregates``.
"""
import datetime

from ..models.mcp_guard_rules import NUMERIC_FIELD_TYPES
from ..protocol.errors import ToolError
from .arguments import get_domain, get_limit, get_model, get_offset, opt_list, opt_str
from .base import Tool
from .queries import agent_query
from .schemas import DOMAIN, LIMIT, MODEL, NEXT_OFFSET, OFFSET, TZ, read_annotations
from .serialize import datetime_to_json, json_safe, user_tz

MAX_GROUPBY = 4
#: Groups of a year or a quarter are named by the period ("2026", "2026-Q1"),
#: not by the date it starts on; months, weeks and days keep that date.
PERIOD_LABELS = {
    "year": lambda day: f"{day.year:04d}",
    "quarter": lambda day: f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}",
}
MAX_MEASURES = 20


class Aggregate(Tool):
    """Group records and compute counts, sums, averages, minima and maxima."""

    name = "aggregate"
    title = "Aggregate records (group by)"
    description = (
        "Group the records matching a domain and compute aggregates per group, like a pivot "
        "table. groupby: field names, dates with a granularity (field:day|week|month|quarter|"
        "year). measures: \"__count\" or \"field:function\" with function sum, avg, min, max, "
        "count, count_distinct. Order by a groupby or measure, e.g. \"__count desc\". "
        "Example: {\"model\": \"res.partner\", \"groupby\": [\"country_id\"], "
        "\"measures\": [\"__count\"], \"order\": \"__count desc\", \"limit\": 5}"
    )
    input_schema = {
        "type": "object",
        "properties": {
            "model": MODEL,
            "groupby": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_GROUPBY, "default": [],
                        "description": "Fields to group by, e.g. [\"country_id\", \"create_date:month\"]."},
            "measures": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_MEASURES,
                         "default": ["__count"],
                         "description": "Aggregates, e.g. [\"__count\", \"credit_limit:sum\"]."},
            "domain": DOMAIN,
            "order": {"type": "string", "description": "e.g. \"__count desc\" or \"country_id\"."},
            "limit": LIMIT,
            "offset": OFFSET,
        },
        "required": ["model"],
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {
            "model": {"type": "string"},
            "groupby": {"type": "array", "items": {"type": "string"}},
            "measures": {"type": "array", "items": {"type": "string"}},
            "groups": {"type": "array", "items": {"type": "object"}},
            "count": {"type": "integer"},
            "offset": {"type": "integer"},
            "limit": {"type": "integer"},
            "next_offset": NEXT_OFFSET,
            "tz": TZ,
        },
        "required": ["model", "groupby", "measures", "groups", "count", "offset", "limit", "next_offset"],
    }
    annotations = read_annotations(title)
    operation = "read"

    def run(self, call):
        model = get_model(call, "read")
        groupby = self._groupby(call, model)
        measures = self._measures(call, model)
        domain = get_domain(call, model)
        order = self._order(call, groupby, measures)
        limit = get_limit(call)
        offset = get_offset(call)
        with agent_query("aggregate query"):
            rows = model._read_group(domain, groupby, measures, offset=offset,
                                     limit=limit + 1 if groupby else None, order=order)
        more = len(rows) > limit
        rows = rows[:limit]
        groups = []
        hidden = {}  # comodel name -> True when the key may not read it (names hidden)
        user_ids = [value.id for row in rows for value in row[:len(groupby)]
                    if hasattr(value, "_name") and value._name == "res.users" and value]
        user_names = call.guard.user_names(user_ids) if user_ids else {}
        for row in rows:
            group = {}
            for spec, value in zip(groupby, row):
                if hasattr(value, "_name") and value._name not in hidden:
                    hidden[value._name] = bool(call.guard._refusal(value._name, "read", call.key))
                group[spec] = self._group_value(model, spec, value, hidden, user_names)
            for spec, value in zip(measures, row[len(groupby):]):
                group[spec] = json_safe(value)
            groups.append(group)
        return {
            "model": model._name,
            "groupby": groupby,
            "measures": measures,
            "groups": groups,
            "count": len(groups),
            "offset": offset,
            "limit": limit,
            "next_offset": offset + len(groups) if more else None,
            "tz": user_tz(call.env),
        }

    # arguments -------------------------------------------------------------
    def _groupby(self, call, model):
        groupby = opt_list(call.arguments, "groupby")
        if len(groupby) > MAX_GROUPBY:
            raise ToolError("At most %d groupby fields per call." % MAX_GROUPBY)
        for spec in groupby:
            if not isinstance(spec, str) or not spec:
                raise ToolError("Argument 'groupby' must be an array of field names, e.g. [\"country_id\"].")
        return call.guard.check_groupby(model._name, groupby, call.key)

    def _measures(self, call, model):
        measures = call.arguments.get("measures")
        if measures is None:
            measures = ["__count"]
        if not isinstance(measures, list) or not measures:
            raise ToolError("Argument 'measures' must be a non-empty array, e.g. [\"__count\", \"amount:sum\"].")
        if len(measures) > MAX_MEASURES:
            raise ToolError("At most %d measures per call." % MAX_MEASURES)
        result = []
        for spec in measures:
            if not isinstance(spec, str) or not spec:
                raise ToolError("Each measure is a string: \"__count\" or \"field:function\".")
            if spec != "__count" and ":" not in spec:
                spec = self._default_measure(call, model, spec)
            result.append(spec)
        return call.guard.check_aggregates(model._name, result, call.key)

    def _default_measure(self, call, model, fname):
        """``field:function`` for a measure naming a field only: the field's
        aggregator, or sum for a number."""
        call.guard.check_fields(model._name, [fname], call.key)
        field = model._fields.get(fname)
        if field is None:  # a dotted path: the guard refuses it as a measure
            return fname
        function = getattr(field, "aggregator", None) or ("sum" if field.type in NUMERIC_FIELD_TYPES else "")
        if not function:
            raise ToolError("Measure %r needs a function: \"%s:count_distinct\", \"%s:max\", ..."
                            % (fname, fname, fname))
        return "%s:%s" % (fname, function)

    def _order(self, call, groupby, measures):
        order = (opt_str(call.arguments, "order") or "").strip()
        if not order:
            return None
        if not groupby:
            raise ToolError("'order' needs at least one groupby.")
        terms = []
        for term in order.split(","):
            parts = term.split()
            if not parts or len(parts) > 2 or (len(parts) == 2 and parts[1].lower() not in ("asc", "desc")):
                raise ToolError("Invalid order term %r: use \"<groupby or measure> [asc|desc]\"." % term.strip())
            if parts[0] not in groupby and parts[0] not in measures:
                raise ToolError("Order term %r must be one of the groupby or measures: %s."
                                % (parts[0], ", ".join(groupby + measures)))
            terms.append(" ".join([parts[0]] + [p.upper() for p in parts[1:]]))
        return ", ".join(terms)

    # result formatting ----------------------------------------------------
    def _group_value(self, model, spec, value, hidden=None, user_names=None):
        fname, _sep, granularity = spec.partition(":")
        field = model._fields[fname]
        if hasattr(value, "_name") and hasattr(value, "ids"):
            if not value:
                return None
            # like search_read: a comodel the key may not read (blocked, rule,
            # ACL) gives its ids only, never display names (e.g. users' names)
            if (hidden or {}).get(value._name):
                names = (user_names or {}) if value._name == "res.users" else {}
                return [value.id, names.get(value.id)]
            readable = value._filtered_access("read")
            return [value.id, value.display_name if readable else None]
        if value is None or (value is False and field.type != "boolean"):
            return None
        if field.type == "selection" and not granularity:
            labels = dict(field._description_selection(model.env) or [])
            return {"value": value, "label": str(labels[value]) if value in labels else None}
        if granularity in PERIOD_LABELS and isinstance(value, datetime.date):
            return PERIOD_LABELS[granularity](value)
        if isinstance(value, datetime.datetime):
            return datetime_to_json(value)
        return json_safe(value)
