"""The preview of a write, in business terms: what a human confirms or approves.

One function, :func:`build_preview`, for both paths (the confirmation asked
in the client, the approval decided in Odoo): the model and its records by
display name; each field written, old → new, as the user sees it (names of
linked records, selection labels, amounts with their currency, dates and
times in the user's time zone); the records created, deleted or copied; the
method called and its arguments; the reason the agent gave. Every value is
read as the key's user, and a field the guard does not let that user read
(``mcp.guard.readable_fields``) is never shown, only counted.
"""
import hashlib
import json

from odoo import fields
from odoo.exceptions import AccessError, MissingError
from odoo.tools.misc import format_amount

from .serialize import RecordSerializer, json_safe, user_tz

#: records named one by one in a preview; more are counted
MAX_PREVIEW_RECORDS = 20
#: longest rendered value (then "…")
MAX_VALUE_CHARS = 200
#: names of linked records shown for one x2many value
MAX_LINKED_NAMES = 10

OPERATIONS = {"create": "create", "update": "update", "delete": "delete", "duplicate": "duplicate",
              "execute_method": "method", "wizard": "method"}


def _short(text):
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _name(record):
    """Display name of ``record`` as the user sees it (``#id`` when hidden)."""
    try:
        return record.display_name or f"#{record.id}"
    except (AccessError, MissingError):
        return f"#{record.id}"


def value_text(serializer, record, field):
    """The value of ``field`` on ``record`` (a real record, or a new one
    holding the values to write) as the user sees it, as text."""
    value = record[field.name]
    ftype = field.type
    if ftype == "boolean":
        return record.env._("Yes") if value else record.env._("No")
    if ftype == "many2one":
        return _name(value) if value else ""
    if ftype in ("one2many", "many2many"):
        names = [_name(linked) for linked in value[:MAX_LINKED_NAMES]]
        if len(value) > MAX_LINKED_NAMES:
            names.append(f"+{len(value) - MAX_LINKED_NAMES}")
        return ", ".join(names)
    if value is False or value is None:
        return "" if ftype not in ("integer", "float", "monetary") else "0"
    if ftype == "selection":
        return serializer.selection_label(field, value) or str(value)
    if ftype == "monetary":
        currency_field = field.get_currency_field(record)
        currency = record[currency_field] if currency_field and currency_field in record._fields else None
        if currency:
            return format_amount(record.env, value, currency)
        return str(value)
    if ftype == "datetime":
        local = fields.Datetime.context_timestamp(record, value)
        return f"{local:%Y-%m-%d %H:%M} ({user_tz(record.env)})"
    if ftype == "date":
        return value.isoformat()
    if ftype == "binary":
        return record.env._("(file)")
    if ftype == "html":
        from odoo.tools import html2plaintext  # noqa: PLC0415 - only previews of html fields need it
        return _short(html2plaintext(value))
    return _short(json.dumps(json_safe(value)) if isinstance(value, (dict, list)) else value)


def _changes(serializer, record, new, names):
    """``[{field, label, old?, new}]`` of ``names`` on ``record`` → ``new``."""
    changes = []
    for name in names:
        field = record._fields[name]
        change = {"field": name, "label": field._description_string(record.env) or name,
                  "new": value_text(serializer, new, field)}
        if record.id:
            change["old"] = value_text(serializer, record, field)
        changes.append(change)
    return changes


