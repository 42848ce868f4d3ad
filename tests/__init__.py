# Odoo's test loader only sees the modules imported here; tests/e2e/ is run by
# pytest alone (it starts its own Odoo server processes).
from . import test_health
from . import test_tools_search
from . import test_api_key
from . import test_key_cache
from . import test_request_limits
from . import test_guard
from . import test_guard_links
from . import test_model_access
from . import test_audit_log
from . import test_settings
from . import test_tools_aggregate
from . import test_tools_write
from . import test_tools_execute
from . import test_serialize
from . import test_resources_prompts
from . import test_tool_extension
from . import test_settings_bounds
from . import test_ui_tours
from . import test_oauth_ui
from . import test_write_fence
from . import test_guard_selection
from . import test_dispatcher
from . import test_http_transport
from . import test_session
from . import test_oauth_models
from . import test_oauth_discovery
