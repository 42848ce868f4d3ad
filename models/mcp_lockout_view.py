# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Which client addresses are locked out, as the key check asks it: a
per-worker view of the lockouts in ``mcp.auth.counter``, so that on most
requests the gate's statement reads no table (about a quarter of the key
check's time is the planning and reading of even an empty table).

How the view stays as fresh as a lookup in each request:

* a lockout is committed in a cursor of its own (``_count_failure``), then
  *signalled*: the sequence ``mcp_auth_lockout_seq`` is bumped
  (``_signal_lockouts``). Every gate statement reads the signal
  (``LOCKOUT_SIGNAL``: a function call, nothing to plan);
* the view holds every address locked out, read from a fresh cursor opened
  after the gate statement that read the signal ``S``: each lockout
  signalled up to ``S`` was committed before that cursor's snapshot, so it
  is in the view (``LockoutQuestion.refresh``);
* while the signal stays ``S`` the view answers; another value, and the
  view is read again (at most once a second per worker, in between each
  check looks its address up in its own statement, as it always did before
  this view existed);
* a lockout committed by a process that died before signalling it is seen
  once the view expires (``VIEW_TTL``);
* more than ``VIEW_SIZE`` addresses locked out, a request on a read replica
  (whose copy of the sequence moves in steps of 32), a first request: the
  check looks its address up in its own statement.
"""
from datetime import datetime, timedelta

from odoo.tools import SQL

from ..services.replica import on_replica
from .mcp_auth_counter import KIND_IP_FAILURE

#: The lockout signal: how many lockouts were signalled (0: none yet, or a
#: database whose module was not upgraded yet: the views then expire only).
LOCKOUT_SIGNAL = SQL("coalesce(pg_sequence_last_value(to_regclass('mcp_auth_lockout_seq')), 0)")
#: A column not asked for.
NO_COLUMN = SQL("NULL")
#: Most addresses a view holds; with more locked out, each check looks its
#: own address up.
VIEW_SIZE = 1000
#: How long a view answers without being read again.
VIEW_TTL = timedelta(seconds=5)
#: After a signal, how long before the view may be read again (the checks
#: in between look their address up).
REFRESH_PAUSE = timedelta(seconds=1)


def lockout_sql(ip):
    """Until when the client address ``ip`` is or was last locked out (NULL:
    never); ``still_locked`` compares it with the time (in Python: a
    timestamp parameter costs PostgreSQL more than the comparison)."""
    return SQL("(SELECT locked_until FROM mcp_auth_counter WHERE kind = %s AND bucket = %s)", KIND_IP_FAILURE, ip)


def still_locked(locked_until, now):
    """``locked_until`` when that is later than ``now``, else None."""
    return locked_until if locked_until is not None and locked_until > now else None


def listing_sql(now):
    """``{address: locked until}`` of every address locked out after
    ``now`` (JSON), NULL when more than ``VIEW_SIZE`` are."""
    return SQL("""
        SELECT CASE WHEN count(*) <= %s THEN coalesce(json_object_agg(bucket, locked_until), '{}'::json) END
          FROM (SELECT bucket, locked_until FROM mcp_auth_counter
                 WHERE kind = %s AND locked_until > %s LIMIT %s) AS locked
    """, VIEW_SIZE, KIND_IP_FAILURE, now, VIEW_SIZE + 1)


class LockoutView:
    """The addresses locked out as of signal ``signal``: ``locked``
    (``{address: until}``; None: the view does not answer, only holds off
    the next read until ``expires``), read at ``read_at``."""

    __slots__ = ("signal", "locked", "read_at", "expires")

    def __init__(self, signal, locked, read_at, expires):
        self.signal = signal
        self.locked = locked
        self.read_at = read_at
        self.expires = expires

    def answers(self, now):
        """Whether the view may answer at ``now``, provided the signal is
        still the one it was read at."""
        return self.locked is not None and now < self.expires


class LockoutQuestion:
    """The lockout part of one gate statement for address ``ip`` at
    ``now`` in ``env``: ``sql``, two columns (the signal; the address's own
    lookup, or NULL when the worker's view answers), then ``answer(row)``
    once the statement ran."""

    __slots__ = ("states", "ip", "now", "env", "view", "replica", "asks", "sql")

    def __init__(self, states, ip, now, env):
        self.states, self.ip, self.now, self.env = states, ip, now, env
        self.view = states.lockouts
        self.replica = on_replica(env.cr)
        self.asks = self.replica or self.view is None or not self.view.answers(now)
        self.sql = SQL("%s, %s", NO_COLUMN if self.replica else LOCKOUT_SIGNAL,
                       lockout_sql(ip) if self.asks else NO_COLUMN)

    def answer(self, row):
        """Until when the address is locked out (None: it is not), from the
        first two columns of the gate statement's ``row``. Reads the view
        again when it is due (in a cursor of its own), or looks the address
        up (a statement of its own) when the view holds off."""
        signal, looked_up = row[0], row[1]
        view, now = self.view, self.now
        if self.asks:
            if not self.replica and (view is None or now >= view.expires):
                self.refresh(signal)
            return still_locked(looked_up, now)
        if signal == view.signal:
            return still_locked(view.locked.get(self.ip), now)
        # a lockout since the view was read: read it again, once a
        # REFRESH_PAUSE at most; in between, the address is looked up
        if now - view.read_at >= REFRESH_PAUSE:
            locked = self.refresh(signal)
        else:
            locked = None
            self.states.lockouts = LockoutView(signal, None, view.read_at, view.read_at + REFRESH_PAUSE)
        if locked is not None:
            return still_locked(locked.get(self.ip), now)
        self.env.cr.execute(SQL("SELECT %s", lockout_sql(self.ip)))
        return still_locked(self.env.cr.fetchone()[0], now)

    def refresh(self, signal):
        """Read the view as of ``signal`` (read by a statement that ran
        before) from a fresh cursor and keep it in the worker's cache:
        ``{address: until}``, or None when more addresses are locked out
        than it holds (each check then looks its own up until it expires)."""
        now = self.now
        with self.env.registry.cursor() as cr:
            cr.execute(listing_sql(now))
            listing = cr.fetchone()[0]
        locked = None if listing is None else {ip: datetime.fromisoformat(until) for ip, until in listing.items()}
        self.states.lockouts = LockoutView(signal, locked, now, now + VIEW_TTL)
        return locked
