# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The API-key check of every MCP request, in one file.

``_authenticate_request(token, ip, settings)`` is what the transport calls.
In request order:

1. the token's lookup index and HMAC digest; the per-worker cache of key
   states (``KeyStates``, ``_key_states``) is looked up by digest;
2. a key not in the cache is read with its user, contact and companies
   (``key_state_query``, ``_find_key``);
3. the gate (``_gate``): one statement that tells whether the client's IP is
   locked out, whether the key is over its rate limit (the key's audit rows
   of the last minute) and sets the transaction's ``statement_timeout``;
4. the usable checks (``state_entry``, ``entry_usable``): active, not
   revoked, user active, not expired, rotation grace, IP whitelist, and
   for an OAuth access token its ``resource`` (``resource_usable``); a
   failure is counted for the IP's lockout (``_count_failure``);
5. the last-use stamp, at most once a minute per key and worker
   (``_touch_last_use``);
6. the key is cached from a fresh cursor (``_remember_key_state``);
   an OAuth access token (``mcpat_…``, ``mcp_oauth_token.py``) takes the
   same path as the backing key of its grant (``_find_access_token``), its
   cache entry valid until the token expires;
7. ``_mcp_env``: the key user's environment (companies, lang, tz).

``_check_batch_budget`` is the rate limit of a JSON-RPC batch.

A key in the worker's cache costs one statement (the gate). The cache lives
in Odoo's ``default`` ormcache, so it lives exactly as long as Odoo's own
caches of users and companies (``context_get``, ``_get_company_ids``):

* every change of what the key-state query reads clears it through
  ``_invalidate_key_states``: key fields (``write``/``unlink`` below) and the
  user, contact and company fields in ``KEY_STATE_FIELDS`` (the overrides in
  ``res_users.py``, ``res_partner.py``, ``res_company.py`` import them);
* other workers and servers drop theirs through Odoo's cache signalling,
  which every request checks before it starts;
* the clear is done again after the commit, and entries are filled from a
  fresh cursor opened after the dict was taken: a thread of the same worker
  can never cache a state read from a snapshot older than a revocation.

Only keys whose token matched and that were usable are cached (at most two
entries per key: its current and its previous token), so unknown tokens
cannot grow it. Expiry, the rotation grace period and the IP whitelist are
checked on every request against the cached values.

