# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""``auth="mcp_key"``: the authentication of MCP routes, in Odoo's own
``ir.http`` hooks (the way core's ``auth="bearer"`` and OCA ``auth_api_key``
do it).

For a ``type="mcp"`` route, ``_authenticate`` creates the request's exchange
(``_mcp_exchange``: the transport object, ``request.mcp_exchange``) and the
auth method runs its admission — server enabled, Origin, bearer API key —
then makes ``request.env`` the key user's environment (never superuser).
A refusal is an ``McpError``, answered by the routing type
(services/odoo_http.py) as a JSON-RPC error.
"""
from odoo import models
from odoo.http import request

from ..services.legacy_sse import LegacyExchange
from ..services.odoo_http import McpDispatcher
from ..services.transport import Exchange

#: ``mcp_transport`` of a route (controllers/main.py) → its exchange class.
EXCHANGES = {"streamable_http": Exchange, "legacy_sse": LegacyExchange}


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _mcp_exchange(cls, endpoint):
        """The exchange (services/transport.py) of a request to the MCP route
        ``endpoint``, built on an environment without user. Extension point:
        return a subclass of ``Exchange`` to change transport behaviour."""
        exchange_class = EXCHANGES[endpoint.routing.get("mcp_transport", "streamable_http")]
        return exchange_class(request.env, request.httprequest)

    @classmethod
    def _authenticate(cls, endpoint):
        """Create the exchange of an MCP route before its authentication."""
        if endpoint.routing.get("type") == McpDispatcher.routing_type:
            cls._auth_method_none()  # no user (a browser cookie's session is ignored) until the key says
            request.mcp_exchange = cls._mcp_exchange(endpoint)
        return super()._authenticate(endpoint)

    @classmethod
    def _authenticate_explicit(cls, auth):
        """Run ``auth="mcp_key"`` directly: Odoo's own version turns any
        exception of an auth method into a bare ``AccessDenied`` (an HTML
        403), where an MCP refusal must keep its JSON-RPC code, HTTP status
        and headers (401 + ``WWW-Authenticate``, 429 + ``Retry-After`` …).
        MCP routes use no browser session, so Odoo's session check is moot."""
        if auth == "mcp_key":
            return cls._auth_method_mcp_key()
        return super()._authenticate_explicit(auth)

    @classmethod
    def _auth_method_mcp_key(cls):
        """Admit the MCP request (``Exchange.admit``: server enabled, Origin,
        bearer API key) and switch ``request.env`` to the key's user, its
        allowed companies, lang and tz. Pre-flight (OPTIONS) and methods the
        endpoint does not serve need no key."""
        exchange = request.mcp_exchange
        exchange.admit()
        if exchange.user_env is not None:
            request.update_env(user=exchange.user_env.uid, context=exchange.user_env.context)
