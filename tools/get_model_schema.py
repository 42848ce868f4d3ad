"""Tool ``get_model_schema``: the fields of one model."""
from ..protocol.errors import ToolError
from .arguments import allowed_model_set, filter_allowed_fields, get_model, opt_bool, unknown_field
from .base import Tool
from .schemas import MODEL, read_annotations

ATTRIBUTES = ("string", "type", "required", "readonly", "relation", "selection", "help",
              "store", "sortable", "groupable", "aggregator", "searchable")


def model_schema(call, model, field_filter=None, include_help=True):
    """Describe the fields of ``model`` the user may read.

    Relational fields pointing to a model this key may not read are left
    out of ``fields`` entirely (their names are listed in ``blocked_fields``
    so an agent knows why they are missing); selection values naming such a
    model are left out of ``selection`` (``guard.filter_selection``); Odoo's
    ``groups=`` restrictions apply through ``fields_get``.
    """
    allowed = allowed_model_set(call)
    description = model.fields_get(allfields=field_filter or None, attributes=list(ATTRIBUTES))
    fields, blocked = [], []
    passed = set(filter_allowed_fields(call, model, description))
    for fname, info in description.items():
        relation = info.get("relation")
        if fname not in passed or (relation and relation not in allowed):
            blocked.append(fname)
            continue
        entry = {"name": fname}
        for attr in ATTRIBUTES:
            if attr not in info:
                continue
            if attr == "help" and not include_help:
                continue
            value = info[attr]
            if attr == "selection":
                value = [[key, str(label)] for key, label in call.guard.filter_selection(value, call.key)]
            elif attr in ("string", "help") and value is not None:
                value = str(value)
            entry[attr] = value
        fields.append(entry)
    return {
        "model": model._name,
        "name": model._description or model._name,
        "rec_name": model._rec_name or None,
        "order": model._order,
        "fields": fields,
        "count": len(fields),
        "blocked_fields": blocked,
    }


class GetModelSchema(Tool):
    """Fields of a model (name, type, label, constraints, relation, selection)."""

    name = "get_model_schema"
    title = "Get model schema"
    description = (
        "Describe the fields of an Odoo model that this user may read: name, type, label "
        "(string), required, readonly, relation (target model), selection values, help, "
        "and whether it is stored/sortable/groupable. Use it before search_read, create or "
        "aggregate to learn field names. Relations to models this connection may not use "
        "are left out and named in blocked_fields. "
        "Example: {\"model\": \"res.partner\", \"fields\": [\"name\", \"country_id\"]}"
    )
    input_schema = {
        "type": "object",
        "properties": {
            "model": MODEL,
            "fields": {"type": "array", "items": {"type": "string"},
                       "description": "Only describe these fields (default: all readable fields)."},
            "include_help": {"type": "boolean", "default": True,
                             "description": "Include the fields' help texts."},
        },
        "required": ["model"],
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {
            "model": {"type": "string"},
            "name": {"type": "string"},
            "rec_name": {"type": ["string", "null"]},
            "order": {"type": "string"},
            "count": {"type": "integer"},
            "fields": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "type": {"type": "string"},
                        "string": {"type": "string"},
                        "required": {"type": "boolean"},
                        "readonly": {"type": "boolean"},
                        "relation": {"type": "string"},
                        "selection": {"type": "array", "items": {"type": "array"}},
                        "help": {"type": "string"},
                    },
                    "required": ["name", "type"],
                },
            },
            "blocked_fields": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["model", "name", "fields", "count", "blocked_fields"],
    }
    annotations = read_annotations(title)
    operation = "read"

    def run(self, call):
        model = get_model(call, "read")
        include_help = opt_bool(call.arguments, "include_help", True)
        wanted = call.arguments.get("fields")
        if wanted is not None:
            if not isinstance(wanted, list) or not all(isinstance(f, str) for f in wanted):
                raise ToolError("Argument 'fields' must be an array of field names.")
            for fname in wanted:
                if fname not in model._fields:
                    raise unknown_field(model, fname)
        return model_schema(call, model, wanted, include_help)
