# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The dispatcher's side of asking the client (MRTR, DESIGN.md section 11):
the signed ``requestState`` of ``input_required`` results
(``protocol/input_required.py``) bound to the request's credential, method,
target and arguments. ``mcp.server._handle_message`` calls these."""
import time

from odoo import api, models

from ..protocol import input_required


class McpServer(models.AbstractModel):
    _inherit = "mcp.server"

    @api.model
    def _input_state_key(self):
        """The key ``requestState`` is signed with, derived from the
        database secret (never logged, never sent)."""
        return input_required.derive_key(self.env["ir.config_parameter"].sudo().get_param("database.secret"))

    @api.model
    def _input_binding(self, method, params, ctx):
        """What a ``requestState`` is bound to: the credential, the method,
        the tool/prompt name or resource URI, the arguments' digest."""
        target, arguments_digest = input_required.request_target(method, params)
        return {"k": ctx.key.id if ctx.key else 0, "m": method, "t": target, "a": arguments_digest}

    @api.model
    def _input_round(self, method, params, ctx):
        """The :class:`~..protocol.input_required.InputRound` of a request:
        its ``inputResponses`` and verified ``requestState`` (-32602 for a
        malformed one, or a state tampered with, expired, or minted for
        another key, method, tool or arguments)."""
        if params.get("requestState") is None:  # most calls: no key to derive, nothing to verify
            return input_required.InputRound(input_required.parse_responses(params))
        return input_required.InputRound.from_params(
            params, self._input_state_key(), self._input_binding(method, params, ctx), time.time())

    @api.model
    def _input_required_result(self, requests, method, params, ctx):
        """The ``input_required`` result asking ``requests``, with the signed
        state of the next round (answers so far, ``ctx.state``), valid for
        the ``input_state_ttl`` setting."""
        ttl = (ctx.settings or {}).get("input_state_ttl") or self._settings()["input_state_ttl"]
        payload = ctx.input_round.next_payload(self._input_binding(method, params, ctx), time.time() + ttl)
        return input_required.result(requests, input_required.sign(payload, self._input_state_key()))
