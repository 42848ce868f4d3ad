"""MCP resources: model schemas and single records as JSON documents.

Templates: ``odoo://model/{model}`` (what get_model_schema returns) and
``odoo://record/{model}/{id}`` (what read returns for one id, default
fields). ``resources/list`` pages over the models the key may read. The
same guard checks as the tools apply. ``ctx`` is the request's
:class:`~.context.McpContext`.
"""
import json
import re

from ..protocol.errors import InvalidParams, ResourceNotFound
from .arguments import default_field_names
from .get_model_schema import model_schema
from .read import read_records

MIME = "application/json"
MODEL_TEMPLATE = "odoo://model/{model}"
RECORD_TEMPLATE = "odoo://record/{model}/{id}"
PAGE_SIZE = 100
_MODEL_URI = re.compile(r"^odoo://model/([A-Za-z0-9_.]+)$")
_RECORD_URI = re.compile(r"^odoo://record/([A-Za-z0-9_.]+)/([0-9]+)$")


def list_templates():
    """The ``resources/templates/list`` entries."""
    return [
        {
            "uriTemplate": MODEL_TEMPLATE,
            "name": "model_schema",
            "title": "Model schema",
            "description": "Fields of an Odoo model (types, labels, relations, selection values) as JSON. "
                           "Example: odoo://model/res.partner",
            "mimeType": MIME,
        },
        {
            "uriTemplate": RECORD_TEMPLATE,
            "name": "record",
            "title": "Record",
            "description": "One Odoo record (its main fields) as JSON. Example: odoo://record/res.partner/1",
            "mimeType": MIME,
        },
    ]


def model_uri(model_name):
    """URI of the schema resource of ``model_name``."""
    return "odoo://model/%s" % model_name


def record_uri(model_name, record_id):
    """URI of the record resource ``model_name`` / ``record_id``."""
    return "odoo://record/%s/%d" % (model_name, record_id)


def _page_size(ctx):
    value = (ctx.settings or {}).get("max_records") or PAGE_SIZE
    return max(1, min(int(value), PAGE_SIZE))


def list_resources(ctx, cursor=None):
    """One page of ``resources/list``: a schema resource per readable model.

    ``cursor`` is the opaque ``nextCursor`` of the previous page.
    """
    offset = 0
    if cursor not in (None, ""):
        if not isinstance(cursor, str) or not cursor.isdigit():
            raise InvalidParams("Invalid cursor %r: pass back the nextCursor of the previous page." % (cursor,))
        offset = int(cursor)
    names = [name for name in ctx.guard.allowed_models(ctx.key, "read") if name in ctx.env]
    size = _page_size(ctx)
    page = names[offset:offset + size]
    resources = []
    for name in page:
        description = ctx.env[name]._description or name
        resources.append({
            "uri": model_uri(name),
            "name": name,
            "title": description,
            "description": "Schema of %s (%s)" % (description, name),
            "mimeType": MIME,
        })
    result = {"resources": resources}
    if offset + size < len(names):
        result["nextCursor"] = str(offset + size)
    return result


def record_ref(uri):
    """``(model, id)`` of a record resource ``uri`` (None for any other URI)."""
    match = _RECORD_URI.match(uri) if isinstance(uri, str) else None
    return (match.group(1), int(match.group(2))) if match else None


def uri_model(uri):
    """The model named by a resource ``uri`` (None when it names none)."""
    match = _MODEL_URI.match(uri) or _RECORD_URI.match(uri)
    return match.group(1) if match else None


def read_resource(ctx, uri):
    """``resources/read`` of ``uri``: ``{"contents": [{uri, mimeType, text}]}``.

    Raises ResourceNotFound for an unknown URI or record (a record the key's
    user may not read is not found either), McpAccessDenied /
    ToolError from the guard for a refused or unknown model.
    """
    if not isinstance(uri, str):
        raise InvalidParams("Parameter 'uri' must be a string.")
    match = _MODEL_URI.match(uri)
    if match:
        model = ctx.guard.check_model(match.group(1), "read", ctx.key)
        data = model_schema(ctx, model)
    else:
        match = _RECORD_URI.match(uri)
        if not match:
            raise ResourceNotFound("Unknown resource %r. Use %s or %s." % (uri, MODEL_TEMPLATE, RECORD_TEMPLATE),
                                   data={"uri": uri})
        model = ctx.guard.check_model(match.group(1), "read", ctx.key)
        record_id = int(match.group(2))
        if not ctx.guard.readable_ids(model._name, [record_id]):  # missing and hidden look the same
            raise ResourceNotFound("No %s record with id %d." % (model._name, record_id), data={"uri": uri})
        result = read_records(ctx, model, [record_id], default_field_names(ctx, model))
        data = {"model": model._name, "record": result["records"][0], "tz": result["tz"]}
    return {"contents": [{"uri": uri, "mimeType": MIME, "text": json.dumps(data, ensure_ascii=False)}]}
