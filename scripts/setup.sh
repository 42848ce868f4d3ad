#!/usr/bin/env bash
# Make sure everything the run and test commands need is installed.
# Idempotent and quick when nothing is missing.
#
# Odoo 18.0 is found, in this order:
#   1. an importable `odoo` package (18.0) in $PYTHON;
#   2. $ODOO_SRC, an Odoo 18.0 source tree (with odoo-bin and requirements.txt);
#   3. Odoo's official 18.0 source archive ($ODOO_ARCHIVE_URL), unpacked in .local/odoo-src.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ODOO_ARCHIVE_URL="${ODOO_ARCHIVE_URL:-https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz}"
STAMPS="$LOCAL/stamps"
mkdir -p "$STAMPS"

odoo_ok() {
    "$PYTHON" -c 'import odoo.release as r, sys; sys.exit(0 if r.version_info[:2] == (18, 0) else 1)' 2>/dev/null
}

pip_install() { "$PYTHON" -m pip install -q --disable-pip-version-check "$@"; }

system_packages() {
    # Headers needed to build psycopg2 and python-ldap from source.
    if command -v pg_config >/dev/null && [ -e /usr/include/ldap.h ] && [ -e /usr/include/sasl/sasl.h ]; then return; fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "installing build headers (libpq-dev libldap2-dev libsasl2-dev)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpq-dev libldap2-dev libsasl2-dev >/dev/null
    else
        log "warning: libpq-dev, libldap2-dev and libsasl2-dev (or equivalents) may be needed to build Odoo's requirements"
    fi
}

install_odoo_from() {
    local src="$1"
    [ -f "$src/requirements.txt" ] && [ -d "$src/odoo" ] || die "$src is not an Odoo source tree (no requirements.txt / odoo/)"
    # read odoo/release.py alone: importing odoo needs the requirements installed below
    local found
    found=$("$PYTHON" "$REPO/scripts/odoo_version.py" "$src") || die "$src is not Odoo 18.0 (found: $found)"
    system_packages
    log "installing Odoo 18.0 from $src and its requirements (a few minutes, once)"
    # Odoo 18's pinned sdists (cbor2, ...) only build with old setuptools and no isolation.
    pip_install "setuptools<70" setuptools_scm wheel
    pip_install --no-build-isolation -r "$src/requirements.txt"
    # gevent 22.10 (Odoo's pin) breaks on newer zope.* (pkg_resources).
    pip_install "zope.interface<7" "zope.event<5"
    pip_install --no-build-isolation -e "$src"
}

ensure_odoo() {
    if odoo_ok; then return; fi
    if [ -n "${ODOO_SRC:-}" ]; then install_odoo_from "$ODOO_SRC"; odoo_ok && return; fi
    local dst="$LOCAL/odoo-src"
    if [ ! -f "$dst/odoo-bin" ]; then
        log "no importable odoo 18.0 and no \$ODOO_SRC: downloading $ODOO_ARCHIVE_URL"
        local tmp; tmp=$(mktemp -d)
        if ! curl -fsSL --retry 2 --connect-timeout 20 -o "$tmp/odoo.tar.gz" "$ODOO_ARCHIVE_URL"; then
            rm -rf "$tmp"
            die "Odoo 18.0 is needed and none could be found. Provide it one of three ways:
  1. install Odoo 18.0 into this Python ($PYTHON) so that 'import odoo' works;
  2. export ODOO_SRC=/path/to/odoo-18.0-source-tree (with odoo-bin and requirements.txt);
  3. let this script download Odoo's official 18.0 source archive:
     $ODOO_ARCHIVE_URL was not reachable (set ODOO_ARCHIVE_URL to a mirror)."
        fi
        mkdir -p "$dst"
        tar -xzf "$tmp/odoo.tar.gz" -C "$dst" --strip-components=1
        rm -rf "$tmp"
    fi
    install_odoo_from "$dst"
    odoo_ok || die "Odoo was installed from $dst but 'import odoo' still fails in $PYTHON"
}

ensure_dev_requirements() {
    local sum; sum=$(cat "$REPO/requirements.txt" "$REPO/requirements-dev.txt" | sha1sum | cut -c1-12)
    [ -f "$STAMPS/dev-$sum" ] && return
    log "installing pinned requirements (requirements.txt, requirements-dev.txt)"
    pip_install -r "$REPO/requirements.txt" -r "$REPO/requirements-dev.txt"
    rm -f "$STAMPS"/dev-*; touch "$STAMPS/dev-$sum"
}

ensure_chromium() {
    # Odoo's browser tests (tours, screenshots) drive a headless Chrome/Chromium
    # found on PATH; without one they are skipped.
    local bin
    for bin in chromium chromium-browser google-chrome google-chrome-stable; do
        command -v "$bin" >/dev/null && return
    done
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "installing chromium (headless browser for the UI tours)"
        if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
            log "warning: could not install chromium: the browser tours will be skipped"
        fi
    else
        log "warning: no chromium/google-chrome on PATH (install Debian's 'chromium' as root): the browser tours will be skipped"
    fi
}

ensure_wkhtmltopdf() {
    # Odoo renders PDF reports (print_report) with wkhtmltopdf; without it
    # "make run" logs "You need Wkhtmltopdf" and PDFs are refused.
    command -v wkhtmltopdf >/dev/null && return
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "installing wkhtmltopdf (PDF reports)"
        if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wkhtmltopdf >/dev/null; }; then
            log "warning: could not install wkhtmltopdf: PDF reports (print_report) will be refused"
        fi
    else
        log "warning: no wkhtmltopdf on PATH (as root: apt-get install wkhtmltopdf; else see https://wkhtmltopdf.org): PDF reports (print_report) will be refused"
    fi
}

ensure_odoo
ensure_chromium
ensure_wkhtmltopdf
ensure_dev_requirements
ensure_addons_link
"$REPO/scripts/setup_node.sh"   # Node 22, MCP Inspector, conformance suite, mcp 2.x venv (e2e clients)
