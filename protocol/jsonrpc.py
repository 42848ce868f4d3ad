"""JSON-RPC 2.0 framing for MCP: parse, classify, build responses, batches.

Rules (MCP ``basic/index`` of every revision, on top of JSON-RPC 2.0):

* requests carry a string or integer ``id`` that MUST NOT be ``null``;
  notifications carry no ``id`` member at all;
* responses carry the request's ``id`` and exactly one of ``result`` /
  ``error``; an error whose request id could not be read has ``id: null``;
* ``params``, when present, is an object (MCP never uses positional params).

Batches (JSON arrays of messages) exist in 2025-03-26 only, see
:func:`split_batch`.
"""
import json
import math

from .errors import HeaderMismatch, InvalidRequest, ParseError
from .revisions import supports_batch

JSONRPC_VERSION = "2.0"
#: Deepest nesting of arrays/objects accepted in a body (MCP payloads need < 20).
MAX_DEPTH = 64

REQUEST = "request"
NOTIFICATION = "notification"
RESPONSE = "response"

#: A batch longer than the ``max_batch_size`` setting (refused whole).
MSG_BATCH_TOO_LARGE = ("Invalid Request: a batch of %(count)d messages is over the limit of "
                       "%(limit)d messages per batch")


def _reject_constant(name):
    raise ValueError("%s is not valid JSON" % name)


def parse_body(raw, max_depth=MAX_DEPTH):
    """Decode an HTTP body (``bytes`` or ``str``) into a JSON value.

    Raises :class:`ParseError` (-32700) for invalid UTF-8, an empty body or
    invalid JSON (including ``NaN``/``Infinity`` and integers longer than
    Python's digit limit), and :class:`InvalidRequest` (-32600) when arrays
    and objects nest deeper than ``max_depth``.
    """
    if isinstance(raw, (bytes, bytearray, memoryview)):
        try:
            text = bytes(raw).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError("Parse error: body is not valid UTF-8 (byte %d)" % exc.start) from None
    elif isinstance(raw, str):
        text = raw
    else:
        raise ParseError("Parse error: no body")
    if not text.strip():
        raise ParseError("Parse error: empty body")
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise InvalidRequest("Invalid Request: JSON nested deeper than %d levels" % max_depth) from None
    except ValueError as exc:  # JSONDecodeError, NaN/Infinity, int digit limit
        raise ParseError("Parse error: %s" % _first_line(exc)) from None
    if depth_exceeds(value, max_depth):
        raise InvalidRequest("Invalid Request: JSON nested deeper than %d levels" % max_depth)
    return value


def _first_line(exc):
    return str(exc).splitlines()[0][:200] if str(exc) else exc.__class__.__name__


def depth_exceeds(value, max_depth):
    """True when ``value`` nests lists/dicts more than ``max_depth`` levels.

    Iterative (no recursion), so it is safe on hostile input.
    """
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > max_depth:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def valid_id(value):
    """True for an id MCP allows on a request: a string or an integer.

    ``bool`` is not an integer here; an integral float (``1.0``) is accepted,
    as JSON Schema counts it as an integer; ``1.5``, NaN and infinities are not.
    """
    if isinstance(value, bool):
        return False
    if isinstance(value, (str, int)):
        return True
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


def message_id(message):
    """The id to answer ``message`` with: its ``id`` when valid, else ``None``
    (then the error response carries ``id: null``)."""
    if isinstance(message, dict) and valid_id(message.get("id")):
        return message["id"]
    return None


def classify(message):
    """Return ``"request"``, ``"notification"`` or ``"response"`` for one
    decoded JSON-RPC message, or raise :class:`InvalidRequest` (-32600).

    Extra members are tolerated (ignored) on requests and notifications.
    """
    if not isinstance(message, dict):
        raise InvalidRequest("Invalid Request: a JSON-RPC message must be an object")
    if message.get("jsonrpc") != JSONRPC_VERSION:
        raise InvalidRequest('Invalid Request: "jsonrpc" must be exactly "2.0"')
    if "method" in message:
        if "result" in message or "error" in message:
            raise InvalidRequest('Invalid Request: a message cannot have both "method" and "result"/"error"')
        method = message["method"]
        if not isinstance(method, str) or not method:
            raise InvalidRequest('Invalid Request: "method" must be a non-empty string')
        if "params" in message and not isinstance(message["params"], dict):
            raise InvalidRequest('Invalid Request: "params" must be an object')
        if "id" not in message:
            return NOTIFICATION
        if message["id"] is None:
            raise InvalidRequest('Invalid Request: "id" must not be null')
        if not valid_id(message["id"]):
            raise InvalidRequest('Invalid Request: "id" must be a string or an integer')
        return REQUEST
    has_result, has_error = "result" in message, "error" in message
    if has_result == has_error:
        raise InvalidRequest('Invalid Request: a message needs "method", or exactly one of "result" and "error"')
    if has_error:
        if message.get("id") is not None and not valid_id(message["id"]):
            raise InvalidRequest('Invalid Request: "id" must be a string or an integer')
        error = message["error"]
        if not (isinstance(error, dict) and isinstance(error.get("code"), int)
                and not isinstance(error.get("code"), bool) and isinstance(error.get("message"), str)):
            raise InvalidRequest('Invalid Request: "error" needs an integer "code" and a string "message"')
    elif not valid_id(message.get("id")):
        raise InvalidRequest('Invalid Request: a result response needs a string or integer "id"')
    return RESPONSE


