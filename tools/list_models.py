"""Tool ``list_models``: the models this key may use."""
from .arguments import get_limit, get_offset, opt_str
from .base import Tool
from .schemas import LIMIT, NEXT_OFFSET, OFFSET, read_annotations


class ListModels(Tool):
    """Models the key may read (blocklist and model-access rules applied)."""

    name = "list_models"
    title = "List models"
    description = (
        "List the Odoo models this connection may read, with their description. "
        "Filter with `query` (matched against the technical name and the description, "
        "case-insensitive) and page with `offset`/`limit`. "
        "Example: {\"query\": \"partner\"} → res.partner (Contact), res.partner.category, …"
    )
    input_schema = {
        "type": "object",
        "properties": {
            "query": {"type": "string", "description": "Text to look for in model names and descriptions."},
            "limit": LIMIT,
            "offset": OFFSET,
        },
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {
            "models": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "model": {"type": "string"},
                        "name": {"type": "string"},
                        "transient": {"type": "boolean"},
                    },
                    "required": ["model", "name"],
                },
            },
            "count": {"type": "integer"},
            "total": {"type": "integer"},
            "offset": {"type": "integer"},
            "limit": {"type": "integer"},
            "next_offset": NEXT_OFFSET,
        },
        "required": ["models", "count", "total", "offset", "limit", "next_offset"],
    }
    annotations = read_annotations(title)
    operation = "read"

    def run(self, call):
        query = (opt_str(call.arguments, "query") or "").strip().lower()
        limit = get_limit(call)
        offset = get_offset(call)
        env = call.env
        entries = []
        for model_name in call.guard.allowed_models(call.key, "read"):
            if model_name not in env:
                continue
            model = env[model_name]
            description = model._description or model_name
            if query and query not in model_name.lower() and query not in description.lower():
                continue
            entries.append({"model": model_name, "name": description, "transient": bool(model._transient)})
        page = entries[offset:offset + limit]
        next_offset = offset + limit if offset + limit < len(entries) else None
        return {"models": page, "count": len(page), "total": len(entries), "offset": offset,
                "limit": limit, "next_offset": next_offset}
