"""Resource subscriptions of MCP sessions (``resources/subscribe``).

A row per (session, URI). ``odoo://record/{model}/{id}`` subscriptions name
their record (``res_model``/``res_id``): any ORM ``write``/``unlink`` of it
(``models/base.py``) queues ``notifications/resources/updated`` for the
session's stream in the writing transaction itself — a rolled-back write (or
savepoint) queues nothing, and PostgreSQL delivers the NOTIFY at commit to
whichever worker or server holds the stream. The stream re-checks, when it
delivers, that the session's key user may still read the record
(:meth:`McpSubscription._deliverable`). Other addons' URIs are notified by
their addon: ``env["mcp.subscription"]._notify_uri(uri)``.

Which models have subscriptions is cached per registry (one set, cleared on
every worker through Odoo's cache signaling when subscriptions come and go),
so a write of a model nobody watches costs a set lookup.
"""
import json

from odoo import api, fields, models, tools

NOTIFICATION = "notifications/resources/updated"
NOTIFY_CHANNEL = "mcp_bridge"  # models/mcp_session_message.py, services/streams.py


def updated_payload(uri):
    """The JSON text of ``notifications/resources/updated`` for ``uri``."""
    return json.dumps({"jsonrpc": "2.0", "method": NOTIFICATION, "params": {"uri": uri}}, separators=(",", ":"))


class McpSubscription(models.Model):
    _name = "mcp.subscription"
    _description = "MCP Resource Subscription"
    _order = "id"
    _log_access = False

    session_id = fields.Many2one("mcp.session", required=True, ondelete="cascade", index=True, readonly=True)
    uri = fields.Char(required=True, readonly=True)
    res_model = fields.Char("Model", index=True, readonly=True)
    res_id = fields.Integer("Record ID", readonly=True)
    create_date = fields.Datetime(default=fields.Datetime.now, readonly=True)

    _sql_constraints = [
        ("session_uri_unique", "unique(session_id, uri)", "A session subscribes to a URI once."),
    ]

    @api.model
    @tools.ormcache()
    def _subscribed_models(self):
        """Names of the models some session has a record subscription on
        (a frozenset, cached per registry); empty while the table does not
        exist (the module being uninstalled: its tables are dropped before
        the registry is reloaded)."""
        self.env.cr.execute("SELECT to_regclass('mcp_subscription') IS NOT NULL")
        if not self.env.cr.fetchone()[0]:
            return frozenset()
        self.env.cr.execute("SELECT DISTINCT res_model FROM mcp_subscription WHERE res_model IS NOT NULL")
        return frozenset(row[0] for row in self.env.cr.fetchall())

    def _models_changed(self):
        """Forget :meth:`_subscribed_models` in every worker and server (Odoo
        signals the cleared cache at the end of the request), again after
        the commit: a request of this process may have refilled it in
        between from what it could see."""
        self.env.registry.clear_cache()
        self.env.cr.postcommit.add(self.env.registry.clear_cache)

    @api.model
    def _subscribe(self, session, uri, res_model=None, res_id=None, limit=None):
        """Subscribe ``session`` to ``uri`` (idempotent). ``limit``: most
        subscriptions a session may hold; ``False`` when it holds as many
        already (and not this one)."""
        subs = self.sudo()
        if subs.search_count([("session_id", "=", session.id), ("uri", "=", uri)], limit=1):
            return True
        if limit and subs.search_count([("session_id", "=", session.id)]) >= limit:
            return False
        subs.create({"session_id": session.id, "uri": uri, "res_model": res_model, "res_id": res_id})
        if res_model and res_model not in self._subscribed_models():
            self._models_changed()
        return True

    @api.model
    def _unsubscribe(self, session, uri):
        """End ``session``'s subscription to ``uri`` (none: nothing to do)."""
        subs = self.sudo().search([("session_id", "=", session.id), ("uri", "=", uri)])
        res_models = set(subs.filtered("res_model").mapped("res_model"))
        subs.unlink()
        if res_models and not self.sudo().search_count([("res_model", "in", list(res_models))], limit=1):
            self._models_changed()

    @api.model
    def _queue_record_updates(self, model_name, ids):
        """Queue ``resources/updated`` for the sessions subscribed to records
        ``ids`` of ``model_name`` (once per session and URI until delivered),
        and NOTIFY their streams. In the caller's transaction."""
        cr = self.env.cr
        cr.execute("""
            INSERT INTO mcp_session_message (session_id, payload, res_model, res_id, create_date)
            SELECT s.session_id, json_build_object(
                       'jsonrpc', '2.0', 'method', %(method)s, 'params', json_build_object('uri', s.uri))::text,
                   s.res_model, s.res_id, now() at time zone 'UTC'
              FROM mcp_subscription s
             WHERE s.res_model = %(model)s AND s.res_id = ANY(%(ids)s)
               AND NOT EXISTS (SELECT 1 FROM mcp_session_message m
                                WHERE m.session_id = s.session_id AND m.res_model = s.res_model
                                  AND m.res_id = s.res_id)
            RETURNING session_id
        """, {"method": NOTIFICATION, "model": model_name, "ids": list(ids)})
        self._notify_sessions({row[0] for row in cr.fetchall()})

    @api.model
    def _notify_uri(self, uri):
        """Queue ``resources/updated`` of ``uri`` for every session subscribed
        to it (for addons serving their own URIs through
        ``mcp.server._mcp_subscribable``), in the caller's transaction."""
        self.env.cr.execute("""
            INSERT INTO mcp_session_message (session_id, payload, create_date)
            SELECT session_id, %s, now() at time zone 'UTC' FROM mcp_subscription WHERE uri = %s
            RETURNING session_id
        """, (updated_payload(uri), uri))
        self._notify_sessions({row[0] for row in self.env.cr.fetchall()})

    def _notify_sessions(self, session_ids):
        for session_id in sorted(session_ids):
            self.env.cr.execute("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, str(session_id)))

    @api.model
    def _deliverable(self, session_pk, res_model, res_id):
        """Whether a ``resources/updated`` of record ``res_id`` of
        ``res_model`` may still go to session ``session_pk``: its key may
        read the model (guard: blocked names, scope, model-access rules,
        ACLs) and its user the record (record rules, the key's companies).
        A deleted record is delivered (the client finds it gone)."""
        session = self.env["mcp.session"].sudo().browse(session_pk)
        key = session.key_id
        if not key or res_model not in self.env:
            return False
        if not self.env[res_model].sudo().browse(res_id).exists():
            return True
        user_env = key._mcp_env(self.env)
        guard = user_env["mcp.guard"]
        if guard.unreadable_models(key, [res_model]):
            return False
        return bool(guard.readable_ids(res_model, [res_id]))
