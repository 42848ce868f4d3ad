/** @odoo-module **/
// Browser tours of the MCP Server backend (run by tests/test_ui_tours.py).
import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

const confirm = {
    content: "Confirm the dialog",
    trigger: ".modal-footer .btn-primary",
    run: "click",
};

tours.add("mcp_bridge_keys_tour", {
    url: "/odoo/action-mcp_bridge.action_mcp_api_key",
    steps: () => [
        { trigger: ".o_list_view" },
        { content: "Open the key wizard", trigger: ".o_control_panel button:contains(New Key)", run: "click" },
        { trigger: ".modal .o_field_widget[name=name] input", run: "edit Tour Agent Key" },
        { trigger: ".modal .o_field_widget[name=scope] input[data-value=write]", run: "click" },
        { content: "Generate", trigger: ".modal button[name=action_generate]", run: "click" },
        { content: "The token is shown once", trigger: ".modal .o_field_CopyClipboardChar:contains(mcp_)" },
        { trigger: ".modal .o_clipboard_button" },
        { trigger: ".modal .alert-warning:contains(never be shown again)" },
        { trigger: ".modal-footer button:contains(Done)", run: "click" },
        { content: "Open the new key", trigger: ".o_data_row td.o_data_cell:contains(Tour Agent Key)", run: "click" },
        { trigger: ".o_form_view .o_field_widget[name=state] button.o_arrow_button_current:contains(Active)" },
        { content: "Rotate", trigger: ".o_form_view button[name=action_rotate]", run: "click" },
        confirm,
        { content: "The new token is shown once", trigger: ".modal .o_field_CopyClipboardChar:contains(mcp_)" },
        { trigger: ".modal-footer button:contains(Done)", run: "click" },
        { trigger: ".o_form_view .o_field_widget[name=rotated_at]:not(:empty)" },
        { content: "Revoke", trigger: ".o_form_view button[name=action_revoke]", run: "click" },
        confirm,
        { content: "Revoked", trigger: ".o_form_view .ribbon:contains(Revoked)" },
        { trigger: ".o_form_view:not(:has(button[name=action_rotate]))" },
    ],
});

tours.add("mcp_bridge_model_access_tour", {
    url: "/odoo/action-mcp_bridge.action_mcp_model_access",
    steps: () => [
        { trigger: ".o_list_view" },
        { content: "New rule", trigger: ".o_list_button_add", run: "click" },
        { trigger: ".o_form_view .o_field_widget[name=model_id] input", run: "edit res.partner.category" },
        { trigger: ".o-autocomplete--dropdown-item:contains(Partner Tags)", run: "click" },
        { trigger: ".o_form_view .o_field_widget[name=model] span:contains(res.partner.category)" },
        { trigger: ".o_form_view .o_field_widget[name=perm_write] input", run: "click" },
        { trigger: ".o_form_button_save", run: "click" },
        { trigger: ".o_form_view .o_form_saved" },
        { trigger: ".o_breadcrumb a:contains(Model Access)", run: "click" },
        { trigger: ".o_data_row td:contains(res.partner.category)" },
        { content: "Try a blocked model", trigger: ".o_list_button_add", run: "click" },
        { trigger: ".o_form_view .o_field_widget[name=model_id] input", run: "edit ir.config_parameter" },
        { content: "Blocked models cannot be chosen", trigger: ".o-autocomplete--dropdown-menu .o_m2o_no_result" },
        { trigger: ".o_form_view .o_field_widget[name=model_id] input", run: "clear" },
        { trigger: ".o_form_button_cancel", run: "click" },
        { trigger: ".o_list_view" },
        { content: "Open the always-blocked list", trigger: ".o_menu_sections button:contains(Security)", run: "click" },
        { trigger: ".dropdown-item:contains(Always Blocked Models)", run: "click" },
        { trigger: ".o_list_view .o_data_row td:contains(ir.config_parameter)" },
        { trigger: ".o_list_view .o_data_row td:contains(mcp.api.key)" },
        { trigger: ".o_control_panel:not(:has(.o_list_button_add))" },
    ],
});

