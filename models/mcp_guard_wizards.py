# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The guard's rules about wizards (Odoo's dialogs, transient models).

Transient models stay blocked for every other tool. An agent reaches a
wizard only through a window action Odoo itself returned (a button it
pressed with ``execute_method``) or that a form button of type "action"
opens; the ``wizard`` tool then works on it with the action's own context.
What is checked here, on every wizard call:

- the key is read-write, the wizard is not an admin wizard
  (``is_wizard_blocked``: ``WIZARD_BLOCKED_MODELS`` and prefixes, on top of
  the always-blocked models) and Odoo's access rights let the user create it;
- the records the context points at (``active_model`` / ``active_id(s)``) are
  readable by the key's user (re-checked each call: they may have changed);
- only the fields the wizard's form offers for editing are set (and the
  values go through the same checks as any write); a wizard's own lines (a
  one2many into a transient line model, e.g. the quantities of a return)
  only through ``[1, line_id, {values}]`` on lines of that wizard, for the
  columns its embedded list lets a user edit; and only the buttons of
  type object/action of that form are pressed — never another method, never
  one the method blocklist refuses.
"""
from lxml import etree
from odoo import api, models

from ..protocol.errors import McpAccessDenied, ToolError
from .mcp_guard_rules import (
    MSG_MODEL_ACL,
    MSG_WIZARD_ACTION_UNKNOWN,
    MSG_WIZARD_ACTIVE,
    MSG_WIZARD_BLOCKED,
    MSG_WIZARD_BUTTON,
    MSG_WIZARD_FIELD,
    MSG_WIZARD_LINES,
    MSG_WIZARD_SCOPE,
    WIZARD_BUTTON_TYPES,
    is_method_blocked,
    is_wizard_blocked,
)

#: Attribute values that make a node statically true (readonly, invisible).
_TRUE = ("1", "True", "true")


def _in_subview(node):
    """Whether ``node`` sits inside an x2many field's embedded view."""
    return any(parent.tag == "field" for parent in node.iterancestors())


def form_buttons(arch):
    """``{name: {"string", "type"}}`` of the object/action buttons of a form
    ``arch`` (statically invisible ones and those of embedded sub-views left
    out; the first label of a name wins)."""
    root = etree.fromstring(arch) if isinstance(arch, str) else arch
    buttons = {}
    for node in root.iter("button"):
        name, kind = node.get("name"), node.get("type")
        if not name or kind not in WIZARD_BUTTON_TYPES or node.get("invisible") in _TRUE or _in_subview(node):
            continue
        label = node.get("string") or " ".join("".join(node.itertext()).split()) or name
        buttons.setdefault(name, {"string": label, "type": kind})
    return buttons


def form_fields(arch):
    """``(shown, editable)``: names of the fields a form ``arch`` shows (not
    statically invisible) and of those it lets a user edit (shown, not
    statically read-only), outside embedded sub-views."""
    root = etree.fromstring(arch) if isinstance(arch, str) else arch
    shown, editable = [], []
    for node in root.iter("field"):
        name = node.get("name")
        if not name or _in_subview(node) or node.get("invisible") in _TRUE or name in shown:
            continue
        shown.append(name)
        if node.get("readonly") not in _TRUE:
            editable.append(name)
    return shown, editable


def form_lines(arch):
    """``{field: {"shown", "editable"}}`` of the x2many fields of a form
    ``arch`` shown with an embedded list: the columns it shows (not
    statically invisible) and those a user edits in place (an ``editable``
    list; columns not statically read-only)."""
    root = etree.fromstring(arch) if isinstance(arch, str) else arch
    lines = {}
    for node in root.iter("field"):
        name = node.get("name")
        if not name or _in_subview(node) or node.get("invisible") in _TRUE or name in lines:
            continue
        listing = next((child for child in node if child.tag in ("list", "tree")), None)
        if listing is None:
            continue
        shown, editable = [], []
        for column in listing.iter("field"):
            if column.getparent() is not listing or column.get("name") in shown \
                    or column.get("invisible") in _TRUE or column.get("column_invisible") in _TRUE:
                continue
            shown.append(column.get("name"))
            if listing.get("editable") and column.get("readonly") not in _TRUE:
                editable.append(column.get("name"))
        lines[name] = {"shown": shown, "editable": editable}
    return lines


