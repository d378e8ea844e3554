#!/usr/bin/env python3
"""sd-ratelimiter, the Python twin: token-bucket limits on GET /ping and the POST /v1/check
decision API, on the standard library, with the same contract as main.cpp (the C++ service adds
GCRA, sliding windows, sharded bounded state and a Redis store; this twin keeps one algorithm,
a dict under one lock and an LRU bound — the seed's design, with its bugs fixed)."""

from __future__ import annotations

import collections
import ipaddress
import math
import pathlib
import re
import sys
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "core" / "python"))
import sdhttp  # noqa: E402
from sdhttp import HttpError, Request, Response  # noqa: E402

MAX_KEY_BYTES = 512
MAX_COST = 1_000_000_000
RATE_UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}


class Rule:
    def __init__(self, text: str):
        fields = {}
        for part in text.split(","):
            k, eq, v = part.partition("=")
            k = {"algo": "algorithm", "failure": "failure_mode"}.get(k.strip(), k.strip())
            if not eq or k in fields or k not in ("name", "algorithm", "rate", "burst", "key", "shadow", "failure_mode"):
                raise ValueError(f"--rule: bad or repeated field '{k}'")
            fields[k] = v.strip()
        if "name" not in fields or not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", fields["name"]):
            raise ValueError("--rule: name is required (1..64 of [A-Za-z0-9_.-])")
        if fields.get("algorithm", "token_bucket") != "token_bucket":
            raise ValueError("--rule: the Python twin implements token_bucket only")
        m = re.fullmatch(r"(\d+)/(\w+)", fields.get("rate", ""))
        if not m or int(m.group(1)) <= 0 or m.group(2) not in RATE_UNITS:
            raise ValueError("--rule: rate must look like 2/s or 100/m")
        self.name = fields["name"]
        self.per_second = int(m.group(1)) / RATE_UNITS[m.group(2)]
        self.burst = int(fields.get("burst", m.group(1)))
        if self.burst <= 0:
            raise ValueError("--rule: burst must be positive")
        self.key = fields.get("key", "ip")
        if not (self.key in ("ip", "route", "descriptor") or self.key.startswith("header:")):
            raise ValueError("--rule: key must be ip, header:<name>, route or descriptor")
        self.shadow = fields.get("shadow", "false") == "true"

    @property
    def window_seconds(self) -> int:
        return max(1, math.ceil(self.burst / self.per_second))


class Decision:
    def __init__(self, allowed, limit, remaining, reset_after, retry_after):
        self.allowed, self.limit, self.remaining = allowed, limit, remaining
        self.reset_after, self.retry_after = reset_after, retry_after  # seconds; retry -1 = never
        self.shadowed = False


class TokenBuckets:
    """key → (tokens, last refill time); a new key starts full; least recently used keys go first."""

    def __init__(self, max_keys: int, clock=time.monotonic):
        self.max_keys, self.clock = max_keys, clock
        self.buckets: collections.OrderedDict[tuple, tuple[float, float]] = collections.OrderedDict()
        self.evictions = 0
        self.lock = threading.Lock()

    def take(self, rule: Rule, key: str, cost: int) -> Decision:
        now = self.clock()
        with self.lock:
            tokens, last = self.buckets.pop((rule.name, key), (float(rule.burst), now))
            tokens = min(float(rule.burst), tokens + (now - last) * rule.per_second)
            if cost > rule.burst:
                allowed, retry = False, -1.0
            elif tokens >= cost:
                allowed, retry, tokens = True, 0.0, tokens - cost
            else:
                allowed, retry = False, (cost - tokens) / rule.per_second
            if tokens < rule.burst:  # a full bucket carries no information: forget it
                self.buckets[(rule.name, key)] = (tokens, now)
                while len(self.buckets) > self.max_keys:
                    self.buckets.popitem(last=False)
                    self.evictions += 1
        return Decision(allowed, rule.burst, int(tokens), (rule.burst - tokens) / rule.per_second, retry)


def ceil_seconds(s: float) -> int:
    return max(0, math.ceil(s - 1e-9))


