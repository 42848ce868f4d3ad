# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Shared fixtures of the security-layer tests (reusable by other tests).

``McpSecurityCase`` gives:
- ``company_a`` (the main company) and ``company_b``;
- ``user_a`` (internal user of company A, Contact Creation rights),
  ``user_b`` (internal user of company B), ``user_ab`` (both companies),
  ``user_portal`` (portal user: almost no ACL);
- keys with their plaintext tokens: ``key_read``/``token_read`` (user_a,
  read-only), ``key_write``/``token_write`` (user_a, read-write),
  ``key_ab``/``token_ab`` (user_ab, read-write, all its companies);
- helpers ``make_key``, ``guard_for(key)``, ``set_setting``, ``add_rule``.

The registry is put in test mode, so the layer's "own cursor" writes
(counters, audit rows) go through the test transaction and are rolled back
with it.
"""
from odoo.tests import TransactionCase, new_test_user


TEST_IP = "203.0.113.7"


class McpSecurityCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.registry.in_test_mode():
            cls.registry.enter_test_mode(cls.cr)
            cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.company_a = cls.env.ref("base.main_company")
        cls.company_b = cls.env["res.company"].create({"name": "MCP Company B"})
        cls.user_a = new_test_user(
            cls.env, login="mcp_user_a", groups="base.group_user,base.group_partner_manager",
            company_id=cls.company_a.id, company_ids=[(6, 0, cls.company_a.ids)])
        cls.user_b = new_test_user(
            cls.env, login="mcp_user_b", groups="base.group_user,base.group_partner_manager",
            company_id=cls.company_b.id, company_ids=[(6, 0, cls.company_b.ids)])
        cls.user_ab = new_test_user(
            cls.env, login="mcp_user_ab", groups="base.group_user,base.group_partner_manager,base.group_multi_company",
            company_id=cls.company_a.id, company_ids=[(6, 0, (cls.company_a | cls.company_b).ids)])
        cls.user_portal = new_test_user(cls.env, login="mcp_user_portal", groups="base.group_portal")
        cls.user_plain = new_test_user(cls.env, login="mcp_user_plain", groups="base.group_user")
        cls.key_read, cls.token_read = cls.make_key(name="read key", user_id=cls.user_a.id, scope="read")
        cls.key_write, cls.token_write = cls.make_key(name="write key", user_id=cls.user_a.id, scope="write")
        cls.key_ab, cls.token_ab = cls.make_key(name="ab key", user_id=cls.user_ab.id, scope="write")

    @classmethod
    def make_key(cls, **vals):
        """Create a key as the admin; return ``(key, token)``."""
        vals.setdefault("name", "test key")
        vals.setdefault("user_id", cls.user_a.id)
        return cls.env["mcp.api.key"]._generate_key(vals)

    @classmethod
    def set_setting(cls, name, value):
        """Store the raw ``ir.config_parameter`` of setting ``name``."""
        cls.env["ir.config_parameter"].sudo().set_param("mcp_bridge." + name, str(value))

    @classmethod
    def add_rule(cls, model_name, read=True, create=False, write=False, unlink=False, methods=False):
        """Create an ``mcp.model.access`` rule for ``model_name`` (``methods``:
        its *Allowed Methods* text)."""
        return cls.env["mcp.model.access"].create({
            "model_id": cls.env["ir.model"]._get_id(model_name),
            "perm_read": read, "perm_create": create, "perm_write": write, "perm_unlink": unlink,
            "allowed_methods": methods,
        })

    def mcp_env(self, key):
        """The environment a tool gets for ``key`` (the key's user)."""
        return key._mcp_env(self.env)

    def guard_for(self, key):
        """``mcp.guard`` on the key user's environment."""
        return self.mcp_env(key)["mcp.guard"]
