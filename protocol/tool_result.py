"""``tools/call`` results shaped for the negotiated revision.

2025-06-18+ has ``structuredContent`` (an object; any JSON value in
2026-07-28) and says a tool returning it SHOULD also return the serialized
JSON in a text block, which is what older revisions get alone. 2026-07-28
results carry ``resultType: "complete"``. Tool failures are results with
``isError: true`` (not JSON-RPC errors) so the model can see and fix them.
"""
import base64
import json

from .json_text import JsonText
from .revisions import is_stateless, supports_structured_content


def _text(value):
    """The text block's text: a string as is, any other value as its JSON
    (a :class:`JsonText`: the answer's encoder reuses it for
    ``structuredContent``)."""
    if isinstance(value, str):
        return value
    return JsonText(json.dumps(value, ensure_ascii=False, indent=None, separators=(", ", ": ")), value)


class ToolOutput:
    """What a tool returns when its result carries more than JSON:
    ``structured`` (the JSON result, as a plain tool returns it; ``None``
    for none), ``resources``, extra ``content`` blocks after the JSON text
    (embedded resources: a file the agent receives, see
    :func:`embedded_resource`), and ``content``, blocks that replace that
    JSON text block (e.g. an :func:`image_content` alone)."""

    __slots__ = ("content", "resources", "structured")

    def __init__(self, structured, resources=(), content=None):
        self.structured = structured
        self.resources = list(resources)
        self.content = None if content is None else list(content)


def embedded_resource(uri, mime_type, data):
    """An embedded-resource ``content`` block (every revision has them):
    ``data`` as ``text`` when it is a string, else base64 in ``blob``."""
    resource = {"uri": uri, "mimeType": mime_type}
    if isinstance(data, str):
        resource["text"] = data
    else:
        resource["blob"] = base64.b64encode(data).decode("ascii")
    return {"type": "resource", "resource": resource}


def image_content(data, mime_type):
    """An image ``content`` block: ``data`` (bytes) in base64."""
    return {"type": "image", "data": base64.b64encode(data).decode("ascii"), "mimeType": mime_type}


def audio_content(data, mime_type):
    """An audio ``content`` block (2025-03-26+): ``data`` (bytes) in base64."""
    return {"type": "audio", "data": base64.b64encode(data).decode("ascii"), "mimeType": mime_type}


def tool_result(structured, revision, is_error=False):
    """A ``CallToolResult`` for the JSON value ``structured`` (or a
    :class:`ToolOutput`).

    ``content`` holds one text block with the JSON (or the string itself),
    or the output's own ``content`` blocks, then the output's resources; ``structuredContent`` is added where the
    revision defines it (for 2025-06-18/2025-11-25 only when ``structured``
    is an object, as their schema requires).
    """
    resources, content = [], None
    if isinstance(structured, ToolOutput):
        structured, resources, content = structured.structured, structured.resources, structured.content
    if content is None:
        content = [{"type": "text", "text": _text(structured)}]
    result = {"content": content + resources}
    if structured is not None and supports_structured_content(revision) and (
            isinstance(structured, dict) or is_stateless(revision)):
        result["structuredContent"] = structured
    result["isError"] = bool(is_error)
    if is_stateless(revision):
        result["resultType"] = "complete"
    return result


def tool_error_result(message, revision):
    """A failed tool call the agent can read: ``isError: true`` and the
    message as text, without ``structuredContent`` (clients validate it
    against the output schema only for successful results)."""
    result = {"content": [{"type": "text", "text": str(message)}], "isError": True}
    if is_stateless(revision):
        result["resultType"] = "complete"
    return result
