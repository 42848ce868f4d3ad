"""What the document tools share: the size bound of a returned file, and
the embedded resource that carries it."""
from ..models.mcp_settings import SETTINGS_SPEC
from ..protocol.errors import ToolError
from ..protocol.tool_result import ToolOutput, embedded_resource


def max_document_bytes(call):
    """The ``max_document_bytes`` setting of ``call``."""
    return int((call.settings or {}).get("max_document_bytes") or SETTINGS_SPEC["max_document_bytes"][1])


def document_output(call, structured, uri, mime_type, data, what):
    """A :class:`ToolOutput`: ``structured`` plus ``data`` (bytes, or text)
    as an embedded resource; ``structured`` gains ``uri``, ``mimeType`` and
    ``size``. Over the server's document size bound ⇒ ToolError saying what
    to do (``what`` names the document)."""
    size = len(data.encode("utf-8") if isinstance(data, str) else data)
    bound = max_document_bytes(call)
    if size > bound:
        raise ToolError("The %s is %d bytes, over this server's limit of %d bytes per document "
                        "(setting Max Document Size): ask for fewer records." % (what, size, bound),
                        data={"size": size, "limit": bound})
    structured = dict(structured, uri=uri, mimeType=mime_type, size=size)
    return ToolOutput(structured, [embedded_resource(uri, mime_type, data)])


#: Output schema properties of a returned document.
DOCUMENT_PROPERTIES = {
    "filename": {"type": "string"},
    "uri": {"type": "string", "description": "Names the document (its bytes are the embedded resource)."},
    "mimeType": {"type": "string"},
    "size": {"type": "integer", "description": "Bytes."},
}
