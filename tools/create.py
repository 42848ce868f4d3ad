"""Tool ``create``: create one record."""
from .arguments import get_model, opt_object
from .base import Tool
from .schemas import MODEL, or_pending, with_reason, write_annotations
from .values import check_values


class Create(Tool):
    """Create a record from checked field values."""

    name = "create"
    title = "Create a record"
    description = (
        "Create one record of an Odoo model. `values` maps field names to values: strings, "
        "numbers, booleans, dates \"YYYY-MM-DD\", datetimes ISO 8601 (UTC unless an offset is "
        "given), many2one as an id, one2many/many2many as a list of ids or commands "
        "([0, 0, {values}] create, [4, id] link, [6, 0, [ids]] set). Use get_model_schema to "
        "learn the fields. Returns the new id and display name. "
        "Example: {\"model\": \"res.partner\", \"values\": {\"name\": \"Acme\", \"is_company\": true, "
        "\"country_id\": 21}}"
    )
    input_schema = {
        "type": "object",
        "properties": {
            "model": MODEL,
            "values": {"type": "object", "minProperties": 1,
                       "description": "Field values, e.g. {\"name\": \"Acme\", \"email\": \"info@acme.com\"}."},
        },
        "required": ["model", "values"],
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {
            "model": {"type": "string"},
            "id": {"type": "integer"},
            "display_name": {"type": ["string", "null"]},
        },
        "required": ["model", "id", "display_name"],
    }
    input_schema = with_reason(input_schema)
    output_schema = or_pending(output_schema)
    annotations = write_annotations(title, destructive=False)
    operation = "create"

    def run(self, call):
        model = get_model(call, "create")
        values = check_values(call, model, opt_object(call.arguments, "values"), "create")
        pending = call.env["mcp.write.policy"].gate(call, self.name, model, values=values)
        if pending is not None:
            return pending
        record = model.create(values)
        return {"model": model._name, "id": record.id, "display_name": record.display_name or None}
