"""Tool ``count``: how many records match a domain."""
from .arguments import get_domain, get_model
from .base import Tool
from .queries import agent_query
from .schemas import DOMAIN, MODEL, read_annotations


class Count(Tool):
    """Number of records matching a domain (one SQL COUNT, any table size)."""

    name = "count"
    title = "Count records"
    description = (
        "Count the records of an Odoo model that match a domain, without reading them. "
        "Example: {\"model\": \"res.partner\", \"domain\": [[\"country_id.code\", \"=\", \"US\"]]}"
    )
    input_schema = {
        "type": "object",
        "properties": {"model": MODEL, "domain": DOMAIN},
        "required": ["model"],
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {"model": {"type": "string"}, "count": {"type": "integer", "minimum": 0}},
        "required": ["model", "count"],
    }
    annotations = read_annotations(title)
    operation = "read"

    def run(self, call):
        model = get_model(call, "read")
        domain = get_domain(call, model)
        with agent_query():
            count = model.search_count(domain)
        return {"model": model._name, "count": count}
