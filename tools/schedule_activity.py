"""Tool ``schedule_activity``: plan an activity (to-do, call...) on a record."""
from odoo.tools import plaintext2html

from .arguments import opt_str
from .base import Tool
from .chatter import ACTIVITY_TYPES, RECORD_ID, activity_rows, get_record, mail_installed
from .schemas import MODEL, write_annotations


class ScheduleActivity(Tool):
    """Schedule an activity on a record (activity_schedule)."""

    name = "schedule_activity"
    title = "Schedule an activity"
    description = (
        "Schedule an activity on an Odoo record (a model with activities: crm.lead, sale.order, "
        "res.partner...): a to-do, call, meeting or email, with a summary, a plain-text note, a deadline "
        "(YYYY-MM-DD, default today) and the user it is assigned to (user_id, default you). "
        "list_activities lists them, mark_activity_done completes one. Needs a read-write key and the "
        "right to edit the record. "
        "Example: {\"model\": \"crm.lead\", \"id\": 12, \"activity_type\": \"call\", "
        "\"summary\": \"Follow up on the quote\", \"date_deadline\": \"2025-07-01\"}"
    )
    input_schema = {
        "type": "object",
        "properties": {
            "model": MODEL,
            "id": RECORD_ID,
            "activity_type": {"type": "string", "enum": sorted(ACTIVITY_TYPES), "default": "todo"},
            "summary": {"type": "string"},
            "note": {"type": "string", "description": "Plain text."},
            "date_deadline": {"type": "string", "description": "YYYY-MM-DD (default: today)."},
            "user_id": {"type": "integer", "minimum": 1, "description": "Assigned user's id (default: you)."},
        },
        "required": ["model", "id"],
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {"model": {"type": "string"}, "id": {"type": "integer"},
                       "activity": {"type": "object"}},
        "required": ["model", "id", "activity"],
    }
    annotations = write_annotations(title, destructive=False)
    operation = "write"

    def available(self, env):
        return mail_installed(env)

    def run(self, call):
        record = get_record(call, activities=True)
        kind = opt_str(call.arguments, "activity_type", "todo")
        kwargs = {"act_type_xmlid": ACTIVITY_TYPES.get(kind, kind)}
        for name in ("summary", "note", "date_deadline", "user_id"):
            if call.arguments.get(name) is not None:
                kwargs[name] = call.arguments[name]
        # the guard's policy of activity_schedule: kwargs, the user, and the write side
        call.guard.check_method(record._name, "activity_schedule", call.key, kwargs=kwargs)
        if "note" in kwargs:
            kwargs["note"] = plaintext2html(kwargs["note"])
        activity = record.activity_schedule(**kwargs)
        return {"model": record._name, "id": record.id, "activity": activity_rows(call, activity)[0]}
