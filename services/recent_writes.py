"""Read-your-writes with a read replica: which credentials wrote an instant ago.

After a request of a bearer token committed on the primary (a write tool,
``initialize``, a notification… anything :func:`~.replica.route_readonly`
did not send to the replica), that token's read requests run on the primary
for :data:`WINDOW` seconds, so they see what it wrote even while the
replica has not replayed it yet. Other tokens keep reading on the replica.

The decision is made before the request has a cursor, so the marker is not
in the database (read on the replica, a marker lags exactly like the write
it marks; read on the primary, it would cost a statement per read). It is a
table of :data:`SLOTS` monotonic times shared by every process and thread
of the Odoo servers of one machine that serve the database: a small file
mapped in memory (``mmap``) in the temporary folder, owned by and private to
the user running Odoo. A token's slot is a hash of it (the file holds
times, no token); two tokens sharing a slot only send each other's reads to
the primary a little more often. When the file cannot be used, the table is
this process's memory (its threads only).

Tolerance: a read is served by the replica again :data:`WINDOW` seconds
after the write, whether or not the replica has caught up by then (healthy
streaming replication lags milliseconds); servers on other machines do not
see the marker (route a token's requests to one server, e.g. nginx ``hash
$http_authorization consistent``, for read-your-writes across machines).
A new session is covered on any server by its id (``mcp.session``: its
creation time is the id's prefix, :func:`session_is_new`).
"""
import hashlib
import logging
import mmap
import os
import struct
import tempfile
import threading
import time

from odoo.tools import config

_logger = logging.getLogger(__name__)

#: Seconds after a token's last primary request during which its reads run
#: on the primary too.
WINDOW = 2.0
#: Slots of the table (8 bytes each: a ``time.monotonic_ns()``).
SLOTS = 4096
_SLOT = struct.Struct("<q")

#: Set in the WSGI environ of a read request sent to the primary only for
#: being recent (``replica.route_readonly``): it does not mark its token
#: again, the window counts from the last write.
READ_ON_PRIMARY = "mcp_bridge.read_on_primary"

#: The OS user's id (0 where there is none, e.g. Windows: then the file's
#: mode decides, see ``_open_shared``).
_UID = getattr(os, "getuid", lambda: 0)()

_lock = threading.Lock()
_tables = {}


def replica_configured():
    """True when Odoo is started with a read replica (``--db_replica_*``)."""
    return bool(config.get("db_replica_host") or config.get("db_replica_port"))


def _path(dbname):
    """The table's file: one per OS user, PostgreSQL server and database."""
    where = f"{config.get('db_host') or ''}:{config.get('db_port') or ''}/{dbname}"
    name = hashlib.blake2b(where.encode(), digest_size=8).hexdigest()
    return os.path.join(tempfile.gettempdir(), f"odoo-mcp-writes-{_UID}-{name}")


def _open_shared(path):
    """The file's mapping, or None when it cannot be used (not ours, I/O)."""
    size = SLOTS * _SLOT.size
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        stat = os.fstat(fd)
        if stat.st_uid != _UID or stat.st_mode & 0o077:
            _logger.warning("MCP read-your-writes: %s is not private to this user; per process only", path)
            return None
        if stat.st_size < size:
            os.ftruncate(fd, size)
        return mmap.mmap(fd, size)
    finally:
        os.close(fd)


def _table(dbname):
    """The slot table of ``dbname`` (shared mapping, else process memory)."""
    table = _tables.get(dbname)
    if table is None:
        with _lock:
            table = _tables.get(dbname)
            if table is None:
                try:
                    table = _open_shared(_path(dbname))
                except OSError as exc:
                    _logger.warning("MCP read-your-writes: no shared table (%s); per process only", exc)
                    table = None
                if table is None:
                    table = bytearray(SLOTS * _SLOT.size)
                _tables[dbname] = table
    return table


def _slot(token):
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little") % SLOTS


def mark_write(dbname, token):
    """Note that ``token`` just committed a request on the primary."""
    if token:
        _SLOT.pack_into(_table(dbname), _slot(token) * _SLOT.size, time.monotonic_ns())


def wrote_recently(dbname, token, window=WINDOW):
    """True when ``token`` committed a request on the primary less than
    ``window`` seconds ago (on this machine)."""
    if not token:
        return False
    stamp = _SLOT.unpack_from(_table(dbname), _slot(token) * _SLOT.size)[0]
    # a stamp "in the future" is from before a reboot: no write of now
    return stamp > 0 and 0 <= time.monotonic_ns() - stamp < window * 1e9


def bearer_token(headers):
    """The bearer token of a request's ``Authorization`` header, or None."""
    scheme, _, token = headers.get("Authorization", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def mark_on_commit(cr, token, httprequest):
    """Mark ``token`` once the request's transaction ``cr`` commits, when it
    runs on the primary of a server that has a replica (nothing otherwise,
    nor for a read sent there for being recent: :data:`READ_ON_PRIMARY`)."""
    if not token or getattr(cr, "readonly", False) or httprequest.environ.get(READ_ON_PRIMARY) \
            or not replica_configured():
        return
    dbname = cr.dbname

    def mark():
        try:
            mark_write(dbname, token)
        except (OSError, ValueError) as exc:  # committed already: the answer must not fail
            _logger.warning("MCP read-your-writes: write not marked: %s", exc)
    cr.postcommit.add(mark)


# ----------------------------------------------------------------------
# New sessions: the id starts with its creation time
# ----------------------------------------------------------------------
def session_prefix(now=None):
    """The prefix of a new session id: its creation time (ms, hex) and a dot."""
    return f"{int((time.time() if now is None else now) * 1000):x}."


def session_is_new(session_id, window=WINDOW, now=None):
    """True when ``session_id`` says it was created less than ``window``
    seconds ago (servers' clocks may differ by as much: a time up to
    ``window`` ahead counts too); False for ids without a time."""
    head, dot, _rest = (session_id or "").partition(".")
    if not dot or not 0 < len(head) <= 12:
        return False
    try:
        created = int(head, 16) / 1000
    except ValueError:
        return False
    return abs((time.time() if now is None else now) - created) < window