tours.add("mcp_bridge_audit_sessions_tour", {
    url: "/odoo/action-mcp_bridge.action_mcp_audit_log",
    steps: () => [
        { content: "Audit rows", trigger: ".o_list_view .o_data_row td:contains(tools/call)" },
        { trigger: ".o_list_view .o_data_row td:contains(Denied)" },
        {
            content: "Error codes read like -32003, not -32,003",
            trigger: ".o_list_view .o_data_row:has(td[name=outcome]:contains(Denied)) td[name=error_code]:contains(-3200)",
        },
        {
            content: "OK rows show no error code",
            trigger: ".o_list_view .o_data_row:has(td[name=outcome]:contains(OK)) td[name=error_code]:not(:contains(0))",
        },
        { trigger: ".o_control_panel:not(:has(.o_list_button_add))" },
        { content: "Group by outcome", trigger: ".o_searchview_dropdown_toggler", run: "click" },
        { trigger: ".o_group_by_menu .o_menu_item:contains(Outcome)", run: "click" },
        { trigger: ".o_list_view .o_group_name:contains(OK)" },
        { trigger: ".o_searchview_dropdown_toggler", run: "click" },
        { content: "Graph view", trigger: ".o_switch_view.o_graph", run: "click" },
        { trigger: ".o_graph_renderer canvas" },
        { content: "Pivot view", trigger: ".o_switch_view.o_pivot", run: "click" },
        { trigger: ".o_pivot table .o_pivot_header_cell_closed, .o_pivot table .o_pivot_header_cell_opened" },
        { content: "Sessions", trigger: ".o_menu_sections a:contains(Sessions)", run: "click" },
        { trigger: ".o_list_view .o_data_row td:contains(Tour Client)" },
        { content: "End the session", trigger: ".o_data_row:contains(Tour Client) button[name=action_end]", run: "click" },
        confirm,
        { trigger: ".o_list_view:not(:has(td:contains(Tour Client)))" },
    ],
});

tours.add("mcp_bridge_settings_tour", {
    url: "/odoo/action-mcp_bridge.action_mcp_settings",
    steps: () => [
        { trigger: ".o_field_widget[name=mcp_max_records] input", run: "edit 5000" },
        { content: "Save out of bounds", trigger: ".o_control_panel .o_form_button_save", run: "click" },
        { content: "The bound is enforced", trigger: ".modal:contains(must be between 1 and 1000)" },
        { trigger: ".modal-footer .btn-primary", run: "click" },
        { trigger: "body:not(:has(.modal))" },
        { trigger: ".o_field_widget[name=mcp_max_records] input", run: "edit 250" },
        {
            content: "Save a value within bounds (the page reloads)",
            trigger: ".o_control_panel .o_form_button_save",
            async run(helpers) {
                document.body.dataset.mcpSaving = "1";
                await helpers.click();
            },
        },
        { trigger: "body:not([data-mcp-saving]) .o_field_widget[name=mcp_max_records] input:value(250)" },
    ],
});

tours.add("mcp_bridge_connect_tour", {
    url: "/odoo/action-mcp_bridge.action_mcp_api_key",
    steps: () => [
        { trigger: ".o_list_view" },
        { content: "Open Connect", trigger: ".o_menu_sections a:contains(Connect)", run: "click" },
        { trigger: ".modal .o_field_widget[name=key_mode] input[data-value=new]", run: "click" },
        { trigger: ".modal .o_field_widget[name=name] input", run: "edit Tour Connect Key" },
        { content: "Generate a key", trigger: ".modal button[name=action_generate_key]", run: "click" },
        { trigger: ".modal .alert-warning:contains(New key generated)" },
        { trigger: ".modal .o_field_widget[name=config_claude_code]:contains(claude mcp add --transport http)" },
        { trigger: ".modal .o_field_widget[name=config_claude_code]:contains(Bearer mcp_)" },
        { trigger: ".modal .o_field_widget[name=url]:contains(/mcp)" },
        { trigger: ".modal .nav-link:contains(VS Code)", run: "click" },
        { trigger: ".modal .o_field_widget[name=config_vscode]:contains(servers)" },
        { content: "Test the connection", trigger: ".modal button[name=action_test_connection]", run: "click" },
        { trigger: ".modal .o_mcp_test_ok:contains(tools/list)" },
        { trigger: ".modal .o_mcp_test_ok:contains(search_read)" },
        { trigger: ".modal-footer button:contains(Close)", run: "click" },
        { trigger: "body:not(:has(.modal))" },
    ],
});
