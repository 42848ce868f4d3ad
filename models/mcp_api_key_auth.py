# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Authentication of MCP requests by API key: the key check (lockout, key,
user, rate limit, the user's companies, lang and tz; one statement for a
key in the worker's cache, see ``mcp_key_cache.py``, which also sets the
request's statement timeout), the rate-limit budget of a batch, the
last-use stamp and the key user's environment.

Key records, tokens and their management live in ``mcp_api_key.py``.
"""
import math
from datetime import timedelta

from odoo import api, fields, models

from ..protocol.errors import InvalidRequest, RateLimited, Unauthorized
from .mcp_api_key import INDEX_SIZE, MSG_INVALID_KEY, MSG_LOCKED_OUT, MSG_RATE_LIMITED, TOKEN_PREFIX, TOKEN_RE
from .mcp_auth_counter import KIND_IP_FAILURE
from .mcp_key_cache import ENV_COLUMNS, KEY_BY_ID, KEY_BY_INDEX, entry_usable, match_entry
from .mcp_settings import SETTINGS_SPEC

#: seconds between two writes of last_used_at/last_used_ip of a key
LAST_USED_INTERVAL = 60
#: the rate limit counts a key's requests over this sliding window
RATE_WINDOW = timedelta(seconds=60)

#: Until when the client's IP is locked out (NULL: it is not).
LOCKOUT_SQL = """(SELECT locked_until FROM mcp_auth_counter
                   WHERE kind = %(kind)s AND bucket = %(ip)s AND locked_until > %(now)s)"""
#: The id of the newest audit row: how many requests (of any key) can have
#: been audited since an earlier count.
AUDIT_SEQUENCE_SQL = "(SELECT last_value - CASE WHEN is_called THEN 0 ELSE 1 END FROM mcp_audit_log_id_seq)"
#: Sets PostgreSQL's statement timeout (ms) of the request's transaction, in
#: the key check's own statement: ``is_local`` (``SET LOCAL``), so it ends with
#: the transaction (Odoo's retry of a request runs the key check again, the
#: next request on the pooled connection starts from the server default) and
#: nothing rolls it back (it runs outside any savepoint).
TIMEOUT_SQL = "set_config('statement_timeout', %(timeout)s, true)"
#: The key's requests of the last minute (its audit rows), counted up to the
#: limit N, and the oldest of those N: once the key has sent N, its budget
#: frees up a minute after that one. ``{lockout}``: LOCKOUT_SQL or NULL;
#: ``{timeout}``: ``, TIMEOUT_SQL`` or nothing.
RATE_COUNT_QUERY = """
    SELECT {lockout}, """ + AUDIT_SEQUENCE_SQL + """, count(*), min(create_date){timeout} FROM (
        SELECT create_date FROM mcp_audit_log
         WHERE key_id = %(key)s AND transport IS NOT NULL AND create_date > %(floor)s
         ORDER BY create_date DESC LIMIT %(limit)s) AS recent
