# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Client ID Metadata Documents: the SSRF guards of the fetch (private
addresses, size, time, redirects, client_id mismatch) and the client made
from a good document, against a loopback HTTP server (the test-only option
lets loopback through)."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest.mock import patch

from odoo.tests import TransactionCase

from ..services import oauth_cimd


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        url = f"http://127.0.0.1:{self.server.server_port}{self.path}"
        document = {"client_id": url, "client_name": "Fixture App", "redirect_uris": ["http://127.0.0.1:9/cb"]}
        status, headers, body = 200, {"Cache-Control": "max-age=120"}, None
        if self.path == "/big.json":
            document["padding"] = "x" * 6000
        elif self.path == "/mismatch.json":
            document["client_id"] = "https://claude.ai/other.json"
        elif self.path == "/redirect.json":
            status, headers, body = 302, {"Location": "http://169.254.169.254/latest"}, b""
        elif self.path == "/slow.json":
            self.send_response(200)
            self.end_headers()
            try:
                for _chunk in range(8):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(1)
            except BrokenPipeError:  # the fetch gave up, as it should
                pass
            return
        elif self.path == "/badredirect.json":
            document["redirect_uris"] = ["https://evil.example/cb"]
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body if body is not None else json.dumps(document).encode())


class TestOauthCimd(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=cls.httpd.serve_forever, daemon=True).start()
        cls.addClassCleanup(cls.httpd.server_close)
        cls.addClassCleanup(cls.httpd.shutdown)
        cls.root = f"http://127.0.0.1:{cls.httpd.server_port}"

    def fetch(self, path, loopback=True):
        with patch.object(oauth_cimd, "allow_loopback", return_value=loopback):
            return oauth_cimd.fetch(self.root + path)

    def refused(self, path, message, loopback=True):
        with self.assertRaises(oauth_cimd.CimdError) as caught:
            self.fetch(path, loopback)
        self.assertIn(message, str(caught.exception))

    def test_private_addresses_and_plain_http_are_refused(self):
        self.refused("/good.json", "must be an https URL", loopback=False)
        for url in ("https://127.0.0.1/c.json", "https://10.0.0.1/c.json", "https://169.254.169.254/c.json",
                    "https://[::1]/c.json", "https://192.168.1.1/c.json", "https://localhost/c.json"):
            with self.subTest(url=url), self.assertRaises(oauth_cimd.CimdError) as caught:
                oauth_cimd.fetch(url)
            self.assertIn("non-public address", str(caught.exception))
        with self.assertRaises(oauth_cimd.CimdError):
            oauth_cimd.fetch("https://user@claude.ai/c.json")

    def test_size_time_redirect_and_client_id_limits(self):
        self.refused("/big.json", "too large")
        self.refused("/mismatch.json", "client_id is not its URL")
        self.refused("/redirect.json", "HTTP 302")
        started = time.monotonic()
        self.refused("/slow.json", "took too long")
        self.assertLess(time.monotonic() - started, oauth_cimd.TIMEOUT + 3)

    def test_a_good_document_makes_a_cached_client(self):
        document, seconds = self.fetch("/good.json")
        self.assertEqual((document["client_name"], seconds), ("Fixture App", 120))
        Clients = self.env["mcp.oauth.client"]
        with patch.object(oauth_cimd, "allow_loopback", return_value=True):
            client = Clients._resolve_cimd(self.root + "/good.json", Clients.browse())
            self.assertEqual((client.kind, client.name, client._redirect_uri_list()),
                             ("cimd", "Fixture App", ["http://127.0.0.1:9/cb"]))
            self.assertFalse(Clients._resolve_cimd(self.root + "/badredirect.json", Clients.browse()))
        # fresh: not fetched again
        with patch.object(oauth_cimd, "fetch", side_effect=AssertionError("fetched")):
            self.assertEqual(Clients._find(client.client_id), client)