Every statement is an ``odoo.tools.SQL``. Key records, tokens and their
management live in ``mcp_api_key.py``; the tables of the lockout counters
and last-use stamps in ``mcp_auth_counter.py`` and ``mcp_key_usage.py``.
"""
import hmac
import logging
import math
from datetime import datetime, timedelta

import psycopg2
import psycopg2.errors
from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..protocol import oauth
from ..protocol.errors import InvalidRequest, RateLimited, Unauthorized
from .mcp_api_key import (
    INDEX_SIZE,
    MSG_INVALID_KEY,
    MSG_LOCKED_OUT,
    MSG_RATE_LIMITED,
    TOKEN_PREFIX,
    TOKEN_RE,
    ip_allowed,
    parse_networks,
    token_digest,
)
from .mcp_auth_counter import KIND_IP_FAILURE
from .mcp_oauth_token import ACCESS_TOKEN_RE
from .mcp_settings import SETTINGS_SPEC

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
# The key state: the query, the fields it reads, the cache entries
# ----------------------------------------------------------------------
#: Key fields whose change clears the cache (``write`` below).
CACHED_KEY_FIELDS = frozenset((
    "user_id", "active", "expiry_date", "allowed_ips", "company_ids", "revoked_at",
    "key_index", "key_digest", "previous_key_index", "previous_key_digest", "previous_valid_until",
))
#: The fields of the key's user, its contact and companies that
#: ``key_state_query`` reads: flushed before it runs, and a write of one of
#: them clears the cache (``res_users.py``, ``res_partner.py``,
#: ``res_company.py``).
KEY_STATE_FIELDS = {
    "res.users": ("active", "company_id", "company_ids", "partner_id"),
    "res.partner": ("lang", "tz"),
    "res.company": ("active",),
}
#: ``res.users`` fields whose write clears the cache: its own, and its
#: contact's (``lang``/``tz`` are inherited from ``res.partner``).
CACHED_USER_FIELDS = frozenset(KEY_STATE_FIELDS["res.users"] + KEY_STATE_FIELDS["res.partner"])
#: ``res.partner`` fields whose write clears the cache (for a user's contact).
CACHED_PARTNER_FIELDS = frozenset(KEY_STATE_FIELDS["res.partner"])
#: ``res.company`` fields whose write clears the cache.
CACHED_COMPANY_FIELDS = frozenset(KEY_STATE_FIELDS["res.company"])

#: Columns of ``key_state_query`` after the key id and its matching columns.
STATE_COLUMNS = ("previous_valid_until", "active", "revoked_at", "expiry_date", "allowed_ips", "user_active",
                 "last_used_at", "user_id", "company_id", "lang", "tz", "user_companies", "key_companies")
#: The part of that state ``_mcp_env`` needs.
ENV_COLUMNS = ("user_id", "company_id", "lang", "tz", "user_companies", "key_companies")


def key_state_query(where):
    """The state of the keys matching ``where`` (an ``SQL`` condition on
    ``k``, see ``key_by_id``/``key_by_index``) with their user's (active
    companies only, like Odoo's ``res.users._get_company_ids``): the
    columns ``(id, key_index, key_digest, previous_key_index,
    previous_key_digest, *STATE_COLUMNS)``."""
    return SQL("""
        SELECT k.id, k.key_index, k.key_digest, k.previous_key_index, k.previous_key_digest,
               k.previous_valid_until, k.active, k.revoked_at, k.expiry_date, k.allowed_ips, u.active,
               (SELECT used_at FROM mcp_key_usage WHERE key_id = k.id),
               k.user_id, u.company_id, p.lang, p.tz,
               ARRAY(SELECT r.cid FROM res_company_users_rel r JOIN res_company c ON c.id = r.cid AND c.active
                      WHERE r.user_id = u.id ORDER BY r.cid),
               ARRAY(SELECT company_id FROM mcp_api_key_res_company_rel WHERE key_id = k.id)
          FROM mcp_api_key k
          JOIN res_users u ON u.id = k.user_id
          JOIN res_partner p ON p.id = u.partner_id
         WHERE %s
    """, where)


def key_by_id(key_id):
    """``key_state_query`` condition: the key ``key_id``."""
    return SQL("k.id = %s", key_id)


def key_by_index(index):
    """``key_state_query`` condition: the keys whose current or previous
    token has the lookup ``index``."""
    return SQL("k.key_index = %s OR k.previous_key_index = %s", index, index)


class KeyStates(dict):
    """The cache: ``{token digest: entry}`` (see ``state_entry``), with the
    HMAC key of the digests (one cache lookup per request for both) and the
    rate-limit bounds of ``mcp.api.key._gate`` (``{key id: (count, newest
    audit id)}``)."""
    __slots__ = ("digest_key", "rate_bounds")

    def __init__(self, digest_key):
        super().__init__()
        self.digest_key = digest_key
        self.rate_bounds = {}

    def digest(self, token):
        """The stored digest of ``token`` (see ``mcp.api.key._digest``)."""
        return token_digest(self.digest_key, token)


def state_entry(key_id, state, valid_until):
    """The cache entry of a key from its ``state`` (``STATE_COLUMNS``), for
    a token valid until ``valid_until`` (None: the current token); None when
    the key cannot authenticate anything (inactive, revoked, archived user,
    unreadable IP whitelist). Time and IP are checked by ``entry_usable``."""
    if not state["active"] or state["revoked_at"] or not state["user_active"]:
        return None
    try:
        networks = parse_networks(state["allowed_ips"]) if (state["allowed_ips"] or "").strip() else None
    except ValueError:
        return None
    return {
        "key_id": key_id,
        "valid_until": valid_until,
        "expiry_date": state["expiry_date"],
        "networks": networks,
        "last_used_at": state["last_used_at"],
        "facts": {name: state[name] for name in ENV_COLUMNS},
    }


def match_entry(row, index, digest):
    """Whether a ``_key_state_rows`` row is the key of the token with this
    lookup ``index`` and ``digest`` — its current token, or its previous one
    (valid until ``previous_valid_until``) — and then its cache entry (see
    ``state_entry``): ``(matched, entry)``."""
    key_id, cur_index, cur_digest, prev_index, prev_digest, state = row
    if cur_index == index and hmac.compare_digest(cur_digest or "", digest):
        return True, state_entry(key_id, state, None)
    if prev_index == index and hmac.compare_digest(prev_digest or "", digest):
        return True, state_entry(key_id, state, state["previous_valid_until"] or datetime.min)
    return False, None


def resource_usable(entry, resources):
    """Whether the credential of cache ``entry`` may be used at an MCP URL
    of ``resources``: an API key anywhere, an OAuth access token only where
    its ``resource`` (RFC 8707, the audience it was minted for) is one of
    them — a token without one nowhere."""
    return "resource" not in entry or entry["resource"] in resources


def entry_usable(entry, ip, now):
    """Whether the key of cache ``entry`` may authenticate a request from
    ``ip`` at ``now`` (token and key not expired, IP whitelisted)."""
    if entry["valid_until"] is not None and entry["valid_until"] <= now:
        return False
    if entry["expiry_date"] and entry["expiry_date"] <= now:
        return False
    return entry["networks"] is None or ip_allowed(ip, entry["networks"])


# ----------------------------------------------------------------------
# The gate: lockout, rate limit, statement timeout (one statement)
# ----------------------------------------------------------------------
#: The id of the newest audit row: how many requests (of any key) can have
#: been audited since an earlier count.
AUDIT_SEQUENCE = SQL("(SELECT last_value - CASE WHEN is_called THEN 0 ELSE 1 END FROM mcp_audit_log_id_seq)")
#: A lockout column that is not asked for.
NO_LOCKOUT = SQL("NULL")
#: Prefix of the statements on the counter and stamp tables (own cursor,
#: same round trip): they need no durable commit, so skip the WAL flush wait
#: (a PostgreSQL crash may lose the last fraction of a second of counts).
ASYNC_COMMIT = SQL("SET LOCAL synchronous_commit TO OFF;")


def lockout_sql(ip, now):
    """Until when the client address ``ip`` is locked out (NULL: it is not)."""
    return SQL("(SELECT locked_until FROM mcp_auth_counter WHERE kind = %s AND bucket = %s AND locked_until > %s)",
               KIND_IP_FAILURE, ip, now)


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
    """``lockout`` (``lockout_sql`` or ``NO_LOCKOUT``), the newest audit id,
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


