# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The API-key check of every MCP request: the entry points here, the key
cache in ``mcp_key_cache.py``, the gate in ``mcp_key_gate.py``.

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
7. ``_mcp_env``: the key user's environment (companies, lang, tz), with
   the companies' ``parent_path`` in its cache (``_cache_company_paths``).

``_check_batch_budget`` (``mcp_key_gate.py``) is the rate limit of a JSON-RPC batch.

A key in the worker's cache costs one statement (the gate). The cache lives
in Odoo's ``default`` ormcache, so it lives exactly as long as Odoo's own
caches of users and companies (``context_get``, ``_get_company_ids``):

* every change of what the key-state query reads clears it through
  ``_invalidate_key_states``: key fields (``write``/``unlink`` of
  ``mcp_key_cache.py``) and the user, contact and company fields in
  ``KEY_STATE_FIELDS`` (the overrides in
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
import logging
from datetime import timedelta

from odoo import api, fields, models

from ..protocol import oauth
from ..protocol.errors import Unauthorized
from .mcp_api_key import INDEX_SIZE, MSG_INVALID_KEY, TOKEN_PREFIX, TOKEN_RE
from .mcp_key_cache import ENV_COLUMNS, entry_usable, key_by_id, resource_usable
from .mcp_key_gate import LAST_USED_INTERVAL, Rider  # noqa: F401 - Rider: the transport imports it from here
from .mcp_oauth_token import ACCESS_TOKEN_RE
from .ormcache_hit import cached as ormcache_hit

_logger = logging.getLogger(__name__)


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
        states = ormcache_hit(self, "_key_states")

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
        key = self.sudo().browse(key_id)
        # the guard asks the scope of every key (tools/list, write tools): no
        # query for it, the cached state is as fresh as its revocation check
        scope_field = key._fields["scope"]
        if not key.env.cache.contains(key, scope_field):  # a value (a pending write) already there wins
            key.env.cache.set(key, scope_field, entry["scope"])
        return key, entry["facts"]

    def _mcp_env(self, env, facts=None):
        """Return ``env`` switched to this key's user (never superuser), with
        ``allowed_company_ids`` limited to the key's companies (the user's
        main company first when allowed) and the user's lang/tz (``UTC``
        for a user without one).

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
        # a user without a time zone is in UTC for Odoo: saying so here spares
        # every tool that reports the time zone a read of the user and contact
        context["tz"] = facts["tz"] or "UTC"
        user_env = env(user=facts["user_id"], su=False, context=context)
        self._cache_company_paths(user_env, company_ids, dict(zip(user_companies, facts["company_paths"])))
        return user_env

    @staticmethod
    def _cache_company_paths(env, company_ids, paths):
        """Put the ``parent_path`` of the companies ``company_ids`` (from
        ``paths``, ``{id: path}``) in ``env``'s cache, unless there already.

        Odoo's record rules with ``parent_of`` on companies (``res.partner``'s,
        for one) read them; otherwise their first read in the request would
        fetch every column of those companies (one statement and about
        0.4 ms of the request, more than the rest of the key check). A
        company's path is fixed when it is created: Odoo refuses to give a
        company another parent (``res.company.write``; a test pins it)."""
        companies = env["res.company"].browse(company_ids)
        field = companies._fields["parent_path"]
        cache = env.cache
        for company in companies:
            if not cache.contains(company, field):
                cache.set(company, field, paths[company.id])
