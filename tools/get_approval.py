"""Tool ``get_approval``: the state and outcome of a write waiting for an approver."""
from ..protocol.errors import ToolError
from .arguments import opt_int
from .base import Tool
from .schemas import APPROVAL, read_annotations


class GetApproval(Tool):
    """State and outcome of one of this key's approval requests."""

    name = "get_approval"
    title = "Get an approval's outcome"
    description = (
        "The state of a write that waits for an MCP approver (a create, update, delete, duplicate or "
        "execute_method answered with `approval`): pending, done (with the tool's result), rejected (with the "
        "approver's note), expired or failed (with the error). Only requests made with this key. "
        "Example: {\"id\": 12}"
    )
    input_schema = {
        "type": "object",
        "properties": {"id": {"type": "integer", "minimum": 1, "description": "The approval id."}},
        "required": ["id"],
        "additionalProperties": False,
    }
    output_schema = APPROVAL
    annotations = read_annotations(title)
    operation = "read"

    def run(self, call):
        approval_id = opt_int(call.arguments, "id", minimum=1)
        # the layer's own record (sudo), only the caller's key's: another key's request does not exist
        approval = call.env["mcp.approval"].sudo().search(
            [("id", "=", approval_id), ("key_id", "=", call.key.id)], limit=1)
        if not approval:
            raise ToolError(f"No approval request with id {approval_id} for this key.")
        return approval._agent_view()