def sf_string(s: str) -> str:
    return '"' + "".join(c if 0x20 <= ord(c) < 0x7f else "?" for c in s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def client_ip(peer: str, xff_lines: list[str], trusted: list) -> str:
    """The client address: walking X-Forwarded-For right to left from a trusted peer, the first
    entry that is not a trusted proxy. Garbage stops the walk at the nearest trusted hop; if every
    entry is trusted, the leftmost one."""
    def parse(text: str):
        try:
            return ipaddress.ip_address(text.strip())
        except ValueError:
            return None

    def is_trusted(addr) -> bool:
        return any(addr in net for net in trusted)

    nearest = parse(peer)
    if nearest is None or not is_trusted(nearest):
        return peer
    hops = [h for line in xff_lines for h in line.split(",") if h.strip()]
    for hop in reversed(hops):
        addr = parse(hop)
        if addr is None:
            break
        nearest = addr
        if not is_trusted(addr):
            break
    return str(nearest)


def ip_key(text: str) -> str:
    """IPv6 clients are keyed by their /64 (one subscriber usually holds a whole /64)."""
    addr = ipaddress.ip_address(text)
    if addr.version == 6:
        return str(ipaddress.ip_network(f"{addr}/64", strict=False))
    return str(addr)


class Service:
    def __init__(self, rules: list[Rule], ping_rule: str, trusted: list, max_keys: int, registry):
        self.rules = {r.name: r for r in rules}
        if ping_rule not in self.rules:
            raise ValueError(f"--default-rule: no rule named {ping_rule}")
        self.ping_rule = self.rules[ping_rule]
        self.trusted = trusted
        self.buckets = TokenBuckets(max_keys)
        self.decisions = registry.counter("ratelimit_decisions_total", "Rate-limit decisions by rule and outcome.",
                                          ("rule", "outcome"))
        registry.callback("ratelimit_tracked_keys", "Keys with rate-limit state in memory.", "gauge",
                          lambda: len(self.buckets.buckets))
        registry.callback("ratelimit_evictions_total", "Keys evicted to stay under --max-keys.", "counter",
                          lambda: self.buckets.evictions)

    def decide(self, rule: Rule, key: str, cost: int) -> Decision:
        d = self.buckets.take(rule, key, cost)
        outcome = "allowed" if d.allowed else ("shadow_limited" if rule.shadow else "limited")
        self.decisions.inc(rule.name, outcome)
        d.shadowed = outcome == "shadow_limited"
        if d.shadowed:
            d.allowed = True
        return d

    def headers(self, rule: Rule, d: Decision) -> dict[str, str]:
        t = ceil_seconds(d.reset_after if d.allowed else d.retry_after)
        return {"RateLimit-Policy": f"{sf_string(rule.name)};q={rule.burst};w={rule.window_seconds}",
                "RateLimit": f"{sf_string(rule.name)};r={d.remaining};t={t}"}

    def ping(self, request: Request) -> Response:
        rule = self.ping_rule
        if rule.key in ("ip", "descriptor"):
            key = ip_key(client_ip(request.peer, request.headers.get_all("X-Forwarded-For") or [], self.trusted))
        elif rule.key == "route":
            key = request.route
        else:  # an API-key header; without one, fall back to the client address
            header = rule.key.partition(":")[2]
            key = request.headers.get(header, "").strip(" \t")
            if len(key.encode()) > MAX_KEY_BYTES:  # the client's bytes; the "h:" prefix is ours
                raise HttpError(400, f"{header}: longer than {MAX_KEY_BYTES} bytes")
            key = "h:" + key if key else ip_key(request.peer)
        d = self.decide(rule, key, 1)
        headers = {} if rule.shadow else self.headers(rule, d)
        if not d.allowed:
            if d.retry_after >= 0:
                headers["Retry-After"] = str(max(1, ceil_seconds(d.retry_after)))
            raise HttpError(429, "rate limit exceeded", headers=headers)
        resp = Response.json(200, {"message": "pong"})
        resp.headers.update(headers)
        return resp

    def check(self, request: Request) -> Response:
        body = request.json()
        if not isinstance(body, dict):
            raise HttpError(400, "body must be a JSON object {key, rule, cost}")
        rule_name = body.get("rule", self.ping_rule.name)
        if not isinstance(rule_name, str) or rule_name not in self.rules:
            raise HttpError(400, f"rule: no rule named {rule_name!r}")
        key = body.get("key")
        if "descriptors" in body:
            descriptors = body["descriptors"]
            if key is not None or not isinstance(descriptors, list) or not descriptors or not all(
                    isinstance(d, dict) and isinstance(d.get("key"), str) and isinstance(d.get("value"), str)
                    for d in descriptors):
                raise HttpError(400, "descriptors: a non-empty list of {key, value} strings, instead of key")
            key = "|".join(f"{d['key']}={d['value']}" for d in descriptors)
        if not isinstance(key, str) or not key:
            raise HttpError(400, "key: a non-empty string is required")
        if len(key.encode()) > MAX_KEY_BYTES:
            raise HttpError(400, f"key: longer than {MAX_KEY_BYTES} bytes")
        cost = body.get("cost", 1)
        if not isinstance(cost, int) or isinstance(cost, bool) or not 0 <= cost <= MAX_COST:
            raise HttpError(400, f"cost: an integer from 0 to {MAX_COST} is required")
        rule = self.rules[rule_name]
        d = self.decide(rule, key, cost)
        outcome = "allowed" if d.allowed and not d.shadowed else ("shadow_limited" if d.shadowed else "limited")
        return Response.json(200, {
            "allowed": d.allowed, "outcome": outcome, "rule": rule.name, "limit": d.limit, "remaining": d.remaining,
            "reset_after_ms": math.ceil(d.reset_after * 1000),
            "retry_after_ms": -1 if d.retry_after < 0 else math.ceil(d.retry_after * 1000)})


def main() -> int:
    p = sdhttp.common_args("Per-client rate limits: /ping behind a limiter, POST /v1/check", 9001)
    p.add_argument("--rule", action="append", default=[], help="name=..,algo=token_bucket,rate=2/s,burst=5,key=ip")
    p.add_argument("--default-rule", default="default")
    p.add_argument("--trusted-proxy", action="append", default=[], help="address or CIDR whose X-Forwarded-For is believed")
    p.add_argument("--max-keys", type=int, default=1_000_000)
    args = p.parse_args()
    try:
        rules = [Rule(t) for t in args.rule] or [Rule("name=default,rate=2/s,burst=5,key=ip")]
        trusted = [ipaddress.ip_network(t, strict=False) for t in args.trusted_proxy]
    except ValueError as e:
        print(f"sd-ratelimiter: {e}", file=sys.stderr)
        return 2
    router = sdhttp.Router()
    app = sdhttp.App("sd-ratelimiter", router, sdhttp.options_from(args))
    try:
        service = Service(rules, args.default_rule, trusted, args.max_keys, app.registry)
    except ValueError as e:
        print(f"sd-ratelimiter: {e}", file=sys.stderr)
        return 2
    router.get("/ping", service.ping)
    router.post("/v1/check", service.check)
    return sdhttp.serve(app)


if __name__ == "__main__":
    sys.exit(main())
