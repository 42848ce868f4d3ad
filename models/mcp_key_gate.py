# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The gate of the API-key check (see ``mcp_key_check.py``, steps 3 to 5):
one statement telling whether the client's IP is locked out (with the
worker's view of the lockouts, ``mcp_lockout_view.py``) and whether the key
is over its rate limit, which also sets the transaction's statement timeout
and carries the caller's :class:`Rider`; the failure counts of the lockout
and the last-use stamp (cursors of their own); the rate limit of a JSON-RPC
batch (``_check_batch_budget``)."""
import logging
import math
from datetime import timedelta

import psycopg2.errors
from odoo import api, fields, models
from odoo.tools import SQL

from ..protocol.errors import InvalidRequest, RateLimited
from .mcp_api_key import MSG_LOCKED_OUT, MSG_RATE_LIMITED
from .mcp_audit_log import ASYNC_COMMIT
from .mcp_auth_counter import KIND_IP_FAILURE
from .mcp_lockout_view import LockoutQuestion
from .mcp_settings import SETTINGS_SPEC
from .ormcache_hit import cached as ormcache_hit

_logger = logging.getLogger(__name__)

#: seconds between two writes of a key's last-use stamp
LAST_USED_INTERVAL = 60
#: the rate limit counts a key's requests over this sliding window
RATE_WINDOW = timedelta(seconds=60)

#: A batch with more requests than the key may send in a minute: it can never
#: fit, whenever it is sent (refused whole, -32600).
MSG_BATCH_OVER_RATE_LIMIT = ("Invalid Request: a batch of %(count)d requests is over this API key's rate "
                             "limit of %(limit)d requests per minute")

# ----------------------------------------------------------------------
# The gate: lockout, rate limit, statement timeout (one statement)
# ----------------------------------------------------------------------
#: The id of the newest audit row (0 before the first): how many requests
#: (of any key) can have been audited since an earlier count. A function
#: call: no relation to plan.
AUDIT_SEQUENCE = SQL("coalesce(pg_sequence_last_value('mcp_audit_log_id_seq'::regclass), 0)")
#: The two lockout columns (``LockoutQuestion.sql``), not asked for.
NO_LOCKOUT = SQL("NULL, NULL")
# ASYNC_COMMIT (mcp_audit_log.py) prefixes the statements on the counter and
# stamp tables (own cursor, same round trip): they need no durable commit
# (a PostgreSQL crash may lose the last fraction of a second of counts).


def timeout_sql(timeout_ms):
    """Sets PostgreSQL's statement timeout (ms) of the request's transaction,
    in the key check's own statement: ``is_local`` (``SET LOCAL``), so it ends
    with the transaction (Odoo's retry of a request runs the key check again,
    the next request on the pooled connection starts from the server default)
    and nothing rolls it back (it runs outside any savepoint)."""
    return SQL("set_config('statement_timeout', %s, true)", str(int(timeout_ms)))


class Rider:
    """An expression of the caller's evaluated in the key check's own
    statement (no round trip of its own), e.g. the request's session row:
    ``sql`` in, ``value`` out once ``_authenticate_request`` returned."""

    __slots__ = ("sql", "value")

    def __init__(self, sql):
        self.sql = sql
        self.value = None


def rate_count_sql(lockout, key_id, limit, floor, timeout=None):
    """``lockout`` (``LockoutQuestion.sql`` or ``NO_LOCKOUT``), the newest audit id,
    and the key's requests since ``floor`` (its audit rows) counted up to
    ``limit``, with the oldest of those: once the key has sent ``limit``, its
    budget frees up a minute after that one. ``timeout``: a ``timeout_sql``
    to run in the same statement."""
    return SQL("""
        SELECT %s, %s, count(*), min(create_date)%s FROM (
            SELECT create_date FROM mcp_audit_log
             WHERE key_id = %s AND transport IS NOT NULL AND create_date > %s
             ORDER BY create_date DESC LIMIT %s) AS recent
    """, lockout, AUDIT_SEQUENCE, SQL(", %s", timeout) if timeout else SQL(), key_id, floor, limit)


class McpKeyGate(models.Model):
    _inherit = "mcp.api.key"

    def _check_batch_budget(self, requests, ip, settings):
        """Refuse a batch of ``requests`` JSON-RPC requests of this key (sent
        from ``ip``) unless all of them fit in the key's rate-limit budget of
        the last minute: a batch is all or nothing, each of its requests
        counts like a request of its own (each writes its audit row).

        Raises ``InvalidRequest`` (``MSG_BATCH_OVER_RATE_LIMIT``) for more
        requests than the limit itself, ``RateLimited`` (429, Retry-After:
        when enough of the budget frees up) when they do not fit now. The
        key check of the HTTP request (``_authenticate_request``) has
        already passed; this is one more statement, for batches of two
        requests or more only (N requests fit a limit L when a single
        request would fit L - N + 1).
        """
        self.ensure_one()
        rate_limit = settings["rate_limit_per_minute"]
        if not rate_limit or requests <= 1:
            return
        if requests > rate_limit:
            raise InvalidRequest(MSG_BATCH_OVER_RATE_LIMIT % {"count": requests, "limit": rate_limit})
        now = fields.Datetime.now()
        locked_until, rate_full_since = self._gate(
            ormcache_hit(self, "_key_states"), (ip or "").strip(), now, self.id, rate_limit - requests + 1,
            settings["statement_timeout_ms"])
        if locked_until:
            raise self._locked_out(locked_until, now)
        if rate_full_since:
            raise self._rate_limited(rate_full_since, now)

    # ------------------------------------------------------------------
    # The gate
    # ------------------------------------------------------------------
    @api.model
    def _gate(self, states, ip, now, key_id=None, rate_limit=0, statement_timeout=None, rider=None):
        """``(locked_until, rate_full_since)``: until when ``ip`` is locked
        out (or None) and, with a ``key_id`` and a ``rate_limit``, since when
        the key has used its whole budget of the last minute (None while
        under the limit, or without limit). The same statement sets the
        transaction's ``statement_timeout`` (ms; None: the setting's default)
        and evaluates ``rider``'s expression (see :class:`Rider`).

        The address's lockout comes from the worker's view of the lockouts
        while a signal in the same statement says it is current
        (``LockoutQuestion``, ``mcp_lockout_view.py``), else from a lookup
        in the statement.

        One statement, and a second one only when the key might be over its
        limit: counting a key's requests walks up to ``rate_limit`` index
        entries, so each worker remembers for each key the last count and
        the newest audit id then (``states.rate_bounds``). As long as that
        count plus every request audited since (of any key) stays under the
        limit, the key is under it without counting. Like the count itself,
        this sees the requests audited (committed) so far. A count that
        reached the limit is not remembered: it only says "at least", and a
        later check against a higher limit (a smaller batch, a raised
        setting) must count again.
        """
        if statement_timeout is None:
            statement_timeout = SETTINGS_SPEC["statement_timeout_ms"][1]
        cr = self.env.cr
        # two columns: the lockout signal, and the address's lockout unless
        # the worker's view of the lockouts answers
        lockout = LockoutQuestion(states, ip or "", now, self.env)
        # the statement timeout, and the rider's expression: one column
        timeout = timeout_sql(statement_timeout)
        if rider is not None:
            timeout = SQL("%s, %s", timeout, rider.sql)
        if not (key_id and rate_limit):
            cr.execute(SQL("SELECT %s, %s", lockout.sql, timeout))
            row = cr.fetchone()
            self._ride(rider, row)
            return lockout.answer(row), None
        floor = now - RATE_WINDOW
        bound = states.rate_bounds.get(key_id)
        if bound:
            cr.execute(SQL("SELECT %s, %s, %s", lockout.sql, AUDIT_SEQUENCE, timeout))
            row = cr.fetchone()
            self._ride(rider, row)
            locked_until, newest_id = lockout.answer(row), row[2]
            if locked_until or bound[0] + newest_id - bound[1] < rate_limit:
                return locked_until, None
            cr.execute(rate_count_sql(NO_LOCKOUT, key_id, rate_limit, floor))
            newest_id, count, oldest = cr.fetchone()[2:]
        else:
            cr.execute(rate_count_sql(lockout.sql, key_id, rate_limit, floor, timeout))
            row = cr.fetchone()
            self._ride(rider, row)
            locked_until, (newest_id, count, oldest) = lockout.answer(row), row[2:5]
        if count < rate_limit:
            states.rate_bounds[key_id] = (count, newest_id)
            return locked_until, None
        states.rate_bounds.pop(key_id, None)
        return locked_until, oldest

    @staticmethod
    def _ride(rider, row):
        """Hand ``rider`` its value: the last column of ``row``."""
        if rider is not None:
            rider.value = row[-1]

    @api.model
    def _locked_out(self, locked_until, now):
        """The ``RateLimited`` error of a client address locked out until
        ``locked_until``."""
        return RateLimited(MSG_LOCKED_OUT, retry_after=max(1, math.ceil((locked_until - now).total_seconds())))

    @api.model
    def _rate_limited(self, rate_full_since, now):
        """The ``RateLimited`` error of a key whose budget is used up since
        ``rate_full_since``: ``Retry-After`` is when it frees up (1..60 s)."""
        # ``now`` has whole seconds, audit times microseconds: at most the window
        retry_after = math.ceil((rate_full_since + RATE_WINDOW - now).total_seconds())
        return RateLimited(MSG_RATE_LIMITED, retry_after=min(int(RATE_WINDOW.total_seconds()), max(1, retry_after)))

    @api.model
    def _count_failure(self, ip, now, threshold, window, duration):
        """Count one failed authentication of ``ip`` in ``mcp.auth.counter``
        (own cursor, committed at once: it survives the refused request's
        rollback and every worker sees it).

        When ``threshold`` failures happen within ``window`` seconds the IP is
        locked for ``duration`` seconds and its count restarts. Returns the
        ``locked_until`` datetime when this failure triggered a lockout.
        """
        floor = now - timedelta(seconds=window)
        with self.env.registry.cursor() as cr:
            cr.execute(SQL("""%s
                INSERT INTO mcp_auth_counter AS c (kind, bucket, window_start, hits)
                VALUES (%s, %s, %s, 1)
                ON CONFLICT (kind, bucket) DO UPDATE SET
                    hits = CASE WHEN c.window_start > %s THEN c.hits + 1 ELSE 1 END,
                    window_start = CASE WHEN c.window_start > %s THEN c.window_start ELSE %s END
                RETURNING id, hits
            """, ASYNC_COMMIT, KIND_IP_FAILURE, ip or "", now, floor, floor, now))
            counter_id, hits = cr.fetchone()
            if hits < threshold:
                return None
            locked_until = now + timedelta(seconds=duration)
            cr.execute(SQL(
                "UPDATE mcp_auth_counter SET locked_until = %s, hits = 0, window_start = %s WHERE id = %s",
                locked_until, now, counter_id))
        # committed: now the other workers' views of the lockouts may see it
        self.env["mcp.auth.counter"]._signal_lockouts()
        return locked_until

    @api.model
    def _touch_last_use(self, key_id, ip, now):
        """Stamp ``key_id`` as used at ``now`` from ``ip`` in ``mcp.key.usage``
        unless it was stamped less than ``LAST_USED_INTERVAL`` seconds ago
        (own short cursor, committed at once; a concurrent stamp of the same
        key wins). See ``mcp_key_usage.py`` for why the stamp is not on the
        key row."""
        try:
            with self.env.registry.cursor() as cr:
                cr.execute(SQL("""%s
                    INSERT INTO mcp_key_usage AS u (key_id, used_at, ip) VALUES (%s, %s, %s)
                    ON CONFLICT (key_id) DO UPDATE SET used_at = EXCLUDED.used_at, ip = EXCLUDED.ip
                     WHERE u.used_at < %s
                """, ASYNC_COMMIT, key_id, now, ip, now - timedelta(seconds=LAST_USED_INTERVAL)))
        except psycopg2.errors.SerializationFailure:
            _logger.debug("MCP key %s: last use stamped by a concurrent request", key_id)

