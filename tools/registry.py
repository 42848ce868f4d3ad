"""The tool registry: the built-in tools.

``env['mcp.server']._mcp_tools()`` returns ``default_tools()``; another addon
adds its own tools by overriding that method (README, "Adding a tool from
another addon"); a later tool replaces a same-named one.
"""
from .aggregate import Aggregate
from .count import Count
from .create import Create
from .delete import Delete
from .duplicate import Duplicate
from .execute_method import ExecuteMethod
from .get_model_schema import GetModelSchema
from .list_models import ListModels
from .name_search import NameSearch
from .read import Read
from .search_read import SearchRead
from .update import Update
from .wizard import Wizard

DEFAULT_TOOL_CLASSES = (
    ListModels, GetModelSchema, SearchRead, Read, Count, Aggregate, NameSearch,
    Create, Update, Delete, ExecuteMethod, Wizard, Duplicate,
)


def default_tools():
    """A fresh list with one instance of each built-in tool."""
    return [cls() for cls in DEFAULT_TOOL_CLASSES]

