"""``completion/complete``: suggestions for prompt and resource-template arguments.

Argument ``model`` completes to model names the key may read; ``field``-like
arguments (``groupby``, ``measure``, ``field``, ``fields``) to field names
of the model given in the context arguments; ``id``/``record_id`` to ids
found by name. At most 100 values, with ``total`` and ``hasMore``. A prompt
or resource template this server does not have completes to an empty list
(not an error: the conformance suite asks about its own test prompt).
"""
from ..protocol.errors import McpAccessDenied, InvalidParams, ToolError
from .arguments import allowed_model_set, filter_allowed_fields
from .prompts import PROMPTS
from .resources import MODEL_TEMPLATE, RECORD_TEMPLATE

MAX_VALUES = 100
FIELD_ARGUMENTS = ("field", "fields", "groupby", "measure")
ID_ARGUMENTS = ("id", "record_id")


def _result(values):
    return {"completion": {"values": values[:MAX_VALUES], "total": len(values),
                           "hasMore": len(values) > MAX_VALUES}}


def _rank(candidates, text):
    """Prefix matches first, then substring matches, case-insensitive."""
    text = (text or "").lower()
    prefix = [c for c in candidates if c.lower().startswith(text)]
    inner = [c for c in candidates if text in c.lower() and c not in prefix]
    return prefix + inner


def _context_model(ctx, context_arguments):
    name = (context_arguments or {}).get("model")
    if not isinstance(name, str) or not name:
        return None
    try:
        return ctx.guard.check_model(name, "read", ctx.key)
    except (McpAccessDenied, ToolError):
        return None


def complete(ctx, ref, argument, context_arguments=None):
    """Completion values for ``argument`` (``{"name", "value"}``) of ``ref``.

    Returns the ``completion/complete`` result:
    ``{"completion": {"values", "total", "hasMore"}}``.
    """
    if not isinstance(ref, dict) or not isinstance(argument, dict):
        raise InvalidParams("Parameters 'ref' and 'argument' must be objects.")
    ref_type = ref.get("type")
    if ref_type == "ref/prompt":
        prompt = next((p for p in PROMPTS if p["name"] == ref.get("name")), None)
        known = [arg["name"] for arg in prompt["arguments"]] if prompt else []
    elif ref_type == "ref/resource":
        known = {MODEL_TEMPLATE: ["model"], RECORD_TEMPLATE: ["model", "id"]}.get(ref.get("uri"), [])
    else:
        raise InvalidParams("Parameter 'ref.type' must be 'ref/prompt' or 'ref/resource'.")
    name = argument.get("name")
    value = argument.get("value") or ""
    if not isinstance(value, str):
        raise InvalidParams("Parameter 'argument.value' must be a string.")
    if name not in known:
        return _result([])
    if name == "model":
        names = list(ctx.guard.allowed_models(ctx.key, "read"))
        return _result(_rank(names, value))
    model = _context_model(ctx, context_arguments)
    if model is None:
        return _result([])
    if name in FIELD_ARGUMENTS:
        allowed = allowed_model_set(ctx)
        names = [fname for fname, field in model._fields.items() if field.is_accessible(model.env)
                 and not (field.relational and field.comodel_name not in allowed)]
        names = filter_allowed_fields(ctx, model, names)
        if name == "groupby":
            names = [f for f in names if model._fields[f].store]
        if name == "measure":
            names = [f for f in names if model._fields[f].type in ("integer", "float", "monetary")]
        return _result(_rank(names, value))
    if name in ID_ARGUMENTS:
        if value and not value.isdigit():
            pairs = model.name_search(value, limit=MAX_VALUES + 1)
            return _result([str(rid) for rid, _name in pairs])
        ids = model.search([("id", "!=", 0)], limit=MAX_VALUES + 1, order="id").ids
        return _result(_rank([str(i) for i in ids], value))
    return _result([])
