"""Tool ``execute_method``: call a public business method of a model."""
import difflib
import inspect

from ..protocol.errors import AccessDenied, ToolError
from .arguments import get_ids, get_model, opt_list, opt_object, require_str
from .base import Tool
from .schemas import MODEL
from .serialize import json_safe


def public_methods(model):
    """Names of the public callables of ``model`` (for suggestions)."""
    cls = type(model)
    return sorted(name for name in dir(cls)
                  if not name.startswith("_") and name not in model._fields
                  and callable(getattr(cls, name, None)))


class ExecuteMethod(Tool):
    """Run a public model method (e.g. a button action) on records."""

    name = "execute_method"
    title = "Execute a model method"
    description = (
        "Call a public method of an Odoo model on records, the way a form button does (e.g. "
        "action_confirm on a sale order). args must be a JSON array and kwargs a JSON object; "
        "the method must exist, must not start with '_' and must not be a CRUD alias (use the "
        "create/update/delete/read tools for those). Recordsets in the result come back as "
        "[{id, display_name}] (only records you may read); other values as JSON. "
        "Example: {\"model\": \"res.partner\", \"method\": \"address_get\", \"ids\": [7], "
        "\"args\": [[\"invoice\"]]}"
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
        },
        "required": ["model", "method", "ids", "result", "hidden_records"],
    }
    annotations = {"title": title, "readOnlyHint": False, "destructiveHint": True,
                   "idempotentHint": False, "openWorldHint": False}
    #: Methods may change data: the key needs write access to the model.
    operation = "write"

    def run(self, call):
        model = get_model(call, "write")
        method_name = require_str(call.arguments, "method")
        call.guard.check_method(model._name, method_name, call.key)
        if method_name.startswith("_") or not callable(getattr(type(model), method_name, None)) \
                or method_name in model._fields:
            close = difflib.get_close_matches(method_name, public_methods(model), n=5, cutoff=0.6)
            message = "Model %r has no public method %r." % (model._name, method_name)
            if close:
                message += " Did you mean: %s?" % ", ".join(close)
            raise ToolError(message, data={"model": model._name, "method": method_name, "suggestions": close})
        ids = get_ids(call, required=False)
        args = opt_list(call.arguments, "args")
        kwargs = opt_object(call.arguments, "kwargs")
        context = opt_object(call.arguments, "context")
        if context:
            context = call.guard.sanitize_context(context, call.key) or {}
            model = model.with_context(**context)
        records = model.browse(ids)
        if ids:
            missing = sorted(set(ids) - set(records.exists().ids))
            if missing:
                raise ToolError("No %s record with id %s." % (model._name, ", ".join(map(str, missing))),
                                data={"model": model._name, "missing_ids": missing})
        method = getattr(records, method_name)
        try:
            inspect.signature(method).bind(*args, **kwargs)
        except TypeError as exc:
            raise ToolError("Wrong arguments for %s.%s%s: %s"
                            % (model._name, method_name, _signature(method), exc)) from None
        except ValueError:
            pass  # no introspectable signature: let the call decide
        value = method(*args, **kwargs)
        hidden = []

        def on_records(recs):
            return self._records(call, recs, hidden)

        return {"model": model._name, "method": method_name, "ids": ids,
                "result": json_safe(value, on_records), "hidden_records": sum(hidden)}

    @staticmethod
    def _records(call, recs, hidden):
        """``[{id, display_name}]`` of the returned records the user may read."""
        try:
            call.guard.check_model(recs._name, "read", call.key)
        except (AccessDenied, ToolError):
            hidden.append(len(recs))
            return []
        recs = recs.exists()
        readable = recs._filtered_access("read")
        hidden.append(len(recs) - len(readable))
        return [{"id": rec.id, "display_name": rec.display_name or None} for rec in readable]


def _signature(method):
    try:
        return str(inspect.signature(method))
    except (TypeError, ValueError):
        return "(...)"
