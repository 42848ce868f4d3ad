"""Fetching an OAuth Client ID Metadata Document (CIMD): the client id is an
HTTPS URL whose JSON document describes the client.

The server fetches a URL an anonymous client chose, so every fetch is
guarded against server-side request forgery: ``https`` only, the host is
resolved first and every address must be public (no loopback, private,
link-local — cloud metadata —, multicast, reserved or unspecified
address), the connection goes to the checked address (no second DNS
answer), no redirects, at most ``MAX_BYTES`` and ``TIMEOUT`` seconds. The
test-only server option ``mcp_bridge_oauth_cimd_allow_loopback`` (Odoo
config file) lets loopback ``http`` URLs through for the end-to-end tests.
"""
import ipaddress
import json
import re
import socket
import time
from urllib.parse import urlsplit

import urllib3
from odoo.tools import config

MAX_BYTES = 5120
TIMEOUT = 5.0
#: bounds of the cache lifetime of a document (seconds)
MIN_CACHE, DEFAULT_CACHE, MAX_CACHE = 60, 3600, 86400
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*(\d+)", re.IGNORECASE)


class CimdError(Exception):
    """The document cannot be used (the message says why, no secret in it)."""


def allow_loopback():
    """The test-only option letting loopback ``http`` documents through."""
    return bool(config.get("mcp_bridge_oauth_cimd_allow_loopback"))


def _public(address):
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_private)


def _resolve(host, port, loopback_ok):
    """The first address of ``host`` once every address it resolves to is
    checked (all public, or loopback in test mode)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise CimdError(f"cannot resolve {host}") from error
    addresses = [info[4][0] for info in infos]
    for address in addresses:
        if not (_public(address) or (loopback_ok and ipaddress.ip_address(address.split("%", 1)[0]).is_loopback)):
            raise CimdError(f"{host} resolves to a non-public address")
    if not addresses:
        raise CimdError(f"cannot resolve {host}")
    return addresses[0]


def fetch(url):
    """``(document, cache_seconds)`` of the metadata document at ``url``,
    under the guards above; raises ``CimdError``."""
    parts = urlsplit(url)
    loopback_ok = allow_loopback()
    if parts.scheme != "https" and not (loopback_ok and parts.scheme == "http"):
        raise CimdError("the client id must be an https URL")
    if not parts.hostname or parts.username or parts.password or parts.fragment or not parts.path.strip("/"):
        raise CimdError("the client id must be an https URL with a path, without user information or fragment")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _resolve(parts.hostname, port, loopback_ok)
    timeout = urllib3.Timeout(connect=TIMEOUT, read=TIMEOUT)
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(address, port, timeout=timeout, retries=False, maxsize=1,
                                           server_hostname=parts.hostname, assert_hostname=parts.hostname,
                                           cert_reqs="CERT_REQUIRED")
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False, maxsize=1)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    started = time.monotonic()
    try:
        response = pool.urlopen("GET", path, headers={"Host": parts.netloc, "Accept": "application/json"},
                                redirect=False, preload_content=False, retries=False)
        if response.status != 200:
            raise CimdError(f"the metadata document answered HTTP {response.status}")
        data = b""
        raw = response._fp  # http.client's response: read1 returns what has arrived (a slow drip stays bounded)
        while True:
            if time.monotonic() - started > TIMEOUT:
                raise CimdError("the metadata document took too long")
            chunk = raw.read1(MAX_BYTES + 1 - len(data))
            if not chunk:
                break
            data += chunk
            if len(data) > MAX_BYTES:
                raise CimdError("the metadata document is too large")
        cache_control = response.headers.get("Cache-Control", "")
        response.release_conn()
    except urllib3.exceptions.HTTPError as error:
        raise CimdError("the metadata document could not be fetched") from error
    finally:
        pool.close()
    try:
        document = json.loads(data)
    except ValueError as error:
        raise CimdError("the metadata document is not JSON") from error
    if not isinstance(document, dict):
        raise CimdError("the metadata document is not a JSON object")
    if document.get("client_id") != url:
        raise CimdError("the metadata document's client_id is not its URL")
    match = _MAX_AGE.search(cache_control)
    seconds = int(match.group(1)) if match else DEFAULT_CACHE
    if "no-store" in cache_control.lower() or "no-cache" in cache_control.lower():
        seconds = MIN_CACHE
    return document, max(MIN_CACHE, min(MAX_CACHE, seconds))
