"""pytest with pytest-odoo's module-name fix applied before any conftest loads.

pytest-odoo maps test modules to ``odoo.addons.<module>...`` in its
``pytest_cmdline_main`` hook, but conftest files of the initial paths are
imported earlier; without the mapping tests/e2e/conftest.py would import
the addon as ``mcp_bridge`` and Odoo refuses model classes outside
``odoo.addons``; and ``odoo.addons`` only finds the addon once the
configuration (addons path) is read.
"""
import sys

import odoo
import pytest
import pytest_odoo


def main(argv):
    """Run pytest on ``argv`` once the addons path of ``--odoo-config`` is known."""
    for arg in argv:
        if arg.startswith("--odoo-config="):
            odoo.tools.config.parse_config(["-c", arg.split("=", 1)[1]])
    pytest_odoo.monkey_patch_resolve_pkg_root_and_module_name()
    return pytest.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
