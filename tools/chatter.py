"""What the chatter tools share: the record a call names, and messages and
activities as JSON (values through the serializer of search_read, bodies
and notes as plain text)."""
from odoo.tools import html2plaintext

from ..protocol.errors import ToolError
from .arguments import opt_int, require_str
from .serialize import serialize_for_call

#: Activity kinds an agent names, and the activity types they stand for
#: (the choices ``SAFE_MIXIN_METHODS`` lets ``activity_schedule`` take).
ACTIVITY_TYPES = {
    "todo": "mail.mail_activity_data_todo",
    "call": "mail.mail_activity_data_call",
    "meeting": "mail.mail_activity_data_meeting",
    "email": "mail.mail_activity_data_email",
}
MESSAGE_FIELDS = ["date", "author_id", "message_type", "subtype_id", "subject"]
ACTIVITY_FIELDS = ["res_model", "res_id", "res_name", "activity_type_id", "summary", "date_deadline", "user_id",
                   "state"]
RECORD_ID = {"type": "integer", "minimum": 1, "description": "Id of the record."}


def mail_installed(env):
    """Whether Odoo's Discuss app (``mail``) is installed in ``env``'s database."""
    return "mail.thread" in env.registry


def get_record(call, activities=False):
    """The record named by the ``model`` and ``id`` arguments: the guard
    checks the model (readable, with a chatter or activities); an id the
    user may not read is answered like a missing one."""
    model = call.guard.check_thread(require_str(call.arguments, "model"), call.key, activities=activities)
    res_id = opt_int(call.arguments, "id", minimum=1)
    if res_id is None:
        raise ToolError("Argument 'id' (the record's id) is required.")
    if not call.guard.readable_ids(model._name, [res_id]):
        raise ToolError("No %s record with id %d." % (model._name, res_id),
                        data={"model": model._name, "missing_ids": [res_id]})
    return model.browse(res_id)


def plain_text(html):
    """An HTML body or note as plain text (None when empty)."""
    return html2plaintext(html).strip() or None if html else None


def message_rows(call, messages, record):
    """``messages`` (``mail.message`` of ``record``) as JSON: author, date,
    type, subtype, subject, body as text, the names of its attachments, and
    the tracked changes the user may see (old → new), as Odoo's chatter
    shows them."""
    rows, _truncated = serialize_for_call(call, messages, MESSAGE_FIELDS, fetched=True)
    readable = set(call.guard.readable_fields(record._name, call.key))
    for message, row in zip(messages, rows):
        row["body"] = plain_text(message.body)
        row["is_note"] = bool(message.subtype_id.internal) if message.subtype_id else message.message_type != "comment"
        row["attachments"] = message.attachment_ids.mapped("name")  # names only: ir.attachment stays blocked
        # sudo: mail.message — tracking values are admin-only; Odoo's chatter
        # filters them by the user's access to each field, so does this
        trackings = message.sudo().tracking_value_ids._filter_has_field_access(call.env)
        if hasattr(record, "_track_filter_for_display"):
            trackings = record._track_filter_for_display(trackings)
        row["tracking"] = [
            {"field": value["fieldName"], "label": value["changedField"],
             "old": value["oldValue"]["value"], "new": value["newValue"]["value"]}
            for value in trackings._tracking_value_format() if value["fieldName"] in readable]
    return rows


def activity_rows(call, activities):
    """``activities`` (``mail.activity``) as JSON, the note as text."""
    rows, _truncated = serialize_for_call(call, activities, ACTIVITY_FIELDS)
    for activity, row in zip(activities, rows):
        row["note"] = plain_text(activity.note)
    return rows