class McpGuardWizards(models.AbstractModel):
    _inherit = "mcp.guard"

    @api.model
    def check_wizard_scope(self, key):
        """Refuse a read-only key (McpAccessDenied reason 'scope')."""
        if self.is_read_only(key):
            raise McpAccessDenied(self._msg(MSG_WIZARD_SCOPE), data={"reason": "scope"})

    @api.model
    def check_wizard(self, model_name, key):
        """Return ``self.env[model_name]`` if ``key`` may use the wizard
        ``model_name``: a read-write key, a transient model that is not an
        admin wizard (reason 'wizard'), which Odoo lets the user create
        (reason 'acl')."""
        self.check_wizard_scope(key)
        model_cls = self.env.registry.get(model_name) if isinstance(model_name, str) else None
        if model_cls is None or not model_cls._transient or is_wizard_blocked(model_name, self._extra_blocked()):
            raise McpAccessDenied(self._msg(MSG_WIZARD_BLOCKED, model=model_name),
                                  data={"model": model_name, "reason": "wizard"})
        model = self.env[model_name]
        if not model.browse().has_access("create"):
            raise McpAccessDenied(self._msg(MSG_MODEL_ACL, model=model_name, operation="create"),
                                  data={"model": model_name, "reason": "acl"})
        return model

    @api.model
    def check_wizard_context(self, context, key):
        """Refuse (McpAccessDenied reason 'wizard') a wizard context whose
        ``active_model`` the key may not read or whose ``active_id`` /
        ``active_ids`` are not all records the user may read."""
        active_model = context.get("active_model")
        ids = list(context.get("active_ids") or [])
        if context.get("active_id"):
            ids.append(context["active_id"])
        if not active_model:
            return
        refused = not isinstance(active_model, str) or bool(self.unreadable_models(key, [active_model]))
        if not refused and ids:
            refused = len(self.readable_ids(active_model, ids)) != len(set(ids))
        if refused:
            raise McpAccessDenied(self._msg(MSG_WIZARD_ACTIVE, model=active_model),
                                  data={"model": active_model, "reason": "wizard"})

    @api.model
    def wizard_form(self, model_name, view_id=None):
        """``{"buttons", "shown", "editable"}`` of the wizard's form view
        (``view_id``, or the model's default form) as Odoo renders it for the
        user (nodes of groups the user lacks are gone)."""
        arch = self.env[model_name].get_view(view_id or None, "form")["arch"]
        shown, editable = form_fields(arch)
        return {"buttons": form_buttons(arch), "shown": shown, "editable": editable, "lines": form_lines(arch)}

    @api.model
    def wizard_lines(self, model_name, form, key):
        """``{field: {"shown", "editable"}}`` of the wizard's own lines: the
        one2many fields of its form (embedded list) into a transient model
        that is not an admin wizard and whose inverse field points back at
        the wizard model; columns the key may not read are left out."""
        model = self.env[model_name]
        extra = self._extra_blocked()
        found = {}
        for fname, spec in form.get("lines", {}).items():
            field = model._fields.get(fname)
            if field is None or field.type != "one2many" or not field.is_accessible(self.env):
                continue
            comodel_cls = self.env.registry.get(field.comodel_name)
            inverse = comodel_cls and comodel_cls._fields.get(field.inverse_name)
            if not comodel_cls or not comodel_cls._transient or is_wizard_blocked(field.comodel_name, extra) \
                    or inverse is None or inverse.type != "many2one" or inverse.comodel_name != model_name:
                continue
            readable = set(self.readable_fields(field.comodel_name, key))
            columns = [name for name in spec["shown"] if name in readable]
            found[fname] = {"shown": columns, "editable": [name for name in spec["editable"] if name in columns]}
        return found

    @api.model
    def check_wizard_lines(self, record, fname, value, spec):
        """``[(line, values)]`` of the ``[1, line_id, {values}]`` commands of
        ``value`` for the wizard lines ``fname`` of ``record`` (spec of
        :meth:`wizard_lines`): lines of this wizard only, editable columns
        only (the values are then checked as any write); anything else is a
        ToolError naming the lines and columns."""
        lines = record[fname]
        updates = []
        for item in value if isinstance(value, list) else [None]:
            ok = isinstance(item, (list, tuple)) and len(item) == 3 and type(item[0]) is int and item[0] == 1 \
                and type(item[1]) is int and item[1] in lines.ids and isinstance(item[2], dict) and item[2] \
                and all(name in spec["editable"] for name in item[2])
            if not ok:
                raise ToolError(self._msg(MSG_WIZARD_LINES, field=fname, model=record._name,
                                          ids=", ".join(map(str, lines.ids)) or "-",
                                          fields=", ".join(spec["editable"]) or "-"),
                                data={"model": record._name, "field": fname})
            updates.append((lines.browse(item[1]), item[2]))
        return updates

    @api.model
    def check_wizard_button(self, model_name, button, form):
        """Return ``form["buttons"][button]`` if ``button`` is an object or
        action button of the wizard's form that the method blocklist does not
        refuse, else McpAccessDenied reason 'method' naming the buttons."""
        offered = {name: spec for name, spec in form["buttons"].items()
                   if spec["type"] != "object" or not is_method_blocked(name)}
        if not isinstance(button, str) or button not in offered:
            listed = ", ".join(f"{name} ({spec['string']})" for name, spec in offered.items()) or "-"
            raise McpAccessDenied(self._msg(MSG_WIZARD_BUTTON, model=model_name, button=button, buttons=listed),
                                  data={"model": model_name, "button": button, "reason": "method",
                                        "buttons": sorted(offered)})
        return offered[button]

    @api.model
    def button_action(self, action_id):
        """The action an action button opens (``action_id``: the button's
        name, an action id as Odoo renders it in the view), loaded as the web
        client's ``/web/action/load`` does: with sudo — the button is one of a
        view Odoo rendered for the user — and only the fields Odoo gives the
        web client. Other action types come back as ``{type, name}``."""
        try:
            action_id = int(action_id)
        except (TypeError, ValueError):
            raise ToolError(self._msg(MSG_WIZARD_ACTION_UNKNOWN, action=action_id)) from None
        base = self.env["ir.actions.actions"].sudo().browse(action_id).exists()
        if not base:
            raise ToolError(self._msg(MSG_WIZARD_ACTION_UNKNOWN, action=action_id))
        action = self.env[base.type].sudo().browse(action_id)
        if base.type == "ir.actions.act_window":
            return action._get_action_dict()
        return {"type": base.type, "name": action.name}

    @api.model
    def form_action_button(self, model_name, button):
        """The name (an action id) of the form button of type "action" of
        ``model_name`` that ``button`` names — that name, the action's xml id
        or the button's label (any case) — among the buttons of the model's
        form as Odoo renders it for the user; else McpAccessDenied reason
        'method' listing them."""
        buttons = {name: spec for name, spec in self.wizard_form(model_name)["buttons"].items()
                   if spec["type"] == "action"}
        actions = self.env["ir.actions.actions"].sudo().browse(
            [int(name) for name in buttons if name.isdigit()]).exists()
        xml_ids = {str(action.id): action.xml_id for action in actions}
        wanted = button.strip().lower() if isinstance(button, str) else None
        for name, spec in buttons.items():
            if wanted in (name.lower(), (xml_ids.get(name) or "").lower(), spec["string"].lower()):
                return name
        listed = ", ".join(f"{xml_ids.get(name) or name} ({spec['string']})" for name, spec in buttons.items())
        raise McpAccessDenied(self._msg(MSG_WIZARD_BUTTON, model=model_name, button=button, buttons=listed or "-"),
                              data={"model": model_name, "button": button, "reason": "method",
                                    "buttons": sorted(xml_ids.get(name) or name for name in buttons)})

    @api.model
    def check_wizard_fields(self, model_name, values, form):
        """Refuse (ToolError) values of fields the wizard's form does not
        offer for editing; the values themselves are checked as any write."""
        for fname in values:
            if fname not in form["editable"]:
                raise ToolError(self._msg(MSG_WIZARD_FIELD, field=fname, model=model_name,
                                          fields=", ".join(form["editable"]) or "-"),
                                data={"model": model_name, "field": fname})
        return values
