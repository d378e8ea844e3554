#!/usr/bin/env python3
"""sd-observability, the Python twin: /hello, /error, /metrics and POST /test on the standard
library, with the same request-id, trace-context, metrics and access-log contract as main.cpp
(the observability itself lives in core/python/sdobs.py, as the C++ one lives in this folder)."""

import argparse
import json
import pathlib
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "core" / "python"))
import sdhttp  # noqa: E402
from sdhttp import HttpError, Request, Response  # noqa: E402


def hello(request: Request) -> Response:
    return Response.json(200, {"message": "hello", "request_id": request.request_id})


def fail(_request: Request) -> Response:
    raise HttpError(500, "simulated failure (this endpoint always fails)")


TEST_DEPTH_HEADER = "SD-Test-Depth"
PLAIN_HOST = re.compile(r"^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$")


def parse_call_url(text: str) -> urllib.parse.SplitResult:
    """The same rules as core::ParseHttpUrl: http only, no credentials, a plain host as written,
    a port of 1..65535 (never wrapped)."""
    url = urllib.parse.urlsplit(text)
    if url.scheme != "http" or not url.hostname:
        raise HttpError(400, f"only http:// URLs are supported: {text[:256]}")
    if url.username is not None or url.password is not None:
        raise HttpError(400, f"credentials in a URL are not supported: {text[:256]}")
    host = url.netloc.rsplit("@", 1)[-1]
    host = host.rsplit(":", 1)[0] if not host.endswith("]") and host.count(":") == 1 else host
    if host.startswith("[") and "]:" in host:
        host = host[:host.index("]") + 1]
    if not PLAIN_HOST.match(host):
        raise HttpError(400, f"the host must be a plain name or address: {text[:256]}")
    try:
        port = url.port
    except ValueError:
        raise HttpError(400, f"the port must be 1..65535: {text[:256]}")
    if port is not None and not 1 <= port <= 65535 or ":" in url.netloc.rsplit("]", 1)[-1] and port is None:
        raise HttpError(400, f"the port must be 1..65535: {text[:256]}")
    return url


def make_test_handler(max_calls: int, allowed_hosts: list[str], timeout: float, max_depth: int):
    def test(request: Request) -> Response:
        try:
            depth = int(request.headers.get(TEST_DEPTH_HEADER, "0"))
        except ValueError:
            depth = max_depth
        if depth < 0 or depth >= max_depth:
            raise HttpError(400, "nested /test calls deeper than --test-max-depth")
        calls = request.json()
        if not isinstance(calls, list):
            raise HttpError(400, "body must be a JSON array of {url, arguments}")
        if len(calls) > max_calls:
            raise HttpError(400, f"at most {max_calls} calls per request")
        parsed = []
        for call in calls:
            if not (isinstance(call, dict) and isinstance(call.get("url"), str)
                    and isinstance(call.get("arguments"), list)):
                raise HttpError(400, 'each element needs a string "url" and an array "arguments"')
            url = parse_call_url(call["url"])
            if url.hostname not in allowed_hosts:
                raise HttpError(403, f"host {url.hostname} is not allowed (see --test-allow-host)")
            parsed.append(call)
        deadline = time.monotonic() + timeout
        results = []
        for call in parsed:
            left = deadline - time.monotonic()
            if left <= 0:
                results.append({"error": "deadline exceeded (--test-timeout)"})
                continue
            headers = {"Content-Type": "application/json", sdhttp.sdobs.REQUEST_ID_HEADER: request.request_id,
                       TEST_DEPTH_HEADER: str(depth + 1), **request.trace.outbound_headers()}
            req = urllib.request.Request(call["url"], data=json.dumps(call["arguments"]).encode(),
                                         headers=headers, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=left) as r:
                    results.append({"status": r.status})
            except urllib.error.HTTPError as e:
                results.append({"status": e.code})
            except OSError as e:
                results.append({"error": str(e)})
        return Response.json(200, results)

    return test


def main() -> int:
    p = sdhttp.common_args("Request IDs, trace context, JSON logs, metrics", 9005)
    p.add_argument("--test-endpoint", action=argparse.BooleanOptionalAction, default=False)
    p.add_argument("--test-max-calls", type=int, default=32)
    p.add_argument("--test-allow-host", action="append", default=None)
    p.add_argument("--test-timeout", type=sdhttp.duration, default=5.0)
    p.add_argument("--test-max-depth", type=int, default=4)
    args = p.parse_args()
    router = sdhttp.Router()
    router.get("/hello", hello)
    router.get("/error", fail)
    if args.test_endpoint:
        router.post("/test", make_test_handler(args.test_max_calls,
                                               args.test_allow_host or ["127.0.0.1", "localhost", "::1"],
                                               args.test_timeout, args.test_max_depth))
    app = sdhttp.App("sd-observability", router, sdhttp.options_from(args))
    return sdhttp.serve(app)


if __name__ == "__main__":
    sys.exit(main())
