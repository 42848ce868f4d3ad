"""Tool argument validation (protocol/schema_check.py): the compiled quick
check never accepts what jsonschema refuses, and the problems reported are
jsonschema's, for every built-in tool's input schema (plain pytest)."""
import jsonschema
import pytest

from odoo.addons.mcp_bridge.protocol import schema_check
from odoo.addons.mcp_bridge.tools import registry

CANDIDATES = [None, True, False, 0, 1, -1, 7, 2.0, 1.5, "", "x", "res.partner", [], ["x"], [""], [1], [0], [True],
              [1, 2], [[1]], {}, {"a": 1}, {"name": "x"}]
TOOLS = registry.default_tools()


def reference(schema, instance):
    """What the dispatcher answered before the quick check: jsonschema's problems."""
    validator = jsonschema.Draft202012Validator(schema)
    return [f"{'/'.join(str(p) for p in e.path) or 'arguments'}: {e.message}"
            for e in sorted(validator.iter_errors(instance), key=lambda e: list(e.path))[:5]]


def instances(schema):
    """Arguments around a valid call: each property set to each candidate
    value (and its enum values), a required one missing, an unknown one."""
    properties = schema.get("properties", {})
    validator = jsonschema.Draft202012Validator(schema)
    base = {}
    for name in schema.get("required", []):
        sub = jsonschema.Draft202012Validator(properties.get(name, {}))
        base[name] = next((value for value in CANDIDATES + list(properties.get(name, {}).get("enum", []))
                           if sub.is_valid(value)), "x")
    yield dict(base)
    yield dict(base, unknown_argument=1)
    for name in base:
        yield {k: v for k, v in base.items() if k != name}
    for name, sub in properties.items():
        for value in CANDIDATES + list(sub.get("enum", [])) + [[item] for item in sub.get("items", {}).get("enum", [])]:
            yield dict(base, **{name: value})
    assert validator.is_valid(base) or not properties


@pytest.mark.parametrize("tool", TOOLS, ids=[tool.name for tool in TOOLS])
def test_quick_check_agrees_with_jsonschema(tool):
    schema = tool.input_schema
    check = schema_check.compile_check(schema)
    assert check is not None, f"{tool.name}: its schema should compile (a keyword schema_check does not know?)"
    validator = jsonschema.Draft202012Validator(schema)
    accepted = 0
    for instance in instances(schema):
        if check(instance):
            accepted += 1
            assert validator.is_valid(instance), (tool.name, instance)
        assert schema_check.problems(schema, instance) == reference(schema, instance), (tool.name, instance)
    assert accepted, f"{tool.name}: the quick check accepted no valid call"


def test_refused_arguments_get_jsonschema_messages():
    schema = {"type": "object", "properties": {"limit": {"type": "integer", "minimum": 1}},
              "additionalProperties": False}
    assert schema_check.problems(schema, {"limit": 0}) == ["limit: 0 is less than the minimum of 1"]
    assert schema_check.problems(schema, {"limit": True}) == ["limit: True is not of type 'integer'"]
    assert schema_check.problems(schema, {"limit": 2.0}) == []  # an integer for JSON Schema: jsonschema decides
    assert schema_check.problems(schema, {"x": 1}) == [
        "arguments: Additional properties are not allowed ('x' was unexpected)"]


@pytest.mark.parametrize("schema", [
    {"type": "object", "patternProperties": {"^a": {"type": "string"}}},
    {"anyOf": [{"type": "string"}, {"type": "integer"}]},
    {"type": "array", "items": [{"type": "string"}]},
    {"type": "string", "pattern": "^a"},
])
def test_schemas_with_other_keywords_are_left_to_jsonschema(schema):
    assert schema_check.compile_check(schema) is None
    assert schema_check.problems(schema, 5 if "pattern" in schema else "b") == reference(
        schema, 5 if "pattern" in schema else "b")