"""
#: The statements of a key check: no key or no rate limit; a key whose
#: count is known to be far from its limit; a key whose requests are counted.
#: Each sets the statement timeout too (no round trip of its own).
GATE_QUERY = f"SELECT {LOCKOUT_SQL}, {TIMEOUT_SQL}"
GATE_BOUND_QUERY = f"SELECT {LOCKOUT_SQL}, {AUDIT_SEQUENCE_SQL}, {TIMEOUT_SQL}"
GATE_COUNT_QUERY = RATE_COUNT_QUERY.format(lockout=LOCKOUT_SQL, timeout=", " + TIMEOUT_SQL)
RECOUNT_QUERY = RATE_COUNT_QUERY.format(lockout="NULL", timeout="")

#: A batch with more requests than the key may send in a minute: it can never
#: fit, whenever it is sent (refused whole, -32600).
MSG_BATCH_OVER_RATE_LIMIT = ("Invalid Request: a batch of %(count)d requests is over this API key's rate "
                             "limit of %(limit)d requests per minute")


class McpApiKeyAuth(models.Model):
    _inherit = "mcp.api.key"

    @api.model
    def _gate(self, states, ip, now, key_id=None, rate_limit=0, statement_timeout=None):
        """``(locked_until, rate_full_since)``: until when ``ip`` is locked
        out (or None) and, with a ``key_id`` and a ``rate_limit``, since when
        the key has used its whole budget of the last minute (None while
        under the limit, or without limit). The same statement sets the
        transaction's ``statement_timeout`` (ms; None: the setting's default).

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
        params = {"kind": KIND_IP_FAILURE, "ip": ip or "", "now": now, "timeout": str(int(statement_timeout)),
                  "key": key_id, "limit": rate_limit, "floor": now - RATE_WINDOW}
        cr = self.env.cr
        if not (key_id and rate_limit):
            cr.execute(GATE_QUERY, params)
            return cr.fetchone()[0], None
        bound = states.rate_bounds.get(key_id)
        if bound:
            cr.execute(GATE_BOUND_QUERY, params)
            locked_until, newest_id, _timeout = cr.fetchone()
            if locked_until or bound[0] + newest_id - bound[1] < rate_limit:
                return locked_until, None
            cr.execute(RECOUNT_QUERY, params)
            _none, newest_id, count, oldest = cr.fetchone()
        else:
            cr.execute(GATE_COUNT_QUERY, params)
            locked_until, newest_id, count, oldest, _timeout = cr.fetchone()
        if count < rate_limit:
            states.rate_bounds[key_id] = (count, newest_id)
            return locked_until, None
        states.rate_bounds.pop(key_id, None)
        return locked_until, oldest

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

    @api.model
    def _find_key(self, index, digest):
        """The key whose current token — or previous token, during a rotation
        grace period — has this lookup ``index`` and ``digest``, read on the
        request cursor: its cache entry (see ``state_entry``; None when the
        key is not usable) and id, or ``(None, None)`` when no key matches."""
        for row in self._key_state_rows(self.env.cr, KEY_BY_INDEX, {"index": index}):
            matched, entry = match_entry(row, index, digest)
            if matched:
                return entry, row[0]
        return None, None

    @api.model
    def _authenticate(self, token, ip, settings=None):
        """Authenticate a bearer ``token`` sent from client address ``ip``.

        Returns the key record (sudo). See ``_authenticate_request``.
        """
        return self._authenticate_request(token, ip, settings)[0]

    @api.model
    def _authenticate_request(self, token, ip, settings=None):
        """Authenticate a bearer ``token`` sent from client address ``ip``;
        return ``(key, env_facts)`` (``env_facts`` for ``_mcp_env``).

        Raises ``RateLimited`` when ``ip`` is locked out (even with a good
        key) or the key exceeds its requests per minute,
        ``Unauthorized(MSG_INVALID_KEY)`` for every other failure (missing,
        malformed, unknown, inactive, expired, revoked, IP not allowed — the
        message never says which). Failures are stored in
        ``mcp.auth.counter`` from a cursor of their own, so they hold across
        workers and survive the request's rollback; the rate limit counts
        the key's audit rows of the last minute (every accepted JSON-RPC
        request writes one; refused requests are audited without key).

        The key check's statement also sets the transaction's PostgreSQL
        ``statement_timeout`` to the ``statement_timeout_ms`` setting, for
        every statement of the request that follows (transaction-local).

        Cost: a key in this worker's cache (``mcp_key_cache.py``) costs one
        statement (lockout and rate limit, see ``_gate``); otherwise the key, its user and
        companies are read first, and the key is cached from a fresh cursor.
        Once a minute per key and worker, the last-use stamp is written in a
        short cursor. ``settings``: the request's ``mcp.settings`` values
        (read here when not given).
        """
        if settings is None:
            settings = self.env["mcp.settings"]._get_settings()
        now = fields.Datetime.now()
        ip = (ip or "").strip()
        rate_limit = settings["rate_limit_per_minute"]
        # taken before any key is read: see mcp_key_cache.py
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

        locked_until, rate_full_since = self._gate(states, ip, now, key_id, rate_limit,
                                                   settings["statement_timeout_ms"])
        if locked_until:
            raise self._locked_out(locked_until, now)

        cached = entry is not None
        if not cached and key_id:
            entry = new_entry
        if entry is None or not entry_usable(entry, ip, now):
            self.env["mcp.auth.counter"].sudo()._register_failure(
                ip, now, settings["lockout_threshold"], settings["lockout_window"], settings["lockout_duration"])
            raise Unauthorized(MSG_INVALID_KEY)

        if rate_full_since:
            raise self._rate_limited(rate_full_since, now)
        if not entry["last_used_at"] or entry["last_used_at"] < now - timedelta(seconds=LAST_USED_INTERVAL):
            self.env["mcp.key.usage"].sudo()._touch(key_id, ip or None, LAST_USED_INTERVAL, now)
            entry["last_used_at"] = now
            self.browse(key_id).invalidate_recordset(["last_used_at", "last_used_ip"])
        if not cached:
            self._remember_key_state(states, index, digest, key_id)
        return self.sudo().browse(key_id), entry["facts"]

    def _mcp_env(self, env, facts=None):
        """Return ``env`` switched to this key's user (never superuser), with
        ``allowed_company_ids`` limited to the key's companies (the user's
        main company first when allowed) and the user's lang/tz.

        ``facts``: what ``_authenticate_request`` returned for this key (no
        query then); otherwise one query."""
        self.ensure_one()
        if facts is None:
            state = self._key_state_rows(self.env.cr, KEY_BY_ID, {"key": self.id})[0][5]
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
