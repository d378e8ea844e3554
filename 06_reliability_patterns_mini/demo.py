#!/usr/bin/env python3
"""The seed's demo, reproduced and fixed, against a running sd-reliability (or main.py):

  1. a flaky upstream (30 % 503s) that retries make look healthy;
  2. an outage: the breaker opens after a handful of failures, refuses at once while the upstream
     is down, probes in half-open, and closes when the upstream is back.

    06_reliability_patterns_mini/demo.py [http://localhost:9006]

Standard library only. It creates its own upstreams (demo-flaky, demo-outage) with PUT, so it can
run against a service that is doing other things.
"""

import json
import sys
import time
import urllib.error
import urllib.request

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://localhost:9006"


def request(method: str, path: str, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def attempts(trace: dict) -> str:
    return " ".join(f"{a['outcome'] if a['outcome'] != 'status' else a['status']}"
                    f"@{a['offset_ms']:.0f}ms" for a in trace["attempts"]) or "(none: refused)"


def main() -> int:
    print("1 · a flaky upstream: 30 % of requests fail with 503; three attempts, 25–250 ms jittered backoff")
    request("PUT", "/v1/upstreams/demo-flaky", {"error_rate": 0.3, "latency": {"kind": "fixed", "ms": 2}})
    request("PUT", "/v1/policies/demo-flaky", {"breaker": False, "budget": False, "bulkhead": False})
    ok = 0
    for i in range(10):
        status, body = request("GET", "/call/demo-flaky")
        ok += status == 200
        print(f"   call {i + 1:2}: {status}  attempts: {attempts(body['trace'])}")
    print(f"   {ok}/10 calls succeeded (each attempt fails 30 % of the time; a call fails only if all three do)\n")

    print("2 · an outage of 3 s; breaker: window of 10 calls, opens at 50 % failures, 1 s open, 2 probes")
    request("PUT", "/v1/upstreams/demo-outage", {"latency": {"kind": "fixed", "ms": 2}})
    request("PUT", "/v1/policies/demo-outage", {
        "retry": {"max_attempts": 1}, "budget": False, "bulkhead": False,
        "breaker": {"window_size": 10, "minimum_calls": 10, "failure_rate": 0.5, "open_ms": 1000,
                    "half_open_probes": 2}})
    start = time.monotonic()
    request("PUT", "/v1/upstreams/demo-outage", {"latency": {"kind": "fixed", "ms": 2}, "down_for_ms": 3000})
    last = None
    while time.monotonic() - start < 5.5:
        status, body = request("GET", "/call/demo-outage")
        _, breakers = request("GET", "/v1/breakers")
        state = next(b["state"] for b in breakers["breakers"] if b["name"] == "demo-outage")
        policy = body.get("policy", "")
        line = f"{status} {policy or attempts(body['trace'])} → breaker {state}"
        if line != last:
            print(f"   {time.monotonic() - start:4.1f} s  {line}")
            last = line
        time.sleep(0.1)
    _, breakers = request("GET", "/v1/breakers")
    b = next(b for b in breakers["breakers"] if b["name"] == "demo-outage")
    print("   transitions: " + ", ".join(f"{t['from']}→{t['to']} ({t['reason']})" for t in b["recent"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
