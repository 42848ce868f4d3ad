"""The tool registry: the built-in tools.

``env['mcp.server']._mcp_tools()`` returns ``default_tools()``; another addon
adds its own tools by overriding that method (README, "Adding a tool from
another addon"); a later tool replaces a same-named one.
"""
from .aggregate import Aggregate
from .count import Count
from .create import Create
from .delete import Delete
from .execute_method import ExecuteMethod
from .find_user import FindUser
from .get_model_schema import GetModelSchema
from .list_actions import ListActions
from .list_models import ListModels
from .name_search import NameSearch
from .read import Read
from .search_read import SearchRead
from .update import Update
from .whoami import WhoAmI

DEFAULT_TOOL_CLASSES = (
    ListModels, GetModelSchema, SearchRead, Read, Count, Aggregate, NameSearch,
    Create, Update, Delete, ExecuteMethod, WhoAmI, FindUser, ListActions,
)


def default_tools():
    """A fresh list with one instance of each built-in tool."""
    return [cls() for cls in DEFAULT_TOOL_CLASSES]

