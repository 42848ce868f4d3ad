"""Tool ``mark_activity_done``: complete activities, with feedback."""
from ..protocol.errors import ToolError
from .arguments import get_ids, opt_str
from .base import Tool
from .chatter import mail_installed
from .schemas import write_annotations


class MarkActivityDone(Tool):
    """Mark activities as done (action_feedback): the chatter logs them."""

    name = "mark_activity_done"
    title = "Mark activities done"
    description = (
        "Mark activities as done, with an optional plain-text feedback: Odoo removes them from the "
        "planned list and logs them in the record's chatter (as when you click Mark Done). Ids come "
        "from list_activities. Needs a read-write key and the right to edit the records. "
        "Example: {\"ids\": [31], \"feedback\": \"Customer confirmed by phone.\"}"
    )
    input_schema = {
        "type": "object",
        "properties": {
            "ids": {"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 1,
                    "description": "mail.activity ids (list_activities)."},
            "feedback": {"type": "string", "description": "Plain text."},
        },
        "required": ["ids"],
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {"ids": {"type": "array", "items": {"type": "integer"}},
                       "message_ids": {"type": "array", "items": {"type": "integer"}}},
        "required": ["ids", "message_ids"],
    }
    annotations = write_annotations(title, destructive=False)
    operation = "write"

    def available(self, env):
        return mail_installed(env)

    def run(self, call):
        call.guard.check_mail()
        ids = get_ids(call)
        refused = sorted(set(ids) - set(call.guard.readable_ids("mail.activity", ids)))
        if refused:
            raise ToolError("No mail.activity record with id %s." % ", ".join(map(str, refused)),
                            data={"model": "mail.activity", "missing_ids": refused})
        activities = call.env["mail.activity"].browse(ids)
        for model_name in set(activities.mapped("res_model")):
            call.guard.check_thread_write(model_name, call.key)
        feedback = opt_str(call.arguments, "feedback") or False
        message_ids = []
        for activity in activities:  # one message per activity, as the Mark Done button
            message_ids.append(activity.action_feedback(feedback=feedback))
        return {"ids": ids, "message_ids": [mid for mid in message_ids if mid]}