class McpKeyCheck(models.Model):
    _inherit = "mcp.api.key"

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------
    @api.model
    def _authenticate(self, token, ip, settings=None):
        """Authenticate a bearer ``token`` sent from client address ``ip``.

        Returns the key record (sudo). See ``_authenticate_request``.
        """
        return self._authenticate_request(token, ip, settings)[0]

    @api.model
    def _authenticate_request(self, token, ip, settings=None, rider=None, resources=None):
        """Authenticate a bearer ``token`` sent from client address ``ip``;
        return ``(key, env_facts)`` (``env_facts`` for ``_mcp_env``).
        ``rider``: a :class:`Rider` whose expression goes with the key check's
        statement (its value is read even when the check then fails: use it
        only once this returned). ``resources``: the ``resource`` values an
        OAuth access token may carry here (``oauth.accepted_resources``;
        default: the canonical MCP URL of ``web.base.url``); a token minted
        for another resource is refused like an unknown one.

        Raises ``RateLimited`` when ``ip`` is locked out (even with a good
        key) or the key exceeds its requests per minute,
        ``Unauthorized(MSG_INVALID_KEY)`` for every other failure (missing,
        malformed, unknown, inactive, expired, revoked, IP not allowed — the
        message never says which). Failures are counted in
        ``mcp.auth.counter`` from a cursor of their own, so they hold across
        workers and survive the request's rollback; the rate limit counts
        the key's audit rows of the last minute (every accepted JSON-RPC
        request writes one; refused requests are audited without key).

        The key check's statement also sets the transaction's PostgreSQL
        ``statement_timeout`` to the ``statement_timeout_ms`` setting, for
        every statement of the request that follows (transaction-local).

        Cost: a key in this worker's cache costs one statement (lockout and
        rate limit, see ``_gate``); otherwise the key, its user and companies
        are read first, and the key is cached from a fresh cursor. Once a
        minute per key and worker, the last-use stamp is written in a short
        cursor. ``settings``: the request's ``mcp.settings`` values (read
        here when not given).
        """
        if settings is None:
            settings = self.env["mcp.settings"]._get_settings()
        now = fields.Datetime.now()
        ip = (ip or "").strip()
        rate_limit = settings["rate_limit_per_minute"]
        # taken before any key is read: see the module docstring
        states = self._key_states()

        index = digest = entry = new_entry = key_id = None
        if isinstance(token, str) and TOKEN_RE.match(token):
            index = token[len(TOKEN_PREFIX):len(TOKEN_PREFIX) + INDEX_SIZE]
            digest = states.digest(token)
            entry = states.get(digest)
            if entry is None:
                new_entry, key_id = self._find_key(index, digest)
            else:
                key_id = entry["key_id"]
        elif isinstance(token, str) and ACCESS_TOKEN_RE.match(token):
            digest = states.digest(token)
            entry = states.get(digest)
            if entry is None:
                new_entry, key_id = self._find_access_token(self.env.cr, digest)
            else:
                key_id = entry["key_id"]

        locked_until, rate_full_since = self._gate(states, ip, now, key_id, rate_limit,
                                                   settings["statement_timeout_ms"], rider)
        if locked_until:
            raise self._locked_out(locked_until, now)

        cached = entry is not None
        if not cached and key_id:
            entry = new_entry
        if resources is None and entry is not None and "resource" in entry:
            resources = oauth.accepted_resources(self.env["mcp.settings"]._base_url())
        if entry is None or not entry_usable(entry, ip, now) or not resource_usable(entry, resources):
            self._count_failure(ip, now, settings["lockout_threshold"], settings["lockout_window"],
                                settings["lockout_duration"])
            raise Unauthorized(MSG_INVALID_KEY)

        if rate_full_since:
            raise self._rate_limited(rate_full_since, now)
        if not entry["last_used_at"] or entry["last_used_at"] < now - timedelta(seconds=LAST_USED_INTERVAL):
            self._touch_last_use(key_id, ip or None, now)
            entry["last_used_at"] = now
            self.browse(key_id).invalidate_recordset(["last_used_at", "last_used_ip"])
        if not cached:
            self._remember_key_state(states, index, digest, key_id)
        return self.sudo().browse(key_id), entry["facts"]

    @api.model
    def _find_access_token(self, cr, digest):
        """The backing key of the OAuth access token of ``digest``, read on
        ``cr`` (see ``mcp_oauth_token.py``): its cache entry, valid until
        the token expires (None when the token is revoked, used up or its
        grant revoked, or the key is not usable) and id; ``(None, None)``
        when no token matches. The token's own state is one statement; the
        key's is the key check's ``key_state_query``."""
        if cr is self.env.cr:
            self.env["mcp.oauth.token"].flush_model()
            self.env["mcp.oauth.grant"].flush_model(["revoked_at"])
        cr.execute(SQL("""
            SELECT t.token_digest, t.expires_at, g.key_id, t.resource
              FROM mcp_oauth_token t JOIN mcp_oauth_grant g ON g.id = t.grant_id
             WHERE t.token_digest = %s AND t.kind = 'access' AND t.revoked_at IS NULL AND g.revoked_at IS NULL
        """, digest))
        row = cr.fetchone()
        if not row or not hmac.compare_digest(row[0], digest):
            return None, None
        rows = self._key_state_rows(cr, key_by_id(row[2]))
        if not rows:
            return None, None
        entry = state_entry(row[2], rows[0][5], row[1])
        if entry is not None:
            entry["resource"] = oauth.normalize_resource(row[3])
        return entry, row[2]

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
            self._key_states(), (ip or "").strip(), now, self.id, rate_limit - requests + 1,
            settings["statement_timeout_ms"])
        if locked_until:
            raise self._locked_out(locked_until, now)
        if rate_full_since:
            raise self._rate_limited(rate_full_since, now)

    def _mcp_env(self, env, facts=None):
        """Return ``env`` switched to this key's user (never superuser), with
        ``allowed_company_ids`` limited to the key's companies (the user's
        main company first when allowed) and the user's lang/tz.

        ``facts``: what ``_authenticate_request`` returned for this key (no
        query then); otherwise one query."""
        self.ensure_one()
        if facts is None:
            state = self._key_state_rows(self.env.cr, key_by_id(self.id))[0][5]
            facts = {name: state[name] for name in ENV_COLUMNS}
        user_companies = list(facts["user_companies"])
        key_companies = set(facts["key_companies"])
        company_ids = [c for c in user_companies if c in key_companies] if key_companies else user_companies
        main_company = facts["company_id"]
        if main_company in company_ids:
            company_ids.remove(main_company)
            company_ids.insert(0, main_company)
        context = {"allowed_company_ids": company_ids}
        if facts["lang"]:
            context["lang"] = facts["lang"]
        if facts["tz"]:
            context["tz"] = facts["tz"]
        return env(user=facts["user_id"], su=False, context=context)

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
        lockout = lockout_sql(ip or "", now)
        # the statement timeout, and the rider's expression: one column
        timeout = timeout_sql(statement_timeout)
        if rider is not None:
            timeout = SQL("%s, %s", timeout, rider.sql)
        cr = self.env.cr
        if not (key_id and rate_limit):
            cr.execute(SQL("SELECT %s, %s", lockout, timeout))
            row = cr.fetchone()
            self._ride(rider, row)
            return row[0], None
        floor = now - RATE_WINDOW
        bound = states.rate_bounds.get(key_id)
        if bound:
            cr.execute(SQL("SELECT %s, %s, %s", lockout, AUDIT_SEQUENCE, timeout))
            row = cr.fetchone()
            self._ride(rider, row)
            locked_until, newest_id = row[:2]
            if locked_until or bound[0] + newest_id - bound[1] < rate_limit:
                return locked_until, None
            cr.execute(rate_count_sql(NO_LOCKOUT, key_id, rate_limit, floor))
            _none, newest_id, count, oldest = cr.fetchone()
        else:
            cr.execute(rate_count_sql(lockout, key_id, rate_limit, floor, timeout))
            row = cr.fetchone()
            self._ride(rider, row)
            locked_until, newest_id, count, oldest = row[:4]
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
            if hits >= threshold:
                locked_until = now + timedelta(seconds=duration)
                cr.execute(SQL("UPDATE mcp_auth_counter SET locked_until = %s, hits = 0, window_start = %s "
                               "WHERE id = %s", locked_until, now, counter_id))
                return locked_until
        return None

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

    # ------------------------------------------------------------------
    # The key lookup and the cache
    # ------------------------------------------------------------------
    @api.model
    def _find_key(self, index, digest):
        """The key whose current token — or previous token, during a rotation
        grace period — has this lookup ``index`` and ``digest``, read on the
        request cursor: its cache entry (see ``state_entry``; None when the
        key is not usable) and id, or ``(None, None)`` when no key matches."""
        for row in self._key_state_rows(self.env.cr, key_by_index(index)):
            matched, entry = match_entry(row, index, digest)
            if matched:
                return entry, row[0]
        return None, None

    @api.model
    def _key_state_rows(self, cr, where):
        """Rows ``(key_id, index, digest, previous index, previous digest,
        state)`` of ``key_state_query(where)`` run on ``cr``; ``state`` is a
        dict of ``STATE_COLUMNS``. On the request cursor, pending ORM writes
        of what it reads (``KEY_STATE_FIELDS``) are flushed first."""
        if cr is self.env.cr:
            self.env["mcp.api.key"].flush_model()
            for model_name, field_names in KEY_STATE_FIELDS.items():
                self.env[model_name].flush_model(field_names)
        cr.execute(key_state_query(where))
        return [(*row[:5], dict(zip(STATE_COLUMNS, row[5:]))) for row in cr.fetchall()]

    @api.model
    @tools.ormcache()
    def _key_states(self):
        """The cache (a ``KeyStates``), new and empty after every clear of
        Odoo's ``default`` cache."""
        return KeyStates(self._digest_key())

    @api.model
    def _invalidate_key_states(self):
        """Forget every cached key state, in this worker now and again after
        the commit, in the other workers at their next request. The one way
        to clear the cache: key writes and the user, contact and company
        overrides call it."""
        registry = self.env.registry
        registry.clear_cache()
        postcommit = self.env.cr.postcommit
        if not postcommit.data.get("mcp_key_states"):
            postcommit.data["mcp_key_states"] = True
            postcommit.add(registry.clear_cache)

    @api.model
    def _remember_key_state(self, states, index, digest, key_id):
        """Cache in ``states`` (a dict taken from ``_key_states`` before
        this call) the state of key ``key_id`` for the token with this lookup
        ``index`` and ``digest``, read from a fresh cursor: nothing older than
        the dict can enter it. Keys not usable, or not committed yet, are not
        cached."""
        try:
            with self.env.registry.cursor() as cr:
                if index is None:  # an OAuth access token
                    entry = self._find_access_token(cr, digest)[0]
                    if entry is not None:
                        states[digest] = entry
                    return
                rows = self._key_state_rows(cr, key_by_id(key_id))
        except psycopg2.Error as error:
            _logger.debug("MCP key %s: state not cached: %s", key_id, error)
            return
        for row in rows:
            entry = match_entry(row, index, digest)[1]
            if entry is not None:
                states[digest] = entry

    def write(self, vals):
        """Write keys; a change of what the key check reads clears the cache."""
        result = super().write(vals)
        if CACHED_KEY_FIELDS.intersection(vals):
            self._invalidate_key_states()
        return result

    def unlink(self):
        """Delete keys and forget their cached states."""
        result = super().unlink()
        self._invalidate_key_states()
        return result
