"""The ``initialize`` instructions: what an agent reads before its first call.

One place for every sentence (``mcp.server._instructions`` only calls
:func:`build`): the way in, a short map of the business models this key may
read, buttons, dialogs and documents, notes and activities, how to find users, and
the key's scope last. A sentence about an app that is not installed, or a
model the key may not read, is left out.
"""

START = (
    "Odoo ERP data through the ORM, as the Odoo user of your API key. "
    "Start with list_models, then get_model_schema, then search_read / aggregate. "
)
#: Last sentence for a read-write key.
WRITE_SCOPE = "Write tools (create, update, delete, duplicate, execute_method, wizard) need a read-write key."
#: Last sentence for a read-only key (``%s``: the write tools it is not offered).
READ_ONLY_SCOPE = "This API key is read-only, so tools/list does not offer the write tools (%s)."

#: (model, what it holds): the map's entries, in this order, where installed and readable.
MODEL_MAP = (
    ("res.partner", "contacts, customers and vendors"),
    ("crm.lead", "leads and opportunities (the pipeline)"),
    ("sale.order", "quotations and sales orders"),
    ("account.move", "invoices, vendor bills, credit notes (move_type)"),
    ("stock.picking", "receipts and deliveries (picking_type_code)"),
    ("product.product", "products"),
    ("project.task", "tasks"),
    ("mail.activity", "activities"),
)
MAP_SENTENCE = ("Main models: %s. list_models also finds a model by the words of Odoo's menus "
                "(\"vendor bills\", \"deliveries\") with the menu's filter and defaults. ")
BUTTONS_SENTENCE = "list_actions shows a model's buttons and when they apply; execute_method presses one. "
CHATTER_SENTENCE = (
    "Notes and activities: read_messages reads a record's chatter, post_message logs a note or sends a message, "
    "schedule_activity, list_activities and mark_activity_done handle to-dos, calls and meetings. "
)
#: For a read-write key: dialogs.
WIZARD_SENTENCE = (
    "A button that opens a dialog returns a `wizard` handle: read it, set its fields and press its buttons "
    "with the wizard tool. "
)
DOCUMENTS_SENTENCE = "print_report returns a record's PDF (the model's Print menu), export_records a CSV or XLSX file. "
USERS_SENTENCE = (
    "whoami gives your user id, companies and access (\"my\" records: [[\"user_id\", \"=\", that id]]); "
    "find_user turns a person's name into the user id to assign (user_id). "
)


def build(env, key, guard, hidden_write_tools=()):
    """The instructions for ``key`` (its user's ``env``, the request's
    ``guard``); ``hidden_write_tools``: the write tools ``tools/list`` does not
    offer it (a read-only key), named in the last sentence."""
    parts = [START]
    present = [(model, text) for model, text in MODEL_MAP if model in env]
    unreadable = guard.unreadable_models(key, [model for model, _text in present]) if key else set()
    shown = [f"{model} ({text})" for model, text in present if model not in unreadable]
    if shown:
        parts.append(MAP_SENTENCE % "; ".join(shown))
    parts.append(BUTTONS_SENTENCE)
    parts.append(DOCUMENTS_SENTENCE)
    if "mail.thread" in env and not hidden_write_tools:
        parts.append(CHATTER_SENTENCE)
    if not hidden_write_tools:
        parts.append(WIZARD_SENTENCE)
    if guard.identity_enabled():
        parts.append(USERS_SENTENCE)
    parts.append(READ_ONLY_SCOPE % ", ".join(hidden_write_tools) if hidden_write_tools else WRITE_SCOPE)
    return "".join(parts)
