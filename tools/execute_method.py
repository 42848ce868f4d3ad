"""Tool ``execute_method``: call a public business method of a model."""
import inspect

from ..models.mcp_guard_rules import SAFE_MIXIN_METHODS
from ..protocol.errors import ToolError
from .arguments import get_ids, opt_list, opt_object, require_str
from .base import Tool
from .schemas import MODEL, WIZARD, or_pending, with_reason, write_annotations
from .results import _readable_records, describe_result  # noqa: F401 - public names of this module
from .values import check_values
from .wizards import action_summary, is_wizard_action, open_wizard


class ExecuteMethod(Tool):
    """Run a public model method (e.g. a button action) on records."""

    name = "execute_method"
    title = "Execute a model method"
    description = (
        "Press a button of an Odoo model on records, the way a user does in a form (e.g. "
        "action_confirm on a sale order), or call a chatter/activity method (message_post, "
        "message_subscribe, message_unsubscribe, activity_schedule: keyword arguments only) or a "
        "method the admin allowed on the model. Buttons take no args/kwargs. A method that is not "
        "offered is refused with the list of those that are. Needs a read-write key. Recordsets in "
        "the result come back as [{id, display_name}] (only records you may read); other values as "
        "JSON. A button that opens a dialog (register payment, backorder, send by email, cancel...) returns "
        "`wizard`: its handle, fields and buttons; continue with the wizard tool. "
        "Example: {\"model\": \"sale.order\", \"method\": \"action_confirm\", \"ids\": [7]}"
    )
    input_schema = {
        "type": "object",
        "properties": {
            "model": MODEL,
            "method": {"type": "string", "minLength": 1, "description": "Public method name."},
            "ids": {"type": "array", "items": {"type": "integer", "minimum": 1}, "default": [],
                    "description": "Records to call the method on (empty: the model itself)."},
            "args": {"type": "array", "default": [], "description": "Positional arguments (JSON)."},
            "kwargs": {"type": "object", "default": {}, "description": "Keyword arguments (JSON)."},
            "context": {"type": "object", "default": {},
                        "description": "Context keys, e.g. {\"lang\": \"fr_FR\"}; only whitelisted keys are kept."},
        },
        "required": ["model", "method"],
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {
            "model": {"type": "string"},
            "method": {"type": "string"},
            "ids": {"type": "array", "items": {"type": "integer"}},
            "result": {"description": "The method's return value made JSON-safe."},
            "hidden_records": {"type": "integer",
                               "description": "Returned records left out because you may not read them."},
            "wizard": WIZARD,
        },
        "required": ["model", "method", "ids", "result", "hidden_records"],
    }
    input_schema = with_reason(input_schema)
    output_schema = or_pending(output_schema)
    annotations = write_annotations(title, destructive=True)
    #: Methods may change data: the key needs write access to the model.
    operation = "write"

    def run(self, call):
        model_name = require_str(call.arguments, "model")
        method_name = require_str(call.arguments, "method")
        args = opt_list(call.arguments, "args")
        kwargs = opt_object(call.arguments, "kwargs")
        model = call.guard.check_method(model_name, method_name, call.key, args, kwargs)
        ids = get_ids(call, required=False)
        context = opt_object(call.arguments, "context")
        if context:
            context = call.guard.sanitize_context(context, call.key) or {}
            model = model.with_context(**context)
        records = model.browse(ids)
        if ids:
            # missing and hidden by record rules look the same
            refused = sorted(set(ids) - set(call.guard.readable_ids(model._name, ids)))
            if refused:
                raise ToolError("No %s record with id %s." % (model._name, ", ".join(map(str, refused))),
                                data={"model": model._name, "missing_ids": refused})
        kwargs = field_kwargs(call, records, method_name, kwargs)
        args = field_args(call, records, method_name, args)
        method = getattr(records, method_name)
        try:
            inspect.signature(method).bind(*args, **kwargs)
        except TypeError as exc:
            raise ToolError("Wrong arguments for %s.%s%s: %s"
                            % (model._name, method_name, _signature(method), exc)) from None
        except ValueError:
            pass  # no introspectable signature: let the call decide
        pending = call.env["mcp.write.policy"].gate(call, self.name, model, records, method=method_name, args=args,
                                                    kwargs=kwargs)
        if pending is not None:
            return pending
        value = method(*args, **kwargs)
        if is_wizard_action(call.env, value):  # a dialog: open it, with Odoo's context
            # as the web client does after a button: the records it ran on
            # as active_*, under the action's own context
            active = {"active_model": model._name, **({"active_id": ids[0], "active_ids": ids} if ids else {})}
            return {"model": model._name, "method": method_name, "ids": ids, "result": action_summary(value),
                    "wizard": open_wizard(call, value, active), "hidden_records": 0}
        hidden = []
        result = describe_result(call, model, value, hidden)
        return {"model": model._name, "method": method_name, "ids": ids,
                "result": result, "hidden_records": sum(hidden)}


def field_kwargs(call, records, method_name, kwargs):
    """``kwargs`` with every keyword argument named like a field of the model
    checked and converted as an ``update`` value (``tools/values.check_values``:
    the guard's field and link checks, writable fields only): business methods
    often write their keyword arguments (``crm.lead.action_set_lost(**values)``
    writes them on the leads), so a keyword argument is never a way around
    ``update``'s rules. The chatter/activity methods have their own argument
    check (``SAFE_MIXIN_METHODS``) and are left as they are."""
    if method_name in SAFE_MIXIN_METHODS:
        return kwargs
    values = {name: value for name, value in kwargs.items() if name in records._fields}
    if not values:
        return kwargs
    return dict(kwargs, **check_values(call, records, values, "write"))


def field_args(call, records, method_name, args):
    """``args`` with every positional argument that is an object naming
    fields of the model (a ``vals`` dict, as ``write``-like business methods
    take it), or a list of such objects, checked and converted as
    :func:`field_kwargs` checks keyword arguments: a value passed by position
    is no way around ``update``'s rules either. Positional arguments reach
    only methods a model-access rule allows (or any public method, with that
    setting): buttons take none."""
    if method_name in SAFE_MIXIN_METHODS:
        return args

    def checked(value):
        if isinstance(value, dict):
            values = {name: item for name, item in value.items() if name in records._fields}
            return dict(value, **check_values(call, records, values, "write")) if values else value
        if isinstance(value, list) and any(isinstance(item, dict) for item in value):
            return [checked(item) for item in value]
        return value
    return [checked(arg) for arg in args]


def _signature(method):
    try:
        return str(inspect.signature(method))
    except (TypeError, ValueError):
        return "(...)"
