#!/usr/bin/env python3
"""sd-reliability, the Python twin: retry + timeout + circuit breaker, on the standard library,
with the same HTTP contract as main.cpp for that subset — simulated upstreams at /upstream/{name}
(PUT /v1/upstreams/{name} to change them), GET /call/{name} with the JSON trace of its attempts,
/v1/breakers with open/close/reset/disable, /v1/policy and /v1/policies/{name}.

The C++ service adds the retry budget, the bulkhead, hedging and adaptive throttling, cancels a
timed-out attempt instead of abandoning its thread, and runs each call as a coroutine; this twin
sleeps a thread per call, which is the seed's design with its bugs fixed (half-open admits exactly
N probes, a transient/permanent split, one composed pipeline, a breaker that recovers).
"""

from __future__ import annotations

import http.client
import json
import math
import pathlib
import random
import re
import socket
import sys
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "core" / "python"))
import sdhttp  # noqa: E402
from sdhttp import HttpError, Request, Response  # noqa: E402

DEADLINE_HEADER = "X-Request-Timeout-Ms"
NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
MAX_MS = 3_600_000
MAX_LATENCY_MS = 60_000
STATES = ("closed", "open", "half_open", "forced_open", "disabled")


# ---- strict JSON fields, as policy/json_fields.hpp reads them ---------------------------------

