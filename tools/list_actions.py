"""Tool ``list_actions``: the buttons of a model's form and when they apply."""
from ..models.mcp_guard_methods import is_public_function
from ..models.mcp_guard_rules import is_method_blocked
from .arguments import get_model
from .base import Tool
from .schemas import MODEL, read_annotations


class ListActions(Tool):
    """The object buttons of a model's form view that execute_method may press."""

    name = "list_actions"
    title = "List a model's buttons"
    description = (
        "The buttons of a model's form view that you can press with execute_method, as Odoo shows "
        "them to your user: method name, label, and when the button is hidden (`invisible`, Odoo's "
        "expression on the record's fields, e.g. \"state != 'draft'\": read those fields first). "
        "Pressing one needs a read-write key. Example: {\"model\": \"sale.order\"} → "
        "[{\"method\": \"action_confirm\", \"label\": \"Confirm\", \"invisible\": \"state != 'draft'\"}, …]"
    )
    input_schema = {
        "type": "object",
        "properties": {"model": MODEL},
        "required": ["model"],
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {
            "model": {"type": "string"},
            "actions": {"type": "array", "items": {
                "type": "object",
                "properties": {"method": {"type": "string"}, "label": {"type": ["string", "null"]},
                               "invisible": {"type": ["string", "null"]}, "primary": {"type": "boolean"},
                               "confirm": {"type": ["string", "null"]}},
                "required": ["method", "label", "invisible"]}},
            "count": {"type": "integer"},
            "other_methods": {"type": "array", "items": {"type": "string"},
                              "description": "Other methods execute_method accepts (chatter, activities, "
                                             "methods the admin allowed)."},
        },
        "required": ["model", "actions", "count", "other_methods"],
    }
    annotations = read_annotations(title)
    operation = "read"

    def run(self, call):
        model = get_model(call, "read")
        callable_methods = call.guard.callable_methods(model._name)

        def pressable(method):
            if callable_methods is not None:
                return method in callable_methods
            return not is_method_blocked(method) and is_public_function(model, method)

        actions = [button for button in call.env["mcp.discovery"].form_buttons(model._name)
                   if pressable(button["method"])]
        shown = {button["method"] for button in actions}
        others = sorted(set(callable_methods or ()) - shown)
        return {"model": model._name, "actions": actions, "count": len(actions), "other_methods": others}
