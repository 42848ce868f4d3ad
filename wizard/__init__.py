from . import mcp_api_key_wizard
from . import mcp_api_key_show
from . import mcp_connect_wizard
from . import mcp_oauth_client_wizard
from . import mcp_oauth_client_secret
