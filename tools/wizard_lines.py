"""A wizard's own lines (a one2many into a transient line model, e.g. the
products and quantities of a return): shown with the wizard, set with
``[1, line_id, {values}]``. Which fields are lines, which lines and columns
may be set: the guard's ``wizard_lines`` / ``check_wizard_lines``."""
from odoo.fields import Command

from .serialize import serialize_for_call
from .values import check_values


def describe_lines(call, record, fname, spec):
    """The entry of the wizard lines ``fname`` in a wizard's description:
    its label, the lines (id and shown columns) and the columns' types and
    whether they can be set."""
    field = record._fields[fname]
    lines = record[fname]
    rows, _truncated = serialize_for_call(call, lines, spec["shown"])
    columns = {name: {"string": lines._fields[name].string, "type": lines._fields[name].type,
                      "editable": name in spec["editable"] and not lines._fields[name].readonly}
               for name in spec["shown"]}
    return {"string": field.string, "type": field.type, "value": lines.ids, "editable": bool(spec["editable"]),
            "relation": field.comodel_name, "lines": rows, "columns": columns,
            "how": "set lines with [[1, line_id, {column: value}], ...]"}


def split_line_values(call, record, values, form):
    """``(values, commands)``: the wizard's other values, and the checked
    ``{fname: [Command.update(...)]}`` of its lines in ``values``."""
    specs = call.guard.wizard_lines(record._name, form, call.key)
    others, commands = {}, {}
    for fname, value in values.items():
        if fname not in specs:
            others[fname] = value
            continue
        commands[fname] = [Command.update(line.id, check_values(call, line, line_values, "write"))
                           for line, line_values in call.guard.check_wizard_lines(record, fname, value, specs[fname])]
    return others, commands
