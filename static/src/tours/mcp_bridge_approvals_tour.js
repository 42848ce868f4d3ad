/** @odoo-module **/
// Browser tour of the Approvals screen (run by tests/test_ui_approvals.py).
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("mcp_bridge_approval_tour", {
    url: "/odoo/action-mcp_bridge.action_mcp_approval",
    steps: () => [
        { content: "Open the pending request", trigger: ".o_data_row td.o_data_cell:contains(res.partner)", run: "click" },
        { content: "The preview in business terms", trigger: ".o_form_view .o_field_widget[name=preview_html] pre:contains(City: Pleasant Hill → San Francisco)" },
        { trigger: ".o_form_view .o_field_widget[name=reason]:contains(moved to San Francisco)" },
        { content: "Approve", trigger: ".o_form_view button[name=action_approve]", run: "click" },
        { content: "Confirm", trigger: ".modal-footer .btn-primary", run: "click" },
        { content: "Approved and written", trigger: ".o_notification:contains(Approved: the write was made.)" },
        { trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Done)" },
        { trigger: ".o_form_view:not(:has(button[name=action_approve]))" },
    ],
});
