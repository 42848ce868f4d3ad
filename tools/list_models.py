"""Tool ``list_models``: the models this key may use, found by their names
or by the words of the menus the user sees ("vendor bills")."""
from odoo.exceptions import AccessError

from .arguments import get_limit, get_offset, opt_str
from .base import Tool
from .schemas import LIMIT, NEXT_OFFSET, OFFSET, read_annotations


class ListModels(Tool):
    """Models the key may read (blocklist and model-access rules applied)."""

    name = "list_models"
    title = "List models"
    description = (
        "List the Odoo models this connection may read, with their description. "
        "Filter with `query`: matched against the technical name and the description, and against "
        "the menus you see in Odoo, so business words work (\"vendor bills\", \"quotations\", "
        "\"deliveries\"): such a model comes first with `menus`, each giving the menu's path, its "
        "filter (`domain`, Odoo's text) and the values it presets (`defaults`, e.g. "
        "{\"move_type\": \"in_invoice\"}: use them in your domain and create values). "
        "Page with `offset`/`limit`. "
        "Example: {\"query\": \"vendor bills\"} → account.move with menus [{\"menu\": \"Invoicing / "
        "Vendors / Bills\", \"domain\": \"[('move_type', '=', 'in_invoice')]\", …}]"
    )
    input_schema = {
        "type": "object",
        "properties": {
            "query": {"type": "string", "description": "Text to look for in model names and descriptions."},
            "limit": LIMIT,
            "offset": OFFSET,
        },
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {
            "models": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "model": {"type": "string"},
                        "name": {"type": "string"},
                        "transient": {"type": "boolean"},
                        "menus": {"type": "array", "items": {
                            "type": "object",
                            "properties": {"menu": {"type": "string"}, "action": {"type": ["string", "null"]},
                                           "domain": {"type": ["string", "null"]},
                                           "defaults": {"type": ["object", "null"]}},
                            "required": ["menu"]},
                            "description": "Menus matching the query that open this model."},
                    },
                    "required": ["model", "name"],
                },
            },
            "count": {"type": "integer"},
            "total": {"type": "integer"},
            "offset": {"type": "integer"},
            "limit": {"type": "integer"},
            "next_offset": NEXT_OFFSET,
        },
        "required": ["models", "count", "total", "offset", "limit", "next_offset"],
    }
    annotations = read_annotations(title)
    operation = "read"

    def run(self, call):
        query = (opt_str(call.arguments, "query") or "").strip().lower()
        limit = get_limit(call)
        offset = get_offset(call)
        env = call.env
        allowed = call.guard.allowed_models(call.key, "read")
        menus = self._menus(call, query, set(allowed))
        entries, by_menu = [], []
        for model_name in allowed:
            if model_name not in env:
                continue
            model = env[model_name]
            description = model._description or model_name
            entry = {"model": model_name, "name": description, "transient": bool(model._transient)}
            if model_name in menus:
                entry["menus"] = menus[model_name]
                by_menu.append(entry)
            elif not query or query in model_name.lower() or query in description.lower():
                entries.append(entry)
        # the models a menu names first, in menu order
        order = list(menus)
        entries = sorted(by_menu, key=lambda e: order.index(e["model"])) + entries
        page = entries[offset:offset + limit]
        next_offset = offset + limit if offset + limit < len(entries) else None
        return {"models": page, "count": len(page), "total": len(entries), "offset": offset,
                "limit": limit, "next_offset": next_offset}

    @staticmethod
    def _menus(call, query, allowed):
        """{model: [menu hint]} of the menus matching ``query`` that open a
        model the key may read (``mcp.discovery.menu_matches``)."""
        if not query:
            return {}
        try:
            found = call.env["mcp.discovery"].menu_matches(query)
        except AccessError:  # a user without access to menus (portal)
            return {}
        menus = {}
        for hint in found:
            model_name = hint.pop("model")
            if model_name in allowed:
                menus.setdefault(model_name, []).append(hint)
        return menus
