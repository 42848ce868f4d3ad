"""Input requests of a handler and the signed ``requestState`` that carries
a multi-round exchange (MCP 2026-07-28 ``input_required`` results, SEP-2322
"MRTR"). Pure: no Odoo import; the dispatcher (``mcp.server``) passes the
signing key, the credential and the clock.

A handler that needs input asks (``McpContext.ask``); its savepoint is
rolled back and the client gets ``{"resultType": "input_required",
"inputRequests": {...}, "requestState": "<signed>"}``. The client retries
the same request with ``inputResponses`` and the echoed ``requestState``;
the handler re-runs from the start with the answers. Nothing is kept on the
server between rounds: the state travels with the client.

``requestState`` = base64url(JSON payload) "." base64url(HMAC-SHA256). It is
signed, not encrypted: the client can read it (its own answers, and
``call.state``, where a handler must not put secrets). The payload binds:

======  ==============================================================
``v``   format version (1)
``k``   the credential (``mcp.api.key`` id; an OAuth grant has one too)
``m``   the JSON-RPC method (``tools/call``, ``prompts/get``, ``resources/read``)
``t``   the tool or prompt name, or the resource URI
``a``   digest of the arguments (``{}`` for ``resources/read``)
``exp`` expiry (UNIX seconds; the ``input_state_ttl`` setting)
``q``   ``{key: digest of the request's params}`` of every request asked so far
``r``   the answers so far (only for keys in ``q``)
``b``   ``{key: digest}``: the answers of ``r`` given in reply to a request
        this server asked with that digest (what ``ask(bound=True)`` accepts)
``s``   the handler's ``call.state``
======  ==============================================================
"""
import base64
import binascii
import hashlib
import hmac
import json

from .errors import InvalidParams

#: The methods whose handlers may ask for input (answer ``input_required``).
INPUT_METHODS = frozenset({"tools/call", "prompts/get", "resources/read"})
#: Input request method -> the client capability it needs.
METHOD_CAPABILITY = {
    "elicitation/create": "elicitation",
    "sampling/createMessage": "sampling",
    "roots/list": "roots",
}
RESULT_TYPE = "input_required"
#: The one message of a refused ``requestState`` (why goes to no one: the
#: client learns nothing about what failed).
MSG_INVALID_STATE = "invalid requestState"
MSG_INVALID_RESPONSES = "inputResponses must be an object whose values are objects"
VERSION = 1
_KEY_LABEL = b"mcp_bridge/requestState/v1"


def derive_key(secret):
    """The signing key derived from the database secret (a string): never
    the secret itself, so a leaked state key reveals nothing else."""
    return hmac.new(str(secret).encode(), _KEY_LABEL, hashlib.sha256).digest()


def _b64(data):
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text):
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(raw) != text:  # only the canonical encoding: one state, one spelling
        raise ValueError("non-canonical base64url")
    return raw


def canonical(value):
    """Canonical JSON of ``value`` (sorted keys, no spaces, ASCII)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def digest(value):
    """A short digest (base64url of 16 bytes of SHA-256) of a JSON value."""
    return _b64(hashlib.sha256(canonical(value).encode()).digest()[:16])


def request_target(method, params):
    """``(target, arguments digest)`` of the request a state binds to: the
    name (``tools/call``, ``prompts/get``) or URI (``resources/read``) and
    the digest of its ``arguments``."""
    if method == "resources/read":
        return str(params.get("uri", "")), digest({})
    arguments = params.get("arguments")
    return str(params.get("name", "")), digest(arguments if isinstance(arguments, dict) else {})


def sign(payload, key):
    """The ``requestState`` string of ``payload`` (a JSON object) under ``key``."""
    body = _b64(canonical(payload).encode())
    return body + "." + _b64(hmac.new(key, body.encode("ascii"), hashlib.sha256).digest())


def _decode(token, key):
    """The payload of ``token`` if its signature is ``key``'s, else ``None``."""
    body, _sep, signature = token.partition(".")
    try:
        expected = hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()
        if not hmac.compare_digest(_unb64(signature), expected):
            return None
        return json.loads(_unb64(body))
    except (UnicodeError, ValueError, binascii.Error):
        return None


