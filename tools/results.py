"""Describing what a method returned: recordsets as the records the key's
user may read, actions on models the key may not read reduced to their
type, many2one names of such models dropped (``execute_method``, wizard
buttons)."""
from ..protocol.errors import McpAccessDenied, ToolError
from .serialize import MAX_DEPTH, json_safe


def describe_result(call, model, value, hidden):
    """The JSON-safe return value of a method of ``model``: recordsets as
    ``[{id, display_name}]`` of the records the user may read; actions
    (``{"type": "ir.actions..."}``) on a model the key may not read reduced to
    their type; ``[id, name]`` pairs under a many2one field name of ``model``
    lose the name when the key may not read the target model; keys naming a
    field the model's MCP access rule hides are left out. ``hidden``
    collects how many records were left out."""
    def on_records(recs):
        return _readable_records(call, recs, hidden)

    verdicts = {}

    def unreadable(model_name):  # once per model, however many rows name it
        if model_name not in verdicts:
            verdicts[model_name] = bool(call.guard.unreadable_models(call.key, [model_name]))
        return verdicts[model_name]

    secret = call.guard.hidden_fields(model._name)
    return _filter_value(model, json_safe(value, on_records), hidden, unreadable, 0, secret)


def _filter_value(model, value, hidden, unreadable, depth, secret=frozenset()):
    """``value`` with the actions and many2one names described above
    filtered, and every key naming a field of ``model`` that its MCP access
    rule hides (``secret``) left out, at any depth: a method returning
    ``read()`` dicts or onchange values never shows a hidden field."""
    if depth > MAX_DEPTH:
        return value
    if isinstance(value, list):
        return [_filter_value(model, item, hidden, unreadable, depth + 1, secret) for item in value]
    if not isinstance(value, dict):
        return value
    target = value.get("res_model")
    if isinstance(value.get("type"), str) and value["type"].startswith("ir.actions.") and isinstance(target, str) \
            and unreadable(target):
        hidden.append(1)
        return {"type": value["type"], "hidden": True}
    result = {}
    for name, item in value.items():
        if name in secret:
            continue
        field = model._fields.get(name)
        if field is not None and field.type == "many2one" and isinstance(item, list) and len(item) == 2 \
                and isinstance(item[0], int) and unreadable(field.comodel_name):
            item = [item[0], None]
        result[name] = _filter_value(model, item, hidden, unreadable, depth + 1, secret)
    return result


def _readable_records(call, recs, hidden):
    """``[{id, display_name}]`` of the returned records the user may read."""
    try:
        call.guard.check_model(recs._name, "read", call.key)
    except (McpAccessDenied, ToolError):
        hidden.append(len(recs))
        return []
    recs = recs.exists()
    readable = recs._filtered_access("read")
    hidden.append(len(recs) - len(readable))
    return [{"id": rec.id, "display_name": rec.display_name or None} for rec in readable]
