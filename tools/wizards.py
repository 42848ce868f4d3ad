"""Wizards (Odoo's dialogs) an agent works through, between calls.

A wizard is opened only from a window action Odoo produced: the return value
of a button pressed with ``execute_method`` or a wizard button, or the action
of a form button of type "action". Opening creates the transient record as
the key's user with the action's own context (never the agent's) and returns
an opaque **handle**: ``base64url(JSON) "." HMAC`` naming the key, the
wizard record, its form view and that context, valid ``WIZARD_HANDLE_TTL``
seconds. Nothing is held between calls (no cursor, no transaction); each
call verifies the handle, re-runs the guard's wizard checks and works on the
record with the signed context.
"""
import base64
import binascii
import hashlib
import hmac
import json
import time

from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import safe_eval
from odoo.tools.safe_eval import time as safe_time

from ..models.mcp_guard_rules import (
    MSG_WIZARD_HANDLE,
    MSG_WIZARD_SERVER_ACTION,
    WIZARD_HANDLE_TTL,
)
from ..protocol.errors import McpAccessDenied, ToolError
from .results import describe_result
from .serialize import json_safe, serialize_for_call
from .wizard_lines import describe_lines

HANDLE_SCOPE = b"mcp_bridge.wizard.handle.v1"
MAX_HANDLE_LENGTH = 16000
#: Context keys taken from the request's environment on every call, never
#: from the stored action context.
REQUEST_CONTEXT_KEYS = ("uid", "lang", "tz", "allowed_company_ids")
MAX_SELECTION_OPTIONS = 50
WINDOW_ACTION = "ir.actions.act_window"
CLOSE_ACTION = "ir.actions.act_window_close"


def _b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _secret(env):
    """The handle key: derived from the database secret (cached by mcp.api.key)."""
    return hmac.new(env["mcp.api.key"]._digest_key(), HANDLE_SCOPE, hashlib.sha256).digest()


def sign_handle(call, payload):
    """The opaque handle of ``payload`` (a JSON-able dict)."""
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return f"{_b64(body)}.{_b64(hmac.new(_secret(call.env), body, hashlib.sha256).digest())}"


def read_handle(call, handle):
    """The payload of ``handle`` if it was signed here for this key and has
    not expired, else McpAccessDenied (reason 'wizard'): a forged, altered,
    expired handle and one of another key get the same answer."""
    refused = McpAccessDenied(call.guard._msg(MSG_WIZARD_HANDLE), data={"reason": "wizard"})
    if not isinstance(handle, str) or len(handle) > MAX_HANDLE_LENGTH or handle.count(".") != 1:
        raise refused
    body, mac = handle.split(".")
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        given = base64.urlsafe_b64decode(mac + "=" * (-len(mac) % 4))
    except (binascii.Error, ValueError):
        raise refused from None
    if not hmac.compare_digest(given, hmac.new(_secret(call.env), raw, hashlib.sha256).digest()):
        raise refused
    payload = json.loads(raw)
    if payload.get("k") != call.key.id or payload.get("e", 0) < time.time():
        raise refused
    return payload


def is_wizard_action(env, value):
    """Whether ``value`` is a window action opening a transient model."""
    if not isinstance(value, dict) or value.get("type") != WINDOW_ACTION:
        return False
    model_cls = env.registry.get(value.get("res_model")) if isinstance(value.get("res_model"), str) else None
    return model_cls is not None and model_cls._transient


def action_summary(action):
    """What an agent sees of an action: its type, model, record and title."""
    return {key: json_safe(action[key]) for key in ("type", "res_model", "res_id", "name", "target")
            if action.get(key) not in (None, False)}


def action_context(call, action, active=None):
    """The context ``action`` opens its wizard with: ``active`` (the
    ``active_*`` keys of the records a form button works on) updated with
    the action's context — a dict as Odoo built it, or the text of an
    ``ir.actions.act_window`` evaluated as the web client does. The keys the
    request's environment owns (``REQUEST_CONTEXT_KEYS``) are left out."""
    raw = action.get("context") or {}
    active = dict(active or {})
    if isinstance(raw, str):
        env = call.env
        scope = dict(env.context, uid=env.uid, context_today=lambda: __import__("datetime").date.today(),
                     time=safe_time, datetime=safe_datetime, **active)
        scope.setdefault("active_id", False)
        scope.setdefault("active_ids", [])
        scope.setdefault("active_model", False)
        try:
            raw = safe_eval(raw, scope)
        except Exception:  # noqa: BLE001 - whatever the text holds, the action cannot be opened here
            raise ToolError(f"The action {action.get('name')!r} has a context this server cannot evaluate.") from None
    if not isinstance(raw, dict):
        raw = {}
    context = dict(active, **raw)
    return {key: value for key, value in json_safe(context).items() if key not in REQUEST_CONTEXT_KEYS}


def _form_view_id(action):
    for view_id, view_type in action.get("views") or []:
        if view_type == "form" and isinstance(view_id, int):
            return view_id
    view_id = action.get("view_id")
    if isinstance(view_id, (list, tuple)) and view_id:
        view_id = view_id[0]
    return view_id if isinstance(view_id, int) and view_id else None


