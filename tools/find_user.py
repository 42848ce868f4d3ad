"""Tool ``find_user``: a person's name → the user id to assign."""
from .arguments import opt_int, opt_str
from .base import Tool
from .schemas import read_annotations

MAX_USERS = 20


class FindUser(Tool):
    """Active internal users by name: id and name only."""

    name = "find_user"
    title = "Find a user"
    description = (
        "Find active internal users (employees who log in to Odoo) whose name contains a text, and "
        "return their id and name only: the id to put in a user field such as user_id (salesperson, "
        "assigned to). Example: {\"name\": \"marc\"} → [{\"id\": 6, \"name\": \"Marc Demo\"}]"
    )
    input_schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "default": "", "description": "Part of the name (empty: any)."},
            "limit": {"type": "integer", "minimum": 1, "maximum": MAX_USERS, "default": 10},
        },
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {
            "users": {"type": "array", "items": {
                "type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": ["string", "null"]}},
                "required": ["id", "name"], "additionalProperties": False}},
            "count": {"type": "integer"},
        },
        "required": ["users", "count"],
    }
    annotations = read_annotations(title)
    operation = "read"

    def run(self, call):
        text = (opt_str(call.arguments, "name", "") or "").strip()
        limit = min(opt_int(call.arguments, "limit", default=10, minimum=1), MAX_USERS)
        users = call.guard.find_users(text, limit)
        return {"users": users, "count": len(users)}
