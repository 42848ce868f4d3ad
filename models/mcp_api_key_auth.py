# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Authentication of MCP requests by API key: the one-statement key check
(lockout, key, user, rate limit, the user's companies, lang and tz), the
last-use stamp and the key user's environment.

Key records, tokens and their management live in ``mcp_api_key.py``.
"""
import hmac
import math
from datetime import timedelta

from odoo import api, fields, models

from ..protocol.errors import RateLimited, Unauthorized
from .mcp_api_key import (
    INDEX_SIZE, MSG_INVALID_KEY, MSG_LOCKED_OUT, MSG_RATE_LIMITED, TOKEN_PREFIX, TOKEN_RE, ip_allowed,
    parse_networks,
)
from .mcp_auth_counter import KIND_IP_FAILURE

#: seconds between two writes of last_used_at/last_used_ip of a key
LAST_USED_INTERVAL = 60
#: the rate limit counts a key's requests over this sliding window
RATE_WINDOW = timedelta(seconds=60)

#: Columns of the key ``state`` returned by ``_lookup`` (after the matching columns).
LOOKUP_COLUMNS = ("active", "revoked_at", "expiry_date", "allowed_ips", "user_active", "last_used_at",
                  "rate_count", "user_id", "company_id", "lang", "tz", "user_companies", "key_companies")
#: The part of that state ``_mcp_env`` needs.
ENV_COLUMNS = ("user_id", "company_id", "lang", "tz", "user_companies", "key_companies")

#: The key check of every request, one statement (see ``McpApiKey._lookup``).
LOOKUP_QUERY = """
    SELECT (SELECT locked_until FROM mcp_auth_counter
             WHERE kind = %(kind)s AND bucket = %(ip)s AND locked_until > %(now)s),
           k.id, k.key_index, k.key_digest, k.previous_key_index, k.previous_key_digest,
           k.active, k.revoked_at, k.expiry_date, k.allowed_ips, u.active,
           (SELECT used_at FROM mcp_key_usage WHERE key_id = k.id),
           CASE WHEN %(limit)s > 0 THEN (SELECT count(*) FROM (
               SELECT 1 FROM mcp_audit_log a
                WHERE a.key_id = k.id AND a.transport IS NOT NULL AND a.create_date > %(floor)s
                LIMIT %(limit)s) AS recent) END,
           k.user_id, u.company_id, p.lang, p.tz,
           ARRAY(SELECT cid FROM res_company_users_rel WHERE user_id = u.id ORDER BY cid),
           ARRAY(SELECT company_id FROM mcp_api_key_res_company_rel WHERE key_id = k.id)
      FROM (SELECT 1) AS one
      LEFT JOIN mcp_api_key k
        ON k.key_index = %(index)s
        OR (k.previous_key_index = %(index)s AND k.previous_valid_until > %(now)s)
      LEFT JOIN res_users u ON u.id = k.user_id
      LEFT JOIN res_partner p ON p.id = u.partner_id
"""
#: The oldest of the key's last ``limit`` requests in the window: the
#: budget frees up a minute after it (refusal path only).
RATE_OLDEST_QUERY = """
    SELECT min(create_date) FROM (
        SELECT create_date FROM mcp_audit_log
         WHERE key_id = %(key)s AND transport IS NOT NULL AND create_date > %(floor)s
         ORDER BY create_date DESC LIMIT %(limit)s) AS recent
"""



class McpApiKeyAuth(models.Model):
    _inherit = "mcp.api.key"

    @api.model
    def _lookup(self, token, ip, now, rate_limit=0):
        """One query for everything a request's authentication needs.

        Returns ``(locked_until, key, state)``: until when ``ip`` is locked
        out (or None); the key (sudo) whose current — or, during a rotation
        grace period, previous — digest matches ``token`` (empty recordset if
        none; malformed tokens match nothing); and that key's ``state`` dict
        (``LOOKUP_COLUMNS``: key and user state, last use, the user's
        companies, lang and tz, and with ``rate_limit`` the number of the
        key's requests in the last minute, counted up to ``rate_limit``) or
        None.

        The rate limit counts the key's audit rows (one per JSON-RPC request,
        written anyway): no write of its own on the request path.
        """
        index = digest = None
        if isinstance(token, str) and TOKEN_RE.match(token):
            index = token[len(TOKEN_PREFIX):len(TOKEN_PREFIX) + INDEX_SIZE]
            # before the query below: computing it may run a query itself
            digest = self._digest(token)
        self.env["mcp.api.key"].flush_model()
        self.env["res.users"].flush_model(["active", "company_id", "company_ids", "partner_id"])
        self.env.cr.execute(LOOKUP_QUERY, {
            "kind": KIND_IP_FAILURE, "ip": ip or "", "now": now, "index": index,
            "limit": rate_limit or 0, "floor": now - RATE_WINDOW})
        locked_until = None
        found = self.sudo().browse()
        state = None
        for row in self.env.cr.fetchall():
            locked_until = row[0]
            key_id, cur_index, cur_digest, prev_index, prev_digest = row[1:6]
            if key_id is None:
                continue
            ok_current = hmac.compare_digest(cur_digest or "", digest) and cur_index == index
            ok_previous = hmac.compare_digest(prev_digest or "", digest) and prev_index == index
            if ok_current or ok_previous:
                found = self.sudo().browse(key_id)
                state = dict(zip(LOOKUP_COLUMNS, row[6:]))
        return locked_until, found, state

    @api.model
    def _rate_retry_after(self, key_id, now, limit):
        """Seconds until a key over its ``limit`` may send again."""
        self.env.cr.execute(RATE_OLDEST_QUERY, {"key": key_id, "floor": now - RATE_WINDOW, "limit": limit})
        oldest = self.env.cr.fetchone()[0]
        if not oldest:
            return 1
        # ``now`` has whole seconds, audit times microseconds: at most the window
        window = int(RATE_WINDOW.total_seconds())
        return min(window, max(1, math.ceil((oldest + RATE_WINDOW - now).total_seconds())))

    @api.model
    def _match_token(self, token, now):
        """Return the key (sudo) matching ``token``; empty recordset if none."""
        return self._lookup(token, "", now)[1]

    @staticmethod
    def _state_usable(state, ip, now):
        """Whether a key in ``state`` (see ``_lookup``) may authenticate a
        request from ``ip`` at ``now``."""
        if not state or not state["active"] or state["revoked_at"] or not state["user_active"]:
            return False
        if state["expiry_date"] and state["expiry_date"] <= now:
            return False
        text = state["allowed_ips"]
        if text and text.strip():
            try:
                return ip_allowed(ip, parse_networks(text))
            except ValueError:
                return False
        return True

    def _is_usable(self, ip, now):
        """Whether this key may authenticate a request from ``ip`` now."""
        self.ensure_one()
        key = self.sudo()
        return self._state_usable({
            "active": key.active, "revoked_at": key.revoked_at, "expiry_date": key.expiry_date,
            "allowed_ips": key.allowed_ips, "user_active": key.user_id.active,
        }, ip, now)

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
        Cost: one query on the request cursor (lockout, key, user, rate
        count, the user's companies, lang and tz) and, once a minute per
        key, the last-use stamp in a short cursor. ``settings``: the
        request's ``mcp.settings`` values (read here when not given).
        """
        if settings is None:
            settings = self.env["mcp.settings"]._get_settings()
        now = fields.Datetime.now()
        ip = (ip or "").strip()
        rate_limit = settings["rate_limit_per_minute"]

        locked_until, key, state = self._lookup(token, ip, now, rate_limit)
        if locked_until:
            raise RateLimited(MSG_LOCKED_OUT, retry_after=max(1, math.ceil((locked_until - now).total_seconds())))

        if not key or not self._state_usable(state, ip, now):
            self.env["mcp.auth.counter"].sudo()._register_failure(
                ip, now, settings["lockout_threshold"], settings["lockout_window"], settings["lockout_duration"])
            raise Unauthorized(MSG_INVALID_KEY)

        if rate_limit and state["rate_count"] >= rate_limit:
            raise RateLimited(MSG_RATE_LIMITED, retry_after=self._rate_retry_after(key.id, now, rate_limit))
        if not state["last_used_at"] or state["last_used_at"] < now - timedelta(seconds=LAST_USED_INTERVAL):
            self.env["mcp.key.usage"].sudo()._touch(key.id, ip or None, LAST_USED_INTERVAL, now)
            key.invalidate_recordset(["last_used_at", "last_used_ip"])
        return key, {name: state[name] for name in ENV_COLUMNS}

    def _mcp_env(self, env, facts=None):
        """Return ``env`` switched to this key's user (never superuser), with
        ``allowed_company_ids`` limited to the key's companies (the user's
        main company first when allowed) and the user's lang/tz.

        ``facts``: what ``_authenticate_request`` returned for this key (no
        query then); otherwise one query."""
        self.ensure_one()
        if facts is None:
            self.env["mcp.api.key"].flush_model(["user_id", "company_ids"])
            self.env["res.users"].flush_model(["company_id", "company_ids"])
            self.env.cr.execute("""
                SELECT k.user_id, u.company_id, p.lang, p.tz,
                       ARRAY(SELECT cid FROM res_company_users_rel WHERE user_id = u.id ORDER BY cid),
                       ARRAY(SELECT company_id FROM mcp_api_key_res_company_rel WHERE key_id = k.id)
                  FROM mcp_api_key k
                  JOIN res_users u ON u.id = k.user_id
                  JOIN res_partner p ON p.id = u.partner_id
                 WHERE k.id = %s
            """, (self.id,))
            facts = dict(zip(ENV_COLUMNS, self.env.cr.fetchone()))
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
