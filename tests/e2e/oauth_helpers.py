"""OAuth in the end-to-end tests: what a person does in the browser.

- ``authorize_in_browser(url, login, password)``: open an authorization URL
  the way a browser would (Odoo's login page first, then the consent page),
  click *Allow* (or *Deny*) and return the redirect back to the app — its
  ``Location`` is read, never followed.
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
