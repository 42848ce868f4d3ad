# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Per-worker cache of the state of API keys that authenticated a request.

A request whose token is in the cache reads no key, user or company row:
its key check is one statement on the lockout and rate-limit tables. The
cache is a dict held in Odoo's ``default`` ormcache, so it lives exactly as
long as Odoo's own caches of users and companies (``context_get``,
``_get_company_ids``, the session token):

* every change that matters clears it — key fields (``mcp.api.key.write``
  and ``unlink``), users' ``active``/``company_id``/``company_ids``/``lang``/
  ``tz`` (Odoo's ``res.users.write`` already clears its caches for them),
  partners' ``lang``/``tz`` (``res_partner.py``), companies' ``active``
  (Odoo's ``res.company.write``);
* other workers and servers drop theirs through Odoo's cache signalling,
  which every request checks before it starts;
* the clear is done again after the commit, and entries are filled from a
  fresh cursor opened after the dict was taken: a thread of the same worker
  can never cache a state read from a snapshot older than a revocation.

Only keys whose token matched and that were usable are cached (at most two
entries per key: its current and its previous token), so unknown tokens
cannot grow it. Expiry, the rotation grace period and the IP whitelist are
checked on every request against the cached values.
"""
import hmac
import logging
from datetime import datetime

import psycopg2

from odoo import api, models, tools

from .mcp_api_key import ip_allowed, parse_networks, token_digest

_logger = logging.getLogger(__name__)

#: Key fields whose change clears the cache (``mcp.api.key.write``).
CACHED_KEY_FIELDS = frozenset((
    "user_id", "active", "expiry_date", "allowed_ips", "company_ids", "revoked_at",
    "key_index", "key_digest", "previous_key_index", "previous_key_digest", "previous_valid_until",
))

#: Columns of ``KEY_STATE_QUERY`` after the key id and its matching columns.
STATE_COLUMNS = ("previous_valid_until", "active", "revoked_at", "expiry_date", "allowed_ips", "user_active",
                 "last_used_at", "user_id", "company_id", "lang", "tz", "user_companies", "key_companies")
#: The part of that state ``_mcp_env`` needs.
ENV_COLUMNS = ("user_id", "company_id", "lang", "tz", "user_companies", "key_companies")

#: A key's state with its user's (active companies only, like Odoo's
#: ``res.users._get_company_ids``); ``{where}``: ``KEY_BY_ID`` or ``KEY_BY_INDEX``.
KEY_STATE_QUERY = """
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
     WHERE {where}
"""
KEY_BY_ID = "k.id = %(key)s"
KEY_BY_INDEX = "k.key_index = %(index)s OR k.previous_key_index = %(index)s"


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


def entry_usable(entry, ip, now):
    """Whether the key of cache ``entry`` may authenticate a request from
    ``ip`` at ``now`` (token and key not expired, IP whitelisted)."""
    if entry["valid_until"] is not None and entry["valid_until"] <= now:
        return False
    if entry["expiry_date"] and entry["expiry_date"] <= now:
        return False
    return entry["networks"] is None or ip_allowed(ip, entry["networks"])


class McpApiKeyCache(models.Model):
    _inherit = "mcp.api.key"

    @api.model
    @tools.ormcache()
    def _key_states(self):
        """The cache (a ``KeyStates``), new and empty after every clear of
        Odoo's ``default`` cache."""
        return KeyStates(self._digest_key())

    @api.model
    def _invalidate_key_states(self):
        """Forget every cached key state, in this worker now and again after
        the commit, in the other workers at their next request."""
        registry = self.env.registry
        registry.clear_cache()
        postcommit = self.env.cr.postcommit
        if not postcommit.data.get("mcp_key_states"):
            postcommit.data["mcp_key_states"] = True
            postcommit.add(registry.clear_cache)

    @api.model
    def _key_state_rows(self, cr, where, params):
        """Rows ``(key_id, index, digest, previous index, previous digest,
        state)`` of ``KEY_STATE_QUERY`` run on ``cr``; ``state`` is a dict of
        ``STATE_COLUMNS``. On the request cursor, pending ORM writes of the
        columns it reads are flushed first."""
        if cr is self.env.cr:
            self.env["mcp.api.key"].flush_model()
            self.env["res.users"].flush_model(["active", "company_id", "company_ids", "partner_id"])
            self.env["res.partner"].flush_model(["lang", "tz"])
            self.env["res.company"].flush_model(["active"])
        cr.execute(KEY_STATE_QUERY.format(where=where), params)
        return [(*row[:5], dict(zip(STATE_COLUMNS, row[5:]))) for row in cr.fetchall()]

    @api.model
    def _remember_key_state(self, states, index, digest, key_id):
        """Cache in ``states`` (a dict taken from ``_key_states`` before
        this call) the state of key ``key_id`` for the token with this lookup
        ``index`` and ``digest``, read from a fresh cursor: nothing older than
        the dict can enter it. Keys not usable, or not committed yet, are not
        cached."""
        try:
            with self.env.registry.cursor() as cr:
                rows = self._key_state_rows(cr, KEY_BY_ID, {"key": key_id})
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
