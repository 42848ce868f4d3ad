/** @odoo-module **/
// Browser tours of the OAuth screens (run by tests/test_oauth_ui.py):
// Connected Apps, OAuth Clients, and a user's own apps in their preferences.
import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

tours.add("mcp_bridge_connected_apps_tour", {
    url: "/odoo/action-mcp_bridge.action_mcp_oauth_grant",
    steps: () => [
        { content: "The grant is listed", trigger: ".o_data_row:contains(Tour App):contains(Bob Browser)" },
        { trigger: ".o_data_row:contains(Tour App) .o_field_widget[name=state]:contains(Active)" },
        {
            content: "Revoke it",
            trigger: ".o_data_row:contains(Tour App) button[name=action_revoke]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal:contains(loses access at once) .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Gone from the active apps",
            trigger: ".o_list_view:not(:has(.o_data_row:contains(Tour App)))",
        },
        { content: "Open the clients", trigger: ".o_menu_sections a:contains(OAuth Clients)", run: "click" },
        { trigger: ".o_data_row:contains(Tour App)" },
        { content: "Register a client", trigger: ".o_control_panel button:contains(Register Client)", run: "click" },
        { trigger: ".modal .o_field_widget[name=name] input", run: "edit Tour Platform" },
        {
            trigger: ".modal .o_field_widget[name=auth_method] select",
            run: 'select "client_secret_basic"',
        },
        {
            trigger: ".modal .o_field_widget[name=redirect_uris] textarea",
            run: "edit https://platform.example.com/oauth/callback",
        },
        { content: "Register", trigger: ".modal button[name=action_register]", run: "click" },
        { content: "The secret is shown once", trigger: ".modal .o_mcp_client_secret:contains(mcpcs_)" },
        { trigger: ".modal .o_field_widget[name=client_id]:contains(mcpc_)" },
        { trigger: ".modal .alert-warning:contains(never be shown again)" },
        { trigger: ".modal-footer button:contains(Done)", run: "click" },
        { trigger: "body:not(:has(.modal))" },
    ],
});

tours.add("mcp_bridge_preferences_apps_tour", {
    url: "/odoo",
    steps: () => [
        { content: "Open the user menu", trigger: ".o_user_menu button", run: "click" },
        { content: "Open the preferences", trigger: "[data-menu=settings]", run: "click" },
        { trigger: ".modal .nav-link:contains(Account Security)", run: "click" },
        {
            content: "Their own app is listed, not others'",
            trigger: ".modal [name=mcp_oauth_grant_ids] .o_data_row:contains(Tour App)",
        },
        { trigger: ".modal [name=mcp_oauth_grant_ids]:not(:has(.o_data_row:contains(Other App)))" },
        {
            content: "Revoke it",
            trigger: ".modal [name=mcp_oauth_grant_ids] .o_data_row:contains(Tour App) button[name=action_revoke]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal:contains(must ask you again) .modal-footer .btn-primary",
            run: "click",
        },
        // like Odoo's own API keys, the preferences dialog closes after the button
        { trigger: "body:not(:has(.modal))" },
        { content: "Open the preferences again", trigger: ".o_user_menu button", run: "click" },
        { trigger: "[data-menu=settings]", run: "click" },
        { trigger: ".modal .nav-link:contains(Account Security)", run: "click" },
        { content: "No app left", trigger: ".modal:contains(No connected app.)" },
        { trigger: ".modal:not(:has([name=mcp_oauth_grant_ids] .o_data_row))" },
    ],
});

tours.add("mcp_bridge_consent_tour", {
    steps: () => [
        { content: "Nobody is logged in: Odoo's own login page", trigger: "form.oe_login_form input[name=login]", run: "edit admin" },
        { trigger: "form.oe_login_form input[name=password]", run: "edit admin" },
        { content: "Log in", trigger: "form.oe_login_form button[type=submit]", run: "click" },
        { content: "The consent page names the app", trigger: "h4:contains(Tour Consent App wants to access)" },
        { content: "Only reading", trigger: "input#access_read", run: "click" },
        { content: "Allow", trigger: "button[name=decision][value=allow]", run: "click" },
        {
            content: "Back in Odoo (the app's redirect URI), the app is connected",
            trigger: ".o_data_row:contains(Tour Consent App) .o_field_widget[name=state]:contains(Active)",
        },
        { trigger: ".o_data_row:contains(Tour Consent App) td[name=scope]:contains(Read-only)" },
        {
            content: "Revoke it",
            trigger: ".o_data_row:contains(Tour Consent App) button[name=action_revoke]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal:contains(loses access at once) .modal-footer .btn-primary",
            run: "click",
        },
        { trigger: ".o_list_view:not(:has(.o_data_row:contains(Tour Consent App)))" },
    ],
});
