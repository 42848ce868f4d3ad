"""Tool ``wizard``: read, fill in and press a button of a dialog Odoo opened."""
from ..protocol.errors import ToolError
from .arguments import get_ids, opt_object, require_str
from .base import Tool
from .schemas import MODEL, WIZARD, or_pending, with_reason, write_annotations
from .values import check_values
from .wizard_lines import split_line_values
from .wizards import describe_wizard, load_wizard, outcome, run_button

ACTIONS = ("open", "read", "set", "press")


class Wizard(Tool):
    """Work through an Odoo wizard (dialog) opened for the agent."""

    name = "wizard"
    title = "Work through a dialog (wizard)"
    description = (
        "Continue a dialog Odoo opened: when execute_method (or a wizard button) returns `wizard`, pass its "
        "`handle` here. action=read shows its fields (value, type, editable, options) and buttons; "
        "action=set writes `values` on editable fields (same formats and checks as update; a dialog's lines, "
        "e.g. the quantities of a return, with [[1, line_id, {\"quantity\": 2}]]); action=press "
        "presses one of its buttons by name (with optional `values` set first) and returns what it did: "
        "another wizard, a record or an action, or {\"done\": true}. action=open opens the dialog of a form "
        "button of type action (e.g. Create Invoice on a sale order): give `model`, `ids` and `button` (its "
        "label or action xml id). The dialog works on the records Odoo put in its context, never others. "
        "Needs a read-write key; a handle lives 30 minutes and only for your key. "
        "Example: {\"action\": \"press\", \"handle\": \"eyJ...\", \"button\": \"action_create_payments\", "
        "\"values\": {\"payment_date\": \"2025-01-31\"}}"
    )
    input_schema = {
        "type": "object",
        "properties": {
            "action": {"type": "string", "enum": list(ACTIONS), "description": "open, read, set or press."},
            "handle": {"type": "string", "minLength": 1, "description": "The wizard's handle (read, set, press)."},
            "values": {"type": "object", "description": "Field values to set (set, press)."},
            "button": {"type": "string", "minLength": 1,
                       "description": "press: a button name of the wizard; open: a form button of type action."},
            "model": MODEL,
            "ids": {"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 1,
                    "description": "open: the records the form button works on."},
        },
        "required": ["action"],
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {
            "wizard": WIZARD,
            "result": {"description": "What the button did (press, open)."},
            "hidden_records": {"type": "integer"},
        },
    }
    input_schema = with_reason(input_schema)
    output_schema = or_pending(output_schema)
    annotations = write_annotations(title, destructive=True)
    #: Wizards change data: a read-write key only.
    operation = "write"

    def run(self, call):
        action = require_str(call.arguments, "action")
        if action not in ACTIONS:
            raise ToolError(f"Argument 'action' must be one of {', '.join(ACTIONS)}.")
        if action == "open":
            return self._open(call)
        record, payload = load_wizard(call, require_str(call.arguments, "handle"))
        values = opt_object(call.arguments, "values")
        if action == "set" and not values:
            raise ToolError("action=set needs `values`, e.g. {\"amount\": 100}.")
        if values:
            form = call.guard.wizard_form(record._name, payload.get("v"))
            call.guard.check_wizard_fields(record._name, values, form)
            values, lines = split_line_values(call, record, values, form)
            values = check_values(call, record, values, "write") if values else {}
            record.write(dict(values, **lines))
        if action == "press":
            button = require_str(call.arguments, "button")
            pending = self._gate(call, record, payload, button, values)
            if pending is not None:
                return pending
            return run_button(call, record, payload, button)
        return {"wizard": describe_wizard(call, record, payload, call.arguments["handle"])}

    def _gate(self, call, record, payload, button, values):
        """The write policy of pressing ``button``: the policy of the
        dialog's records (its ``active_model``; the wizard's own model when
        it has none), with the button as the method (``Policy Methods`` may
        name it). ``None``: press it now; else the pending result."""
        context = payload.get("c") or {}
        source = context.get("active_model")
        if isinstance(source, str) and source in call.env:
            ids = context.get("active_ids") or ([context["active_id"]] if context.get("active_id") else [])
            records = call.env[source].browse(call.guard.readable_ids(source, ids))
        else:
            records = record
        return call.env["mcp.write.policy"].gate(call, self.name, records.browse(), records, method=button,
                                                 kwargs=values or {})

    def _open(self, call):
        """The dialog of a form button of type action on records of ``model``."""
        call.guard.check_wizard_scope(call.key)
        model_name = require_str(call.arguments, "model")
        model = call.guard.check_model(model_name, "read", call.key)
        ids = get_ids(call)
        refused = sorted(set(ids) - set(call.guard.readable_ids(model_name, ids)))
        if refused:
            raise ToolError(f"No {model_name} record with id {', '.join(map(str, refused))}.",
                            data={"model": model_name, "missing_ids": refused})
        button = call.guard.form_action_button(model_name, require_str(call.arguments, "button"))
        active = {"active_model": model_name, "active_id": ids[0], "active_ids": ids}
        return outcome(call, model.browse(ids), call.guard.button_action(button), active)
