# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The per-worker cache of API-key states (see ``mcp_key_check.py``, steps
2 and 6): the key-state query and the fields it reads, the cache entries,
and how a key is found (by token index, or behind an OAuth access token),
cached from a fresh cursor and forgotten (``_invalidate_key_states``: key
writes here, the user, contact and company overrides in ``res_users.py``,
``res_partner.py``, ``res_company.py``)."""
import hmac
import logging
from datetime import datetime

import psycopg2
from odoo import api, models, tools
from odoo.tools import SQL

from ..protocol import oauth
from .mcp_api_key import ip_allowed, parse_networks, token_digest

_logger = logging.getLogger(__name__)

# ----------------------------------------------------------------------
# The key state: the query, the fields it reads, the cache entries
# ----------------------------------------------------------------------
#: Key fields whose change clears the cache (``McpKeyCache.write``).
CACHED_KEY_FIELDS = frozenset((
    "user_id", "active", "expiry_date", "allowed_ips", "company_ids", "revoked_at",
    "key_index", "key_digest", "previous_key_index", "previous_key_digest", "previous_valid_until",
    "scope",
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
                 "last_used_at", "user_id", "company_id", "lang", "tz", "user_companies", "key_companies", "scope",
                 "company_paths")
#: The part of that state ``_mcp_env`` needs.
ENV_COLUMNS = ("user_id", "company_id", "lang", "tz", "user_companies", "key_companies", "company_paths")
#: The user's active companies, by id (the rows of ``user_companies`` and,
#: in the same order, ``company_paths``).
USER_COMPANIES = SQL("""
    FROM res_company_users_rel r JOIN res_company c ON c.id = r.cid AND c.active
   WHERE r.user_id = u.id ORDER BY r.cid""")


def key_state_query(where):
    """The state of the keys matching ``where`` (an ``SQL`` condition on
    ``k``, see ``key_by_id``/``key_by_index``) with their user's (active
    companies only, like Odoo's ``res.users._get_company_ids``): the
    columns ``(id, key_index, key_digest, previous_key_index,
    previous_key_digest, *STATE_COLUMNS)``. ``company_paths``: the
    ``parent_path`` of each of those companies, which Odoo's record rules
    with ``parent_of`` on companies read (e.g. ``res.partner``'s)."""
    return SQL("""
        SELECT k.id, k.key_index, k.key_digest, k.previous_key_index, k.previous_key_digest,
               k.previous_valid_until, k.active, k.revoked_at, k.expiry_date, k.allowed_ips, u.active,
               (SELECT used_at FROM mcp_key_usage WHERE key_id = k.id),
               k.user_id, u.company_id, p.lang, p.tz,
               ARRAY(SELECT r.cid %s),
               ARRAY(SELECT company_id FROM mcp_api_key_res_company_rel WHERE key_id = k.id),
               k.scope,
               ARRAY(SELECT c.parent_path %s)
          FROM mcp_api_key k
          JOIN res_users u ON u.id = k.user_id
          JOIN res_partner p ON p.id = u.partner_id
         WHERE %s
    """, USER_COMPANIES, USER_COMPANIES, where)


def key_by_id(key_id):
    """``key_state_query`` condition: the key ``key_id``."""
    return SQL("k.id = %s", key_id)


def key_by_index(index):
    """``key_state_query`` condition: the keys whose current or previous
    token has the lookup ``index``."""
    return SQL("k.key_index = %s OR k.previous_key_index = %s", index, index)


class KeyStates(dict):
    """The cache: ``{token digest: entry}`` (see ``state_entry``), with the
    HMAC key of the digests (one cache lookup per request for both), the
    rate-limit bounds of ``mcp.api.key._gate`` (``{key id: (count, newest
    audit id)}``) and the view of the addresses locked out (a
    ``LockoutView`` of ``mcp_lockout_view.py``, or None)."""
    __slots__ = ("digest_key", "rate_bounds", "lockouts")

    def __init__(self, digest_key):
        super().__init__()
        self.digest_key = digest_key
        self.rate_bounds = {}
        self.lockouts = None

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
        "scope": state["scope"],
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



class McpKeyCache(models.Model):
    _inherit = "mcp.api.key"

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