def build_preview(call, tool_name, model, records, values=None, method=None, args=None, kwargs=None):
    """The preview of a write (JSON-safe dict, with its rendering in ``text``).

    ``model``: the model written (the key user's env); ``records``: the
    records updated, deleted, copied or whose method is called (empty for a
    create); ``values``: the values checked by the tool (``check_values``);
    ``method``, ``args``, ``kwargs``: execute_method's call. The agent's
    ``reason`` argument is taken from ``call.arguments``."""
    operation = OPERATIONS.get(tool_name, tool_name)
    readable = set(call.guard.readable_fields(model._name, call.key))
    serializer = RecordSerializer(model, [])
    values = dict(values or {})
    shown = [name for name in values if name in readable and name in model._fields]
    preview = {
        "tool": tool_name,
        "operation": operation,
        "model": model._name,
        "model_label": model.env["ir.model"]._get(model._name).name or model._name,
        "records": [],
        "hidden_fields": len(set(values) - set(shown)),
    }
    if len(records) > MAX_PREVIEW_RECORDS:
        preview["more_records"] = len(records) - MAX_PREVIEW_RECORDS
    for record in records[:MAX_PREVIEW_RECORDS]:
        entry = {"id": record.id, "display_name": _name(record)}
        if shown and operation in ("update", "method", "duplicate"):
            new = record.new({name: values[name] for name in shown}, origin=record)
            if operation == "duplicate":
                entry["copy"] = _changes(serializer, model.browse(), new, shown)
            else:
                entry["changes"] = _changes(serializer, record, new, shown)
        preview["records"].append(entry)
    if operation == "create":
        new = model.new({name: values[name] for name in shown})
        preview["values"] = _changes(serializer, model.browse(), new, shown)
    if method is not None:
        preview["method"] = method
        preview["arguments"] = {"args": json_safe(args or []), "kwargs": json_safe(
            {name: value for name, value in (kwargs or {}).items() if name not in model._fields or name in readable})}
    reason = call.arguments.get("reason")
    if isinstance(reason, str) and reason.strip():
        preview["reason"] = _short(reason)
    preview["text"] = render_text(model.env, preview)
    return preview


def render_text(env, preview):
    """The preview as plain text (the confirmation's message, the approval's summary)."""
    _ = env._
    count = len(preview["records"]) + preview.get("more_records", 0)
    what = "%s (%s)" % (preview["model_label"], preview["model"])
    heads = {
        "create": _("Create a %(what)s record", what=what),
        "update": _("Update %(count)s %(what)s record(s)", count=count, what=what),
        "delete": _("Delete %(count)s %(what)s record(s)", count=count, what=what),
        "duplicate": _("Duplicate %(count)s %(what)s record(s)", count=count, what=what),
        "method": _("Call %(method)s on %(count)s %(what)s record(s)", method=preview.get("method"), count=count,
                    what=what),
    }
    lines = [heads.get(preview["operation"], preview["operation"]) + ":"]

    def change_line(change):
        if "old" in change:
            return f"{change['label']}: {change['old'] or '—'} → {change['new'] or '—'}"
        return f"{change['label']}: {change['new'] or '—'}"

    for record in preview["records"]:
        lines.append(f"- {record['display_name']} (#{record['id']})")
        lines.extend("    " + change_line(change) for change in record.get("changes", []) + record.get("copy", []))
    if preview.get("more_records"):
        lines.append("- " + _("and %(count)s more", count=preview["more_records"]))
    lines.extend("    " + change_line(change) for change in preview.get("values", []))
    if preview.get("arguments") and (preview["arguments"]["args"] or preview["arguments"]["kwargs"]):
        lines.append(_("Arguments: %(arguments)s", arguments=_short(json.dumps(preview["arguments"]))))
    if preview.get("hidden_fields"):
        lines.append(_("%(count)s more field(s) you may not read", count=preview["hidden_fields"]))
    if preview.get("reason"):
        lines.append(_("Reason given by the agent: %(reason)s", reason=preview["reason"]))
    return "\n".join(lines)


def records_digest(records):
    """A digest of the last-modification stamps of ``records`` (read as the
    key's user): differs once any of them changed or went away."""
    if not records:
        return ""
    stamps = sorted((record.id, fields.Datetime.to_string(record.write_date)) for record in records.exists())
    stamps.append(len(records))
    return hashlib.sha256(json.dumps(stamps).encode()).hexdigest()
