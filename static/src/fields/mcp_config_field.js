/** @odoo-module **/
// Read-only field showing a ready-to-paste client configuration with a
// copy button (used by the Connect wizard).
import { Component } from "@odoo/owl";
import { CopyButton } from "@web/core/copy_button/copy_button";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

export class McpConfigField extends Component {
    static template = "mcp_bridge.McpConfigField";
    static components = { CopyButton };
    static props = { ...standardFieldProps };

    setup() {
        this.copyText = _t("Copy");
        this.successText = _t("Copied");
    }

    get value() {
        return this.props.record.data[this.props.name] || "";
    }
}

registry.category("fields").add("mcp_config", {
    component: McpConfigField,
    displayName: _t("MCP client configuration"),
    supportedTypes: ["text", "char"],
});
