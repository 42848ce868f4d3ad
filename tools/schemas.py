"""JSON Schema fragments shared by the tools' input and output schemas."""

MODEL = {
    "type": "string",
    "minLength": 1,
    "description": "Technical model name, e.g. \"res.partner\" (list_models lists them).",
}
IDS = {
    "type": "array",
    "items": {"type": "integer", "minimum": 1},
    "minItems": 1,
    "description": "Record ids, e.g. [7, 8] (at most the server's max records per call).",
}
DOMAIN = {
    "type": "array",
    "description": (
        "Odoo search domain: a list of [field, operator, value] conditions, implicitly "
        "AND-ed; '|', '&', '!' prefix operators combine them. Dotted paths follow "
        "relations. Example: [[\"is_company\", \"=\", true], [\"country_id.code\", \"=\", \"BE\"]]."
    ),
    # no "items" constraint: the guard checks each condition and its messages say how
    # to fix a domain (a flat ["name", "=", 5] included), a schema error would not
    "default": [],
}
FIELDS = {
    "type": "array",
    "items": {"type": "string", "minLength": 1},
    "description": (
        "Field names to return, e.g. [\"name\", \"email\"]. Default: a small set of "
        "stored, non-binary fields (id and display_name always included)."
    ),
}
ORDER = {
    "type": "string",
    "description": "Sort order, e.g. \"name asc, id desc\".",
}
LIMIT = {
    "type": "integer",
    "minimum": 1,
    "description": ("Maximum number of results; default and cap: the server's max records setting "
                    "(100 unless configured)."),
}
OFFSET = {
    "type": "integer",
    "minimum": 0,
    "default": 0,
    "description": "Number of results to skip (pagination: pass the previous next_offset).",
}
RECORD = {
    "type": "object",
    "properties": {"id": {"type": "integer"}},
    "required": ["id"],
    "additionalProperties": True,
}
ID_NAME = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, "display_name": {"type": ["string", "null"]}},
    "required": ["id", "display_name"],
}
NEXT_OFFSET = {"type": ["integer", "null"], "description": "Offset of the next page, null on the last page."}
TZ = {"type": "string", "description": "The user's time zone name; datetimes in results are UTC."}


def read_annotations(title):
    """Annotations of a tool that only reads Odoo data."""
    return {"title": title, "readOnlyHint": True, "destructiveHint": False,
            "idempotentHint": True, "openWorldHint": False}


def write_annotations(title, destructive, idempotent=False, open_world=False):
    """Annotations of a tool that changes Odoo data: ``destructive`` when
    it may change or delete what exists (not only add), ``idempotent``
    when calling it again changes nothing more, ``open_world`` when it
    reaches people outside Odoo (a message sent to followers)."""
    return {"title": title, "readOnlyHint": False, "destructiveHint": destructive,
            "idempotentHint": idempotent, "openWorldHint": open_world}

#: A wizard (dialog) opened for the agent: continue with the ``wizard`` tool.
WIZARD = {
    "type": "object",
    "description": "A dialog Odoo opened: pass `handle` to the wizard tool to read it, set fields, press a button.",
    "properties": {
        "handle": {"type": "string"},
        "model": {"type": "string"},
        "title": {"type": ["string", "null"]},
        "fields": {"type": "object"},
        "buttons": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["handle", "model", "fields", "buttons"],
}

#: the optional ``reason`` argument of the write tools a human may confirm or approve
REASON = {
    "type": "string",
    "maxLength": 500,
    "description": "Why you make this write, in a sentence: shown to the person who confirms or approves it.",
}
APPROVAL = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "state": {"type": "string", "enum": ["pending", "approved", "done", "rejected", "expired", "failed"]},
        "tool": {"type": "string"},
        "model": {"type": ["string", "null"]},
        "preview": {"type": ["string", "null"]},
        "expires_at": {"type": "string"},
        "decided_at": {"type": "string"},
        "note": {"type": "string"},
        "result": {"description": "What the tool returned when the approved write ran."},
        "error": {"type": "string"},
    },
    "required": ["id", "state"],
}
#: the result of a write waiting for an approver (write policy "approve")
PENDING_APPROVAL = {
    "type": "object",
    "properties": {"approval": APPROVAL, "message": {"type": "string"}},
    "required": ["approval", "message"],
}


def with_reason(input_schema):
    """``input_schema`` of a write tool with the optional ``reason`` argument."""
    return dict(input_schema, properties=dict(input_schema["properties"], reason=REASON))


def or_pending(output_schema):
    """``output_schema`` of a write tool that may answer a pending approval instead."""
    return {"type": "object", "anyOf": [output_schema, PENDING_APPROVAL]}
