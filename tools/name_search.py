"""Tool ``name_search``: find records by (part of) their name."""
from odoo.osv import expression

from ..models.mcp_guard_rules import NAME_SEARCH_OPERATORS
from .arguments import get_domain, get_limit, get_model, opt_str
from .base import Tool
from .queries import agent_query
from .schemas import DOMAIN, LIMIT, MODEL, read_annotations



class NameSearch(Tool):
    """Text → matching records as [id, display_name]."""

    name = "name_search"
    title = "Find records by name"
    description = (
        "Find records whose display name matches a text (as Odoo's autocomplete does) and "
        "return [id, display_name] pairs; use it to turn a name into the id a domain or a "
        "many2one value needs. "
        "Example: {\"model\": \"res.country\", \"name\": \"belg\"} → [[21, \"Belgium\"]]"
    )
    input_schema = {
        "type": "object",
        "properties": {
            "model": MODEL,
            "name": {"type": "string", "default": "", "description": "Text to look for (empty: any)."},
            "operator": {"type": "string", "enum": list(NAME_SEARCH_OPERATORS), "default": "ilike"},
            "domain": DOMAIN,
            "limit": LIMIT,
        },
        "required": ["model"],
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {
            "model": {"type": "string"},
            "results": {
                "type": "array",
                "items": {"type": "array", "prefixItems": [{"type": "integer"}, {"type": ["string", "null"]}],
                          "minItems": 2, "maxItems": 2},
            },
            "count": {"type": "integer"},
        },
        "required": ["model", "results", "count"],
    }
    annotations = read_annotations(title)
    operation = "read"

    def run(self, call):
        model = get_model(call, "read")
        text = opt_str(call.arguments, "name", "") or ""
        operator = opt_str(call.arguments, "operator", "ilike") or "ilike"
        call.guard.check_name_search_operator(operator)
        domain = get_domain(call, model)
        limit = get_limit(call)
        restricted = call.guard.name_search_domain(model._name, text, operator)  # a rule hides a searched field
        with agent_query():
            if restricted is None:
                pairs = model.name_search(text, domain, operator=operator, limit=limit)
            else:
                found = model.search_fetch(expression.AND([restricted, domain]), ["display_name"], limit=limit)
                pairs = [(record.id, record.display_name) for record in found]
        results = [[rid, str(name) if name else None] for rid, name in pairs]
        return {"model": model._name, "results": results, "count": len(results)}
