# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Finding one's way as a user does: Odoo's menus and a form's buttons.

``ir.ui.menu``, ``ir.actions.act_window`` and ``ir.ui.view`` stay blocked
for agents: this model reads them for the layer, **as the key's user**
(Odoo's own visibility: the menus of the user's groups, the form view as
Odoo renders it for that user, buttons of other groups removed) and hands
out only what the user sees on screen: a menu's path, its action's model,
filter (domain) and defaults, a button's label and when it shows.
"""
import ast
import re

from lxml import etree
from odoo import api, models

#: Most menu matches reported for one query.
MAX_MENU_MATCHES = 20
_WORD_RE = re.compile(r"\w+", re.UNICODE)


def stem(word):
    """A crude singular of an English (or similar) word: "deliveries" →
    "delivery", "bills" → "bill" (enough to match a menu's plural)."""
    word = word.lower()
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def words(text):
    """The stems of the words of ``text``."""
    return [stem(word) for word in _WORD_RE.findall(str(text or ""))]


def matches(query_words, text):
    """Whether every query word starts a word of ``text``."""
    stems = words(text)
    return all(any(candidate.startswith(word) for candidate in stems) for word in query_words)


def literal(text):
    """A Python literal text (a domain or a context) as data, or None when
    it holds expressions (``uid``, ``context_today()``...)."""
    try:
        return ast.literal_eval(text) if text else None
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


class McpDiscovery(models.AbstractModel):
    _name = "mcp.discovery"
    _description = "MCP discovery: menus and buttons as the user sees them"

    @api.model
    def menu_matches(self, query):
        """The menus the current user sees whose path or action name holds
        every word of ``query`` ("vendor bills" → Invoicing / Vendors / Bills),
        each as ``{"model", "menu", "action", "domain", "defaults"}``:
        the window action's model, its filter as text, and the ``default_*``
        values of its context (None when not a plain literal). At most
        ``MAX_MENU_MATCHES``, the closest first: an action named by the
        words, then one whose name holds them, then a match on the path."""
        query_words = words(query)
        if not query_words:
            return []
        Menu = self.env(su=False)["ir.ui.menu"]
        visible_ids = Menu._visible_menu_ids(False)
        found = []
        for menu in Menu.browse(sorted(visible_ids)):
            # shown in the menu bar: the menu and every menu above it visible
            if not all(int(part) in visible_ids for part in (menu.parent_path or "").split("/") if part):
                continue
            hint = self._menu_hint(menu, query_words)
            if hint:
                found.append(hint)
        # the closest first: the action named by the words ("Quotations"),
        # then an action whose name holds them, then a match on the path only
        found.sort(key=lambda hint: hint.pop("_rank"))
        return found[:MAX_MENU_MATCHES]

    def _menu_hint(self, menu, query_words):
        """The hint of ``menu`` when it matches ``query_words`` and opens a
        model: a window action (its model, filter, defaults) or a server action
        (Odoo 18 opens *Deliveries* with one: its model only)."""
        values = self._menu_action(menu)
        if values is None:
            return None
        label, res_model, domain, context = values
        path = menu.display_name
        if not res_model or not matches(query_words, f"{path} {label}"):
            return None
        context_value = literal(context)
        defaults = None
        if isinstance(context_value, dict):
            defaults = {k[len("default_"):]: v for k, v in context_value.items()
                        if isinstance(k, str) and k.startswith("default_")}
        label_words = words(label)
        rank = 0 if label_words == query_words else 1 if matches(query_words, label) else 2
        return {"model": res_model, "menu": path, "action": label or None,
                "domain": domain or None, "defaults": defaults or None, "_rank": rank}

    def _menu_action(self, menu):
        """``(name, model, domain, context)`` of the action of ``menu`` (a
        window or server action), or None. The layer's own read, with sudo,
        of a menu Odoo shows the user (``_visible_menu_ids`` checked the
        menu's groups and the user's read access to the model): what Odoo's
        web client does too when it loads a menu's action, for users who may
        not read ``ir.actions.*`` themselves."""
        action = menu.action
        if not action or action._name not in ("ir.actions.act_window", "ir.actions.server"):
            return None
        action = action.sudo()
        if action._name == "ir.actions.server":
            return action.name, action.model_name, None, None
        return action.name, action.res_model, action.domain, action.context

    @api.model
    def form_buttons(self, model_name):
        """The ``<button type="object">`` of ``model_name``'s form view as
        Odoo renders it for the current user (groups applied), outside
        embedded sub-views: ``[{"method", "label", "invisible", "primary",
        "confirm"}]`` in the form's order (``invisible``: Odoo's expression
        as text, e.g. ``"state != 'draft'"``; None when always shown)."""
        arch = self.env[model_name].get_view(view_type="form")["arch"]
        root = etree.fromstring(arch) if isinstance(arch, str) else arch
        buttons, seen = [], set()
        for node in root.iter("button"):
            if node.get("type") != "object" or not node.get("name"):
                continue
            if any(parent.tag == "field" for parent in node.iterancestors()):
                continue
            entry = {
                "method": node.get("name"),
                "label": node.get("string") or node.get("title") or None,
                "invisible": node.get("invisible") or None,
                "primary": "btn-primary" in (node.get("class") or ""),
                "confirm": node.get("confirm") or None,
            }
            marker = (entry["method"], entry["label"], entry["invisible"])
            if marker not in seen:
                seen.add(marker)
                buttons.append(entry)
        return buttons

    @api.model
    def list_columns(self, model_name):
        """Names of the fields shown as columns of ``model_name``'s list view
        as Odoo renders it for the current user (groups applied), in order;
        columns hidden outright (``column_invisible="1"``, ``invisible="1"``)
        and fields of embedded sub-views are left out."""
        arch = self.env[model_name].get_view(view_type="list")["arch"]
        root = etree.fromstring(arch) if isinstance(arch, str) else arch
        names = []
        for node in root.iter("field"):
            name = node.get("name")
            if not name or any(parent.tag == "field" for parent in node.iterancestors()):
                continue
            if (node.get("column_invisible") or node.get("invisible") or "").strip() in ("1", "True", "true"):
                continue
            if name not in names:
                names.append(name)
        return names
