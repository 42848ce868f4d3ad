# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The write fence: no write tool call changes a protected table, not even
as a side effect.

The guard checks what an agent *asks for*; what Odoo then does may reach
further: ``res.company.create`` links its creator and the superuser to the
new company and to ``base.group_multi_company``, activating a second currency
adds every employee to ``base.group_multi_currency``, a public method may
install modules. The fence checks what the transaction *did*: PostgreSQL
counts, per table and per transaction, the rows inserted, updated and
deleted (``pg_stat_get_xact_tuples_*``; counts of live and of rolled-back
subtransactions included, so they only grow while a transaction runs). One
statement reads the counters of the protected tables before the tool runs,
one after (the ORM flushed); any difference and the tool's savepoint is
rolled back and the call refused.

Raw SQL, ORM overrides, ``sudo()`` in business code: whatever writes the
table is counted. Not seen: writes through another cursor (another
transaction), which an agent-reachable method should not do anyway.
"""
import contextlib

from odoo import api, models, tools
from odoo.tools import SQL

from ..protocol.errors import McpAccessDenied
from .mcp_guard_rules import FENCED_MODELS, MSG_SIDE_EFFECT


class McpWriteFence(models.AbstractModel):
    _name = "mcp.write.fence"
    _description = "MCP write fence (protected tables)"

    @api.model
    def _fenced_models(self):
        """Names of the models whose tables no write call may change
        (``FENCED_MODELS``). Extension point: extend, never shrink."""
        return FENCED_MODELS

    @api.model
    @tools.ormcache()
    def _fenced_tables(self):
        """``((oid, table, model name), ...)`` of the protected tables that
        exist: the table of each installed fenced model and the stored
        many2many relation tables declared by its own (not ``_inherits``)
        fields, in the order of ``_fenced_models`` (the first model
        declaring a table names it). Cached per registry: installing a module
        builds a new registry, hence a new list."""
        owners = {}
        for model_name in self._fenced_models():
            model_cls = self.env.registry.get(model_name)
            if model_cls is None or model_cls._abstract:
                continue
            owners.setdefault(model_cls._table, model_name)
            for field in model_cls._fields.values():
                if field.type == "many2many" and field.store and not field.inherited and field.relation:
                    owners.setdefault(field.relation, model_name)
        names = list(owners)
        self.env.cr.execute(SQL(
            """SELECT c.oid, c.relname
                 FROM unnest(%s::text[]) WITH ORDINALITY AS t(name, position)
                 JOIN pg_class c ON c.relname = t.name
                                AND c.relnamespace = current_schema()::regnamespace
                                AND c.relkind IN ('r', 'p')
             ORDER BY t.position""", names))
        return tuple((oid, table, owners[table]) for oid, table in self.env.cr.fetchall())

    @api.model
    def _counters(self, oids):
        """Rows of each table of ``oids`` this transaction inserted, updated
        or deleted so far (one number per table, in the order of ``oids``).
        Only differences mean something: PostgreSQL may still hold counts
        of this connection's earlier transactions."""
        self.env.cr.execute(SQL(
            """SELECT array_agg(pg_stat_get_xact_tuples_inserted(t.oid) + pg_stat_get_xact_tuples_updated(t.oid)
                                + pg_stat_get_xact_tuples_deleted(t.oid) ORDER BY t.position)
                 FROM unnest(%s::oid[]) WITH ORDINALITY AS t(oid, position)""", list(oids)))
        return self.env.cr.fetchone()[0] or []

    @contextlib.contextmanager
    def watch(self, operation):
        """Context manager around one tool run inside its savepoint: for a
        tool whose ``operation`` is not ``"read"``, raise ``McpAccessDenied``
        (data.reason ``side_effect``, data.model the protected model) when
        the run changed a protected table, so that the savepoint rolls back.
        Read tools are not watched (no cost)."""
        if operation == "read":
            yield
            return
        tables = self._fenced_tables()
        oids = [oid for oid, _table, _model in tables]
        before = self._counters(oids)
        yield
        self.env.cr.flush()  # pending ORM writes and precommit hooks reach the tables now
        after = self._counters(oids)
        if after != before:
            _oid, _table, model_name = next(
                entry for entry, old, new in zip(tables, before, after) if old != new)
            raise McpAccessDenied(self.env._(MSG_SIDE_EFFECT, model=model_name),
                               data={"model": model_name, "reason": "side_effect"})
