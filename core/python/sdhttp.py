"""The Python twins' HTTP core: what core/ is for the C++ services, on the standard library only.

Each NN_folder/main.py builds a Router, adds handlers and calls serve(); this module gives them the
same contract as the C++ core: routing with {param} templates, 404 / 405 + Allow, HEAD, one
problem+json error shape (RFC 9457), body and header limits, /healthz and /readyz, JSON log lines,
the "listening on http://HOST:PORT" line the contract harness waits for, and a clean exit on
SIGTERM/SIGINT. It is deliberately small and readable, not fast: the C++ services are the fast ones.
"""

from __future__ import annotations

import argparse
import datetime
import http
import http.server
import json
import os
import re
import signal
import socketserver
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Callable

import sdobs

PROBLEM_TYPE = "application/problem+json"
VERSION = "0.1.0"


class HttpError(Exception):
    """Raised by handlers for an expected failure; becomes one problem+json response."""

    def __init__(self, status: int, detail: str, code: str | None = None, headers: dict | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code or _CODES.get(status, "internal")
        self.headers = headers or {}


_CODES = {
    400: "invalid_argument", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 408: "request_timeout", 409: "conflict", 410: "gone",
    413: "payload_too_large", 415: "unsupported_media_type", 429: "rate_limited",
    431: "headers_too_large", 500: "internal", 501: "not_implemented", 502: "bad_gateway",
    503: "unavailable", 504: "timeout",
}


def problem_body(status: int, detail: str, code: str, instance: str = "", request_id: str = "") -> bytes:
    body = {
        "type": "about:blank",
        "title": http.HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    if request_id:
        body["request_id"] = request_id
    return json.dumps(body, separators=(",", ":")).encode()


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: http.client.HTTPMessage
    body: bytes
    params: dict[str, str] = field(default_factory=dict)
    route: str = ""
    peer: str = ""
    request_id: str = ""
    trace: "sdobs.Trace | None" = None

    def json(self):
        try:
            return json.loads(self.body or b"null")
        except (ValueError, UnicodeDecodeError) as e:
            raise HttpError(400, f"body is not valid JSON: {e}") from None


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def json(status: int, value) -> "Response":
        return Response(status, json.dumps(value, separators=(",", ":")).encode(),
                        {"Content-Type": "application/json"})


Handler = Callable[[Request], Response]


class Router:
    """Method + path templates ("/r/{code}", "/api/{rest...}"); literal segments win over params."""

    def __init__(self):
        self._routes: list[tuple[str, str, re.Pattern, Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        regex = "^"
        for seg in pattern.strip("/").split("/") if pattern != "/" else []:
            m = re.fullmatch(r"\{(\w+)(\.\.\.)?\}", seg)
            if m and m.group(2):
                regex += f"/(?P<{m.group(1)}>.*)"
            elif m:
                regex += f"/(?P<{m.group(1)}>[^/]+)"
            else:
                regex += "/" + re.escape(seg)
        regex += "$" if pattern != "/" else "/$"
        self._routes.append((method, pattern, re.compile(regex), handler))
        # literal-first ordering: patterns with fewer parameters sort first
        self._routes.sort(key=lambda r: r[1].count("{"))

    def get(self, pattern: str, handler: Handler) -> None:
        self.add("GET", pattern, handler)

    def post(self, pattern: str, handler: Handler) -> None:
        self.add("POST", pattern, handler)

    def put(self, pattern: str, handler: Handler) -> None:
        self.add("PUT", pattern, handler)

    def delete(self, pattern: str, handler: Handler) -> None:
        self.add("DELETE", pattern, handler)

    def find(self, method: str, path: str):
        """Returns (handler, route, params) or raises HttpError(404/405)."""
        wanted = "GET" if method == "HEAD" else method
        allow: list[str] = []
        route_seen = ""
        for m, pattern, regex, handler in self._routes:
            match = regex.match(path)
            if not match:
                continue
            params = {k: urllib.parse.unquote(v, errors="strict") for k, v in match.groupdict().items()}
            if m == wanted:
                return handler, pattern, params
            route_seen = route_seen or pattern
            if m not in allow:
                allow.append(m)
                if m == "GET":
                    allow.append("HEAD")
        if allow:
            raise HttpError(405, f"{method} is not allowed on {path}",
                            headers={"Allow": ", ".join(allow)})
        raise HttpError(404, f"no route for {path}")


class Middleware:
    """Wraps a handler: override handle(request, next_handler) -> Response."""

    def handle(self, request: Request, next_handler: Handler) -> Response:  # pragma: no cover
        return next_handler(request)


@dataclass
class Options:
    host: str = "127.0.0.1"
    port: int = 0
    max_body_bytes: int = 1024 * 1024
    max_header_bytes: int = 16 * 1024
    idle_timeout: float = 60.0
    log_level: str = "info"
    access_log: bool = True
    access_log_sample: float = 1.0  # fraction of non-5xx, non-slow requests logged, by trace id
    access_log_slow: float = 0.0  # seconds; at least this slow: always logged (0: no such rule)


LEVELS = {"trace": 0, "debug": 1, "info": 2, "warn": 3, "error": 4, "off": 5}


class Logger:
    """One JSON object per line on stderr (same fields as the C++ services)."""

    def __init__(self, service: str, level: str = "info"):
        self.service = service
        self.level = LEVELS[level]
        self._lock = threading.Lock()

    def log(self, level: str, msg: str, **fields) -> None:
        if LEVELS[level] < self.level:
            return
        now = datetime.datetime.now(datetime.timezone.utc)
        line = {"ts": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "level": level, "msg": msg,
                "service": self.service, **fields}
        with self._lock:
            sys.stderr.write(json.dumps(line, separators=(",", ":")) + "\n")
            sys.stderr.flush()


class App:
    """Router + middleware + health state: the Pipeline of the C++ core."""

    def __init__(self, name: str, router: Router, options: Options):
        self.name = name
        self.router = router
        self.options = options
        self.middleware: list[Middleware] = []
        self.ready = threading.Event()
        self.readiness_checks: list[tuple[str, Callable[[], str | None]]] = []
        self.log = Logger(name, options.log_level)
        self.registry = sdobs.Registry()
        sdobs.register_process_metrics(self.registry, VERSION)
        self.observability = sdobs.RequestObservability(
            self.registry, self.log, options.access_log,
            sdobs.AccessLogPolicy(options.access_log_sample, options.access_log_slow))
        router.get("/healthz", lambda r: Response.json(200, {"status": "ok"}))
        router.get("/readyz", self._readyz)
        router.get("/metrics", lambda r: Response(200, self.registry.expose().encode(),
                                                  {"Content-Type": sdobs.Registry.CONTENT_TYPE}))

    def use(self, m: Middleware) -> None:
        self.middleware.append(m)

    def _readyz(self, _req: Request) -> Response:
        if not self.ready.is_set():
            raise HttpError(503, "not serving (starting or shutting down)")
        for name, check in self.readiness_checks:
            problem = check()
            if problem:
                raise HttpError(503, f"{name}: {problem}")
        return Response.json(200, {"status": "ready"})

    def dispatch(self, request: Request) -> Response:
        """Request id, trace and metrics around the route's middleware chain and handler."""
        start = time.monotonic()
        self.observability.begin(request)
        try:
            response = self._dispatch_chain(request)
        except Exception as e:  # last resort: log with the request id, answer 500, keep serving
            self.log.log("error", "handler threw", request_id=request.request_id, error=repr(e),
                         route=request.route)
            response = Response(500, problem_body(500, "the server hit an unexpected error", "internal",
                                                  request.path, request.request_id),
                                {"Content-Type": PROBLEM_TYPE})
        self.observability.end(request, response, time.monotonic() - start)
        return response

    def rejected(self, status: int, peer: str) -> str:
        """Accounting for a request refused before routing (400/413/431); returns its request id."""
        request_id = sdobs.accept_or_new_request_id(None)
        self.observability.record("", "", status, 0.0)
        # No trace to key on, so a fresh draw: sampled like any 4xx (the counter has every one).
        if self.observability.access_log and self.observability.policy.should_log(
                status, 0.0, sdobs.random_sample_key()):
            self.log.log("info", "request rejected", request_id=request_id, route="", status=status, peer=peer)
        return request_id

    def _dispatch_chain(self, request: Request) -> Response:
        try:
            handler, request.route, request.params = self.router.find(request.method, request.path)
        except HttpError as e:
            failure = e

            def handler(_r, failure=failure):
                raise failure
        except UnicodeDecodeError:
            def handler(_r):
                raise HttpError(404, f"no route for {request.path}")

        def call(i: int, req: Request) -> Response:
            if i < len(self.middleware):
                return self.middleware[i].handle(req, lambda r: call(i + 1, r))
            return as_response(handler, req)

        return call(0, request)


def as_response(handler: Handler, request: Request) -> Response:
    """Runs a handler; HttpError → problem+json, anything else → 500 (logged by the caller)."""
    try:
        return handler(request)
    except HttpError as e:
        resp = Response(e.status, problem_body(e.status, e.detail, e.code, request.path, request.request_id),
                        {"Content-Type": PROBLEM_TYPE, **e.headers})
        return resp


def _make_handler(app: App):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "sd-py"
        sys_version = ""
        timeout = app.options.idle_timeout

        def log_message(self, format, *args):  # noqa: A002 - silence the default stderr lines
            pass

        def _send(self, resp: Response, head: bool) -> None:
            self.send_response(resp.status)
            for k, v in resp.headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(resp.body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if not head and resp.status not in (204, 304):
                self.wfile.write(resp.body)

        def _fail(self, status: int, detail: str) -> None:
            self.close_connection = True
            request_id = app.rejected(status, self.client_address[0])
            body = problem_body(status, detail, _CODES[status])
            self._send(Response(status, body, {"Content-Type": PROBLEM_TYPE, sdobs.REQUEST_ID_HEADER: request_id}),
                       head=False)

        def _serve(self) -> None:
            header_bytes = sum(len(k) + len(v) + 4 for k, v in self.headers.items()) + len(self.requestline)
            if header_bytes > app.options.max_header_bytes:
                return self._fail(431, f"the request line and headers exceed {app.options.max_header_bytes} bytes")
            body = b""
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                return self._read_chunked()
            length = self.headers.get("Content-Length")
            if length is not None:
                if not length.isdigit():
                    return self._fail(400, "malformed Content-Length")
                if int(length) > app.options.max_body_bytes:
                    self._discard(int(length))
                    return self._fail(413, f"the body exceeds {app.options.max_body_bytes} bytes")
                body = self.rfile.read(int(length))
            self._dispatch(body)

        def _discard(self, length: int) -> None:
            """Reads and drops a refused body (up to a bound) before answering: closing with unread
            input makes the kernel reset the connection, and the client may never see our 413."""
            left = min(length, 8 * app.options.max_body_bytes)
            while left > 0:
                chunk = self.rfile.read(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)

        def _read_chunked(self) -> None:
            body = bytearray()
            while True:
                line = self.rfile.readline(1024)
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    return self._fail(400, "malformed chunked body")
                if len(body) + size > app.options.max_body_bytes:
                    return self._fail(413, f"the body exceeds {app.options.max_body_bytes} bytes")
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                body += self.rfile.read(size)
                self.rfile.readline(1024)
            self._dispatch(bytes(body))

        def _dispatch(self, body: bytes) -> None:
            split = urllib.parse.urlsplit(self.path)
            request = Request(self.command, split.path, urllib.parse.parse_qs(split.query, keep_blank_values=True),
                              self.headers, body, peer=self.client_address[0])
            resp = app.dispatch(request)
            if resp.headers.get("Connection", "").lower() == "close":
                self.close_connection = True
            resp.headers.pop("Connection", None)
            self._send(resp, head=self.command == "HEAD")

        def handle_one_request(self):
            try:
                super().handle_one_request()
            except (ConnectionError, TimeoutError):
                self.close_connection = True

        def send_error(self, code, message=None, explain=None):
            # http.server's own errors (bad request line, too-long headers) in our error shape.
            status = 431 if code == 431 else (code if code in _CODES else 400)
            self.request_version = "HTTP/1.1"  # so a garbled request line still gets a status line
            self._fail(status, message or http.HTTPStatus(code).phrase)

        def __getattr__(self, name):
            if name.startswith("do_"):
                return self._serve
            raise AttributeError(name)

    return Handler


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False


def duration(text: str) -> float:
    """A duration flag as the C++ services read it ("250ms", "10s", "2m", bare milliseconds), in
    seconds; argparse turns the ValueError into a usage error (exit 2)."""
    m = re.fullmatch(r"(\d+)(ms|s|m)?", text)
    if not m:
        raise ValueError(f"not a duration like 500ms, 10s or 2m: {text!r}")
    scale = {"ms": 0.001, None: 0.001, "s": 1.0, "m": 60.0}[m.group(2)]
    return int(m.group(1)) * scale


def fraction(text: str) -> float:
    """A rate flag: a number from 0 to 1 (NaN refused, as the C++ services do)."""
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"not a number from 0 to 1: {text!r}")
    return value


def common_args(description: str, default_port: int) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--host", default=os.environ.get("SD_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=default_port)
    p.add_argument("--log-level", default="info", choices=list(LEVELS))
    p.add_argument("--max-body-bytes", type=int, default=1024 * 1024)
    p.add_argument("--max-header-bytes", type=int, default=16 * 1024)
    p.add_argument("--idle-timeout", type=float, default=60.0, help="seconds")
    p.add_argument("--threads", type=int, default=0, help="accepted for parity; Python uses a thread per connection")
    p.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=True,
                   help="one JSON line per request")
    p.add_argument("--access-log-sample", type=fraction, default=1.0, metavar="RATE",
                   help="fraction of requests logged, keyed on the trace id (5xx and slow: always)")
    p.add_argument("--access-log-slow", type=duration, default=0.0, metavar="DURATION",
                   help="always log requests at least this slow (0: no such rule)")
    return p


def options_from(args: argparse.Namespace) -> Options:
    if not 0 <= args.port <= 65535:
        raise SystemExit(2)
    return Options(host=args.host, port=args.port, max_body_bytes=args.max_body_bytes,
                   max_header_bytes=args.max_header_bytes, idle_timeout=args.idle_timeout,
                   log_level=args.log_level, access_log=args.access_log,
                   access_log_sample=args.access_log_sample, access_log_slow=args.access_log_slow)


def serve(app: App, on_stop: Callable[[], None] | None = None) -> int:
    """Listens, prints the listening line, serves until SIGTERM/SIGINT, returns the exit code."""
    try:
        server = _Server((app.options.host, app.options.port), _make_handler(app))
    except OSError as e:
        print(f"{app.name}: cannot listen on {app.options.host}:{app.options.port}: {e}", file=sys.stderr)
        return 2
    port = server.server_address[1]
    stop = threading.Event()

    def on_signal(signo, _frame):
        app.log.log("info", "signal received, shutting down", signal=signo)
        app.ready.clear()
        stop.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    app.ready.set()
    app.log.log("info", "listening", host=app.options.host, port=port)
    host = f"[{app.options.host}]" if ":" in app.options.host else app.options.host
    print(f"listening on http://{host}:{port}", flush=True)
    server.serve_forever(poll_interval=0.2)
    server.server_close()
    if on_stop:
        on_stop()
    app.log.log("info", "stopped")
    return 0
