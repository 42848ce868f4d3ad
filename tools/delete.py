"""Tool ``delete``: delete records."""
from .arguments import get_ids, get_model
from .base import Tool
from .schemas import IDS, MODEL, or_pending, with_reason, write_annotations


class Delete(Tool):
    """Delete records by id (Odoo's unlink, with its checks)."""

    name = "delete"
    title = "Delete records"
    description = (
        "Permanently delete records by id. Ids that no longer exist (or that you may not see) are reported in "
        "missing_ids (deleting twice is harmless). Odoo may refuse (e.g. records still in "
        "use); the message says why. Prefer archiving (update active=false) when the model "
        "has an `active` field. Example: {\"model\": \"res.partner\", \"ids\": [42]}"
    )
    input_schema = {
        "type": "object",
        "properties": {"model": MODEL, "ids": IDS},
        "required": ["model", "ids"],
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {
            "model": {"type": "string"},
            "deleted_ids": {"type": "array", "items": {"type": "integer"}},
            "missing_ids": {"type": "array", "items": {"type": "integer"}},
            "count": {"type": "integer"},
        },
        "required": ["model", "deleted_ids", "missing_ids", "count"],
    }
    input_schema = with_reason(input_schema)
    output_schema = or_pending(output_schema)
    annotations = write_annotations(title, destructive=True, idempotent=True)
    operation = "unlink"

    def run(self, call):
        model = get_model(call, "unlink")
        ids = get_ids(call)
        readable = set(call.guard.readable_ids(model._name, ids))  # missing and hidden: one answer
        records = model.browse([rid for rid in ids if rid in readable])
        deleted = [rid for rid in ids if rid in readable]
        pending = call.env["mcp.write.policy"].gate(call, self.name, model, records)
        if pending is not None:
            return pending
        records.unlink()
        return {"model": model._name, "deleted_ids": deleted,
                "missing_ids": [rid for rid in ids if rid not in deleted], "count": len(deleted)}
