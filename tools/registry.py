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
from .export_records import ExportRecords
from .find_user import FindUser
from .get_approval import GetApproval
from .get_model_schema import GetModelSchema
from .list_actions import ListActions
from .list_activities import ListActivities
from .list_models import ListModels
from .mark_activity_done import MarkActivityDone
from .name_search import NameSearch
from .post_message import PostMessage
from .print_report import PrintReport
from .read import Read
from .read_messages import ReadMessages
from .schedule_activity import ScheduleActivity
from .search_read import SearchRead
from .update import Update
from .whoami import WhoAmI
from .wizard import Wizard

DEFAULT_TOOL_CLASSES = (
    ListModels, GetModelSchema, SearchRead, Read, Count, Aggregate, NameSearch,
    Create, Update, Delete, ExecuteMethod, Wizard, Duplicate,
    PrintReport, ExportRecords, ReadMessages, PostMessage, ScheduleActivity, ListActivities, MarkActivityDone,
    WhoAmI, FindUser, ListActions, GetApproval,
)


def default_tools():
    """A fresh list with one instance of each built-in tool."""
    return [cls() for cls in DEFAULT_TOOL_CLASSES]