def _computed_required(wizard):
    """The values of the wizard's required stored fields computed from its
    defaults after the record is inserted (not ``precompute``): the web
    client's onchange fills them in the dialog before saving (the journal of
    a credit note, computed from the invoices). Only those: every other
    default is Odoo's ``create`` own."""
    names = [name for name, field in wizard._fields.items()
             if field.required and field.store and field.compute and not field.precompute]
    if not names:
        return {}
    defaults = wizard.default_get(list(wizard._fields))
    names = [name for name in names if name not in defaults]
    draft = wizard.new(defaults)
    values = {}
    for name in names:
        value = draft[name]
        if value:
            values[name] = wizard._fields[name].convert_to_write(value, draft)
    return values


def open_wizard(call, action, active=None):
    """Open the wizard of the window ``action`` (checked by the guard) and
    return its description (:func:`describe_wizard`) with a fresh handle."""
    model_name = action["res_model"]
    model = call.guard.check_wizard(model_name, call.key)
    context = action_context(call, action, active)
    call.guard.check_wizard_context(context, call.key)
    wizard = model.with_context(context)
    res_id = action.get("res_id")
    if res_id:
        if not call.guard.readable_ids(model_name, [res_id]):
            raise McpAccessDenied(call.guard._msg(MSG_WIZARD_HANDLE), data={"reason": "wizard"})
        record = wizard.browse(res_id)
    else:
        record = wizard.create(_computed_required(wizard))
    view_id = _form_view_id(action)
    payload = {"k": call.key.id, "m": model_name, "r": record.id, "v": view_id, "c": context,
               "t": json_safe(action.get("name")) or None, "e": int(time.time()) + WIZARD_HANDLE_TTL}
    return describe_wizard(call, record, payload, sign_handle(call, payload))


def load_wizard(call, handle):
    """``(record, payload)`` of the wizard ``handle`` names, the guard's
    wizard checks run again (key scope, blocked wizards, active records)."""
    call.guard.check_wizard_scope(call.key)
    payload = read_handle(call, handle)
    model = call.guard.check_wizard(payload["m"], call.key)
    call.guard.check_wizard_context(payload["c"], call.key)
    if not call.guard.readable_ids(payload["m"], [payload["r"]]):
        raise McpAccessDenied(call.guard._msg(MSG_WIZARD_HANDLE), data={"reason": "wizard"})
    return model.with_context(payload["c"]).browse(payload["r"]), payload


def describe_wizard(call, record, payload, handle):
    """``{handle, model, title, fields, buttons}`` of the wizard ``record``:
    the fields its form shows (those the key may read) with their value,
    type, label, whether they can be set, options of selections, its own
    lines (``describe_lines``), and the buttons that can be pressed."""
    guard = call.guard
    form = guard.wizard_form(record._name, payload.get("v"))
    readable = set(guard.readable_fields(record._name, call.key))
    names = [name for name in form["shown"] if name in readable and name in record._fields]
    rows, _truncated = serialize_for_call(call, record, names)
    row = rows[0] if rows else {}
    fields = {}
    for name in names:
        field = record._fields[name]
        entry = {"string": field.string, "type": field.type, "value": row.get(name),
                 "editable": name in form["editable"] and not field.readonly}
        if field.required:
            entry["required"] = True
        if field.relational:
            entry["relation"] = field.comodel_name
        if field.type == "selection":
            options = guard.filter_selection(field._description_selection(record.env), call.key)
            entry["options"] = [value for value, _label in options][:MAX_SELECTION_OPTIONS]
        fields[name] = entry
    for name, spec in guard.wizard_lines(record._name, form, call.key).items():
        fields[name] = describe_lines(call, record, name, spec)
    buttons = [{"name": name, "string": spec["string"], "type": spec["type"]}
               for name, spec in form["buttons"].items()]
    return {"handle": handle, "model": record._name, "title": payload.get("t"), "fields": fields,
            "buttons": buttons}


def outcome(call, source, value, active=None):
    """What a button that returned ``value`` did, for the agent:
    ``{"result": ..., "wizard": {...}}`` when it opened another wizard,
    ``{"result": {"done": true}}`` when it closed the dialog (or returned
    nothing or ``True``, which the web client answers by closing it), else
    the described return value (``describe_result``) and how many returned
    records were hidden."""
    if is_wizard_action(call.env, value):
        return {"result": action_summary(value), "wizard": open_wizard(call, value, active), "hidden_records": 0}
    if not value or value is True or (isinstance(value, dict) and value.get("type") == CLOSE_ACTION):
        return {"result": {"done": True}, "hidden_records": 0}
    hidden = []
    result = describe_result(call, source, value, hidden)
    return {"result": result, "hidden_records": sum(hidden)}


def run_button(call, record, payload, button):
    """Press ``button`` (checked by the guard against the wizard's form) on
    the wizard ``record``; return :func:`outcome`."""
    guard = call.guard
    form = guard.wizard_form(record._name, payload.get("v"))
    spec = guard.check_wizard_button(record._name, button, form)
    if spec["type"] == "object":
        return outcome(call, record, getattr(record, button)())
    action = guard.button_action(button)
    if action.get("type") != WINDOW_ACTION:
        raise ToolError(guard._msg(MSG_WIZARD_SERVER_ACTION, button=button, model=record._name,
                                   type=action.get("type")))
    active = {"active_model": record._name, "active_id": record.id, "active_ids": record.ids}
    return outcome(call, record, action, active)
