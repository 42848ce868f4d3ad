"""Tool ``duplicate``: Odoo's copy of a record (the form's *Duplicate*)."""
from ..protocol.errors import ToolError
from .arguments import get_model, opt_int, opt_object
from .base import Tool
from .schemas import MODEL, or_pending, with_reason, write_annotations
from .values import check_values


class Duplicate(Tool):
    """Copy one record the way Odoo's Duplicate action does."""

    name = "duplicate"
    title = "Duplicate a record"
    description = (
        "Duplicate one record as Odoo's Duplicate action does (Odoo decides what is copied: e.g. a quotation "
        "copies its lines, not its number or state). `default` overrides copied values (same formats and "
        "checks as create). Needs create rights on the model and a record you may read. Returns the new "
        "record's id and display name. Example: {\"model\": \"sale.order\", \"id\": 7, "
        "\"default\": {\"client_order_ref\": \"PO-42\"}}"
    )
    input_schema = {
        "type": "object",
        "properties": {
            "model": MODEL,
            "id": {"type": "integer", "minimum": 1, "description": "The record to duplicate."},
            "default": {"type": "object", "description": "Field values of the copy that replace the copied ones."},
        },
        "required": ["model", "id"],
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {
            "model": {"type": "string"},
            "source_id": {"type": "integer"},
            "id": {"type": "integer"},
            "display_name": {"type": ["string", "null"]},
        },
        "required": ["model", "source_id", "id", "display_name"],
    }
    input_schema = with_reason(input_schema)
    output_schema = or_pending(output_schema)
    annotations = write_annotations(title, destructive=False)
    operation = "create"

    def run(self, call):
        model = get_model(call, "create")
        source_id = opt_int(call.arguments, "id", minimum=1)
        if source_id is None:
            raise ToolError("Argument 'id' is required: the id of the record to duplicate.")
        if not call.guard.readable_ids(model._name, [source_id]):  # missing and hidden: one answer
            raise ToolError(f"No {model._name} record with id {source_id}.",
                            data={"model": model._name, "missing_ids": [source_id]})
        default = opt_object(call.arguments, "default")
        default = check_values(call, model, default, "create") if default else None
        record = model.browse(source_id)
        # what the copy will create, overrides included, goes through the
        # guard's value checks as a create would (x2many commands into
        # blocked models, links that would modify blocked records); fields
        # the rule hides are copied as Odoo copies them, never shown nor chosen
        for values in record.copy_data(default):
            call.guard.check_values(model._name, call.guard.without_hidden(model._name, values), call.key)
        pending = call.env["mcp.write.policy"].gate(call, self.name, model, record, default)
        if pending is not None:
            return pending
        copy = record.copy(default)
        return {"model": model._name, "source_id": source_id, "id": copy.id,
                "display_name": copy.display_name or None}
