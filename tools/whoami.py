"""Tool ``whoami``: who the key acts as, and what it may do."""
from .arguments import opt_list
from .base import Tool
from .instructions import MODEL_MAP
from .schemas import read_annotations

ID_NAME_PAIR = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": ["string", "null"]}},
                "required": ["id", "name"]}
ACCESS = {"type": "object", "properties": {op: {"type": "boolean"} for op in ("read", "create", "write", "unlink")},
          "required": ["read", "create", "write", "unlink"]}


class WhoAmI(Tool):
    """The key's user, companies, language, time zone, scope and model access."""

    name = "whoami"
    title = "Who am I"
    description = (
        "Your Odoo user (id and name: use the id for \"my\" records, e.g. crm.lead with user_id = id), "
        "current and allowed companies, language, time zone, this API key's scope (read or write) and "
        "what you may do (read, create, write, unlink) on the main business models, or on the `models` "
        "you name (at most 50). Example: {\"models\": [\"sale.order\", \"account.move\"]}"
    )
    input_schema = {
        "type": "object",
        "properties": {
            "models": {"type": "array", "items": {"type": "string"}, "maxItems": 50,
                       "description": "Models to report access for (default: the main business models)."},
        },
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {
            "user": ID_NAME_PAIR,
            "company": ID_NAME_PAIR,
            "companies": {"type": "array", "items": ID_NAME_PAIR},
            "lang": {"type": ["string", "null"]},
            "tz": {"type": ["string", "null"]},
            "scope": {"type": "string", "enum": ["read", "write"]},
            "access": {"type": "object", "additionalProperties": ACCESS},
            "readable_models": {"type": "integer", "description": "How many models list_models offers."},
        },
        "required": ["user", "company", "companies", "lang", "tz", "scope", "access", "readable_models"],
    }
    annotations = read_annotations(title)
    operation = "read"

    def run(self, call):
        env, guard = call.env, call.guard
        names = opt_list(call.arguments, "models") or [model for model, _text in MODEL_MAP if model in env]
        user = env.user
        return {
            "user": {"id": user.id, "name": user.name or None},
            "company": {"id": env.company.id, "name": env.company.name or None},
            "companies": [{"id": company.id, "name": company.name or None} for company in env.companies],
            "lang": env.context.get("lang") or user.lang or None,
            "tz": env.context.get("tz") or user.tz or None,
            "scope": "read" if guard.is_read_only(call.key) else "write",
            "access": guard.model_access(call.key, [n for n in names if isinstance(n, str)]),
            "readable_models": len(guard.allowed_models(call.key, "read")),
        }
