"""``resources/subscribe`` / ``resources/unsubscribe`` (the handshake
revisions; 2026-07-28 has neither). Subscriptions live in
``mcp.subscription``, per session; see ``models/mcp_subscription.py`` for how
updates reach the session's stream."""
from odoo import api, models

from ..protocol import errors
from ..tools import resources


class McpServer(models.AbstractModel):
    _inherit = "mcp.server"

    @api.model
    def _get_rpc_handlers(self):
        """JSON-RPC method name -> handler method name on this model."""
        return dict(super()._get_rpc_handlers(), **{
            "resources/subscribe": "_rpc_resources_subscribe",
            "resources/unsubscribe": "_rpc_resources_unsubscribe",
        })

    @api.model
    def _mcp_subscribable(self, ctx, uri):
        """Whether ``ctx``'s key may subscribe to ``uri``: the values of its
        ``mcp.subscription`` row (``{"res_model", "res_id"}`` for a record,
        whose ORM writes are then notified), or raise.

        ``odoo://record/{model}/{id}``: the guard checks the model for
        reading and the record must exist and be readable by the key's user
        (else ResourceNotFound, as ``resources/read``). Other addons accept
        their own URIs (return ``{}``) and call ``super()`` for the others;
        they notify with ``env["mcp.subscription"]._notify_uri(uri)``.
        """
        record = resources.record_ref(uri)
        if not record:
            if resources.uri_model(uri):
                raise errors.InvalidParams(
                    f"Only records can be subscribed to (odoo://record/{{model}}/{{id}}), not {uri}.")
            raise errors.ResourceNotFound(f"Unknown resource {uri}.", data={"uri": uri})
        model = ctx.guard.check_model(record[0], "read", ctx.key)
        if not ctx.guard.readable_ids(model._name, [record[1]]):  # missing and hidden look the same
            raise errors.ResourceNotFound(f"No {model._name} record with id {record[1]}.", data={"uri": uri})
        return {"res_model": model._name, "res_id": record[1]}

    def _subscription_uri(self, params, ctx, method):
        uri = params.get("uri")
        if not isinstance(uri, str) or not uri:
            raise errors.InvalidParams(f"{method} needs a uri string")
        if not ctx.session:
            raise errors.InvalidRequest(f"{method} needs a session (Mcp-Session-Id)")
        model = resources.uri_model(uri)
        if model:
            ctx.audit["model"] = model[:128]
        return uri

    def _rpc_resources_subscribe(self, params, ctx):
        uri = self._subscription_uri(params, ctx, "resources/subscribe")
        values = self._mcp_subscribable(ctx, uri)
        limit = self._settings()["max_subscriptions"]
        if not self.env["mcp.subscription"]._subscribe(ctx.session, uri, limit=limit, **values):
            raise errors.InvalidParams(
                f"This session has {limit} subscriptions, the most allowed: unsubscribe from one first.",
                data={"limit": limit})
        return {}

    def _rpc_resources_unsubscribe(self, params, ctx):
        uri = self._subscription_uri(params, ctx, "resources/unsubscribe")
        self.env["mcp.subscription"]._unsubscribe(ctx.session, uri)
        return {}
