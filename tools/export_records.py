"""Tool ``export_records``: a search exported as a CSV or XLSX file."""
import csv
import io
import json

import xlsxwriter

from ..models.mcp_settings import SETTINGS_SPEC
from ..protocol.errors import ToolError
from .arguments import default_field_names, get_domain, get_field_names, get_model, get_offset, get_order, opt_int
from .base import Tool
from .documents import DOCUMENT_PROPERTIES, document_output
from .queries import agent_query
from .schemas import DOMAIN, FIELDS, MODEL, NEXT_OFFSET, OFFSET, ORDER, read_annotations
from .search_read import X2MANY_NAMES, search_page
from .serialize import serialize_for_call

FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: Longest text an XLSX cell holds.
XLSX_CELL_MAX = 32767


def max_export_records(call):
    """The ``max_export_records`` setting of ``call``."""
    return int((call.settings or {}).get("max_export_records") or SETTINGS_SPEC["max_export_records"][1])


class ExportRecords(Tool):
    """Export the records of a search (the fields you may read) as CSV or XLSX."""

    name = "export_records"
    title = "Export records to CSV or XLSX"
    description = (
        "Export the records matching a domain as a CSV or XLSX file, returned as an embedded resource "
        "(CSV as text/csv text, XLSX as a base64 blob). The fields are those you may read, as in "
        "search_read (the same default fields); the first row holds the field labels. At most the "
        "server's max records per export (setting) in one file: when more match, next_offset gives "
        "the offset of the next file. "
        "Example: {\"model\": \"res.partner\", \"domain\": [[\"customer_rank\", \">\", 0]], "
        "\"fields\": [\"name\", \"email\", \"country_id\"], \"format\": \"csv\"}"
    )
    input_schema = {
        "type": "object",
        "properties": {
            "model": MODEL,
            "domain": DOMAIN,
            "fields": FIELDS,
            "order": ORDER,
            "format": {"type": "string", "enum": sorted(FORMATS), "default": "csv"},
            "limit": {"type": "integer", "minimum": 1,
                      "description": "Most records in the file; default and cap: the server's max records "
                                     "per export (2000 unless configured)."},
            "offset": OFFSET,
            "x2many_names": X2MANY_NAMES,
        },
        "required": ["model"],
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {
            "model": {"type": "string"},
            "format": {"type": "string"},
            "fields": {"type": "array", "items": {"type": "string"}},
            "count": {"type": "integer", "description": "Records in the file."},
            "offset": {"type": "integer"},
            "next_offset": NEXT_OFFSET,
            **DOCUMENT_PROPERTIES,
        },
        "required": ["model", "format", "fields", "count", "next_offset", "uri", "mimeType", "size"],
    }
    annotations = read_annotations(title)
    operation = "read"

    def run(self, call):
        model = get_model(call, "read")
        field_names = get_field_names(call, model, default=default_field_names)
        binary = [f for f in field_names if model._fields[f].type == "binary"]
        if binary:
            raise ToolError("Binary fields cannot be exported: %s." % ", ".join(binary))
        domain = get_domain(call, model)
        order = get_order(call, model)
        offset = get_offset(call)
        bound = max_export_records(call)
        limit = opt_int(call.arguments, "limit", default=bound, minimum=1)
        if limit > bound:
            raise ToolError("At most %d records per export on this server (setting Max Records per Export); "
                            "%d asked. Export page by page with limit and offset." % (bound, limit),
                            data={"limit": bound})
        file_format = call.arguments.get("format") or "csv"
        if file_format not in FORMATS:
            raise ToolError("Argument 'format' must be one of: %s." % ", ".join(sorted(FORMATS)))
        with agent_query():
            records, has_more, _total = search_page(model, domain, field_names, offset, limit, order)
        rows, _truncated = serialize_for_call(call, records, field_names, fetched=True)
        header = [model._fields[f].get_description(call.env, ["string"])["string"] for f in field_names]
        table = [[_cell(model._fields[f], row.get(f)) for f in field_names] for row in rows]
        data = _csv(header, table) if file_format == "csv" else _xlsx(header, table)
        structured = {"model": model._name, "format": file_format, "fields": field_names, "count": len(rows),
                      "offset": offset, "next_offset": offset + len(rows) if has_more else None,
                      "filename": "%s.%s" % (model._name.replace(".", "_"), file_format)}
        uri = "odoo://export/%s.%s" % (model._name, file_format)
        return document_output(call, structured, uri, FORMATS[file_format], data, file_format.upper() + " export")


def _cell(field, value):
    """One serialized value (``tools/serialize.py``) as a spreadsheet cell:
    a many2one's name (its id when the name is hidden), a selection's label,
    a monetary amount, x2many names or ids joined by commas."""
    if value is None:
        return ""
    if field.type == "many2one" and isinstance(value, list):
        return value[1] if value[1] is not None else value[0]
    if isinstance(value, dict) and "label" in value:
        return value["label"]
    if isinstance(value, dict) and "amount" in value:
        return value["amount"]
    if isinstance(value, list):
        return ", ".join(str(item.get("display_name") or item.get("id")) if isinstance(item, dict) else str(item)
                         for item in value)
    if isinstance(value, (dict, tuple)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _csv(header, table):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(table)
    return out.getvalue()


def _xlsx(header, table):
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    sheet = workbook.add_worksheet()
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, header, bold)
    for index, row in enumerate(table, start=1):
        sheet.write_row(index, 0, [cell[:XLSX_CELL_MAX] if isinstance(cell, str) else cell for cell in row])
    workbook.close()
    return out.getvalue()
