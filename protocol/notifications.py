"""Server→client notifications a request sends while it runs: progress
(``notifications/progress``) and log messages (``notifications/message``).

Pure functions: they build the JSON-RPC notification or say ``None`` when
nothing may be sent (no progress token, a level below the client's
threshold, no threshold at all). The tool-side API is
:meth:`~..tools.context.McpContext.progress` / ``.log``; the transport sends
what a request collected before its response.
"""
import math

from .jsonrpc import valid_id
from .revisions import at_least

#: RFC 5424 severities, least severe first (``logging/setLevel``, ``_meta`` logLevel).
LOG_LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")
PROGRESS = "notifications/progress"
MESSAGE = "notifications/message"
#: Bound on a log ``logger`` name and a progress ``message`` (characters).
MAX_TEXT = 1000


def _notification(method, params):
    return {"jsonrpc": "2.0", "method": method, "params": params}


def progress_token(params):
    """The ``_meta.progressToken`` of a request's ``params`` (a string or an
    integer), else ``None``: without a token no progress is sent."""
    meta = params.get("_meta") if isinstance(params, dict) else None
    token = meta.get("progressToken") if isinstance(meta, dict) else None
    return token if token is not None and valid_id(token) else None


def _number(value, what):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"progress {what} must be a finite number")
    return value


def progress(token, done, total=None, message=None, revision=None):
    """The ``notifications/progress`` of ``token`` (``None``: nothing to send).

    ``done`` and ``total`` are numbers (``total`` optional); ``message``, a
    human-readable status, exists from 2025-03-26 on and is left out before.
    """
    if token is None:
        return None
    params = {"progressToken": token, "progress": _number(done, "value")}
    if total is not None:
        params["total"] = _number(total, "total")
    if message is not None and (revision is None or at_least(revision, "2025-03-26")):
        params["message"] = str(message)[:MAX_TEXT]
    return _notification(PROGRESS, params)


def valid_level(level):
    """``level`` when it is one of :data:`LOG_LEVELS`, else ``None``."""
    return level if isinstance(level, str) and level in LOG_LEVELS else None


def log_message(threshold, level, data, logger=None):
    """The ``notifications/message`` of a log entry at ``level`` with
    ``data`` (any JSON value, usually a string), or ``None`` when the
    client's ``threshold`` (``logging/setLevel`` of the session, or the
    request's ``_meta`` logLevel) is unset or more severe than ``level``."""
    if valid_level(level) is None:
        raise ValueError("log level must be one of: " + ", ".join(LOG_LEVELS))
    if valid_level(threshold) is None or LOG_LEVELS.index(level) < LOG_LEVELS.index(threshold):
        return None
    params = {"level": level, "data": data}
    if logger:
        params["logger"] = str(logger)[:MAX_TEXT]
    return _notification(MESSAGE, params)