def result_response(id, result):  # noqa: A002 (JSON-RPC's own name)
    """A JSON-RPC success response ``{"jsonrpc", "id", "result"}``."""
    return {"jsonrpc": JSONRPC_VERSION, "id": id, "result": result}


def error_response(id, error):  # noqa: A002
    """A JSON-RPC error response; ``error`` is an :class:`~.errors.McpError`
    (or an already built ``{"code", "message"[, "data"]}`` dict). ``id`` is
    ``None`` (sent as ``null``) when the request's id could not be read."""
    body = error.to_error() if hasattr(error, "to_error") else dict(error)
    return {"jsonrpc": JSONRPC_VERSION, "id": id, "error": body}


def split_batch(parsed, revision, max_size=None):
    """Return ``(messages, is_batch)`` for a parsed POST body.

    A JSON object is one message: ``([parsed], False)``. A JSON array is a
    batch, allowed only where the revision defines batching:

    * 2025-03-26 ``basic/index`` "Batching": implementations MUST support
      receiving batches; its transport allows an array of requests and/or
      notifications, or an array of responses; ``initialize`` MUST NOT be part
      of a batch (lifecycle).
    * 2024-11-05 never mentions batches and its schema's ``JSONRPCMessage`` has
      no array form; the 2025-03-26 changelog says batching was *added* then.
      So a 2024-11-05 batch is refused.
    * 2025-06-18 changelog: "Remove support for JSON-RPC batching"; 2025-11-25
      and 2026-07-28 ("the body MUST be a single JSON-RPC request or
      notification") have none either.

    Refusals raise :class:`InvalidRequest` (answered with ``id: null``): a
    batch in another revision, an empty batch (as JSON-RPC 2.0 says), a batch
    of more than ``max_size`` messages (when given; ``MSG_BATCH_TOO_LARGE``),
    a batch containing ``initialize``, and any other top-level JSON value.
    Elements are not validated here: classify each with :func:`classify`.
    """
    if isinstance(parsed, dict):
        return [parsed], False
    if not isinstance(parsed, list):
        raise InvalidRequest("Invalid Request: the body must be a JSON-RPC message object")
    if not supports_batch(revision):
        raise InvalidRequest("Invalid Request: JSON-RPC batches are not supported in protocol revision %s"
                             % revision)
    if not parsed:
        raise InvalidRequest("Invalid Request: empty batch")
    if max_size is not None and len(parsed) > max_size:
        raise InvalidRequest(MSG_BATCH_TOO_LARGE % {"count": len(parsed), "limit": max_size})
    if any(isinstance(m, dict) and m.get("method") == "initialize" for m in parsed):
        raise InvalidRequest("Invalid Request: initialize must not be part of a batch")
    return list(parsed), True


def count_requests(messages):
    """How many of ``messages`` are valid requests (what the dispatcher runs
    and audits; notifications, responses and invalid messages are not)."""
    count = 0
    for message in messages:
        try:
            count += classify(message) == REQUEST
        except InvalidRequest:
            pass
    return count


def is_initialize(parsed):
    """True when the parsed body is a single ``initialize`` request object."""
    return isinstance(parsed, dict) and parsed.get("method") == "initialize"


def check_method_header(messages, header_value):
    """2026-07-28: ``Mcp-Method`` must be present and equal the ``method`` of
    every request (compared exactly; header values are case-sensitive).
    Notifications and responses are not checked (the revision defines no
    header rules for them). Raises :class:`HeaderMismatch` (-32020, HTTP 400).
    For the full envelope check (``_meta``, ``MCP-Protocol-Version``,
    ``Mcp-Name``) see :func:`.stateless.validate_request`.
    """
    for message in messages:
        if isinstance(message, dict) and "method" in message and "id" in message:
            if header_value != message["method"]:
                raise HeaderMismatch("Header mismatch: Mcp-Method header does not match the body's method")
