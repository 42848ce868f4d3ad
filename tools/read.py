"""Tool ``read``: read fields of records by id."""
from ..protocol.errors import ToolError
from .arguments import default_field_names, get_field_names, get_ids, get_model
from .base import Tool
from .schemas import FIELDS, IDS, MODEL, RECORD, TZ, read_annotations
from .search_read import X2MANY_NAMES
from .serialize import serialize_for_call, user_tz


class Read(Tool):
    """Read fields of records given by id."""

    name = "read"
    title = "Read records"
    description = (
        "Read fields of Odoo records by id (same value formats as search_read). Ids that do "
        "not exist, or that you may not see, are listed in missing_ids. "
        "Example: {\"model\": \"res.partner\", \"ids\": [1, 3], \"fields\": [\"name\", \"email\"]}"
    )
    input_schema = {
        "type": "object",
        "properties": {
            "model": MODEL,
            "ids": IDS,
            "fields": FIELDS,
            "x2many_names": X2MANY_NAMES,
        },
        "required": ["model", "ids"],
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {
            "model": {"type": "string"},
            "records": {"type": "array", "items": RECORD},
            "count": {"type": "integer"},
            "missing_ids": {"type": "array", "items": {"type": "integer"}},
            "fields": {"type": "array", "items": {"type": "string"}},
            "tz": TZ,
            "truncated": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["model", "records", "count", "missing_ids"],
    }
    annotations = read_annotations(title)
    operation = "read"

    def run(self, call):
        model = get_model(call, "read")
        ids = get_ids(call)
        field_names = get_field_names(call, model, default=default_field_names)
        return read_records(call, model, ids, field_names)


def read_records(call, model, ids, field_names):
    """Read ``ids`` of ``model``; the result dict of the ``read`` tool."""
    if not ids:
        raise ToolError("No record ids given.")
    # missing and hidden by record rules look the same: both in missing_ids
    found = set(call.guard.readable_ids(model._name, ids))
    records = model.browse([rid for rid in ids if rid in found])
    rows, truncated = serialize_for_call(call, records, field_names)
    result = {
        "model": model._name,
        "records": rows,
        "count": len(rows),
        "missing_ids": [rid for rid in ids if rid not in found],
        "fields": field_names,
        "tz": user_tz(call.env),
    }
    if truncated:
        result["truncated"] = truncated
    return result
