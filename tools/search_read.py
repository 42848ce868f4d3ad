"""Tool ``search_read``: find records and read their fields, one page at a time."""
from odoo.tools import SQL

from .arguments import (default_field_names, get_domain, get_field_names, get_limit, get_model,
                        get_offset, get_order)
from .base import Tool
from .queries import agent_query
from .schemas import DOMAIN, FIELDS, LIMIT, MODEL, NEXT_OFFSET, OFFSET, ORDER, RECORD, TZ, read_annotations
from .serialize import serialize_for_call, user_tz

X2MANY_NAMES = {"type": "boolean", "default": False,
                "description": "Return one2many/many2many values as [{id, display_name}] instead of ids."}


def count_statement(query):
    """The statement counting the rows of ``query`` (a ``Query`` from
    ``_search``) over all pages: Odoo's own count (``len(query)``) without
    the page's ``ORDER BY``/``LIMIT``/``OFFSET``, built from the query's
    public ``from_clause`` and ``where_clause``. Take it before fetching:
    ``_fetch_query`` may join more tables into the query (inherited fields).
    None when ``_search`` returned ids it resolved itself (a model whose
    ``_search`` filters rows in Python, like ``mail.message``): those are
    the page's only, count with ``search_count`` then.
    tests/test_tools_search.py pins this against Odoo's ``Query``."""
    if query._ids is not None:
        return None
    where = query.where_clause
    return SQL("SELECT COUNT(*) FROM %s%s", query.from_clause, SQL(" WHERE %s", where) if where else SQL())


def search_fetch_count(model, domain, field_names, offset, limit, order):
    """``model.search_fetch(...)`` and the number of records matching
    ``domain`` (the total over all pages).

    The count reuses the search's query (domain parsed and record rules
    applied once: a second ``_search``, as ``search_count`` would run, costs
    about as much as the search and fetch together); it is run only when the
    page does not tell the total by itself (a full page, or an empty page
    past the first)."""
    query = model._search(domain, offset=offset, limit=limit, order=order or model._order)
    if query.is_empty():  # Odoo knows without a query that nothing matches
        return model.browse(), 0
    count = count_statement(query)
    records = model._fetch_query(query, model._determine_fields_to_fetch(field_names))
    if len(records) < limit and (records or not offset):
        return records, offset + len(records)
    if count is None:
        return records, model.search_count(domain)
    return records, model.env.execute_query(count)[0][0]


class SearchRead(Tool):
    """Search records with a domain and read fields, paginated, with the total count."""

    name = "search_read"
    title = "Search and read records"
    description = (
        "Search records of an Odoo model with a domain and return their fields, one page at a "
        "time, plus the total number of matches and the offset of the next page. Many2one "
        "values are [id, name], selections {value, label}, datetimes ISO 8601 in UTC. "
        "Example: {\"model\": \"res.partner\", \"domain\": [[\"is_company\", \"=\", true]], "
        "\"fields\": [\"name\", \"email\", \"country_id\"], \"order\": \"name\", \"limit\": 10}"
    )
    input_schema = {
        "type": "object",
        "properties": {
            "model": MODEL,
            "domain": DOMAIN,
            "fields": FIELDS,
            "order": ORDER,
            "limit": LIMIT,
            "offset": OFFSET,
            "x2many_names": X2MANY_NAMES,
        },
        "required": ["model"],
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {
            "model": {"type": "string"},
            "records": {"type": "array", "items": RECORD},
            "count": {"type": "integer", "description": "Records in this page."},
            "total": {"type": "integer", "description": "Records matching the domain."},
            "offset": {"type": "integer"},
            "limit": {"type": "integer"},
            "next_offset": NEXT_OFFSET,
            "fields": {"type": "array", "items": {"type": "string"}},
            "tz": TZ,
            "truncated": {"type": "array", "items": {"type": "string"},
                          "description": "x2many fields whose id lists were cut at the record limit."},
        },
        "required": ["model", "records", "count", "total", "offset", "limit", "next_offset"],
    }
    annotations = read_annotations(title)
    operation = "read"

    def run(self, call):
        model = get_model(call, "read")
        field_names = get_field_names(call, model, default=default_field_names)
        domain = get_domain(call, model)
        order = get_order(call, model)
        limit = get_limit(call)
        offset = get_offset(call)
        fetch = [f for f in field_names if model._fields[f].type != "binary"]
        with agent_query():
            records, total = search_fetch_count(model, domain, fetch, offset, limit, order)
        rows, truncated = serialize_for_call(call, records, field_names, fetched=True)
        next_offset = offset + len(rows) if offset + len(rows) < total else None
        result = {
            "model": model._name,
            "records": rows,
            "count": len(rows),
            "total": total,
            "offset": offset,
            "limit": limit,
            "next_offset": next_offset,
            "fields": field_names,
            "tz": user_tz(call.env),
        }
        if truncated:
            result["truncated"] = truncated
        return result
