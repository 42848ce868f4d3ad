# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""What the MCP guard (``mcp_guard.py``) refuses, and how it says so: the
always-blocked models and fields, the ``execute_method`` blocklist, the
agent context whitelist, the grammar limits of domains, orders, groupbys and
aggregates, and the exact refusal messages (``MSG_*``: tests and the attack
suite assert them; they are translated with ``env._`` when raised).

Every rule list lives here once: the tools (``tools/``) parse and coerce
their arguments and leave these checks, and their messages, to the guard.
"""
import re


def _lt(source):
    """Mark ``source`` for translation and return it unchanged.

    Odoo's exporter (``--i18n-export``) collects the literal arguments of
    every ``_lt(...)`` call into ``i18n/mcp_bridge.pot``. The messages stay
    plain ``str`` templates (``MSG % {...}`` and concatenation work, tests
    compare them) and are translated when raised, in the language of the
    key's user, by ``mcp.guard._msg`` (``env._(template, **params)``).
    """
    return source


OPERATIONS = ("read", "create", "write", "unlink")

# ----------------------------------------------------------------------
# Always-blocked models. No key, no rule, no setting can open them; the
# ``extra_blocked_models`` setting can only add to them.
# ----------------------------------------------------------------------
ALWAYS_BLOCKED_MODELS = (
    # The original twelve: security configuration, secrets, code and files.
    "ir.rule", "ir.model.access", "ir.config_parameter", "mcp.api.key",
    "res.users", "res.groups", "ir.cron", "ir.module.module", "ir.ui.view",
    "ir.attachment", "ir.actions.server", "ir.actions.act_window",
    # Users' credentials, sessions and devices (API keys, passkeys, TOTP,
    # login history, per-user settings, identity checks).
    "res.users.apikeys", "res.users.apikeys.description", "res.users.apikeys.show",
    "res.users.log", "res.users.settings", "res.users.identitycheck",
    "res.users.deletion", "res.device", "res.device.log", "auth.passkey.key",
    "auth_totp.device", "auth.oauth.provider", "change.password.user",
    "change.password.wizard", "res.groups.privilege",
    # Secret holders: mail servers, payment credentials, IAP/EDI/certificates.
    "ir.mail_server", "fetchmail.server", "payment.provider", "payment.token",
    "iap.account", "account.edi.proxy_client.user", "certificate.certificate",
    "certificate.key",
    # Code, automation and metadata that change how Odoo itself behaves.
    "ir.actions", "ir.actions.actions", "ir.actions.report", "ir.actions.client",
    "ir.actions.act_url", "ir.actions.act_window_close", "ir.actions.todo",
    "ir.embedded.actions", "ir.cron.trigger", "ir.cron.progress",
    "base.automation", "ir.model", "ir.model.fields", "ir.model.fields.selection",
    "ir.model.constraint", "ir.model.relation", "ir.model.inherit",
    "ir.model.data", "ir.default", "ir.ui.menu", "ir.ui.view.custom", "ir.asset",
    "ir.module.category", "ir.module.module.dependency", "ir.module.module.exclusion",
    "res.config", "res.config.settings", "res.config.installer",
    # ir.sequence: moving number_next would corrupt legal numbering (invoices).
    "ir.sequence", "ir.sequence.date_range",
    # Server internals: logs, profiles, notification bus, outgoing mail queue
    # (bodies carry password-reset and portal links).
    "ir.logging", "ir.profile", "bus.bus", "bus.presence", "mail.mail",
    # UI configuration of users: saved filters (a default filter can hide
    # records from another user), field defaults, export templates.
    "ir.filters", "ir.default", "ir.exports", "ir.exports.line",
    # The MCP layer's own models (also covered by the "mcp." prefix below).
    "mcp.model.access", "mcp.audit.log", "mcp.auth.counter", "mcp.session",
    "mcp.settings", "mcp.guard", "mcp.server",
    # OAuth clients, grants, codes and tokens (their digests are credentials)
    "mcp.oauth.client", "mcp.oauth.grant", "mcp.oauth.token", "mcp.oauth.server",
)

#: Whole families blocked by name prefix (present and future models).
BLOCKED_MODEL_PREFIXES = (
    "mcp.",            # the MCP layer itself
    "ir.actions.",     # every kind of action (server code, windows, reports...)
    "ir.model.",       # model metadata, ACLs, external ids
    "ir.module.",      # modules (install = code execution)
    "ir.cron",         # scheduled code
    "res.users.",      # credentials, sessions, settings of users
    "res.device",      # devices/sessions of users
    "auth_totp.",      # 2FA secrets
    "auth.passkey.",   # passkeys
    "base.automation",  # automated actions (server code)
    "certificate.",    # private keys
    "bus.",            # notification bus
)

#: Readable, never written through MCP: creating or changing them is
#: administration with side effects on users and groups (a new company adds
#: its creator and the superuser to it and to group_multi_company;
#: activating a language runs code the blocklist refuses).
READ_ONLY_MODELS = frozenset(("res.company", "res.lang"))

#: Field names never exposed whatever the user's groups: bearer secrets.
BLOCKED_FIELD_NAMES = frozenset((
    "password", "new_password", "password_crypt", "totp_secret", "totp_last_counter",
    "signup_token", "access_token", "api_key", "oauth_access_token", "key_digest",
))

# ----------------------------------------------------------------------
# execute_method blocklist
# ----------------------------------------------------------------------
METHOD_BLOCKLIST = frozenset((
    # CRUD: the create/update/delete tools apply the rules, use them.
    "unlink", "write", "create", "copy", "copy_data", "copy_multi", "update", "new",
    # Environment switches (privilege escalation).
    "sudo", "with_user", "with_context", "with_env", "with_company", "with_prefetch",
    # Bulk import/export.
    "export_data", "load", "import_data",
    # Aliases of read/search/write that would bypass the guard's checks.
    "web_save", "web_read", "web_search_read", "web_read_group", "web_resequence",
    "web_override_translations", "read", "search_read", "read_group", "search",
    "search_count", "search_fetch", "fetch", "name_create", "name_search",
    "read_progress_bar", "resequence", "onchange", "default_get",
    "toggle_active", "action_archive", "action_unarchive",
    # Metadata: get_model_schema applies the field filter; use it.
    "fields_get", "get_views", "get_view", "load_views", "get_metadata",
    # Recordset plumbing.
    "browse", "exists", "ensure_one", "filtered", "filtered_domain", "mapped",
    "sorted", "grouped", "concat", "union", "modified", "recompute",
    "invalidate_model", "invalidate_recordset", "flush_model", "flush_recordset",
    "env", "pool", "init",
    # Access checks (answers would be an oracle; they are done by the guard).
    "check_access", "check_access_rights", "check_access_rule", "has_access",
    "check_field_access_rights", "user_has_groups", "has_group", "has_groups",
    # Scheduled/server code runners.
    "method_direct_trigger", "run", "run_server_action",
    # Portal share links carry an access token.
    "get_portal_url", "get_base_url",
    # External ids come from ir.model.data, which is blocked.
    "get_external_id", "get_xml_id",
))

#: Any method starting with one of these is refused.
METHOD_BLOCKED_PREFIXES = (
    "_", "check_access", "unlink_", "web_", "with_", "invalidate_", "flush_",
    "search_panel_", "export_", "import_", "copy_", "sudo",
)

#: Any method whose name contains one of these is refused: module
#: installation (``res.company.install_l10n_modules`` calls
#: ``button_immediate_install``, which commits and reloads the registry) and
#: credentials, whatever the model.
METHOD_BLOCKED_SUBSTRINGS = ("install", "upgrade", "module", "external_id", "xml_id", "password",
                             "api_key", "apikey", "totp", "passkey", "impersonate")

#: The chatter and activity methods any model that has them may offer, with
#: the only keyword arguments an agent may pass (no positional arguments):
#: a message is posted as the key's user, never as another author; partners
#: and users named must be records the user may read (``check_links``).
#: {method: {kwarg: kind}}; kinds: "text", "partners" (res.partner ids),
#: "user" (a res.users id), "date" ("YYYY-MM-DD"), "xmlid:<allowed,...>",
#: "choice:<allowed,...>".
SAFE_MIXIN_METHODS = {
    "message_post": {"body": "text", "subject": "text", "partner_ids": "partners",
                     "message_type": "choice:comment",
                     "subtype_xmlid": "choice:mail.mt_note,mail.mt_comment",
                     "attachments": "attachments"},
    "message_subscribe": {"partner_ids": "partners"},
    "message_unsubscribe": {"partner_ids": "partners"},
    "activity_schedule": {"act_type_xmlid": "choice:mail.mail_activity_data_todo,mail.mail_activity_data_call,"
                                            "mail.mail_activity_data_meeting,mail.mail_activity_data_email",
                          "date_deadline": "date", "summary": "text", "note": "text", "user_id": "user"},
}

#: ``attachments`` of ``message_post`` (kind "attachments"): small text
#: files only, ``[[name, content], ...]`` with content as text. Other files
#: (and ``attachment_ids``, existing attachments) stay out: ``ir.attachment``
#: is blocked.
MAX_POST_ATTACHMENTS = 3
MAX_POST_ATTACHMENT_BYTES = 65536
POST_ATTACHMENT_EXTENSIONS = (".txt", ".csv", ".md", ".json", ".log")
_ATTACHMENT_NAME_RE = re.compile(r"^[\w][\w .()-]{0,99}$")

#: View types whose ``<button type="object">`` an agent may press.
BUTTON_VIEW_TYPES = ("form", "list", "kanban")

#: Agent context keys that are kept (everything else is dropped).
ALLOWED_CONTEXT_KEYS = ("lang", "tz", "active_test", "allowed_company_ids")

#: Operators of a domain term (Odoo's TERM_OPERATORS + '<>').
DOMAIN_TERM_OPERATORS = frozenset((
    "=", "!=", "<>", "<=", "<", ">", ">=", "=?", "=like", "=ilike", "like",
    "not like", "ilike", "not ilike", "in", "not in", "child_of", "parent_of",
    "any", "not any",
))
DOMAIN_LOGIC_OPERATORS = ("&", "|", "!")
#: Operators allowed on a relational field whose comodel is blocked or
#: unreadable: compare ids only (no name_search on the comodel).
ID_ONLY_OPERATORS = frozenset(("=", "!=", "<>", "in", "not in"))
#: Operators of a text match: their value is a pattern, whatever the field's type.
TEXT_MATCH_OPERATORS = frozenset(("like", "ilike", "not like", "not ilike", "=like", "=ilike"))
#: Operators of the ``name_search`` tool (a text match on the display name).
NAME_SEARCH_OPERATORS = ("ilike", "like", "=", "=ilike", "=like", "not ilike", "not like", "!=")
GROUPBY_GRANULARITIES = ("day", "week", "month", "quarter", "year")
#: Aggregate functions of ``aggregate`` measures (``field:function``).
AGGREGATE_FUNCTIONS = ("sum", "avg", "min", "max", "count", "count_distinct", "bool_and", "bool_or")
#: Functions that need a numeric field.
NUMERIC_AGGREGATE_FUNCTIONS = ("sum", "avg")
#: Field types compared with numbers only (domains) and summed (aggregates).
NUMERIC_FIELD_TYPES = ("integer", "float", "monetary")
MAX_DOMAIN_DEPTH = 8
MAX_DOMAIN_LENGTH = 500

_IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PATH_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_ORDER_TERM_RE = re.compile(
    r"^\s*(?P<path>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)"
    r"(?:\s+(?P<direction>asc|desc))?(?:\s+nulls\s+(?P<nulls>first|last))?\s*$",
    re.IGNORECASE,
)
_GROUPBY_RE = re.compile(r"^(?P<path>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)(?::(?P<granularity>[a-z_]+))?$")  # noqa: E501 (one message / pattern, kept whole)

# ----------------------------------------------------------------------
# Messages (exact formats; %-style named placeholders)
# ----------------------------------------------------------------------
MSG_MODEL_BLOCKED = _lt("Model '%(model)s' is not available through MCP.")
MSG_MODEL_READ_ONLY = _lt("Model '%(model)s' is read-only through MCP: '%(operation)s' is administration.")
MSG_MODEL_SCOPE = _lt("This API key is read-only: '%(operation)s' on '%(model)s' is not allowed.")
MSG_MODEL_RULE = _lt("The MCP model-access rule of '%(model)s' does not allow '%(operation)s'.")
MSG_MODEL_ACL = _lt("You are not allowed to %(operation)s records of '%(model)s' (Odoo access rights).")
MSG_UNKNOWN_MODEL = _lt("Unknown model '%(model)s'.")
MSG_DID_YOU_MEAN = _lt(" Did you mean: %(suggestions)s?")
MSG_BAD_OPERATION = _lt("Invalid operation '%(operation)s': use read, create, write or unlink.")
MSG_BAD_MODEL_NAME = _lt("Invalid model name: a model is a string such as 'res.partner'.")
MSG_UNKNOWN_FIELD = _lt("Unknown field '%(field)s' on model '%(model)s'.")
MSG_FIELD_DENIED = _lt("Field '%(field)s' of model '%(model)s' is not accessible.")
MSG_PATH_DENIED = _lt("Path '%(path)s' reaches model '%(model)s', which is not accessible.")
MSG_PATH_NOT_RELATIONAL = _lt("Field '%(field)s' of model '%(model)s' is not relational: path '%(path)s' cannot continue.")  # noqa: E501 (one message / pattern, kept whole)
MSG_BAD_PATH = _lt("Invalid field path %(path)r: use field names joined by dots (e.g. 'partner_id.name').")
MSG_BAD_FIELDS = _lt("'fields' must be a list of field names.")
MSG_DOMAIN_NOT_LIST = _lt("A domain must be a list of conditions, e.g. [[\"name\", \"ilike\", \"abc\"]].")
MSG_DOMAIN_BAD_TERM = _lt("Invalid domain element %(term)s: use [field, operator, value] or one of '&', '|', '!'.")
MSG_DOMAIN_BAD_OPERATOR = _lt("Invalid domain operator %(operator)r in %(term)s. Valid operators: %(operators)s.")
MSG_DOMAIN_BAD_VALUE = _lt("Invalid value in domain term %(term)s: use a string, number, boolean, null or a list of those.")  # noqa: E501 (one message / pattern, kept whole)
MSG_DOMAIN_ARITY = _lt("Malformed domain: operator '%(operator)s' lacks operands (prefix notation: ['|', A, B]).")
MSG_DOMAIN_TOO_COMPLEX = _lt("The domain is too large or too deeply nested.")
MSG_DOMAIN_ID_ONLY = _lt("Field '%(field)s' of model '%(model)s' points to '%(comodel)s', which is not accessible:"
                      " compare it with record ids only (=, !=, in, not in).")
MSG_BAD_ORDER = _lt("Invalid order %(order)r: use comma-separated 'field [asc|desc] [nulls first|last]',"
                 " e.g. 'date desc, id'.")
MSG_ORDER_NOT_STORED = _lt("Cannot sort on field '%(field)s' of model '%(model)s': it is not stored.")
MSG_BAD_GROUPBY = _lt("Invalid groupby %(groupby)r: use 'field' or 'date_field:day|week|month|quarter|year'.")
MSG_BAD_GRANULARITY = _lt("Granularity '%(granularity)s' is only allowed on date and datetime fields ('%(field)s' is not one).")  # noqa: E501 (one message / pattern, kept whole)
MSG_BAD_AGGREGATE = _lt("Invalid aggregate %(spec)r: use 'field:function' with function in %(functions)s.")
MSG_UNKNOWN_AGGREGATE = _lt("Unknown aggregate function %(function)r in %(spec)r; use one of: %(functions)s.")
MSG_AGGREGATE_NOT_NUMERIC = _lt("%(function)s needs a numeric field; '%(field)s' is %(type)s.")
MSG_GROUPBY_PATH = _lt("Cannot group by the path %(path)r: group by %(field)r itself (or a property of a"
                       " properties field).")
MSG_NAME_SEARCH_OPERATOR = _lt("Argument 'operator' must be one of %(operators)s.")
MSG_DOMAIN_NOT_NUMBER = _lt("Invalid value %(value)s for %(type)s field %(field)r in domain: use a number.")
MSG_DOMAIN_NOT_DATE = _lt("Invalid value %(value)s for %(type)s field %(field)r in domain: use \"YYYY-MM-DD\""
                          " (or \"YYYY-MM-DD HH:MM:SS\" in UTC for a datetime).")
MSG_DOMAIN_FLAT = _lt("A domain is a list of conditions, each one a list: wrap the condition in a list,"
                      " e.g. [%(term)s] instead of %(term)s.")
MSG_IDENTITY_CLOSED = _lt("Users are not available through MCP on this server (the identity windows are closed"
                          " in the MCP settings).")
MSG_METHOD_INVALID = _lt("Invalid method name %(method)r.")
MSG_METHOD_DENIED = _lt("Method '%(method)s' of model '%(model)s' cannot be called through MCP.")
MSG_METHOD_UNKNOWN = _lt("Model '%(model)s' has no public method '%(method)s'.")
MSG_METHOD_NOT_OFFERED = _lt("Method '%(method)s' of model '%(model)s' is not one of its buttons: execute_method calls the"  # noqa: E501 (one message / pattern, kept whole)
                          " buttons of the model's views that you can see, the chatter and activity methods"
                          " (message_post, message_subscribe, message_unsubscribe, activity_schedule) and the methods"
                          " the model's MCP access rule allows.")
MSG_METHOD_CALLABLE = _lt(" Methods you can call on '%(model)s': %(methods)s.")
MSG_METHOD_POSITIONAL = _lt("Method '%(method)s' takes keyword arguments only (kwargs): %(kwargs)s.")
MSG_METHOD_KWARG = _lt("Method '%(method)s' does not accept the argument '%(kwarg)s' through MCP; accepted: %(kwargs)s.")  # noqa: E501 (one message / pattern, kept whole)
MSG_METHOD_KWARG_VALUE = _lt("Invalid value for argument '%(kwarg)s' of '%(method)s': expected %(expected)s.")
MSG_REPORT_RULE = _lt("The MCP model-access rule of '%(model)s' does not allow reports.")
MSG_REPORT_HIDDEN_FIELDS = _lt(
    "Reports of '%(model)s' are refused: MCP model-access rules hide fields from agents, and a report prints "
    "what its template holds, related records included (e.g. a customer's hidden VAT on an invoice). An "
    "administrator can allow them with a model-access rule on '%(model)s' that ticks Allow Reports.")
MSG_REPORT_NOT_OFFERED = _lt("'%(report)s' is not a PDF report of '%(model)s' that you may print.")
MSG_REPORTS_OFFERED = _lt(" Reports you can print on '%(model)s': %(reports)s.")
MSG_NO_REPORTS = _lt(" '%(model)s' has no PDF report you may print.")
MSG_NO_MAIL = _lt("Chatter and activities need Odoo's Discuss app (module 'mail'), which is not installed.")
MSG_NOT_A_THREAD = _lt("Model '%(model)s' has no chatter: it does not inherit mail.thread.")
MSG_NO_ACTIVITIES = _lt("Model '%(model)s' has no activities: it does not inherit mail.activity.mixin.")
MSG_CONTEXT_NOT_OBJECT = _lt("'context' must be an object.")
MSG_CONTEXT_COMPANIES = _lt("Companies %(companies)s are not allowed for this API key.")
MSG_CONTEXT_BAD_COMPANIES = _lt("'allowed_company_ids' must be a list of company ids.")
MSG_VALUES_NOT_OBJECT = _lt("Values must be an object mapping field names to values.")
MSG_VALUES_COMMAND = _lt("Field '%(field)s' of model '%(model)s' only accepts links to existing records (commands 3, 4, 5, 6).")  # noqa: E501 (one message / pattern, kept whole)
MSG_VALUES_WRITES_BLOCKED = _lt("Field '%(field)s' of model '%(model)s' cannot be set through MCP: it would modify"
                             " records of '%(comodel)s', which is not accessible.")


def _is_blocked_name(model_name, extra=()):
    """Whether ``model_name`` is blocked by name (constant list, prefixes or
    the ``extra`` names from the settings)."""
    return (
        model_name in ALWAYS_BLOCKED_MODELS
        or model_name.startswith(BLOCKED_MODEL_PREFIXES)
        or model_name in extra
    )


def is_model_blocked(env, model_name, extra=()):
    """Whether ``model_name`` is blocked: by name, or because it is a
    transient (wizard) or abstract model. Usable without a guard instance."""
    if _is_blocked_name(model_name, extra):
        return True
    model_cls = env.registry.get(model_name)
    return model_cls is not None and bool(model_cls._transient or model_cls._abstract)


def is_method_blocked(method):
    """Whether ``method`` is refused whatever the policy: the blocklist, a
    blocked prefix (``_`` included) or a blocked substring."""
    lowered = method.lower()
    return (method in METHOD_BLOCKLIST or method.startswith(METHOD_BLOCKED_PREFIXES)
            or any(part in lowered for part in METHOD_BLOCKED_SUBSTRINGS))


def is_wizard_blocked(model_name, extra=()):
    """Whether the wizard (transient model) ``model_name`` stays closed to
    agents: an always-blocked name (``_is_blocked_name``) or an admin wizard
    (``WIZARD_BLOCKED_MODELS``, ``WIZARD_BLOCKED_PREFIXES``)."""
    return (_is_blocked_name(model_name, extra) or model_name in WIZARD_BLOCKED_MODELS
            or model_name.startswith(WIZARD_BLOCKED_PREFIXES))


def _is_json_scalar(value):
    return value is None or isinstance(value, (bool, int, float, str))

# ----------------------------------------------------------------------
# Wizards (``mcp_guard_wizards.py``): dialogs an agent opens from a window
# action that a method it called returned. Transient models stay blocked
# for every other tool; these admin wizards stay blocked even there (on top
# of ALWAYS_BLOCKED_MODELS and BLOCKED_MODEL_PREFIXES, which apply as well).
# ----------------------------------------------------------------------
WIZARD_BLOCKED_MODELS = frozenset((
    # settings and company setup
    "res.config.settings", "res.config", "res.config.installer", "base.document.layout",
    "account.financial.year.op", "account.setup.bank.manual.config", "account.autopost.bills.wizard",
    "crm.lead.pls.update", "calendar.provider.config",
    # passwords, users and portal access (portal.wizard creates users)
    "change.password.wizard", "change.password.user", "change.password.own", "portal.wizard",
    "portal.wizard.user", "auth_totp.wizard",
    # modules, languages, imports, views, menus, profiling, demo data
    "base.module.upgrade", "base.module.update", "base.module.uninstall", "base.module.install.request",
    "base.module.install.review", "base.language.install", "base.language.export", "base.language.import",
    "base.update.translations", "base_import.import", "reset.view.arch.wizard", "wizard.ir.model.menu.create",
    "base.enable.profiling.wizard", "ir.demo", "ir.demo_failure.wizard",
    # links carrying access tokens, personal data across the database
    "portal.share", "payment.link.wizard", "privacy.lookup.wizard",
    # payment provider credentials and operations
    "payment.provider.onboarding.wizard", "sale.payment.provider.onboarding.wizard", "payment.capture.wizard",
    "payment.refund.wizard",
    # IAP / SMS accounts
    "sms.account.code", "sms.account.phone", "sms.account.sender",
    # legal numbering and hash chains, merges that rewrite references everywhere (with sudo)
    "account.resequence.wizard", "account.secure.entries.wizard", "account.merge.wizard",
    "base.partner.merge.automatic.wizard", "crm.merge.opportunity",
))
#: Wizard families blocked by name prefix.
WIZARD_BLOCKED_PREFIXES = (
    "base.module.", "base.language.", "base_import.", "change.password.", "portal.", "payment.", "sms.account.",
    "iap.", "auth_", "res.config", "res.users", "ir.",
)
#: How long a wizard handle stays valid (seconds); Odoo vacuums transient
#: records older than ``transient_age_limit`` (one hour by default).
WIZARD_HANDLE_TTL = 1800
#: Button types of a wizard's form an agent may press.
WIZARD_BUTTON_TYPES = ("object", "action")
MSG_WIZARD_SCOPE = _lt("This API key is read-only: wizards change data and need a read-write key.")
MSG_WIZARD_BLOCKED = _lt("Wizard '%(model)s' is not available through MCP.")
MSG_WIZARD_HANDLE = _lt("Unknown or expired wizard handle: call the method that opens the wizard again.")
MSG_WIZARD_BUTTON = _lt("Wizard '%(model)s' has no button '%(button)s' you can press; its buttons: %(buttons)s.")
MSG_WIZARD_FIELD = _lt("Field '%(field)s' of wizard '%(model)s' cannot be set: the wizard's form does not offer it"
                       " for editing. Editable fields: %(fields)s.")
MSG_WIZARD_ACTIVE = _lt("The wizard works on %(model)s records you may not read.")
MSG_WIZARD_LINES = _lt("Lines of '%(field)s' of wizard '%(model)s' are set with [1, line_id, {values}] for"
                       " lines the wizard shows (ids: %(ids)s), values of its editable columns: %(fields)s.")
MSG_WIZARD_ACTION_UNKNOWN = _lt("No action %(action)s.")
MSG_WIZARD_SERVER_ACTION = _lt("Button '%(button)s' of wizard '%(model)s' runs an action of type %(type)s, which MCP"
                               " does not run.")

# ----------------------------------------------------------------------
# Links, hidden fields and user names (``mcp_guard_links.py``)
# ----------------------------------------------------------------------
#: (model, field) pairs never exposed on any path (read, fields, schema,
#: domain, order, groupby, values), whatever the user's groups: they tell
#: which partners are users (and of which kind) or how their accounts stand.
#: x2many fields that mirror a blocked model's own data (``res.partner.user_ids``,
#: ``res.company.user_ids``) are hidden by rule, not listed here.
NEVER_EXPOSED_FIELDS = frozenset((
    ("res.partner", "partner_share"),    # internal user / portal user / no user
    ("res.partner", "is_public"),        # the public user's partner
    ("res.partner", "im_status"),        # bus: whether a user is online
    ("res.partner", "signup_type"),      # auth_signup: invitation / password reset pending
    ("res.partner", "signup_valid"),
    ("res.partner", "signup_expiration"),
    ("res.partner", "signup_url"),
))
#: Placeholder for a user's name in Odoo's messages passed to the agent.
USER_NAME_PLACEHOLDER = "[user]"
#: Longest message searched for user names (longer ones are cut there).
MAX_REDACTED_MESSAGE = 8000
#: At most this many distinct user names are looked for in one message.
MAX_REDACTED_NAMES = 200
#: Shortest user name that is redacted (shorter ones match ordinary words).
MIN_REDACTED_NAME = 2
#: At most this many refused ids are named in a link refusal.
MAX_IDS_NAMED = 20
MSG_LINK_REFUSED = _lt("Field '%(field)s' of model '%(model)s': no %(comodel)s record with id %(ids)s that you may use.")  # noqa: E501 (one message / pattern, kept whole)
MSG_RECORD_NOT_FOUND = _lt("No %(model)s record with id %(id)s.")

# ----------------------------------------------------------------------
# Write fence (``mcp_write_fence.py``): tables no write tool call may change,
# not even as a side effect of an allowed write (an ORM override, a public
# method). The tables of these models and the stored many2many relation
# tables their own fields declare (res_groups_users_rel,
# res_company_users_rel, res_groups_implied_rel, rule_group_rel, ...) are
# watched; models that are not installed are skipped.
# ----------------------------------------------------------------------
FENCED_MODELS = (
    # users, groups and their credentials
    "res.users", "res.groups", "res.users.apikeys", "auth_totp.device", "auth.passkey.key",
    # modules (install = code), access rights, record rules, system parameters
    "ir.module.module", "ir.module.module.dependency", "ir.model.access", "ir.rule",
    "ir.config_parameter",
    # code that runs later or elsewhere, outgoing mail servers, views, metadata
    "ir.cron", "ir.actions.server", "base.automation", "ir.mail_server", "ir.ui.view",
    "ir.model", "ir.model.fields",
    # UI configuration of other users
    "ir.default", "ir.filters",
    # the MCP layer's own security configuration
    "mcp.api.key", "mcp.model.access",
)

MSG_SIDE_EFFECT = _lt("This call would change '%(model)s' (users, groups, modules and security settings"
                   " cannot be changed through MCP).")

# ----------------------------------------------------------------------
# Rows that belong to another record (mcp_guard_attached.py)
# ----------------------------------------------------------------------
#: Models whose rows belong to a document through a message, by the path of
#: the field naming the document's model. Models that name their document
#: themselves (a Many2oneReference ``res_id`` and its ``model_field``:
#: mail.message, mail.activity, mail.followers, rating.rating...) are found
#: from their fields and need no entry.
ATTACHED_THROUGH_MESSAGE = {
    "mail.tracking.value": "mail_message_id.model",
    "mail.notification": "mail_message_id.model",
    "mail.message.reaction": "message_id.model",
    "mail.link.preview": "message_id.model",
    "mail.message.link.preview": "message_id.model",
}
