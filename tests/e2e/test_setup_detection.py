"""scripts/setup.sh recognises an Odoo 18.0 source tree ($ODOO_SRC) before
Odoo's requirements are installed: the version is read from
``odoo/release.py`` alone (scripts/odoo_version.py), in a Python where
importing the ``odoo`` package would fail."""
import os
import subprocess
import sys

import pytest

REPO = os.environ.get("MCP_REPO") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO, "scripts", "odoo_version.py")


def _tree(tmp_path, version_info):
    """A source tree whose ``odoo`` package cannot be imported (a missing
    requirement, like babel on a fresh machine)."""
    (tmp_path / "odoo").mkdir()
    (tmp_path / "odoo" / "__init__.py").write_text("import babel_is_not_installed_here  # noqa\n")
    (tmp_path / "odoo" / "release.py").write_text(
        "RELEASE_LEVELS = [ALPHA, BETA, RELEASE_CANDIDATE, FINAL] = ['alpha', 'beta', 'candidate', 'final']\n"
        "version_info = %r\n" % (version_info,))
    (tmp_path / "requirements.txt").write_text("babel\n")
    (tmp_path / "odoo-bin").write_text("#!/usr/bin/env python3\n")
    return str(tmp_path)


def _detect(src):
    # -S -I: no site-packages, as on a machine where nothing is installed yet
    return subprocess.run([sys.executable, "-S", "-I", SCRIPT, src], capture_output=True, text=True, timeout=60)


def test_detects_18_without_requirements(tmp_path):
    src = _tree(tmp_path, (18, 0, 0, "final", 0, ""))
    assert subprocess.run([sys.executable, "-S", "-I", "-c", "import odoo"], cwd=src,
                          capture_output=True).returncode != 0  # importing it would fail
    done = _detect(src)
    assert (done.returncode, done.stdout.strip()) == (0, "18.0"), done.stderr


@pytest.mark.parametrize("version_info", [(17, 0, 0, "final", 0, ""), (19, 0, 0, "alpha", 1, "")])
def test_other_series_refused(tmp_path, version_info):
    done = _detect(_tree(tmp_path, version_info))
    assert (done.returncode, done.stdout.strip()) == (1, "%d.%d" % version_info[:2])


def test_not_a_source_tree(tmp_path):
    done = _detect(str(tmp_path))
    assert done.returncode == 2
    assert "no odoo/release.py" in done.stdout


def test_setup_uses_the_detection():
    with open(os.path.join(REPO, "scripts", "setup.sh"), encoding="utf-8") as handle:
        setup = handle.read()
    assert 'scripts/odoo_version.py" "$src"' in setup
    assert "import odoo.release" not in setup.split("install_odoo_from()", 1)[1].split("\n}", 1)[0]
