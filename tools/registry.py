"""The tool registry: the default tools and small helpers over tool lists.

``env['mcp.server']._mcp_tools()`` returns ``default_tools()``; another addon
adds its own tools by overriding that method (see README, "Add a tool").
"""
from .aggregate import Aggregate
from .count import Count
from .create import Create
from .delete import Delete
from .execute_method import ExecuteMethod
from .get_model_schema import GetModelSchema
from .list_models import ListModels
from .name_search import NameSearch
from .read import Read
from .search_read import SearchRead
from .update import Update

DEFAULT_TOOL_CLASSES = (
    ListModels, GetModelSchema, SearchRead, Read, Count, Aggregate, NameSearch,
    Create, Update, Delete, ExecuteMethod,
)


def default_tools():
    """A fresh list with one instance of each built-in tool."""
    return [cls() for cls in DEFAULT_TOOL_CLASSES]


def find_tool(tools, name):
    """The tool called ``name`` in ``tools`` (the last one wins), or None."""
    found = None
    for tool in tools:
        if tool.name == name:
            found = tool
    return found


def merge_tools(tools, extra):
    """``tools`` with ``extra`` appended; an extra tool replaces a same-named one."""
    names = {tool.name for tool in extra}
    return [tool for tool in tools if tool.name not in names] + list(extra)


def describe_tools(tools, revision):
    """``tools/list`` entries for ``tools`` (one per name, in order)."""
    seen, entries = set(), []
    for tool in reversed(list(tools)):
        if tool.name in seen:
            continue
        seen.add(tool.name)
        entries.append(tool.describe(revision))
    return list(reversed(entries))
