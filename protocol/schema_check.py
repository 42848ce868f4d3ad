"""Validation of tool arguments against a tool's ``inputSchema`` (JSON Schema
2020-12): a quick yes for valid arguments, and jsonschema's own messages
for the others.

``jsonschema`` walks its validator objects for every keyword of every value
(some 60 µs for ``search_read``'s arguments). Most calls are valid, so each
schema is also compiled once into a plain Python check of the keywords the
tools use (:func:`compile_check`). The check is strict: it says *valid* only
when the schema's rules certainly hold (anything it is unsure about, e.g. an
integer sent as ``2.0``, goes to jsonschema), and a schema with a keyword it
does not know gets no check at all. Whatever the check does not accept,
jsonschema decides and words: the verdict and the messages are jsonschema's.
"""
import jsonschema

#: Keywords that only describe (no validation).
ANNOTATIONS = frozenset({"description", "default", "title", "examples", "$comment", "deprecated",
                         "readOnly", "writeOnly"})
#: Keywords :func:`compile_check` compiles (others: no fast check for the schema).
KEYWORDS = frozenset({"type", "properties", "additionalProperties", "required", "items", "enum", "minLength",
                      "maxLength", "minimum", "maximum", "minItems", "maxItems", "minProperties",
                      "maxProperties"})
#: Exact Python types of each JSON type (bool is not a number; floats are
#: not checked as integers: jsonschema decides those).
TYPES = {"string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,), "array": (list,),
         "object": (dict,), "null": (type(None),)}
#: Most problems reported for one call.
MAX_PROBLEMS = 5


class _Unsupported(Exception):
    """The schema uses something :func:`compile_check` does not compile."""


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _type_check(names):
    names = [names] if isinstance(names, str) else names
    if not isinstance(names, list) or any(name not in TYPES for name in names):
        raise _Unsupported
    types = tuple({t for name in names for t in TYPES[name]})
    allow_bool = "boolean" in names
    if allow_bool:
        return lambda value: isinstance(value, types)
    return lambda value: isinstance(value, types) and not isinstance(value, bool)


def compile_check(schema):
    """A function ``check(value) -> bool`` that is True only when ``value``
    is valid for ``schema``; ``None`` when the schema uses a keyword or form
    this module does not compile."""
    try:
        return _compile(schema)
    except _Unsupported:
        return None


def _compile(schema):  # noqa: C901 - one branch per keyword
    if schema is True or schema == {}:
        return lambda value: True
    if not isinstance(schema, dict):
        raise _Unsupported
    unknown = set(schema) - KEYWORDS - ANNOTATIONS
    if unknown:
        raise _Unsupported
    checks = []
    if "type" in schema:
        checks.append(_type_check(schema["type"]))
    if "enum" in schema:
        allowed = schema["enum"]
        if not isinstance(allowed, list):
            raise _Unsupported
        checks.append(lambda value: any(type(value) is type(item) and value == item for item in allowed))
    for keyword, test in (("minLength", lambda value, n: len(value) >= n),
                          ("maxLength", lambda value, n: len(value) <= n)):
        if keyword in schema:
            bound = schema[keyword]
            checks.append(lambda value, bound=bound, test=test: not isinstance(value, str) or test(value, bound))
    for keyword, test in (("minimum", lambda value, n: value >= n), ("maximum", lambda value, n: value <= n)):
        if keyword in schema:
            bound = schema[keyword]
            if not _is_number(bound):
                raise _Unsupported
            checks.append(lambda value, bound=bound, test=test: not _is_number(value) or test(value, bound))
    for keyword, kind, test in (("minItems", list, lambda value, n: len(value) >= n),
                                ("maxItems", list, lambda value, n: len(value) <= n),
                                ("minProperties", dict, lambda value, n: len(value) >= n),
                                ("maxProperties", dict, lambda value, n: len(value) <= n)):
        if keyword in schema:
            bound = schema[keyword]
            checks.append(lambda value, bound=bound, kind=kind, test=test:
                          not isinstance(value, kind) or test(value, bound))
    if "items" in schema:
        item_check = _compile(schema["items"])  # 2020-12: one schema for every item
        checks.append(lambda value: not isinstance(value, list) or all(item_check(item) for item in value))
    if {"properties", "additionalProperties", "required"} & set(schema):
        checks.append(_object_check(schema))
    if not checks:
        return lambda value: True
    if len(checks) == 1:
        return checks[0]
    return lambda value: all(check(value) for check in checks)


def _object_check(schema):
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    additional = schema.get("additionalProperties", True)
    if not isinstance(properties, dict) or not isinstance(required, list):
        raise _Unsupported
    property_checks = {name: _compile(sub) for name, sub in properties.items()}
    if additional is True:
        additional_check = None
    elif additional is False:
        additional_check = False
    else:
        additional_check = _compile(additional)

    def check(value):
        if not isinstance(value, dict):
            return True
        for name in required:
            if name not in value:
                return False
        for name, item in value.items():
            property_check = property_checks.get(name)
            if property_check is not None:
                if not property_check(item):
                    return False
            elif additional_check is False or (additional_check is not None and not additional_check(item)):
                return False
        return True
    return check


_compiled = {}


def _entry(schema):
    """``(schema, fast check or None, jsonschema validator)``, cached per schema object."""
    entry = _compiled.get(id(schema))
    if entry is None or entry[0] is not schema:
        entry = _compiled[id(schema)] = (schema, compile_check(schema), jsonschema.Draft202012Validator(schema))
    return entry


def problems(schema, instance):
    """Up to :data:`MAX_PROBLEMS` readable problems of ``instance`` against
    ``schema`` (``"path: message"``, jsonschema's wording); ``[]`` when valid."""
    _schema, check, validator = _entry(schema)
    if check is not None and check(instance):
        return []
    found = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.path))[:MAX_PROBLEMS]:
        where = "/".join(str(p) for p in error.path) or "arguments"
        found.append(f"{where}: {error.message}")
    return found
