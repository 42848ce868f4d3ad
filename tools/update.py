"""Tool ``update``: write the same values on records."""
from ..protocol.errors import ToolError
from .arguments import get_ids, get_model, opt_object
from .base import Tool
from .schemas import IDS, MODEL, or_pending, with_reason, write_annotations
from .values import check_values


class Update(Tool):
    """Write field values on existing records."""

    name = "update"
    title = "Update records"
    description = (
        "Write the same field values on one or more existing records (value formats as for "
        "create; x2many lists of ids replace the relation). Fails without changing anything "
        "if an id does not exist. "
        "Example: {\"model\": \"res.partner\", \"ids\": [7], \"values\": {\"phone\": \"+32 2 555 01 01\"}}"
    )
    input_schema = {
        "type": "object",
        "properties": {
            "model": MODEL,
            "ids": IDS,
            "values": {"type": "object", "minProperties": 1, "description": "Field values to write."},
        },
        "required": ["model", "ids", "values"],
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {
            "model": {"type": "string"},
            "ids": {"type": "array", "items": {"type": "integer"}},
            "count": {"type": "integer"},
            "fields": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["model", "ids", "count"],
    }
    input_schema = with_reason(input_schema)
    output_schema = or_pending(output_schema)
    annotations = write_annotations(title, destructive=True, idempotent=True)
    operation = "write"

    def run(self, call):
        model = get_model(call, "write")
        ids = get_ids(call)
        records = model.browse(ids)
        missing = sorted(set(ids) - set(call.guard.readable_ids(model._name, ids)))  # or hidden: one answer
        if missing:
            raise ToolError("No %s record with id %s; nothing was updated." % (
                model._name, ", ".join(map(str, missing))),
                            data={"model": model._name, "missing_ids": missing})
        values = check_values(call, records, opt_object(call.arguments, "values"), "write")
        pending = call.env["mcp.write.policy"].gate(call, self.name, model, records, values)
        if pending is not None:
            return pending
        records.write(values)
        return {"model": model._name, "ids": ids, "count": len(ids), "fields": sorted(values)}
