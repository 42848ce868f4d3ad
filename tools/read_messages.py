"""Tool ``read_messages``: a record's chatter, newest first."""
from .arguments import get_limit, get_offset
from .base import Tool
from .chatter import MESSAGE_FIELDS, RECORD_ID, get_record, mail_installed, message_rows
from .queries import agent_query
from .schemas import LIMIT, MODEL, NEXT_OFFSET, OFFSET, TZ, read_annotations
from .search_read import search_page
from .serialize import user_tz

MESSAGE = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "date": {"type": ["string", "null"]},
        "author_id": {"description": "[id, name] of the author's contact, or null."},
        "message_type": {"description": "{value, label}: comment, notification, email..."},
        "subtype_id": {"description": "[id, name]: Note, Discussions, Stage Changed..."},
        "subject": {"type": ["string", "null"]},
        "body": {"type": ["string", "null"], "description": "The body as plain text."},
        "is_note": {"type": "boolean", "description": "Internal note (not sent to followers)."},
        "attachments": {"type": "array", "items": {"type": "string"}, "description": "File names."},
        "tracking": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "label": {"type": "string"}, "old": {}, "new": {}}},
            "description": "Tracked field changes of this message: old -> new."},
    },
    "required": ["id", "body", "tracking"],
}


class ReadMessages(Tool):
    """Read the chatter of a record: messages, notes and tracked changes."""

    name = "read_messages"
    title = "Read a record's chatter"
    description = (
        "The chatter of an Odoo record (a model with messages: sale.order, crm.lead, res.partner...), "
        "newest first: each message's author, date (UTC), type and subtype, whether it is an internal "
        "note, its body as plain text and the tracked field changes it records (e.g. Stage: New -> Won). "
        "Only messages and fields you may see. "
        "Example: {\"model\": \"crm.lead\", \"id\": 12, \"limit\": 10}"
    )
    input_schema = {
        "type": "object",
        "properties": {"model": MODEL, "id": RECORD_ID, "limit": LIMIT, "offset": OFFSET},
        "required": ["model", "id"],
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {
            "model": {"type": "string"},
            "id": {"type": "integer"},
            "messages": {"type": "array", "items": MESSAGE},
            "count": {"type": "integer"},
            "total": {"type": ["integer", "null"]},
            "next_offset": NEXT_OFFSET,
            "tz": TZ,
        },
        "required": ["model", "id", "messages", "count", "next_offset"],
    }
    annotations = read_annotations(title)
    operation = "read"

    def available(self, env):
        return mail_installed(env)

    def run(self, call):
        record = get_record(call)
        limit, offset = get_limit(call), get_offset(call)
        Message = call.env["mail.message"]
        domain = [("model", "=", record._name), ("res_id", "=", record.id)]
        with agent_query():
            messages, has_more, total = search_page(Message, domain, MESSAGE_FIELDS + ["body"], offset, limit,
                                                    "date desc, id desc")
        rows = message_rows(call, messages, record)
        return {"model": record._name, "id": record.id, "messages": rows, "count": len(rows), "total": total,
                "next_offset": offset + len(rows) if has_more else None, "tz": user_tz(call.env)}
