# Run through `odoo shell` by tests/e2e/biz/test_attached_attacks.py: a
# document of a model an MCP model-access rule hides (calendar.event, read
# refused), with a message, a tracking value, an activity and a follower; a
# message on a partner (readable) as the control; the admin stars both. Printed as JSON between
# markers. With MCP_ATTACHED_UNDO set, the rule is archived instead.
import json
import os

Access = env["mcp.model.access"].sudo()  # noqa: F821 (env is provided by odoo shell)
model_id = env["ir.model"]._get_id("calendar.event")  # noqa: F821
rule = Access.with_context(active_test=False).search([("model_id", "=", model_id)], limit=1)
if os.environ.get("MCP_ATTACHED_UNDO"):
    rule.write({"active": False})
    env.cr.commit()  # noqa: F821 (a test fixture script, not request code)
    env.registry.signal_changes()  # noqa: F821 (running servers drop their cached rules)
    print("MCP_ATTACHED_BEGIN")
    print(json.dumps({}))
    print("MCP_ATTACHED_END")
else:
    values = {"active": True, "perm_read": False, "perm_create": False, "perm_write": False, "perm_unlink": False}
    if rule:
        rule.write(values)
    else:
        Access.create(dict(values, model_id=model_id))
    event = env["calendar.event"].create({"name": "SecretBoard meeting", "start": "2026-12-24 10:00:00",  # noqa: F821
                                          "stop": "2026-12-24 11:00:00"})
    message = event.message_post(body="SecretBoard: the merger is on", message_type="comment",
                                 subtype_xmlid="mail.mt_note")
    # a tracking value on the note, as a tracked field change makes (location is tracked)
    tracking = env["mail.tracking.value"].sudo().create({  # noqa: F821
        "field_id": env["ir.model.fields"]._get("calendar.event", "location").id,  # noqa: F821
        "old_value_char": "Board room", "new_value_char": "SecretBoard room", "mail_message_id": message.id})
    # calendar.event has no activity mixin: an activity on it made as a module could
    activity = env["mail.activity"].sudo().create({  # noqa: F821
        "res_model_id": model_id, "res_id": event.id, "summary": "SecretBoard call",
        "activity_type_id": env.ref("mail.mail_activity_data_todo").id,  # noqa: F821
        "user_id": env.ref("base.user_admin").id})  # noqa: F821
    event.message_subscribe(partner_ids=[env.ref("base.partner_admin").id])  # noqa: F821
    follower = env["mail.followers"].sudo().search(  # noqa: F821
        [("res_model", "=", "calendar.event"), ("res_id", "=", event.id)], limit=1)
    partner = env.ref("base.res_partner_1")  # noqa: F821
    control = partner.message_post(body="OpenPartnerNote for the control", message_type="comment",
                                   subtype_xmlid="mail.mt_note")
    # both notes starred by the admin: a path from res.partner (starred_message_ids) reaches each
    starrer = env.ref("base.partner_admin")  # noqa: F821
    (message | control).write({"starred_partner_ids": [(4, starrer.id)]})
    env.cr.commit()  # noqa: F821 (a test fixture script, not request code)
    # a server that served MCP requests before has the rules cached: tell it
    env.registry.signal_changes()  # noqa: F821
    print("MCP_ATTACHED_BEGIN")
    print(json.dumps({"starrer": starrer.id, "event": event.id, "message": message.id, "tracking": tracking.id,
                      "activity": activity.id,
                      "follower": follower.id, "control": control.id, "partner": partner.id}))
    print("MCP_ATTACHED_END")
