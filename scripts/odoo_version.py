"""Print the Odoo series (e.g. ``18.0``) of the source tree given as argument.

Reads ``odoo/release.py`` on its own, without importing the ``odoo`` package:
before Odoo's requirements (babel, pytz, ...) are installed, importing it
fails. Exit code 0 when the tree is Odoo 18.0, 1 for another series, 2 when
the folder holds no ``odoo/release.py``.

usage: python3 scripts/odoo_version.py /path/to/odoo-source-tree
"""
import os
import runpy
import sys

WANTED = (18, 0)


def series(src):
    """The ``(major, minor)`` of the Odoo tree ``src``, or None."""
    path = os.path.join(src, "odoo", "release.py")
    if not os.path.isfile(path):
        return None
    return tuple(runpy.run_path(path)["version_info"][:2])


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    found = series(argv[1])
    if found is None:
        print("no odoo/release.py in %s" % argv[1])
        return 2
    print("%d.%d" % found)
    return 0 if found == WANTED else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