def _valid(payload, binding, now):
    """Whether a signed ``payload`` is of this version, not expired, bound
    to ``binding`` and well formed."""
    if not isinstance(payload, dict) or payload.get("v") != VERSION:
        return False
    exp = payload.get("exp")
    if not isinstance(exp, (int, float)) or isinstance(exp, bool) or not now < exp:
        return False
    if any(payload.get(name) != value for name, value in binding.items()):
        return False
    return all(isinstance(payload.get(name), dict) for name in ("q", "r", "b", "s"))


def verify(token, key, binding, now):
    """The payload of ``token`` when it is this server's, unmodified, not
    expired and bound to ``binding`` (``{"k", "m", "t", "a"}``); else
    :class:`InvalidParams` (-32602) with :data:`MSG_INVALID_STATE`."""
    payload = _decode(token, key) if isinstance(token, str) else None
    if not _valid(payload, binding, now):
        raise InvalidParams(MSG_INVALID_STATE, data={"reason": "invalid_request_state"})
    return payload


def check_requests(requests):
    """Refuse (``TypeError``: a bug of the handler, answered -32603) input
    requests that are not ``{key: {"method": <known>, "params": {...}}}``."""
    if not isinstance(requests, dict) or not requests:
        raise TypeError("input requests must be a non-empty dict of {key: {method, params}}")
    for key, request in requests.items():
        if not (isinstance(key, str) and key and isinstance(request, dict)
                and request.get("method") in METHOD_CAPABILITY and isinstance(request.get("params", {}), dict)):
            raise TypeError(f"invalid input request {key!r}: needs a method of {sorted(METHOD_CAPABILITY)} "
                            "and a params dict")


def parse_responses(params):
    """``params.inputResponses`` as a dict (``{}`` when absent); anything
    but an object of objects is :class:`InvalidParams`."""
    if "inputResponses" not in params:
        return {}
    responses = params["inputResponses"]
    if not isinstance(responses, dict) or not all(isinstance(value, dict) for value in responses.values()):
        raise InvalidParams(MSG_INVALID_RESPONSES)
    return responses


class InputRound:
    """The input of one run of a handler: the answers (earlier rounds' and
    this one's), which of them answer a request this server asked, the
    handler's ``state``, and what the handler asked during this run."""

    __slots__ = ("asked", "asked_now", "bound", "responses", "state")

    def __init__(self, responses=None, bound=None, asked=None, state=None):
        self.responses = dict(responses or {})
        self.bound = dict(bound or {})
        self.asked = dict(asked or {})
        self.state = dict(state or {})
        self.asked_now = {}

    @classmethod
    def from_params(cls, params, key, binding, now):
        """The round of a request's ``params``: ``inputResponses`` (checked),
        and a ``requestState`` verified against ``binding`` (see
        :func:`verify`). An explicit ``null`` state counts as none; without a
        state, the answers are this round's only, none of them bound."""
        responses = parse_responses(params)
        token = params.get("requestState")
        if token is None:
            return cls(responses)
        payload = verify(token, key, binding, now)
        asked = payload["q"]
        merged, bound = dict(payload["r"]), dict(payload["b"])
        for name, answer in responses.items():
            merged[name] = answer
            if name in asked:
                bound[name] = asked[name]
            else:
                bound.pop(name, None)
        return cls(merged, bound, asked, payload["s"])

    def lookup(self, requests, bound=False):
        """``(found, missing)`` of ``requests``: the answers there are, and
        the requests still to ask. With ``bound``, an answer counts only
        when it replies to this very request (same params) that a verified
        state says this server asked."""
        found, missing = {}, {}
        for name, request in requests.items():
            request_digest = digest({"method": request["method"], "params": request.get("params", {})})
            self.asked_now[name] = request_digest
            answer = self.responses.get(name)
            if answer is not None and (not bound or self.bound.get(name) == request_digest):
                found[name] = answer
            else:
                missing[name] = request
        return found, missing

    def next_payload(self, binding, expires):
        """The payload of the ``requestState`` that goes out with an
        ``input_required`` result of this run."""
        asked = dict(self.asked, **self.asked_now)
        answers = {name: answer for name, answer in self.responses.items() if name in asked}
        bound = {name: value for name, value in self.bound.items() if name in answers}
        return dict(binding, v=VERSION, exp=int(expires), q=asked, r=answers, b=bound, s=self.state)


def result(requests, state):
    """The ``input_required`` result asking ``requests`` with ``state``."""
    return {
        "resultType": RESULT_TYPE,
        "inputRequests": {name: {"method": request["method"], "params": request.get("params", {})}
                          for name, request in requests.items()},
        "requestState": state,
    }