def number(v, field: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise ValueError(f"{field}: must be a number")
    return float(v)


def integer(v, field: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError(f"{field}: must be an integer")
    if not -1_000_000_000 <= v <= 1_000_000_000:
        raise ValueError(f"{field}: out of range")
    return v


def millis(v, field: str) -> float:
    n = number(v, field)
    if n < 0:
        raise ValueError(f"{field}: must not be negative")
    if n > MAX_MS:
        raise ValueError(f"{field}: at most {MAX_MS} ms")
    return n


def enum(v, field: str, names: tuple[str, ...]) -> str:
    if v not in names or not isinstance(v, str):
        raise ValueError(f"{field}: must be one of {', '.join(names)}")
    return v


def read_object(v, where: str, setters: dict) -> None:
    if not isinstance(v, dict):
        raise ValueError(f"{where}: must be an object")
    for key, value in v.items():
        if key not in setters:
            raise ValueError(f"{where}.{key}: unknown member (expected {', '.join(setters)})")
        setters[key](value, f"{where}.{key}")


# ---- the policy subset: timeout, retry, breaker -----------------------------------------------

class Policy:
    def __init__(self):
        self.attempt_ms, self.total_ms = 1000.0, 15000.0
        self.max_attempts, self.backoff, self.base_ms, self.max_ms, self.jitter = 3, "exponential", 25.0, 250.0, "full"
        self.breaker = {"window": "count", "window_size": 100, "minimum_calls": 100, "failure_rate": 0.5,
                        "slow_call_rate": 1.0, "slow_call_ms": 60000.0, "open_ms": 5000.0,
                        "half_open_probes": 3}

    @staticmethod
    def parse(text: str) -> "Policy":
        try:
            root = json.loads(text)
        except (ValueError, UnicodeDecodeError) as e:
            raise ValueError(f"policy: invalid JSON: {e}") from None
        if not isinstance(root, dict):
            raise ValueError("policy: must be a JSON object")
        p = Policy()

        def put(obj, key, reader, *extra):
            return lambda v, f: obj.__setitem__(key, reader(v, f, *extra))

        def attr(name, reader, *extra):
            return lambda v, f: setattr(p, name, reader(v, f, *extra))

        for key, v in root.items():
            if key == "timeout":
                read_object(v, key, {"attempt_ms": attr("attempt_ms", millis), "total_ms": attr("total_ms", millis)})
            elif key == "retry":
                read_object(v, key, {
                    "max_attempts": attr("max_attempts", integer),
                    "backoff": attr("backoff", enum, ("constant", "exponential")),
                    "base_ms": attr("base_ms", millis), "max_ms": attr("max_ms", millis),
                    "jitter": attr("jitter", enum, ("none", "full", "equal", "decorrelated"))})
            elif key == "breaker":
                if v is None or v is False:
                    p.breaker = None
                elif v is not True:
                    if not isinstance(v, dict):
                        raise ValueError("breaker: must be an object, true, false or null")
                    b = p.breaker
                    read_object(v, key, {
                        "window": put(b, "window", enum, ("count", "time")),
                        "window_size": put(b, "window_size", integer), "minimum_calls": put(b, "minimum_calls", integer),
                        "failure_rate": put(b, "failure_rate", number), "slow_call_rate": put(b, "slow_call_rate", number),
                        "slow_call_ms": put(b, "slow_call_ms", millis), "open_ms": put(b, "open_ms", millis),
                        "half_open_probes": put(b, "half_open_probes", integer)})
            elif key in ("budget", "bulkhead", "hedge", "throttle"):
                if v not in (None, False):
                    raise ValueError(f"{key}: not implemented by the Python twin (false or null only)")
            else:
                raise ValueError(f"{key}: unknown member (expected timeout, retry, budget, breaker, bulkhead, "
                                 "hedge, throttle)")
        p.validate()
        return p

    def validate(self) -> None:
        def require(ok, field, rule):
            if not ok:
                raise ValueError(f"{field}: {rule}")
        for field, value in (("timeout.attempt_ms", self.attempt_ms), ("timeout.total_ms", self.total_ms),
                             ("retry.base_ms", self.base_ms), ("retry.max_ms", self.max_ms)):
            require(0 < value <= MAX_MS, field, "must be in (0, 3600000] ms")
        require(1 <= self.max_attempts <= 10, "retry.max_attempts", "must be in [1, 10]")
        require(self.max_ms >= self.base_ms, "retry.max_ms", "must be >= retry.base_ms")
        b = self.breaker
        if b:
            if b["window"] == "count":
                require(1 <= b["window_size"] <= 10000, "breaker.window_size",
                        "must be in [1, 10000] calls for a count window")
            else:
                require(1 <= b["window_size"] <= 3600, "breaker.window_size",
                        "must be in [1, 3600] seconds for a time window")
            require(1 <= b["minimum_calls"] <= 1_000_000, "breaker.minimum_calls", "must be in [1, 1000000]")
            require(0 < b["failure_rate"] <= 1, "breaker.failure_rate", "must be in (0, 1]")
            require(0 < b["slow_call_rate"] <= 1, "breaker.slow_call_rate", "must be in (0, 1]")
            require(0 < b["slow_call_ms"] <= MAX_MS, "breaker.slow_call_ms", "must be in (0, 3600000] ms")
            require(0 < b["open_ms"] <= MAX_MS, "breaker.open_ms", "must be in (0, 3600000] ms")
            require(1 <= b["half_open_probes"] <= 1000, "breaker.half_open_probes", "must be in [1, 1000]")

    def to_json(self) -> dict:
        return {"timeout": {"attempt_ms": self.attempt_ms, "total_ms": self.total_ms},
                "retry": {"max_attempts": self.max_attempts, "backoff": self.backoff, "base_ms": self.base_ms,
                          "max_ms": self.max_ms, "jitter": self.jitter},
                "budget": False, "breaker": dict(self.breaker) if self.breaker else False,
                "bulkhead": False, "hedge": False, "throttle": False}


class Backoff:
    """The AWS article's four jitters over constant or exponential waits (seconds)."""

    def __init__(self, p: Policy, rng: random.Random):
        self.p, self.rng, self.n, self.previous = p, rng, 0, p.base_ms

    def ceiling(self, n: int) -> float:
        if self.p.backoff == "constant":
            return min(self.p.base_ms, self.p.max_ms)
        return min(self.p.max_ms, self.p.base_ms * 2 ** min(n, 62))

    def next(self) -> float:
        n, self.n = self.n, self.n + 1
        if self.p.jitter == "none":
            ms = self.ceiling(n)
        elif self.p.jitter == "full":
            ms = self.rng.uniform(0, self.ceiling(n))
        elif self.p.jitter == "equal":
            t = self.ceiling(n)
            ms = t / 2 + self.rng.uniform(0, t / 2)
        else:
            ms = self.previous = min(self.p.max_ms, self.rng.uniform(self.p.base_ms, self.previous * 3))
        return ms / 1000


class Breaker:
    """CLOSED → OPEN on failure or slow-call rate over a count or time window (after minimum_calls);
    OPEN → HALF_OPEN after open_ms; HALF_OPEN admits exactly N probes: all succeed → CLOSED, one fails
    → OPEN. An ignored probe gives its permit back; a result from before a transition is dropped."""

    def __init__(self, opts: dict, on_transition=lambda state: None):
        self.o, self.on_transition = opts, on_transition
        self.lock = threading.Lock()
        self.state, self.epoch, self.opened_at = "closed", 1, 0.0
        self.in_flight = self.successes = 0
        self.window: list = []  # (time, failure, slow)
        self.rejected = 0
        self.transitions = {s: 0 for s in STATES}
        self.recent: list = []

    def _to(self, state: str, reason: str) -> None:
        self.recent = (self.recent + [(self.state, state, reason, time.monotonic())])[-16:]
        self.state, self.epoch = state, self.epoch + 1
        self.in_flight = self.successes = 0
        self.transitions[state] += 1
        self.on_transition(state)
        if state == "open":
            self.opened_at = time.monotonic()
        if state == "closed":
            self.window = []

    def _maybe_half_open(self) -> None:
        if self.state == "open" and time.monotonic() - self.opened_at >= self.o["open_ms"] / 1000:
            self._to("half_open", "open_wait_elapsed")

    def _counts(self):
        if self.o["window"] == "time":
            horizon = time.monotonic() - self.o["window_size"]
            self.window = [w for w in self.window if w[0] > horizon]
        return len(self.window), sum(w[1] for w in self.window), sum(w[2] for w in self.window)

    def _minimum(self) -> int:
        m = self.o["minimum_calls"]
        return min(m, self.o["window_size"]) if self.o["window"] == "count" else m

    def try_acquire(self):
        with self.lock:
            self._maybe_half_open()
            if self.state in ("closed", "disabled"):
                return (self.epoch, False, self.state)
            if self.state == "half_open" and self.in_flight + self.successes < self.o["half_open_probes"]:
                self.in_flight += 1
                return (self.epoch, True, self.state)
            self.rejected += 1
            return None

    def record(self, permit, health: str, seconds: float) -> None:
        epoch, probe, _ = permit
        slow = seconds * 1000 >= self.o["slow_call_ms"]
        with self.lock:
            if epoch != self.epoch or self.state == "disabled":
                return
            if self.state == "half_open":
                self.in_flight -= 1
                if health == "failure":
                    self._to("open", "probe_failed")
                elif health == "success" and slow:
                    self._to("open", "probe_slow")
                elif health == "success":
                    self.successes += 1
                    if self.successes >= self.o["half_open_probes"]:
                        self._to("closed", "probes_succeeded")
            elif self.state == "closed" and health != "ignored":
                self.window.append((time.monotonic(), health == "failure", slow))
                if self.o["window"] == "count" and len(self.window) > self.o["window_size"]:
                    self.window.pop(0)
                calls, failures, slows = self._counts()
                if calls >= self._minimum():
                    if failures / calls >= self.o["failure_rate"]:
                        self._to("open", "failure_rate")
                    elif slows / calls >= self.o["slow_call_rate"]:
                        self._to("open", "slow_call_rate")

    def operator(self, action: str) -> None:
        with self.lock:
            if action == "open":
                self._to("forced_open", "forced_open")
            elif action == "close":
                self._to("closed", "closed_by_operator")
            elif action == "reset":
                self.recent = []
                self._to("closed", "reset")
            else:
                self._to("disabled", "disabled")

    def snapshot(self, name: str) -> dict:
        with self.lock:
            self._maybe_half_open()
            calls, failures, slows = self._counts()
            rated = calls >= self._minimum() and calls > 0
            now = time.monotonic()
            remaining = max(0.0, self.opened_at + self.o["open_ms"] / 1000 - now) if self.state == "open" else 0.0
            return {"name": name, "state": self.state, "calls": calls, "failures": failures, "slow": slows,
                    "failure_rate": failures / calls if rated else None,
                    "slow_call_rate": slows / calls if rated else None,
                    "probes_in_flight": self.in_flight, "probe_successes": self.successes,
                    "open_remaining_ms": round(remaining * 1000, 3), "rejected": self.rejected,
                    "transitions": dict(self.transitions),
                    "recent": [{"from": f, "to": t, "reason": r, "ago_ms": round((now - at) * 1000, 3)}
                               for f, t, r, at in self.recent]}


# ---- the simulated upstream -------------------------------------------------------------------

def parse_behavior(text: bytes | str) -> dict:
    try:
        root = json.loads(text or b"null")
    except (ValueError, UnicodeDecodeError) as e:
        raise ValueError(f"behavior: invalid JSON: {e}") from None
    b = {"error_rate": 0.0, "error_status": 503, "retry_after_s": None, "capacity": 0, "down_until": 0.0,
         "latency": {"kind": "fixed", "ms": 1.0}}
    down_for = [0.0]

    def latency(v, where):
        if not isinstance(v, dict):
            raise ValueError(f"{where}: must be an object")
        kind = enum(v.get("kind", "fixed"), f"{where}.kind", ("fixed", "uniform", "lognormal", "bimodal"))
        lat = {"kind": kind}
        fields = {"fixed": {"ms": millis}, "uniform": {"min_ms": millis, "max_ms": millis},
                  "lognormal": {"median_ms": millis, "p99_ms": millis},
                  "bimodal": {"ms": millis, "slow_fraction": number, "slow_factor": number}}[kind]
        defaults = {"ms": 1.0, "min_ms": 1.0, "max_ms": 1.0, "median_ms": 1.0, "p99_ms": 1.0,
                    "slow_fraction": 0.05, "slow_factor": 20.0}
        lat.update({k: defaults[k] for k in fields})
        read_object(v, where, {"kind": lambda *_: None,
                               **{k: (lambda k, r: lambda x, f: lat.__setitem__(k, r(x, f)))(k, r)
                                  for k, r in fields.items()}})
        if kind == "uniform" and lat["max_ms"] < lat["min_ms"]:
            raise ValueError(f"{where}.max_ms: must be >= min_ms")
        if kind == "lognormal" and lat["p99_ms"] < lat["median_ms"]:
            raise ValueError(f"{where}.p99_ms: must be >= median_ms")
        if kind == "lognormal" and lat["median_ms"] == 0:
            raise ValueError(f"{where}.median_ms: must be > 0")
        if kind == "bimodal" and not 0 <= lat["slow_fraction"] <= 1:
            raise ValueError(f"{where}.slow_fraction: must be in [0, 1]")
        if kind == "bimodal" and not 1 <= lat["slow_factor"] <= 1000:
            raise ValueError(f"{where}.slow_factor: must be in [1, 1000]")
        for k in ("ms", "max_ms", "p99_ms"):
            if lat.get(k, 0) > MAX_LATENCY_MS:
                raise ValueError(f"{where}.{k}: at most 60000 ms")
        b["latency"] = lat

    read_object(root, "behavior", {
        "error_rate": lambda v, f: b.__setitem__("error_rate", number(v, f)),
        "error_status": lambda v, f: b.__setitem__("error_status", integer(v, f)),
        "retry_after_s": lambda v, f: b.__setitem__("retry_after_s", integer(v, f)),
        "capacity": lambda v, f: b.__setitem__("capacity", integer(v, f)),
        "down_for_ms": lambda v, f: down_for.__setitem__(0, millis(v, f)),
        "latency": latency})
    if not 0 <= b["error_rate"] <= 1:
        raise ValueError("behavior.error_rate: must be in [0, 1]")
    if not 400 <= b["error_status"] <= 599:
        raise ValueError("behavior.error_status: must be in [400, 599]")
    if not 0 <= b["capacity"] <= 1_000_000:
        raise ValueError("behavior.capacity: must be in [0, 1000000] (0 = unlimited)")
    if b["retry_after_s"] is not None and b["retry_after_s"] > 3600:
        raise ValueError("behavior.retry_after_s: must be in [0, 3600]")
    if b["retry_after_s"] is not None and b["retry_after_s"] < 0:
        b["retry_after_s"] = None
    if down_for[0] > 0:
        b["down_until"] = time.monotonic() + down_for[0] / 1000
    return b


class Upstream:
    def __init__(self, name: str, behavior: dict, seed: int, policy: Policy, metrics: "Metrics"):
        self.name, self.behavior, self.metrics = name, behavior, metrics
        h = 1469598103934665603
        for c in name.encode():
            h = ((h ^ c) * 1099511628211) % 2 ** 64
        self.rng = random.Random(seed ^ h)
        self.lock = threading.Lock()
        self.requests = self.errors = self.in_flight = 0
        self.set_policy(policy)

    def set_policy(self, policy: Policy) -> None:
        self.policy = policy
        self.breaker = None
        if policy.breaker:
            self.breaker = Breaker(policy.breaker, self._transition)
            self.metrics.breaker_state(self.name, "closed")

    def _transition(self, state: str) -> None:
        self.metrics.breaker_state(self.name, state)
        self.metrics.transitions.inc(self.name, state)

    def latency(self, lat: dict) -> float:  # seconds
        kind = lat["kind"]
        if kind == "fixed":
            ms = lat["ms"]
        elif kind == "uniform":
            ms = self.rng.uniform(lat["min_ms"], lat["max_ms"])
        elif kind == "lognormal":
            sigma = math.log(lat["p99_ms"] / lat["median_ms"]) / 2.3263478740408408
            ms = lat["median_ms"] * math.exp(sigma * self.rng.gauss(0, 1))
        else:
            ms = lat["ms"] * (lat["slow_factor"] if self.rng.random() < lat["slow_fraction"] else 1)
        return min(ms, MAX_LATENCY_MS) / 1000

    def begin(self):
        with self.lock:
            b = self.behavior
            self.requests += 1
            self.metrics.upstream_requests.inc(self.name)
            self.in_flight += 1
            if time.monotonic() < b["down_until"]:
                self.errors += 1
                return 0.0, b["error_status"], True
            seconds = self.latency(b["latency"])
            if b["capacity"] and self.in_flight > b["capacity"]:
                seconds *= self.in_flight / b["capacity"]
            status = 200
            if b["error_rate"] > 0 and self.rng.random() < b["error_rate"]:
                status = b["error_status"]
                self.errors += 1
            return seconds, status, False

    def finish(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def to_json(self) -> dict:
        b = self.behavior
        left = max(0.0, b["down_until"] - time.monotonic())
        behavior = {"error_rate": b["error_rate"], "error_status": b["error_status"]}
        if b["retry_after_s"] is not None:
            behavior["retry_after_s"] = b["retry_after_s"]
        behavior.update({"capacity": b["capacity"], "down_for_ms": round(left * 1000, 3),
                         "latency": dict(b["latency"])})
        return {"name": self.name, "kind": "simulated", "behavior": behavior, "requests": self.requests,
                "errors": self.errors, "in_flight": self.in_flight}


# ---- classification and the call -------------------------------------------------------------

def classify(status: int | None, failure: str | None, idempotent: bool, retry_after: str | None):
    """(verdict, health, label, retry_after_seconds) — the table of policy/classify.hpp."""
    transient = "retryable" if idempotent else "permanent"
    if failure == "connect_error":
        return "retryable", "failure", failure, None
    if failure:
        return transient, "failure", failure, None
    if 200 <= status < 400:
        return "success", "success", "ok", None
    wait = None
    if status in (429, 503) and retry_after and retry_after.strip().isdigit():
        wait = float(retry_after.strip())
    if status == 429:
        return transient, "ignored", "status", wait
    if status in (502, 503, 504):
        return transient, "failure", "status", wait
    if status >= 500:
        return "permanent", "failure", "status", None
    return "permanent", "success", "status", None


def parse_deadline(value: str | None) -> float | None:
    if not value or len(value) > 12 or not value.isdigit() or int(value) <= 0:
        return None
    return min(int(value), MAX_MS) / 1000


def problem(status: int, detail: str, request: Request, refusal: str, trace: dict) -> Response:
    body = json.loads(sdhttp.problem_body(status, detail, sdhttp._CODES[status], request.path, request.request_id))
    body.update({"policy": refusal, "trace": trace})
    return Response(status, json.dumps(body, separators=(",", ":")).encode(),
                    {"Content-Type": sdhttp.PROBLEM_TYPE})


class Metrics:
    """The subset of the C++ service's reliability_* families this twin has."""

    def __init__(self, registry):
        self.calls = registry.counter("reliability_calls_total", "Calls through the pipeline, by result.",
                                      ("upstream", "result"))
        self.attempts = registry.counter("reliability_attempts_total", "Attempts started: first tries and retries.",
                                         ("upstream",))
        self.retries = registry.counter("reliability_retries_total", "Retries started.", ("upstream",))
        self.state = registry.gauge("reliability_breaker_state",
                                    "1 for the circuit breaker's current state, 0 for the others.",
                                    ("upstream", "state"))
        self.transitions = registry.counter("reliability_breaker_transitions_total",
                                            "Circuit breaker transitions, by the state entered.", ("upstream", "to"))
        self.upstream_requests = registry.counter("reliability_upstream_requests_total",
                                                  "Requests a simulated upstream received (its load).", ("upstream",))

    def breaker_state(self, name: str, state: str) -> None:
        for s in STATES:
            self.state.set(name, s, value=1 if s == state else 0)


class Lab:
    def __init__(self, policy: Policy, seed: int, max_upstreams: int, metrics: Metrics):
        self.policy, self.seed, self.max_upstreams, self.metrics = policy, seed, max_upstreams, metrics
        self.upstreams: dict[str, Upstream] = {}
        self.lock = threading.Lock()
        self.port = 0
        self.rng = random.Random(seed)

    def find(self, name: str) -> Upstream:
        up = self.upstreams.get(name)
        if up is None:
            raise HttpError(404, f"upstream '{name}' does not exist")
        return up

    def add(self, name: str, behavior: dict) -> Upstream:
        if not NAME.fullmatch(name):
            raise HttpError(400, f"upstream name '{name[:80]}': 1 to 64 characters of A-Z a-z 0-9 . _ -")
        if len(self.upstreams) >= self.max_upstreams:
            raise HttpError(409, f"at most {self.max_upstreams} upstreams")
        up = Upstream(name, behavior, self.seed, self.policy, self.metrics)
        self.upstreams[name] = up
        return up

    # GET|POST /upstream/{name}
    def serve_upstream(self, req: Request) -> Response:
        name = req.params["name"]
        up = self.upstreams.get(name)
        if up is None:
            raise HttpError(404, f"simulated upstream '{name}' does not exist")
        seconds, status, outage = up.begin()
        try:
            time.sleep(seconds)
        finally:
            up.finish()
        deadline = parse_deadline(req.headers.get(DEADLINE_HEADER))
        resp = Response.json(status, {"upstream": name, "status": status, "outage": outage,
                                      "latency_ms": round(seconds * 1000, 3),
                                      "deadline_ms": int(deadline * 1000) if deadline else None})
        if status >= 400 and up.behavior["retry_after_s"] is not None:
            resp.headers["Retry-After"] = str(up.behavior["retry_after_s"])
        return resp

    def _attempt(self, method: str, path: str, timeout: float):
        """One HTTP exchange with our own simulated upstream: (status, body, retry_after, failure)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            try:
                conn.connect()
            except socket.timeout:
                return None, b"", None, "connect_error"
            except OSError:
                return None, b"", None, "connect_error"
            conn.request(method, path, headers={DEADLINE_HEADER: str(max(1, int(timeout * 1000)))})
            r = conn.getresponse()
            return r.status, r.read(), r.getheader("Retry-After"), None
        except socket.timeout:
            return None, b"", None, "timeout"
        except (OSError, http.client.HTTPException):
            return None, b"", None, "connection_error"
        finally:
            conn.close()

    # GET /call/{name}
    def call(self, req: Request) -> Response:
        up = self.find(req.params["name"])
        method = req.query.get("method", ["GET"])[0]
        if method not in ("GET", "POST", "PUT", "DELETE"):
            raise HttpError(400, "method: GET, POST, PUT or DELETE")
        safe = req.query.get("safe", [None])[0]
        if safe not in (None, "true", "false"):
            raise HttpError(400, "safe: true or false")
        idempotent = method != "POST" or safe == "true"
        policy, breaker = up.policy, up.breaker
        start = time.monotonic()
        deadline = start + policy.total_ms / 1000
        caller = parse_deadline(req.headers.get(DEADLINE_HEADER))
        if caller:
            deadline = min(deadline, start + caller)
        backoff = Backoff(policy, self.rng)
        attempts: list[dict] = []
        trace = {"attempts": attempts, "ended_by": "", "refusal": "none", "total_ms": 0.0, "queued_ms": 0.0,
                 "retries": 0, "hedges": 0}
        last = None  # (status, body, label)
        while True:
            now = time.monotonic()
            if now >= deadline:
                return self._refuse(up, req, trace, start, 504, "deadline", "deadline of "
                                    f"{int((deadline - start) * 1000)} ms exceeded after {len(attempts)} attempt(s)")
            permit = breaker.try_acquire() if breaker else (0, False, "disabled")
            if permit is None:
                if not attempts:
                    return self._refuse(up, req, trace, start, 503, "breaker_open",
                                        f"circuit breaker '{up.name}' is {breaker.state}: call not permitted")
                trace["ended_by"] = "breaker_open"
                break
            if attempts:
                trace["retries"] += 1
                self.metrics.retries.inc(up.name)
            self.metrics.attempts.inc(up.name)
            timeout = min(policy.attempt_ms / 1000, deadline - now)
            status, body, retry_after, failure = self._attempt(method, f"/upstream/{up.name}", timeout)
            elapsed = time.monotonic() - now
            verdict, health, label, wait = classify(status, failure, idempotent, retry_after)
            if breaker:
                breaker.record(permit, health, elapsed)
            attempts.append({"n": len(attempts) + 1, "hedge": False, "offset_ms": round((now - start) * 1000, 3),
                             "duration_ms": round(elapsed * 1000, 3), "outcome": label, "status": status or 0,
                             "verdict": verdict, "breaker": permit[2], "won": False})
            last = (status, body, label, retry_after)
            if verdict != "retryable":
                trace["ended_by"] = verdict if verdict == "permanent" else "success"
                break
            if time.monotonic() >= deadline:  # the attempt ran into the call's deadline
                return self._refuse(up, req, trace, start, 504, "deadline", "deadline of "
                                    f"{int((deadline - start) * 1000)} ms exceeded after {len(attempts)} attempt(s)")
            if len(attempts) >= policy.max_attempts:
                trace["ended_by"] = "max_attempts"
                break
            pause = backoff.next()
            asked = wait is not None and wait > pause
            if asked:
                pause = wait
            if time.monotonic() + pause >= deadline:
                trace["ended_by"] = "retry_after" if asked else "deadline"
                break
            time.sleep(pause)
        attempts[-1]["won"] = True
        trace["total_ms"] = round((time.monotonic() - start) * 1000, 3)
        status, body, label, retry_after = last
        ok = attempts[-1]["verdict"] == "success"
        self.metrics.calls.inc(up.name, "success" if ok else "failure")
        if status is None:  # the last attempt never got an answer
            code = 504 if label == "timeout" else 503
            detail = "attempt timed out" if label == "timeout" else f"upstream {label.replace('_', ' ')}"
            return problem(code, detail, req, "none", trace)
        try:
            inner = json.loads(body)
        except ValueError:
            inner = body.decode(errors="replace")
        resp = Response.json(status, {"upstream": up.name, "status": status, "body": inner, "trace": trace})
        if retry_after:
            resp.headers["Retry-After"] = retry_after
        return resp

    def _refuse(self, up, req, trace, start, status, refusal, detail) -> Response:
        trace["refusal"] = trace["ended_by"] = refusal
        trace["total_ms"] = round((time.monotonic() - start) * 1000, 3)
        self.metrics.calls.inc(up.name, "failure")
        return problem(status, detail, req, refusal, trace)

    def put_upstream(self, req: Request) -> Response:
        name = req.params["name"]
        try:
            behavior = parse_behavior(req.body)
        except ValueError as e:
            raise HttpError(400, str(e)) from None
        with self.lock:
            up = self.upstreams.get(name)
            if up is None:
                return Response.json(201, self.add(name, behavior).to_json())
            up.behavior = behavior
        return Response.json(200, up.to_json())

    def get_upstreams(self, _req: Request) -> Response:
        return Response.json(200, {"upstreams": [self.upstreams[n].to_json() for n in sorted(self.upstreams)]})

    def get_upstream(self, req: Request) -> Response:
        return Response.json(200, self.find(req.params["name"]).to_json())

    def breakers(self, _req: Request) -> Response:
        return Response.json(200, {"breakers": [self.upstreams[n].breaker.snapshot(n) for n in sorted(self.upstreams)
                                                if self.upstreams[n].breaker]})

    def breaker_action(self, req: Request) -> Response:
        name, action = req.params["name"], req.params["action"]
        up = self.upstreams.get(name)
        if up is None or up.breaker is None:
            raise HttpError(404, f"breaker '{name}' does not exist")
        if action not in ("open", "close", "reset", "disable"):
            raise HttpError(404, f"breaker action '{action[:32]}': open, close, reset or disable")
        up.breaker.operator(action)
        return Response.json(200, up.breaker.snapshot(name))

    def get_policy(self, req: Request) -> Response:
        name = req.params.get("name")
        return Response.json(200, (self.find(name).policy if name else self.policy).to_json())

    def put_policy(self, req: Request) -> Response:
        up = self.find(req.params["name"])
        try:
            policy = Policy.parse(req.body.decode(errors="replace"))
        except ValueError as e:
            raise HttpError(400, str(e)) from None
        up.set_policy(policy)
        return Response.json(200, policy.to_json())


def main() -> int:
    p = sdhttp.common_args("Timeouts, retries and a circuit breaker over simulated upstreams (Python twin)", 9006)
    p.add_argument("--policy", default="", help="pipeline JSON (timeout, retry, breaker), or @file")
    p.add_argument("--sim", action="append", default=[], help="name=JSON behaviour (repeatable)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--max-upstreams", type=int, default=64)
    args = p.parse_args()
    router = sdhttp.Router()
    app = sdhttp.App("sd-reliability", router, sdhttp.options_from(args))
    try:
        text = args.policy
        if text.startswith("@"):
            text = pathlib.Path(text[1:]).read_text()
        policy = Policy.parse(text) if text else Policy()
    except (ValueError, OSError) as e:
        print(f"sd-reliability: --policy: {e}", file=sys.stderr)
        return 2
    lab = Lab(policy, args.seed, args.max_upstreams, Metrics(app.registry))
    sims = args.sim or ["ok={}", 'flaky={"error_rate":0.3}',
                        'slow={"latency":{"kind":"lognormal","median_ms":5,"p99_ms":200}}']
    for s in sims:
        name, eq, behavior = s.partition("=")
        try:
            if not eq or not name:
                raise ValueError(f"expected name=..., got '{s[:80]}'")
            lab.add(name, parse_behavior(behavior))
        except (ValueError, HttpError) as e:
            print(f"sd-reliability: --sim {name}: {getattr(e, 'detail', e)}", file=sys.stderr)
            return 2
    router.get("/upstream/{name}", lab.serve_upstream)
    router.post("/upstream/{name}", lab.serve_upstream)
    router.get("/call/{name}", lab.call)
    router.get("/v1/upstreams", lab.get_upstreams)
    router.get("/v1/upstreams/{name}", lab.get_upstream)
    router.put("/v1/upstreams/{name}", lab.put_upstream)
    router.get("/v1/breakers", lab.breakers)
    router.post("/v1/breakers/{name}/{action}", lab.breaker_action)
    router.get("/v1/policy", lab.get_policy)
    router.get("/v1/policies/{name}", lab.get_policy)
    router.put("/v1/policies/{name}", lab.put_policy)
    return _serve_with_port(app, lab)


def _serve_with_port(app, lab: Lab) -> int:
    """sdhttp.serve binds and prints the listening line; the lab also needs the port, to reach its
    own simulated upstreams."""
    original = sdhttp._Server.server_bind

    def bind(server):
        original(server)
        lab.port = server.server_address[1]

    sdhttp._Server.server_bind = bind
    return sdhttp.serve(app)


if __name__ == "__main__":
    sys.exit(main())
