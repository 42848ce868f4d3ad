"""Tool ``search_read``: find records and read their fields, one page at a time."""
from odoo.tools import SQL

from .arguments import (get_domain, get_field_names, get_limit, get_model,
                        get_offset, get_order, list_view_field_names)
from .base import Tool
from .queries import agent_query
from .schemas import DOMAIN, FIELDS, LIMIT, MODEL, NEXT_OFFSET, OFFSET, ORDER, RECORD, TZ, read_annotations
from .serialize import serialize_for_call, user_tz

X2MANY_NAMES = {"type": "boolean", "default": False,
                "description": "Return one2many/many2many values as [{id, display_name}] instead of ids."}
COUNT_TOTAL = {"type": "boolean", "default": False,
               "description": "Also count every matching record for 'total' when more pages follow (a count "
                              "over all matches: slow on big tables). Without it, 'total' is given only when "
                              "this page is the last one; 'next_offset' always says whether more follow."}


def count_statement(query):
    """The statement counting the rows of ``query`` (a ``Query`` from
    ``_search``) over all pages: Odoo's own count (``len(query)``) without
    the page's ``ORDER BY``/``LIMIT``/``OFFSET``, built from the query's
    public ``from_clause`` and ``where_clause``. Take it before fetching:
    ``_fetch_query`` may join more tables into the query (inherited fields).
    None when ``_search`` returned ids it resolved itself (a model whose
    ``_search`` filters rows in Python, like ``mail.message``): those are
    the page's only, ``search_page`` lists every match then.
    tests/test_tools_search.py pins this against Odoo's ``Query``."""
    if query._ids is not None:
        return None
    where = query.where_clause
    return SQL("SELECT COUNT(*) FROM %s%s", query.from_clause, SQL(" WHERE %s", where) if where else SQL())


def search_page(model, domain, field_names, offset, limit, order, count_total=False):
    """One page of ``model.search_fetch(...)``: ``(records, has_more, total)``.

    ``has_more``: records match past this page (one more row is fetched to
    know it, no count). ``total``, the number of matches over all pages, is
    known for free when this page is the last one (or an empty first page);
    otherwise it costs a count over every match — run only with
    ``count_total`` (or for an empty page past the end), else ``None``. The count reuses the search's query
    (domain parsed and record rules applied once: a second ``_search``, as
    ``search_count`` would run, costs about as much as the search and fetch
    together)."""
    query = model._search(domain, offset=offset, limit=limit + 1, order=order or model._order)
    count = count_statement(query)  # before the fetch, which may join more tables into the query
    if count is None:  # even an empty page of those may hide matches further on
        return _filtered_page(model, domain, field_names, offset, limit, order)
    if query.is_empty():  # Odoo knows without a query that nothing matches
        return model.browse(), False, 0
    records = model._fetch_query(query, model._determine_fields_to_fetch(field_names))
    has_more = len(records) > limit
    records = records[:limit]
    if not has_more and (records or not offset):
        return records, False, offset + len(records)
    if records and not count_total:
        return records, has_more, None
    # counted when asked, or for an empty page past the end (where is the end?)
    return records, has_more, model.env.execute_query(count)[0][0]


def _filtered_page(model, domain, field_names, offset, limit, order):
    """``search_page`` of a model whose ``_search`` drops rows in Python
    after its SQL query (``mail.message``, ``mail.activity``: access to the
    documents they belong to): Odoo applies ``offset``/``limit`` to the SQL
    rows *before* that filter, so its pages are short and its offsets count
    rows the user may not see. Here every visible match is listed once (the
    ids only, as ``search_count`` would), and the page, the next offset and
    the total are taken from that list."""
    ids = list(model._search(domain, order=order or model._order))
    records = model.browse(ids[offset:offset + limit])
    records.fetch(field_names)
    return records, offset + limit < len(ids), len(ids)


class SearchRead(Tool):
    """Search records with a domain and read fields, paginated, with the total count."""

    name = "search_read"
    title = "Search and read records"
    description = (
        "Search records of an Odoo model with a domain and return their fields, one page at a "
        "time, with the offset of the next page (null on the last page) and the total number of "
        "matches (on the last page, or with count_total; the count tool counts too). Many2one "
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
            "count_total": COUNT_TOTAL,
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
            "total": {"type": ["integer", "null"],
                      "description": "Records matching the domain; null when not counted (more pages follow "
                                     "and count_total was not set)."},
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
        field_names = get_field_names(call, model, default=list_view_field_names)
        domain = get_domain(call, model)
        order = get_order(call, model)
        limit = get_limit(call)
        offset = get_offset(call)
        fetch = [f for f in field_names if model._fields[f].type != "binary"]
        with agent_query():
            records, has_more, total = search_page(model, domain, fetch, offset, limit, order,
                                                   call.arguments.get("count_total", False))
        rows, truncated = serialize_for_call(call, records, field_names, fetched=True)
        next_offset = offset + len(rows) if has_more else None
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
