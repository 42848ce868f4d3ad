"""Turning ORM values into JSON: one rule per field type.

Record values come from ``records.read()``, or for records just found by
``search_fetch`` from ``_read_format()`` like Odoo's own ``search_read`` (so
Odoo's field-level access checks apply either way), and are then converted:

=================  ==========================================================
char/text/html     string (``null`` when empty)
integer/float      number
monetary           ``{"amount": 12.5, "currency": "EUR"}``
boolean            ``true``/``false``
date               ``"2024-05-31"``
datetime           ``"2024-05-31T14:00:00Z"`` (always UTC; the user's time
                   zone name travels in the result's ``tz``)
selection          ``{"value": "draft", "label": "Draft"}``
many2one           ``[id, "display name"]`` or ``null`` (``[id, null]`` when
                   the key may not read the target model; a user's name shows
                   where Odoo lets the key's user read that user, see
                   ``mcp.guard.user_names``)
one2many/many2many list of ids (``[{"id", "display_name"}]`` with names),
                   at most ``limit`` ids per value
binary             left out unless asked by name; base64 string when under
                   the size bound, else ``{"omitted": true, "size": n}``
json/properties    JSON as stored (made JSON-safe)
reference          ``"model,id"`` string
=================  ==========================================================
"""
import datetime
import decimal
import math
import re

from markupsafe import Markup

from odoo.exceptions import AccessError
from odoo.models import BaseModel

DEFAULT_MAX_BINARY_BYTES = 1024 * 1024
MAX_DEPTH = 20
_SIZE_RE = re.compile(r"^\s*([\d.]+)\s*([a-z]*)\s*$", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "b": 1, "byte": 1, "bytes": 1, "kb": 1024, "mb": 1024 ** 2,
               "gb": 1024 ** 3, "tb": 1024 ** 4}


