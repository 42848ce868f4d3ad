"""Tool ``post_message``: log a note or send a message on a record."""
from odoo.tools import plaintext2html

from .arguments import opt_str, require_str
from .base import Tool
from .chatter import RECORD_ID, get_record, mail_installed
from .schemas import MODEL, write_annotations

SUBTYPES = {"note": "mail.mt_note", "message": "mail.mt_comment"}


class PostMessage(Tool):
    """Post a note (internal) or a message (to the followers) on a record's chatter."""

    name = "post_message"
    title = "Post a note or message"
    description = (
        "Post on the chatter of an Odoo record, as your user: kind \"note\" (default) logs an internal "
        "note; kind \"message\" sends a message to the record's followers (and partner_ids) by email. "
        "The body is plain text. attachments: at most 3 small text files [[name, text], ...] (.txt, "
        ".csv, .md, .json, .log; 64 KiB each). Needs a read-write key and the right to edit the record. "
        "Example: {\"model\": \"crm.lead\", \"id\": 12, \"body\": \"Called, sends the PO Friday.\"}"
    )
    input_schema = {
        "type": "object",
        "properties": {
            "model": MODEL,
            "id": RECORD_ID,
            "body": {"type": "string", "minLength": 1, "description": "Plain text."},
            "kind": {"type": "string", "enum": sorted(SUBTYPES), "default": "note"},
            "subject": {"type": "string"},
            "partner_ids": {"type": "array", "items": {"type": "integer", "minimum": 1},
                            "description": "Contacts to notify too (res.partner ids you may read)."},
            "attachments": {"type": "array", "maxItems": 3,
                            "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "string"}},
                            "description": "[[file name, text content], ...]"},
        },
        "required": ["model", "id", "body"],
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {"model": {"type": "string"}, "id": {"type": "integer"}, "message_id": {"type": "integer"},
                       "kind": {"type": "string"}},
        "required": ["model", "id", "message_id", "kind"],
    }
    annotations = write_annotations(title, destructive=False, open_world=True)
    operation = "write"

    def available(self, env):
        return mail_installed(env)

    def run(self, call):
        record = get_record(call)
        kind = opt_str(call.arguments, "kind", "note")
        kwargs = {"body": require_str(call.arguments, "body"), "message_type": "comment",
                  "subtype_xmlid": SUBTYPES.get(kind, kind)}
        for name in ("subject", "partner_ids", "attachments"):
            if call.arguments.get(name):
                kwargs[name] = call.arguments[name]
        # the guard's policy of message_post: kwargs, linked partners, and the write side
        call.guard.check_method(record._name, "message_post", call.key, kwargs=kwargs)
        kwargs["body"] = plaintext2html(kwargs["body"])
        if "attachments" in kwargs:
            kwargs["attachments"] = [tuple(item) for item in kwargs["attachments"]]
        message = record.message_post(**kwargs)
        return {"model": record._name, "id": record.id, "message_id": message.id, "kind": kind}
