"""Tool ``get_model_schema``: the fields of one model."""
from ..protocol.errors import ToolError
from .arguments import allowed_model_set, filter_allowed_fields, get_model, opt_bool, unknown_field
from .base import Tool
from .schemas import MODEL, read_annotations

ATTRIBUTES = ("string", "type", "required", "readonly", "relation", "selection", "help",
              "store", "sortable", "groupable", "aggregator", "searchable")
#: What a compact description keeps of a field.
COMPACT_ATTRIBUTES = ("string", "type", "required", "readonly", "relation", "selection")
#: Note on a many2one to users (res.users stays blocked; ids and names only).
USER_FIELD_NOTE = "A user id: find_user gives the id of a person by name; whoami gives yours."


def model_schema(call, model, field_filter=None, include_help=True, compact=False):
    """Describe the fields of ``model`` the user may read.

    Relational fields pointing to a model this key may not read are left
    out of ``fields`` entirely (their names are listed in ``blocked_fields``
    so an agent knows why they are missing) — but a many2one to users while
    the identity windows are open (its value is ``[id, name]``; find_user
    gives ids); selection values naming such a model are left out of
    ``selection`` (``guard.filter_selection``); Odoo's ``groups=``
    restrictions apply through ``fields_get``, and the fields the model's
    MCP access rule hides are left out the same way (not named anywhere). A required field says whether
    Odoo fills it in by default (``has_default``: ``default_get`` as the
    user). ``compact``: name, type, label, required, readonly, relation and
    selection only.
    """
    allowed = allowed_model_set(call)
    description = model.fields_get(allfields=field_filter or None, attributes=list(ATTRIBUTES))
    # fields the model's MCP access rule hides are left out entirely (as
    # fields_get leaves out those of groups the user lacks): not even named
    secret = call.guard.hidden_fields(model._name)
    description = {fname: info for fname, info in description.items() if fname not in secret}
    fields, blocked = [], []
    passed = set(filter_allowed_fields(call, model, description))
    users_shown = call.guard.identity_enabled()
    attributes = COMPACT_ATTRIBUTES if compact else ATTRIBUTES
    required = [fname for fname, info in description.items() if info.get("required") and fname in passed]
    defaults = set(model.default_get(required)) if required else set()
    for fname, info in description.items():
        relation = info.get("relation")
        user_field = relation == "res.users" and info.get("type") == "many2one" and users_shown
        if fname not in passed or (relation and relation not in allowed and not user_field):
            blocked.append(fname)
            continue
        entry = {"name": fname}
        for attr in attributes:
            if attr not in info:
                continue
            if attr == "help" and not include_help:
                continue
            value = info[attr]
            if attr == "selection":
                value = [[key, str(label)] for key, label in call.guard.filter_selection(value, call.key)]
                if compact:
                    value = [key for key, _label in value]
            elif attr in ("string", "help") and value is not None:
                value = str(value)
            entry[attr] = value
        if info.get("required") and fname in passed:
            entry["has_default"] = fname in defaults
        if user_field:
            entry["note"] = USER_FIELD_NOTE
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
        "(string), required (and has_default: Odoo fills it in when left out), readonly, relation "
        "(target model), selection values, help, and whether it is stored/sortable/groupable. Use it "
        "before search_read, create or aggregate to learn field names; compact: true for a short "
        "answer. Relations to models this connection may not use are left out and named in "
        "blocked_fields; names you ask for that do not exist come back in unknown_fields with "
        "suggestions. "
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
            "compact": {"type": "boolean", "default": False,
                        "description": "Only name, type, label, required (and has_default), readonly, relation "
                                       "and selection keys of each field: a short answer for big models."},
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
                        "selection": {"type": "array", "items": {"type": ["array", "string"]},
                                      "description": "[value, label] pairs (compact: values only)."},
                        "help": {"type": "string"},
                        "has_default": {"type": "boolean",
                                        "description": "A required field Odoo fills in when you leave it out."},
                    },
                    "required": ["name", "type"],
                },
            },
            "blocked_fields": {"type": "array", "items": {"type": "string"}},
            "unknown_fields": {"type": "array", "items": {
                "type": "object", "properties": {"name": {"type": "string"},
                                                 "suggestions": {"type": "array", "items": {"type": "string"}}},
                "required": ["name", "suggestions"]},
                "description": "Names asked for that the model lacks, with close field names."},
        },
        "required": ["model", "name", "fields", "count", "blocked_fields"],
    }
    annotations = read_annotations(title)
    operation = "read"

    def run(self, call):
        model = get_model(call, "read")
        include_help = opt_bool(call.arguments, "include_help", True)
        compact = opt_bool(call.arguments, "compact", False)
        wanted = call.arguments.get("fields")
        unknown = []
        if wanted is not None:
            if not isinstance(wanted, list) or not all(isinstance(f, str) for f in wanted):
                raise ToolError("Argument 'fields' must be an array of field names.")
            unknown = [{"name": fname, "suggestions": call.guard.field_suggestions(model, fname, call.key)}
                       for fname in wanted if fname not in model._fields]
            wanted = [fname for fname in wanted if fname in model._fields]
            if not wanted:  # nothing known: say so, with the suggestions
                raise unknown_field(model, unknown[0]["name"], call.key)
        result = model_schema(call, model, wanted, include_help, compact)
        if unknown:
            result["unknown_fields"] = unknown
        return result
