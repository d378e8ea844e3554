"""The black-box contract kit: an HTTP client and a base TestCase that suites build on.

A suite (NN_folder/contract_test.py) defines unittest.TestCase classes deriving from ServiceTest;
run.py starts the implementation under test (the C++ binary or main.py), points BASE_URL at it and
runs the suite. The same checks therefore hold both implementations to one contract.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import unittest
import urllib.parse


class Reply:
    def __init__(self, status: int, headers: dict[str, str], body: bytes, raw_headers: list):
        self.status = status
        self.headers = headers  # lower-cased names; last value wins
        self.raw_headers = raw_headers
        self.body = body

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def json(self):
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<Reply {self.status} {self.headers} {self.body[:200]!r}>"


class Client:
    """Keep-alive HTTP/1.1 client on http.client; reconnects when the server closed."""

    def __init__(self, base_url: str, timeout: float = 10.0):
        u = urllib.parse.urlsplit(base_url)
        self.host, self.port, self.timeout = u.hostname, u.port, timeout
        self._conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body=None, headers: dict | None = None) -> Reply:
        headers = dict(headers or {})
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        for attempt in (0, 1):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self._conn.request(method, path, body=body, headers=headers)
                r = self._conn.getresponse()
                data = r.read()
                reply = Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, data, r.getheaders())
                if r.will_close:
                    self.close()
                return reply
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def get(self, path: str, **kw) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, body=None, **kw) -> Reply:
        return self.request("POST", path, body=body, **kw)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def raw_exchange(host: str, port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Sends raw bytes, returns everything the server sends until it closes (or the timeout)."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except (socket.timeout, ConnectionResetError):
            pass
        return b"".join(chunks)


class ServiceTest(unittest.TestCase):
    """Base class: `self.client` talks to the service under test; IMPL is "cpp" or "python"."""

    BASE_URL = os.environ.get("SD_BASE_URL", "")
    IMPL = os.environ.get("SD_IMPL", "")

    def setUp(self) -> None:
        self.client = Client(self.BASE_URL)
        u = urllib.parse.urlsplit(self.BASE_URL)
        self.host, self.port = u.hostname, u.port

    def tearDown(self) -> None:
        self.client.close()

    def assertProblem(self, reply: Reply, status: int) -> dict:
        """The one error shape: problem+json with a matching status member."""
        self.assertEqual(reply.status, status, reply)
        self.assertEqual(reply.header("content-type"), "application/problem+json", reply)
        body = reply.json()
        self.assertEqual(body["status"], status)
        for member in ("type", "title", "detail"):
            self.assertIn(member, body)
        return body

    def assertMetricsValid(self) -> str:
        """Scrapes /metrics; promtool must have nothing to say, and every histogram's +Inf bucket
        must equal its _count (promtool does not check that). Returns the text."""
        r = self.client.get("/metrics")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("content-type"), "text/plain; version=0.0.4; charset=utf-8")
        text = r.body.decode()
        promtool = shutil.which("promtool") or "/usr/bin/promtool"
        p = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True,
                           timeout=30)
        self.assertEqual((p.returncode, p.stdout.strip(), p.stderr.strip()), (0, "", ""), text[:2000])
        inf = {(name, labels.rstrip(",")): float(value) for name, labels, value in
               re.findall(r'^(\w+)_bucket\{(.*)le="\+Inf"\} (\S+)$', text, re.M)}
        count = {(name, labels or ""): float(value) for name, labels, value in
                 re.findall(r'^(\w+)_count(?:\{(.*)\})? (\S+)$', text, re.M)}
        for key, value in inf.items():
            self.assertEqual(count.get(key), value, f"+Inf bucket != _count for {key}")
        return text
