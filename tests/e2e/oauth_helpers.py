"""OAuth in the end-to-end tests: what a person does in the browser, and
what an OAuth client keeps.

- ``authorize_in_browser(url, login, password)``: open an authorization URL
  the way a browser would (Odoo's login page first, then the consent page),
  click *Allow* (or *Deny*) and return the redirect back to the app — its
  ``Location`` is read, never followed;
- ``Browser``: the ``redirect_handler`` / ``callback_handler`` pair an MCP
  SDK ``OAuthClientProvider`` takes, doing the above;
- ``MemoryTokenStorage``: the SDK's ``TokenStorage`` in memory;
- ``revoke`` / ``post_initialize``: raw RFC 7009 revocation and one
  ``initialize`` POST with a bearer.
"""
from collections import namedtuple
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from lxml import html

LOGIN_PATH = "/web/login"
AUTHORIZE_PATH = "/oauth/authorize"
#: where Odoo sent the browser back to the app (not followed), its query
#: parameters and the consent page the user answered
Redirect = namedtuple("Redirect", "location query consent_page")


def form_values(page, action):
    """The fields the form posting to ``action`` on the HTML ``page`` would
    send (hidden inputs, checked radios; no submit button): a dict."""
    document = html.fromstring(page)
    for form in document.forms:
        if urlsplit(form.get("action") or "").path == action:
            return dict(form.form_values())
    raise AssertionError(f"no form posting to {action} on the page:\n{page[:2000]}")


def redirect_query(location):
    """The query parameters of a redirect ``location`` (single values)."""
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


def authorize_in_browser(url, login, password, decision="allow", access=None, session=None):
    """Open the authorization request ``url`` in a browser-like session:
    Odoo sends an anonymous visitor to its login page, the user logs in
    with ``login``/``password`` and lands on the consent page, which is
    answered with ``decision`` (``allow``/``deny``) and, when given,
    ``access`` (``read``/``write``). Returns a ``Redirect``: where Odoo
    sends the browser back to the app (not followed), its parameters
    (``code``, ``state``, ``iss`` or ``error``) and the consent page's
    HTML. ``session``: a
    ``requests.Session`` already logged in (then no login page)."""
    browser = session or requests.Session()
    page = browser.get(url, timeout=30)
    assert page.status_code == 200, (page.status_code, page.text[:2000])
    if urlsplit(page.url).path == LOGIN_PATH:
        fields = form_values(page.text, LOGIN_PATH)
        fields.update(login=login, password=password)
        page = browser.post(urljoin(page.url, LOGIN_PATH), data=fields, timeout=30)
        assert page.status_code == 200, (page.status_code, page.text[:2000])
    assert urlsplit(page.url).path == AUTHORIZE_PATH, ("not the consent page", page.url, page.text[:2000])
    assert page.headers.get("X-Frame-Options") == "DENY", page.headers
    fields = form_values(page.text, AUTHORIZE_PATH)
    fields["decision"] = decision
    if access:
        fields["access"] = access
    answer = browser.post(urljoin(page.url, AUTHORIZE_PATH), data=fields, allow_redirects=False, timeout=30)
    assert answer.status_code == 303, (answer.status_code, answer.text[:2000])
    location = answer.headers["Location"]
    return Redirect(location, redirect_query(location), page.text)


class Browser:
    """A person at the browser for an SDK ``OAuthClientProvider``: its
    ``redirect_handler`` (``open``) runs ``authorize_in_browser`` and its
    ``callback_handler`` (``callback``) hands back the ``code`` and
    ``state`` of the redirect. ``redirects`` lists every ``Redirect``."""

    def __init__(self, login, password, access=None):
        self.login, self.password, self.access = login, password, access
        self.session = requests.Session()
        self.authorize_urls, self.redirects = [], []

    async def open(self, url):
        """redirect_handler: the provider sends the user to ``url``."""
        self.authorize_urls.append(url)
        self.redirects.append(authorize_in_browser(url, self.login, self.password, access=self.access,
                                                   session=self.session))

    async def callback(self):
        """callback_handler (SDK 1.x): ``(code, state)`` of the last redirect."""
        query = self.redirects[-1].query
        return query["code"], query.get("state")


class MemoryTokenStorage:
    """The SDK's ``TokenStorage`` in memory; ``history`` keeps every token
    set it was given (to check rotation)."""

    def __init__(self):
        self.tokens = None
        self.client_info = None
        self.history = []

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens):
        self.tokens = tokens
        self.history.append(tokens)

    async def get_client_info(self):
        return self.client_info

    async def set_client_info(self, client_info):
        self.client_info = client_info


def revoke(base_url, token, client_id, hint=None):
    """POST ``/oauth/revoke`` (RFC 7009) for a public client; the response."""
    data = {"token": token, "client_id": client_id}
    if hint:
        data["token_type_hint"] = hint
    return requests.post(base_url + "/oauth/revoke", data=data, timeout=30)


def refresh(base_url, refresh_token, client_id):
    """POST ``/oauth/token`` with the refresh token grant; the response."""
    return requests.post(base_url + "/oauth/token", data={
        "grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id}, timeout=30)


def post_initialize(base_url, token):
    """One ``initialize`` POST to ``/mcp`` with ``token``; the response."""
    body = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "e2e", "version": "1"}}}
    return requests.post(base_url + "/mcp", json=body, timeout=30, headers={
        "Authorization": f"Bearer {token}", "Accept": "application/json, text/event-stream"})
