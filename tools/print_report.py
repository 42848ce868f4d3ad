"""Tool ``print_report``: list a model's PDF reports, or print one."""
import re

from odoo.tools.safe_eval import safe_eval, time

from ..protocol.errors import ToolError
from .arguments import get_ids, require_str
from .base import Tool
from .documents import DOCUMENT_PROPERTIES, document_output
from .schemas import IDS, MODEL, read_annotations

PDF = "application/pdf"
_UNSAFE_FILENAME = re.compile(r"[^\w .()-]+")


class PrintReport(Tool):
    """List the PDF reports of a model, or render one for records as PDF."""

    name = "print_report"
    title = "Print a PDF report"
    description = (
        "PDF reports of an Odoo model, as its Print menu offers them to you. Without 'report': the list "
        "of reports you may print on the model. With 'report' (its report_name or id) and 'ids': the "
        "PDF of those records, returned as an embedded resource (application/pdf, base64 blob), the "
        "same document Odoo prints. Records you may not read are refused like missing ones; a PDF over "
        "the server's size limit is refused. A read-only key saves nothing (Odoo keeps some PDFs, "
        "e.g. of posted invoices, as attachments when first printed). "
        "Example: {\"model\": \"sale.order\", \"report\": \"sale.report_saleorder\", \"ids\": [7]}"
    )
    input_schema = {
        "type": "object",
        "properties": {
            "model": MODEL,
            "report": {"type": ["string", "integer"],
                       "description": "report_name (e.g. \"sale.report_saleorder\") or id of the report; "
                                      "leave out to list the model's reports."},
            "ids": IDS,
        },
        "required": ["model"],
        "additionalProperties": False,
    }
    output_schema = {
        "type": "object",
        "properties": {
            "model": {"type": "string"},
            "reports": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"}, "report_name": {"type": "string"}}}},
            "report": {"type": "string"},
            "ids": {"type": "array", "items": {"type": "integer"}},
            **DOCUMENT_PROPERTIES,
        },
        "required": ["model"],
    }
    annotations = read_annotations(title)
    operation = "read"
    #: a report may be stored as an attachment when printed: the primary
    replica_safe = False

    def run(self, call):
        model_name = require_str(call.arguments, "model")
        report = call.arguments.get("report")
        if report is None:
            call.guard.check_model(model_name, "read", call.key)
            return {"model": model_name, "reports": call.guard.printable_reports(model_name)}
        if isinstance(report, bool) or not isinstance(report, (str, int)) or report == "":
            raise ToolError("Argument 'report' must be a report_name such as \"sale.report_saleorder\" or an id.")
        model, info = call.guard.check_report(model_name, report, call.key)
        ids = get_ids(call)
        # missing and hidden by record rules look the same
        refused = sorted(set(ids) - set(call.guard.readable_ids(model._name, ids)))
        if refused:
            raise ToolError("No %s record with id %s." % (model._name, ", ".join(map(str, refused))),
                            data={"model": model._name, "missing_ids": refused})
        Report = call.env["ir.actions.report"]
        if call.guard.is_read_only(call.key):
            # Odoo saves some PDFs as attachments when first printed (posted
            # invoices): a read-only key writes nothing, it gets them rendered now
            Report = Report.with_context(report_pdf_no_attachment=True)
        content, kind = Report._render_qweb_pdf(info["id"], ids)
        if kind != "pdf":
            raise ToolError("Odoo rendered report %s as %s, not as a PDF." % (info["report_name"], kind))
        structured = {"model": model._name, "report": info["report_name"], "ids": ids,
                      "filename": _filename(call, info, model.browse(ids))}
        uri = "odoo://report/%s/%s" % (info["report_name"], ",".join(map(str, ids)))
        return document_output(call, structured, uri, PDF, content, "PDF")


def _filename(call, info, records):
    """The file name Odoo's download would give: the report's *Printed
    Report Name* for one record (evaluated as the user), else its name."""
    name = info["name"]
    expression = call.env["ir.actions.report"].sudo().browse(info["id"]).print_report_name
    if expression and len(records) == 1:
        try:
            name = safe_eval(expression, {"object": records, "time": time}) or name
        except ValueError:  # safe_eval reports a failing expression so
            pass
    name = _UNSAFE_FILENAME.sub("_", str(name)).strip() or "report"
    return name + ".pdf"
