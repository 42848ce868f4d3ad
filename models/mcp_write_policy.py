# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Write policy: the writes a human confirms (in the client) or approves (in Odoo).

One place decides, for a write tool call, which of *direct* (write at once),
*confirm* (the person using the agent accepts a preview in the client, by an
elicitation / ``input_required``) or *approve* (an MCP approver decides in
Odoo, ``mcp.approval``) applies: the stricter of the key's policy (an OAuth
grant's backing key carries its app's) and the model-access rule's.

The write tools covered (``COVERED_TOOLS``) call :meth:`McpWritePolicy.gate`
once their arguments are checked, just before they write; ``wizard`` when it
presses a dialog's button (the policy of the dialog's records, the button as
the method). Not covered: the chatter tools (``post_message``,
``schedule_activity``, ``mark_activity_done``: notes and to-dos, not business
data), reads.
"""
import hashlib
import json

from odoo import api, models

from ..protocol.errors import ToolError
from ..tools import preview as preview_tools
from .mcp_guard_rules import _lt
from .mcp_settings import parse_list

#: the policies, from the least to the most strict
WRITE_POLICIES = [
    ("direct", "Direct"),
    ("confirm", "Confirm in the client"),
    ("approve", "Approve in Odoo"),
]
STRICTNESS = {name: rank for rank, (name, _label) in enumerate(WRITE_POLICIES)}
#: the write tools whose writes the policy covers
COVERED_TOOLS = ("create", "update", "delete", "duplicate", "execute_method", "wizard")

WRITE_POLICY_HELP = (
    "Direct: writes happen at once. Confirm: the person using the agent accepts a preview of each write in "
    "the client (elicitation). Approve: an MCP approver approves each write in Odoo (MCP Server > Approvals). "
    "Between the key's policy and the model-access rule's, the stricter wins. Covers create, update, delete, "
    "duplicate, execute_method and pressing a dialog's button (wizard).")
WRITE_POLICY_METHODS_HELP = (
    "Optional: the execute_method methods and dialog buttons the policy covers, separated by commas or spaces "
    "(e.g. action_confirm, action_post). Empty: every method. create, update, delete and duplicate are always "
    "covered.")

#: the elicitation's form: one yes/no the user ticks
CONFIRM_SCHEMA = {
    "type": "object",
    "properties": {"confirm": {"type": "boolean", "title": "Write this", "default": True}},
    "required": ["confirm"],
}
MSG_CANNOT_CONFIRM = _lt(
    "This write needs the confirmation of the person using the agent, but this client cannot ask them "
    "(it does not support elicitation): nothing was written. Use a client that supports elicitation, or ask "
    "an administrator to let such writes go to an approver.")
MSG_DECLINED = _lt("The user declined this write in the client: nothing was written.")
MSG_CANCELLED = _lt("The user dismissed the confirmation without answering: nothing was written.")


def covers(policy, methods, method):
    """``policy`` when it covers a call of ``method`` (None: not
    execute_method) given its method list ``methods`` (empty: all), else
    "direct"."""
    if method is not None and methods and method not in methods:
        return "direct"
    return policy or "direct"


def arguments_digest(tool_name, arguments):
    """A short stable digest of a tool call (name + arguments)."""
    text = json.dumps([tool_name, arguments], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class McpWritePolicy(models.AbstractModel):
    _name = "mcp.write.policy"
    _description = "MCP write policy (confirm / approve)"

    @api.model
    def resolve(self, key, model_name, method=None):
        """The policy of a write by ``key`` on ``model_name`` (``method``:
        the execute_method name, None for create/update/delete/duplicate):
        "direct", "confirm" or "approve", the stricter of the key's and the
        model-access rule's."""
        credential = key.sudo()
        policies = [covers(credential.write_policy, frozenset(parse_list(credential.write_policy_methods)), method)]
        rule = self.env["mcp.guard"]._get_rules().get(model_name)
        if rule is not None:
            policies.append(covers(rule["policy"], rule["policy_methods"], method))
        return max(policies, key=STRICTNESS.get)

    @api.model
    def gate(self, call, tool_name, model, records=None, values=None, method=None, args=None, kwargs=None):
        """Called by the covered write tool ``tool_name`` just before it writes. Returns
        ``None`` when the write may go ahead (direct policy, the user
        accepted it, or an approver approved this very call), else the
        tool's result to return instead (a pending approval). Raises
        ``ToolError`` when the user declined, or cannot be asked.

        ``records``: the records written, deleted, duplicated or called;
        ``values``: the values written or created; ``method``/``args``/
        ``kwargs``: execute_method's call."""
        approval = getattr(call, "approval", None)
        policy = self.resolve(call.key, model._name, method)
        if approval is None and policy == "direct":
            return None
        records = records if records is not None else model.browse()
        preview = preview_tools.build_preview(call, tool_name, model, records, values, method, args, kwargs)
        digest = preview_tools.records_digest(records)
        if approval is not None:  # the approver's decision runs this call again
            return approval._replay_check(call, preview, digest)
        if policy == "confirm" and self._confirm(call, tool_name, preview):
            return None
        return self.env["mcp.approval"].sudo()._request(call, tool_name, model, records, preview, digest)

    @api.model
    def _can_elicit(self, call):
        """Whether the client can be asked to confirm: it declared the
        ``elicitation`` capability — in a 2026-07-28 request's ``_meta`` (the
        answer comes back as an ``input_required`` retry), or at a session's
        initialize (2025-x: the transport asks on the POST's SSE stream,
        ``services/input_loop.py``)."""
        declared = call.client_capabilities
        return isinstance(declared, dict) and isinstance(declared.get("elicitation"), dict)

    @api.model
    def _confirm(self, call, tool_name, preview):
        """Ask the person using the agent to accept ``preview`` (form-mode
        elicitation, an answer only this server's own question may carry).
        True: accepted. False: the client cannot be asked and the admin let
        such writes go to approvers. Raises ``ToolError`` otherwise."""
        if not self._can_elicit(call):
            if call.settings.get("confirm_fallback_approve"):
                return False
            raise ToolError(self.env._(MSG_CANNOT_CONFIRM))
        key = "mcp-confirm-" + arguments_digest(tool_name, call.arguments)
        request = {"method": "elicitation/create",
                   "params": {"message": preview["text"], "requestedSchema": CONFIRM_SCHEMA}}
        answer = call.ask({key: request}, bound=True)[key] or {}
        action = answer.get("action")
        content = answer.get("content") if isinstance(answer.get("content"), dict) else {}
        if action == "accept" and content.get("confirm", True) is not False:
            return True
        raise ToolError(self.env._(MSG_CANCELLED if action == "cancel" else MSG_DECLINED))
