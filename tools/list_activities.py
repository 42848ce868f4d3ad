"""Tool ``list_activities``: planned activities, of a record or your own."""
from odoo import fields

from ..protocol.errors import ToolError
from .arguments import get_limit, get_offset, opt_bool, opt_str
from .base import Tool
from .chatter import RECORD_ID, activity_rows, get_record, mail_installed
from .queries import agent_query
from .schemas import LIMIT, MODEL, NEXT_OFFSET, OFFSET, read_annotations
from .search_read import search_page

STATES = ("overdue", "today", "planned")


class ListActivities(Tool):
    """List the open activities of a record, of a model, or assigned to you."""

    name = "list_activities"
    title = "List activities"
    description = (
        "Open activities (to-dos, calls, meetings...) by deadline: of one record (model and id), of a "
        "model, or of every model you may read; mine: only those assigned to you; state: overdue, today "
        "or planned. Each: the record it belongs to, type, summary, note as text, deadline, assigned "
        "user, state. Complete one with mark_activity_done. "
        "Example: {\"model\": \"crm.lead\", \"mine\": true, \"state\": \"overdue\"}"
    )
    input_schema = {
        "type": "object",
        "properties": {
            "model": MODEL,
            "id": RECORD_ID,
            "mine": {"type": "boolean", "default": False},
            "state": {"type": "string", "enum": list(STATES)},
            "limit": LIMIT,
            "offset": OFFSET,
        },
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {
            "activities": {"type": "array", "items": {"type": "object"}},
            "count": {"type": "integer"},
            "total": {"type": ["integer", "null"]},
            "next_offset": NEXT_OFFSET,
        },
        "required": ["activities", "count", "next_offset"],
    }
    annotations = read_annotations(title)
    operation = "read"

    def available(self, env):
        return mail_installed(env)

    def run(self, call):
        call.guard.check_mail()
        domain = []
        if call.arguments.get("id") is not None:
            record = get_record(call, activities=True)
            domain += [("res_model", "=", record._name), ("res_id", "=", record.id)]
        elif call.arguments.get("model"):
            model = call.guard.check_thread(call.arguments["model"], call.key, activities=True)
            domain += [("res_model", "=", model._name)]
        else:
            domain += [("res_model", "in", call.guard.allowed_models(call.key, "read"))]
        if opt_bool(call.arguments, "mine"):
            domain += [("user_id", "=", call.env.uid)]
        state = opt_str(call.arguments, "state")
        if state:
            if state not in STATES:
                raise ToolError("Argument 'state' must be one of: %s." % ", ".join(STATES))
            # state is computed (not searchable): compare the deadline with the user's today
            domain += _state_domain(call, state)
        limit, offset = get_limit(call), get_offset(call)
        with agent_query():
            activities, has_more, total = search_page(call.env["mail.activity"], domain, ["date_deadline"],
                                                      offset, limit, "date_deadline, id")
        rows = activity_rows(call, activities)
        return {"activities": rows, "count": len(rows), "total": total,
                "next_offset": offset + len(rows) if has_more else None}


def _state_domain(call, state):
    today = fields.Date.context_today(call.env["mail.activity"])
    operator = {"overdue": "<", "today": "=", "planned": ">"}[state]
    return [("date_deadline", operator, today)]
