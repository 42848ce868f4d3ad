"""MCP prompts: ready-made instructions for common questions about Odoo data.

``list_prompts()`` gives the ``prompts/list`` entries; ``get_prompt(ctx,
name, arguments)`` renders one (``ctx`` is the request's McpContext). Models named in
arguments go through the guard, so a prompt never describes a model the key
may not read.
"""
import json

from ..protocol.errors import InvalidParams
from .arguments import allowed_model_set, default_field_names, filter_allowed_fields
from .read import read_records
from .resources import MIME, record_uri

MAX_FIELDS_LISTED = 80

PROMPTS = [
    {
        "name": "explore_model",
        "title": "Explore a model",
        "description": "Discover what an Odoo model holds: its fields, size, sample records and main groupings.",
        "arguments": [
            {"name": "model", "description": "Technical model name, e.g. res.partner", "required": True},
        ],
    },
    {
        "name": "summarize_record",
        "title": "Summarise a record",
        "description": "Summarise one record in plain language, with its key facts and related records.",
        "arguments": [
            {"name": "model", "description": "Technical model name, e.g. res.partner", "required": True},
            {"name": "record_id", "description": "Id of the record", "required": True},
        ],
    },
    {
        "name": "build_domain",
        "title": "Build a search domain",
        "description": "Turn a question in words into an Odoo domain for a model, and check it with count.",
        "arguments": [
            {"name": "model", "description": "Technical model name, e.g. res.partner", "required": True},
            {"name": "question", "description": "What to find, e.g. 'companies in Belgium without email'",
             "required": True},
        ],
    },
    {
        "name": "analyze_data",
        "title": "Analyse data by group",
        "description": "Break a model's records down by a field (and optionally a measure) and comment on the numbers.",
        "arguments": [
            {"name": "model", "description": "Technical model name, e.g. res.partner", "required": True},
            {"name": "groupby", "description": "Field to group by, e.g. country_id or create_date:month",
             "required": False},
            {"name": "measure", "description": "Aggregate, e.g. credit_limit:sum (default: record count)",
             "required": False},
        ],
    },
]


def list_prompts():
    """The ``prompts/list`` entries."""
    return [dict(prompt, arguments=[dict(arg) for arg in prompt["arguments"]]) for prompt in PROMPTS]


def _text(text):
    return {"role": "user", "content": {"type": "text", "text": text}}


def _field_lines(ctx, model, stored_only=False):
    """One line per field the key may use: name, type, relation/selection keys, label."""
    allowed = allowed_model_set(ctx)
    candidates = [fname for fname, field in model._fields.items()
                  if field.is_accessible(model.env) and (field.store or not stored_only)
                  and not (field.relational and field.comodel_name not in allowed)]
    lines = []
    for fname in filter_allowed_fields(ctx, model, candidates):
        field = model._fields[fname]
        if len(lines) >= MAX_FIELDS_LISTED:
            lines.append("- …")
            break
        extra = " → %s" % field.comodel_name if field.relational else ""
        if field.type == "selection":
            keys = [key for key, _label in ctx.guard.filter_selection(
                field._description_selection(model.env), ctx.key)][:10]
            extra = " (%s)" % ", ".join(map(str, keys))
        lines.append("- %s: %s%s — %s" % (fname, field.type, extra, field.string))
    return "\n".join(lines)


def get_prompt(ctx, name, arguments):
    """Render prompt ``name`` with ``arguments``: ``{"description", "messages"}``."""
    prompt = next((p for p in PROMPTS if p["name"] == name), None)
    if prompt is None:
        raise InvalidParams("Unknown prompt %r. Available: %s." % (name, ", ".join(p["name"] for p in PROMPTS)))
    arguments = dict(arguments or {})
    for arg in prompt["arguments"]:
        value = arguments.get(arg["name"])
        if arg["required"] and (not isinstance(value, str) or not value.strip()):
            raise InvalidParams("Prompt %r needs the argument %r." % (name, arg["name"]))
    model = ctx.guard.check_model(arguments["model"].strip(), "read", ctx.key)
    label = "%s (%s)" % (model._description or model._name, model._name)
    if name == "explore_model":
        messages = [_text(
            "Explore the Odoo model %s for me.\n"
            "1. Call get_model_schema {\"model\": \"%s\"} and note the important fields.\n"
            "2. Call count to see how many records there are.\n"
            "3. Call search_read with limit 5 to look at a few records.\n"
            "4. Call aggregate on a meaningful many2one or selection field to see how records are spread.\n"
            "Then explain in a few sentences what this model holds, its key fields and its relations "
            "to other models." % (label, model._name))]
    elif name == "summarize_record":
        raw_id = arguments["record_id"].strip()
        if not raw_id.isdigit():
            raise InvalidParams("Argument 'record_id' must be a record id (digits).")
        record_id = int(raw_id)
        # missing and hidden by record rules look the same
        if not ctx.guard.readable_ids(model._name, [record_id]):
            raise InvalidParams("No %s record with id %d." % (model._name, record_id))
        result = read_records(ctx, model, [record_id], default_field_names(ctx, model))
        data = {"model": model._name, "record": result["records"][0], "tz": result["tz"]}
        messages = [
            _text("Summarise this %s record in plain language: what it is, its key facts and the "
                  "records it is linked to. Use the read tool for more fields if needed." % label),
            {"role": "user", "content": {"type": "resource", "resource": {
                "uri": record_uri(model._name, record_id), "mimeType": MIME,
                "text": json.dumps(data, ensure_ascii=False)}}},
        ]
    elif name == "build_domain":
        messages = [_text(
            "Build an Odoo search domain on %s for: %s\n\n"
            "Domain syntax: a JSON list of [field, operator, value] conditions, AND-ed by default; "
            "prefix '|' (or) / '!' (not) combine the next conditions. Operators: =, !=, >, >=, <, <=, "
            "in, not in, ilike, not ilike, =like, =ilike, child_of, parent_of. Dotted paths follow "
            "relations (e.g. country_id.code). Dates as \"YYYY-MM-DD\", datetimes in UTC.\n\n"
            "Stored fields of this model:\n%s\n\n"
            "Check the domain with the count tool, then show a few matches with search_read."
            % (label, arguments["question"].strip(), _field_lines(ctx, model, stored_only=True)))]
    else:  # analyze_data
        groupby = (arguments.get("groupby") or "").strip()
        measure = (arguments.get("measure") or "").strip() or "__count"
        how = ("group by %s" % groupby) if groupby else "group by a meaningful field you pick from get_model_schema"
        messages = [_text(
            "Analyse the records of %s: call the aggregate tool (%s, measures [\"%s\"], ordered by the "
            "measure, descending), then comment on the main groups, outliers and the share of the "
            "top groups. Mention the number of records with count."
            % (label, how, measure))]
    return {"description": prompt["description"], "messages": messages}
