
from . import mcp_settings
from . import res_config_settings
from . import mcp_guard
from . import mcp_write_fence
from . import mcp_model_access
from . import mcp_auth_counter
from . import mcp_key_usage
from . import mcp_api_key
from . import mcp_key_cache
from . import mcp_api_key_auth
from . import res_users
from . import res_partner
from . import res_company
from . import mcp_audit_log
from . import mcp_session
from . import mcp_session_message
from . import mcp_server