def datetime_to_json(value):
    """ISO 8601 in UTC with a ``Z``; naive datetimes are Odoo's UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value.isoformat(timespec="seconds") + "Z"


def type_name(value):
    """A repr-free placeholder naming the type of an unconvertible value."""
    return "<%s>" % type(value).__name__


def records_to_json(records):
    """Default rendering of a recordset nested in a value: model + ids only."""
    return {"model": records._name, "ids": list(records.ids)}


def json_safe(value, on_records=records_to_json, _depth=0):
    """Convert any Python value to JSON-safe data.

    Dates become ISO strings, bytes are omitted (``None``), Markup/str stay
    strings, non-finite floats become ``None``, recordsets go through
    ``on_records``, unknown objects become ``"<TypeName>"`` (never their repr).
    """
    if _depth > MAX_DEPTH:
        return "<too deep>"
    if value is None or isinstance(value, (bool, int, str)):
        return str(value) if isinstance(value, Markup) else value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, datetime.datetime):
        return datetime_to_json(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return None
    if isinstance(value, BaseModel):
        return on_records(value)
    if isinstance(value, dict):
        return {str(key): json_safe(item, on_records, _depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(item, on_records, _depth + 1) for item in value]
    return type_name(value)


def parse_size(text):
    """Bytes from a size text (``"12.5 Kb"``, ``"3 MB"``, ``"120 bytes"``), or None."""
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    match = _SIZE_RE.match(str(text or ""))
    if not match:
        return None
    unit = _SIZE_UNITS.get(match.group(2).lower())
    if unit is None:
        return None
    try:
        return int(float(match.group(1)) * unit)
    except ValueError:
        return None


def _plain_value(value, record=None):
    """JSON of a value Odoo reads as itself (dates, html, reference...); ``None`` when empty."""
    if value is False or value is None:
        return None
    return json_safe(value)


def _text_value(value, record=None):
    """A char/text value: the string, ``None`` when empty."""
    if value.__class__ is str:
        return value
    return _plain_value(value)


class RecordSerializer:
    """Reads ``field_names`` of records and returns JSON-safe dicts.

    ``binary_fields``: binary field names explicitly requested (others are
    never read); ``max_binary_bytes``: the bound per binary value;
    ``x2many_names``: x2many values as ``[{"id", "display_name"}]``;
    ``x2many_limit``: at most this many ids per x2many value;
    ``hidden_comodels``: models whose records are given by id only (no
    display name), e.g. models the key may not read; ``user_names``: for
    ``res.users`` among them, a callable ``ids -> {id: name}`` giving the
    names the key may see (``mcp.guard.user_names``); ``hidden_fields``:
    fields of the model an MCP access rule hides (a monetary value then
    names no currency taken from one of them).
    """

    def __init__(self, model, field_names, max_binary_bytes=DEFAULT_MAX_BINARY_BYTES,
                 x2many_names=False, x2many_limit=100, hidden_comodels=(), user_names=None, hidden_fields=()):
        self.model = model
        self.env = model.env
        self.fields = [model._fields[name] for name in field_names if name in model._fields]
        self.max_binary_bytes = max_binary_bytes
        self.x2many_names = x2many_names
        self.x2many_limit = x2many_limit
        self.hidden_comodels = set(hidden_comodels)
        self.user_names = user_names
        self.hidden_fields = frozenset(hidden_fields)
        self.truncated = set()
        self._labels = {}
        self._user_names = {}
        self._converters = {}

    def serialize(self, records, fetched=False):
        """List of dicts, one per record, in ``records`` order (``id`` first).

        ``fetched``: ``records`` were just fetched with these fields by a
        search (``search_fetch``, or ``search_page`` of search_read:
        rules applied by the search, field access checked): their values
        are formatted like Odoo's own ``search_read`` does, without the
        second record-rule check of ``read()``."""
        plain = [f.name for f in self.fields if f.type != "binary"]
        binary = [f.name for f in self.fields if f.type == "binary"]
        if plain and fetched:
            formatting = records
            if "active_test" in records.env.context:  # as search_read: only meant for the search
                formatting = records.with_context(
                    {k: v for k, v in records.env.context.items() if k != "active_test"})
            rows = formatting._read_format(plain)
        elif plain or not binary:
            rows = records.read(plain)
        else:
            rows = [{"id": rid} for rid in records.ids]
        if not plain and binary:
            records.check_access("read")
        self._load_user_names(rows)
        converters = [(field.name, self.converter(field)) for field in self.fields if field.name != "id"]
        # the record itself only for the values that need more than read() gave
        with_record = any(field.type in ("binary", "monetary") for field in self.fields)
        result = []
        for record, row in zip(records if with_record else [None] * len(rows), rows):
            out = {"id": row["id"]}
            for name, convert in converters:
                out[name] = convert(row.get(name), record)
            result.append(out)
        return result

    def _load_user_names(self, rows):
        """Names of the users the rows link to, in one call of ``user_names``."""
        if self.user_names is None or "res.users" not in self.hidden_comodels:
            return
        ids = set()
        for field in self.fields:
            if field.relational and field.comodel_name == "res.users":
                for row in rows:
                    value = row.get(field.name)
                    if field.type == "many2one" and value:
                        ids.add(value[0])
                    elif field.type != "many2one" and self.x2many_names and value:
                        ids.update(value[: self.x2many_limit])
        self._user_names = self.user_names(list(ids)) if ids else {}

    def value(self, field, value, record=None):
        """JSON value of ``field`` from its ``read()`` format."""
        return self.converter(field)(value, record)

    def converter(self, field):
        """The function ``(read() value, record) -> JSON value`` of ``field``
        (the table of the module docstring), chosen once per field."""
        convert = self._converters.get(field.name)
        if convert is None:
            convert = self._converters[field.name] = self._make_converter(field)
        return convert

    def _make_converter(self, field):
        ftype = field.type
        if ftype == "binary":
            return lambda value, record: self.binary_value(record, field)
        if ftype == "boolean":
            return lambda value, record: bool(value)
        if ftype in ("char", "text"):
            return _text_value
        if ftype in ("integer", "float", "many2one_reference", "json", "properties", "properties_definition"):
            return lambda value, record: json_safe(value) if value is not False else None
        if ftype == "monetary":
            return lambda value, record: {"amount": json_safe(value) if value is not False else None,
                                          "currency": self.currency_name(field, record)}
        if ftype == "many2one":
            if field.comodel_name in self.hidden_comodels:
                return lambda value, record: [value[0], self._user_names.get(value[0])] if value else None
            return lambda value, record: [value[0], value[1] or None] if value else None
        if ftype in ("one2many", "many2many"):
            return lambda value, record: self.x2many_value(field, value or [])
        if ftype == "selection":
            return lambda value, record: None if value is False or value is None else {
                "value": value, "label": self.selection_label(field, value)}
        return _plain_value

    def selection_label(self, field, value):
        """Translated label of a selection value."""
        if field.name not in self._labels:
            self._labels[field.name] = dict(field._description_selection(self.env) or [])
        label = self._labels[field.name].get(value)
        return str(label) if label is not None else None

    def currency_name(self, field, record):
        """ISO code of the currency of a monetary value (None if unknown/unreadable)."""
        if record is None:
            return None
        currency_field = field.get_currency_field(record)
        if not currency_field or currency_field not in record._fields or currency_field in self.hidden_fields:
            return None
        try:
            currency = record[currency_field]
            return currency.name or None
        except AccessError:
            return None

    def x2many_value(self, field, ids):
        """List of ids (or ``{id, display_name}`` with names), bounded."""
        if len(ids) > self.x2many_limit:
            self.truncated.add(field.name)
            ids = ids[: self.x2many_limit]
        if not self.x2many_names:
            return list(ids)
        if field.comodel_name in self.hidden_comodels:
            return [{"id": rid, "display_name": self._user_names.get(rid)} for rid in ids]
        comodel = self.env[field.comodel_name].browse(ids)
        readable = comodel._filtered_access("read")
        names = {rec.id: rec.display_name for rec in readable}
        return [{"id": rid, "display_name": names.get(rid)} for rid in ids]

    def binary_value(self, record, field):
        """base64 string when small enough, else ``{"omitted": true, "size": n}``."""
        sized = record.with_context(bin_size=True, **{"bin_size_" + field.name: True})
        size_text = sized.read([field.name])[0][field.name]
        if not size_text:
            return None
        size = parse_size(size_text)
        if size is None or size > self.max_binary_bytes * 4 // 3 + 4:
            return {"omitted": True, "size": size, "reason": "larger than %d bytes" % self.max_binary_bytes}
        full = record.with_context(bin_size=False, **{"bin_size_" + field.name: False})
        data = full.read([field.name])[0][field.name]
        if isinstance(data, (bytes, bytearray)):
            data = bytes(data).decode("ascii", "replace")
        if data and len(data) * 3 // 4 > self.max_binary_bytes:
            return {"omitted": True, "size": len(data) * 3 // 4,
                    "reason": "larger than %d bytes" % self.max_binary_bytes}
        return data or None


def user_tz(env):
    """Name of the user's time zone (context first), ``"UTC"`` if unset."""
    return env.context.get("tz") or env.user.tz or "UTC"


def serialize_for_call(call, records, field_names, fetched=False):
    """Serialize ``records`` for a tool call: settings bound binaries
    (``max_binary_bytes``) and x2many lists (``max_records``); the
    ``x2many_names`` argument asks for ids with display names.
    ``fetched``: see ``RecordSerializer.serialize``.

    Returns ``(rows, truncated_field_names)``.
    """
    settings = call.settings or {}
    model = records.browse()
    comodels = {model._fields[f].comodel_name for f in field_names
                if f in model._fields and model._fields[f].relational}
    hidden = call.guard.unreadable_models(call.key, comodels) if comodels else set()
    serializer = RecordSerializer(
        records,
        field_names,
        max_binary_bytes=int(settings.get("max_binary_bytes") or DEFAULT_MAX_BINARY_BYTES),
        x2many_names=bool(call.arguments.get("x2many_names")),
        x2many_limit=max(1, int(settings.get("max_records") or 100)),
        hidden_comodels=hidden,
        user_names=call.guard.user_names,
        hidden_fields=call.guard.hidden_fields(model._name),
    )
    rows = serializer.serialize(records, fetched=fetched)
    return rows, sorted(serializer.truncated)
