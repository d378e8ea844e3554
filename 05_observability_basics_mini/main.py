#!/usr/bin/env python3
"""sd-observability, the Python twin: /hello, /error, /metrics and POST /test on the standard
library, with the same request-id, trace-context, metrics and access-log contract as main.cpp
(the observability itself lives in core/python/sdobs.py, as the C++ one lives in this folder)."""

import json
import pathlib
import sys
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


def make_test_handler(max_calls: int, allowed_hosts: list[str], timeout: float):
    def test(request: Request) -> Response:
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
            url = urllib.parse.urlsplit(call["url"])
            if url.scheme != "http" or not url.hostname:
                raise HttpError(400, f"only http:// URLs are supported: {call['url']}")
            if url.hostname not in allowed_hosts:
                raise HttpError(403, f"host {url.hostname} is not allowed (see --test-allow-host)")
            parsed.append(call)
        results = []
        for call in parsed:
            headers = {"Content-Type": "application/json", sdhttp.sdobs.REQUEST_ID_HEADER: request.request_id,
                       **request.trace.outbound_headers()}
            req = urllib.request.Request(call["url"], data=json.dumps(call["arguments"]).encode(),
                                         headers=headers, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=timeout) as r:
                    results.append({"status": r.status})
            except urllib.error.HTTPError as e:
                results.append({"status": e.code})
            except OSError as e:
                results.append({"error": str(e)})
        return Response.json(200, results)

    return test


def main() -> int:
    p = sdhttp.common_args("Request IDs, trace context, JSON logs, metrics", 9005)
    p.add_argument("--test-max-calls", type=int, default=32)
    p.add_argument("--test-allow-host", action="append", default=None)
    args = p.parse_args()
    router = sdhttp.Router()
    router.get("/hello", hello)
    router.get("/error", fail)
    router.post("/test", make_test_handler(args.test_max_calls,
                                           args.test_allow_host or ["127.0.0.1", "localhost", "::1"], 10.0))
    app = sdhttp.App("sd-observability", router, sdhttp.options_from(args))
    return sdhttp.serve(app)


if __name__ == "__main__":
    sys.exit(main())
