# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Which methods ``execute_method`` may call: the guard's method policy.

By default an agent presses only what the key's user could press in Odoo:
the ``<button type="object">`` of the model's form, list and kanban views as
Odoo renders them for that user (buttons of groups the user lacks are gone),
the chatter and activity methods of ``SAFE_MIXIN_METHODS`` (keyword
arguments checked), and the methods the admin lists on the model's
*Model Access* rule. The ``any_public_method`` setting brings back the old
policy (any public method that is not blocked). In every case the blocklist
(``METHOD_BLOCKLIST``, prefixes, substrings) is the floor: nothing opens it.
"""
import datetime
import inspect
import keyword

from lxml import etree

from odoo import api, models, tools

from ..protocol.errors import McpAccessDenied, ToolError
from .mcp_guard_rules import (
    BUTTON_VIEW_TYPES, MAX_POST_ATTACHMENT_BYTES, MAX_POST_ATTACHMENTS, POST_ATTACHMENT_EXTENSIONS,
    SAFE_MIXIN_METHODS, _ATTACHMENT_NAME_RE, _IDENT_RE, MSG_METHOD_CALLABLE, MSG_METHOD_DENIED,
    MSG_METHOD_INVALID, MSG_METHOD_KWARG, MSG_METHOD_KWARG_VALUE, MSG_METHOD_NOT_OFFERED,
    MSG_METHOD_POSITIONAL, MSG_METHOD_UNKNOWN, is_method_blocked,
)

#: At most this many method names are listed in a refusal.
MAX_LISTED_METHODS = 25


def object_buttons(arch):
    """Names of the ``<button type="object">`` of a view ``arch`` (text),
    leaving out the buttons of embedded x2many sub-views (they call methods
    of another model)."""
    root = etree.fromstring(arch) if isinstance(arch, str) else arch
    names = set()
    for node in root.iter("button"):
        if node.get("type") != "object" or not node.get("name"):
            continue
        if any(parent.tag == "field" for parent in node.iterancestors()):
            continue
        names.add(node.get("name"))
    return names


def attachments_problem(value):
    """None when ``value`` is what ``message_post`` may take as
    ``attachments`` through MCP (``SAFE_MIXIN_METHODS``): at most
    ``MAX_POST_ATTACHMENTS`` ``[name, text]`` pairs, a plain file name with
    a text extension, at most ``MAX_POST_ATTACHMENT_BYTES`` each; else what
    was expected."""
    expected = ("a list of at most %d [name, text] pairs: text files (%s) of at most %d bytes each"
                % (MAX_POST_ATTACHMENTS, ", ".join(POST_ATTACHMENT_EXTENSIONS), MAX_POST_ATTACHMENT_BYTES))
    if not isinstance(value, list) or len(value) > MAX_POST_ATTACHMENTS:
        return expected
    for item in value:
        if not (isinstance(item, (list, tuple)) and len(item) == 2 and all(isinstance(v, str) for v in item)):
            return expected
        name, content = item
        if not _ATTACHMENT_NAME_RE.match(name) or not name.lower().endswith(POST_ATTACHMENT_EXTENSIONS) \
                or len(content.encode("utf-8")) > MAX_POST_ATTACHMENT_BYTES:
            return expected
    return None


def is_public_function(model, method):
    """Whether ``method`` is a public function defined on the class of
    ``model`` (not a field, property, attribute, static or class method)."""
    if method in model._fields:
        return False
    attribute = inspect.getattr_static(type(model), method, None)
    return inspect.isfunction(attribute)


class McpGuardMethods(models.AbstractModel):
    _inherit = "mcp.guard"

    @api.model
    def check_method(self, model_name, method, key, args=None, kwargs=None):
        """Check that ``method`` may be called on ``model_name`` through
        ``execute_method`` with ``args``/``kwargs``; return
        ``self.env[model_name]``.

        In order: an invalid name ⇒ ToolError; the model must be readable
        (``check_model``); a blocked name (blocklist, '_' and other prefixes,
        substrings such as 'install') ⇒ McpAccessDenied reason 'method'; the key
        must be allowed to *write* the model (any method may write: scope,
        rule, ACL ⇒ McpAccessDenied with that reason); the method must be a
        public function of the model ⇒ ToolError with close names; then the
        policy (see the module docstring) ⇒ McpAccessDenied reason 'method'
        naming the methods that can be called. Buttons take no arguments;
        chatter/activity methods only their listed keyword arguments."""
        if not isinstance(method, str) or not _IDENT_RE.match(method) or keyword.iskeyword(method):
            raise ToolError(self._msg(MSG_METHOD_INVALID, method=method))
        model = self.check_model(model_name, "read", key)
        if is_method_blocked(method):
            raise McpAccessDenied(self._msg(MSG_METHOD_DENIED, method=method, model=model_name),
                               data={"model": model_name, "method": method, "reason": "method"})
        refusal = self._refusal(model_name, "write", key)
        if refusal:
            self._raise_refusal(refusal, model_name, operation="write")
        offered = self.callable_methods(model_name)
        if not is_public_function(model, method):
            candidates = offered if offered is not None else self._public_methods(model)
            raise ToolError(self._msg(MSG_METHOD_UNKNOWN, method=method, model=model_name)
                            + self._suggest(method, candidates),
                            data={"model": model_name, "method": method})
        if method in SAFE_MIXIN_METHODS:
            self._check_mixin_arguments(model_name, method, args, kwargs, key)
        elif offered is not None:
            if method not in offered:
                message = self._msg(MSG_METHOD_NOT_OFFERED, method=method, model=model_name)
                if offered:
                    listed = sorted(offered)[:MAX_LISTED_METHODS]
                    message += self._msg(MSG_METHOD_CALLABLE, model=model_name, methods=", ".join(listed))
                raise McpAccessDenied(message, data={"model": model_name, "method": method, "reason": "method",
                                                  "callable": sorted(offered)[:MAX_LISTED_METHODS]})
            if method not in self._rule_methods(model_name) and (args or kwargs):
                raise ToolError(self._msg(MSG_METHOD_POSITIONAL, method=method, kwargs="none: it is a button"),
                                data={"model": model_name, "method": method})
        return model

    @api.model
    def callable_methods(self, model_name):
        """The method names ``execute_method`` may call on ``model_name`` for
        this user under the default policy — view buttons, the model's
        chatter/activity methods and the rule's allowed methods, blocked
        names removed — or None when the ``any_public_method`` setting is on
        (then any public, unblocked method)."""
        if self.env["mcp.settings"]._setting("any_public_method"):
            return None
        model = self.env[model_name]
        names = set(self.button_methods(model_name)) | set(self._rule_methods(model_name)) | set(SAFE_MIXIN_METHODS)
        return {name for name in names if not is_method_blocked(name) and is_public_function(model, name)}

    @api.model
    def button_methods(self, model_name):
        """Names of the object buttons of ``model_name``'s form, list and
        kanban views as Odoo renders them for the current user (buttons of
        groups the user lacks are removed by Odoo). Cached per model and
        set of groups; view changes clear the cache."""
        return self._button_methods(model_name, tuple(sorted(self.env.user._get_group_ids())))

    @tools.ormcache("model_name", "group_ids", cache="templates")
    def _button_methods(self, model_name, group_ids):
        # The primary view ids of the model are metadata of the layer (which
        # views exist), read with sudo; each view is then rendered by
        # ``get_view`` as the user, which applies the groups.
        views = self.env["ir.ui.view"].sudo().search_fetch(
            [("model", "=", model_name), ("type", "in", BUTTON_VIEW_TYPES), ("mode", "=", "primary")],
            ["type"])
        model = self.env[model_name]
        names = set()
        for view in views:
            names |= object_buttons(model.get_view(view.id, view.type)["arch"])
        return frozenset(names)

    @api.model
    def _rule_methods(self, model_name):
        """Methods the model's MCP access rule allows beyond the buttons."""
        rule = self._get_rules().get(model_name)
        return rule["methods"] if rule else frozenset()

    @staticmethod
    def _public_methods(model):
        cls = type(model)
        return [name for name in dir(cls) if not name.startswith("_") and is_public_function(model, name)]

    def _check_mixin_arguments(self, model_name, method, args, kwargs, key):
        """Keyword arguments only, each of the kind ``SAFE_MIXIN_METHODS``
        lists; partners and users must be records the user may read."""
        spec = SAFE_MIXIN_METHODS[method]
        accepted = ", ".join(sorted(spec))
        if args:
            raise ToolError(self._msg(MSG_METHOD_POSITIONAL, method=method, kwargs=accepted))
        for name, value in (kwargs or {}).items():
            kind = spec.get(name)
            if kind is None:
                raise ToolError(self._msg(MSG_METHOD_KWARG, method=method, kwarg=name, kwargs=accepted))
            expected = self._mixin_value_problem(kind, value)
            if expected:
                raise ToolError(self._msg(MSG_METHOD_KWARG_VALUE, method=method, kwarg=name, expected=expected))
            if kind == "partners":
                self.check_links(model_name, name, "res.partner", value, key)
            elif kind == "user" and value:
                self.check_links(model_name, name, "res.users", [value], key)

    @staticmethod
    def _mixin_value_problem(kind, value):
        """None when ``value`` fits ``kind``, else what was expected."""
        if kind == "text":
            return None if isinstance(value, str) else "a string"
        if kind == "partners":
            ok = isinstance(value, list) and all(
                isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
            return None if ok else "a list of res.partner ids"
        if kind == "user":
            ok = value is None or value is False or (isinstance(value, int) and not isinstance(value, bool)
                                                     and value > 0)
            return None if ok else "a res.users id"
        if kind == "attachments":
            return attachments_problem(value)
        if kind == "date":
            try:
                datetime.date.fromisoformat(value)
                return None
            except (TypeError, ValueError):
                return 'a date "YYYY-MM-DD"'
        allowed = kind.split(":", 1)[1].split(",")
        return None if value in allowed else "one of " + ", ".join(allowed)
