# Odoo's test loader only sees the modules imported here; tests/e2e/ is run by
# pytest alone (it starts its own Odoo server processes).
from . import test_health
