"""Shared fixtures of the tool tests: a demo user, its key, and a helper that
runs a tool as that user and validates the result against the tool's
output schema (not a test module itself)."""
import json

import jsonschema

from odoo.tests import TransactionCase, new_test_user

from ..protocol.errors import AccessDenied, ToolError
from ..tools.base import ToolCall
from ..tools.registry import default_tools, find_tool

#: Models the stand-in guard refuses, like the real blocklist does.
STANDIN_BLOCKED = {"res.users", "res.groups", "ir.rule", "ir.model.access", "ir.config_parameter",
                   "ir.cron", "ir.ui.view", "ir.attachment", "ir.model.data", "res.users.apikeys"}


class StandInGuard:
    """Permissive stand-in of ``mcp.guard`` (used only while the real guard
    is not installed): unknown models are ToolErrors, a few blocked models
    AccessDenied, everything else passes."""

    def __init__(self, env):
        self.env = env

    def check_model(self, model_name, operation, key):
        if model_name not in self.env:
            raise ToolError("Unknown model %r" % model_name)
        if model_name in STANDIN_BLOCKED:
            raise AccessDenied("Model %s is blocked" % model_name, data={"model": model_name})
        return self.env[model_name]

    def check_fields(self, model_name, fields, key):
        model = self.env[model_name]
        for path in fields:
            current = model
            for part in path.split("."):
                field = current._fields.get(part)
                if field is None:
                    raise ToolError("Unknown field %r" % part)
                if field.relational:
                    if field.comodel_name in STANDIN_BLOCKED:
                        raise AccessDenied("Field %s reaches a blocked model" % part)
                    current = self.env[field.comodel_name]
        return list(fields)

    def check_domain(self, model_name, domain, key):
        self.check_fields(model_name, [leaf[0] for leaf in domain if isinstance(leaf, (list, tuple))], key)
        return list(domain)

    def check_order(self, model_name, order, key):
        return order

    def check_groupby(self, model_name, groupby, key):
        self.check_fields(model_name, [spec.split(":")[0] for spec in groupby], key)
        return list(groupby)

    def check_method(self, model_name, method, key, args=None, kwargs=None):
        if method.startswith("_") or method in ("unlink", "write", "create", "sudo", "read"):
            raise AccessDenied("Method %s is blocked" % method)
        return self.check_model(model_name, "write", key)

    def allowed_models(self, key, operation="read"):
        access = self.env["ir.model.access"]
        return sorted(
            name for name, model in self.env.registry.items()
            if not model._abstract and name not in STANDIN_BLOCKED
            and access.check(name, operation, raise_exception=False)
        )

    def sanitize_context(self, context, key):
        return {k: v for k, v in (context or {}).items() if k in ("lang", "tz", "active_test")}


class ToolsCase(TransactionCase):
    """Runs tools as an internal user (Contact Creation rights) with a read-write key."""

    settings = {"max_records": 100}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env, login="mcp_tools_user", name="MCP Tools User",
            groups="base.group_user,base.group_partner_manager", tz="Europe/Brussels")
        cls.key = None
        if "mcp.api.key" in cls.env:
            cls.key, _token = cls.env["mcp.api.key"]._generate_key(
                {"name": "tools tests", "user_id": cls.user.id, "scope": "write"})
        cls.uenv = cls.env(user=cls.user)

    def guard(self, env=None):
        env = env or self.uenv
        if "mcp.guard" in env.registry:
            return env["mcp.guard"]
        return StandInGuard(env)

    def make_call(self, arguments, settings=None, env=None):
        env = env or self.uenv
        return ToolCall(env=env, key=self.key, guard=self.guard(env),
                        settings=dict(self.settings, **(settings or {})),
                        arguments=arguments, revision="2025-06-18")

    def tool(self, name):
        tool = find_tool(default_tools(), name)
        self.assertIsNotNone(tool, name)
        return tool

    def run_tool(self, name, arguments, settings=None, env=None, check_input=True):
        """Run tool ``name``; assert arguments and result match its schemas."""
        tool = self.tool(name)
        if check_input:
            jsonschema.Draft202012Validator(tool.input_schema).validate(arguments)
        result = tool.run(self.make_call(arguments, settings, env))
        jsonschema.Draft202012Validator(tool.output_schema).validate(result)
        self.assertEqual(json.loads(json.dumps(result)), result, "result must be plain JSON")
        return result

    def assertToolError(self, name, arguments, *fragments, settings=None, exception=ToolError):
        """Running ``name`` raises ``exception`` whose message holds every fragment."""
        with self.assertRaises(exception) as caught:
            self.tool(name).run(self.make_call(arguments, settings))
        message = getattr(caught.exception, "message", None) or str(caught.exception)
        for fragment in fragments:
            self.assertIn(fragment, message)
        return caught.exception
