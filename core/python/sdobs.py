"""Observability for the Python twins: what 05_observability_basics_mini is for the C++ services.

Request IDs, W3C Trace Context (traceparent per Level 1, tracestate per the current text), a small
Prometheus registry (counters, gauges, histograms with labels; text format 0.0.4), process metrics
from /proc, and the middleware that ties them together (one JSON access line per request). Standard
library only; written for clarity, not speed.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import time

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_TRACEPARENT_RE = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")
# The current tracestate key grammar: '@' is a key character anywhere but first (no tenant@system).
_KEY_RE = re.compile(r"[a-z0-9][_0-9a-z\-*/@]{0,255}")
_VALUE_RE = re.compile(r"[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]")


def accept_or_new_request_id(incoming: str | None) -> str:
    if incoming and _REQUEST_ID_RE.fullmatch(incoming):
        return incoming
    return secrets.token_hex(16)


def parse_traceparent(lines: list[str]):
    """(trace_id, parent_id, flags) from exactly one valid traceparent line, else None."""
    if len(lines) != 1:
        return None
    value = lines[0].strip(" \t")
    if len(value) < 55:
        return None
    m = _TRACEPARENT_RE.fullmatch(value[:55])
    if not m:
        return None
    version, trace_id, parent_id, flags = m.groups()
    if version == "ff" or (version == "00" and len(value) != 55):
        return None
    if version != "00" and len(value) > 55 and value[55] != "-":
        return None
    if trace_id == "0" * 32 or parent_id == "0" * 16:
        return None
    return trace_id, parent_id, int(flags, 16)


def normalize_tracestate(lines: list[str]) -> str:
    """The combined list with empty members and repeated keys removed (the first entry of a key
    wins), or "" if any member is invalid or more than 32 arrived (repeated keys counted)."""
    members, keys, received = [], set(), 0
    for line in lines:
        for member in line.split(","):
            member = member.strip(" \t")
            if not member:
                continue
            key, eq, value = member.partition("=")
            if not eq or not _KEY_RE.fullmatch(key) or not _VALUE_RE.fullmatch(value):
                return ""
            received += 1
            if received > 32:
                return ""
            if key not in keys:
                keys.add(key)
                members.append(f"{key}={value}")
    return ",".join(members)


class Trace:
    """The server span of one request."""

    def __init__(self, traceparent_lines: list[str], tracestate_lines: list[str]):
        parent = parse_traceparent(traceparent_lines)
        self.span_id = secrets.token_hex(8)
        if parent:
            self.trace_id, self.parent_id, flags = parent
            self.flags = flags & 0x01
            self.tracestate = normalize_tracestate(tracestate_lines)
        else:
            self.trace_id, self.parent_id, self.flags, self.tracestate = secrets.token_hex(16), "", 0, ""

    def outbound_headers(self) -> dict[str, str]:
        """Headers for one outbound call: a new parent-id each time."""
        headers = {"traceparent": f"00-{self.trace_id}-{secrets.token_hex(8)}-{self.flags:02x}"}
        if self.tracestate:
            headers["tracestate"] = self.tracestate
        return headers


# ---- metrics -------------------------------------------------------------------------------

DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


def _escape_label(v: str) -> str:
    return v.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _fmt(v: float) -> str:
    if v == float("inf"):
        return "+Inf"
    return repr(float(v)) if not float(v).is_integer() else str(int(v))


class _Family:
    def __init__(self, name: str, help_text: str, kind: str, labels: tuple[str, ...]):
        self.name, self.help, self.kind, self.labels = name, help_text, kind, labels
        self.series: dict[tuple[str, ...], list] = {}
        self.lock = threading.Lock()

    def _labels_text(self, values: tuple[str, ...], extra: str = "") -> str:
        parts = [f'{k}="{_escape_label(v)}"' for k, v in zip(self.labels, values)]
        if extra:
            parts.append(extra)
        return "{" + ",".join(parts) + "}" if parts else ""


class Counter(_Family):
    def inc(self, *values: str, amount: float = 1.0) -> None:
        with self.lock:
            cell = self.series.setdefault(values, [0.0])
            cell[0] += amount

    def render(self) -> list[str]:
        return [f"{self.name}{self._labels_text(k)} {_fmt(v[0])}" for k, v in sorted(self.series.items())]


class Gauge(Counter):
    def set(self, *values: str, value: float) -> None:
        with self.lock:
            self.series[values] = [value]


class Histogram(_Family):
    def __init__(self, name, help_text, labels, buckets=DEFAULT_BUCKETS):
        super().__init__(name, help_text, "histogram", labels)
        self.buckets = tuple(buckets)

    def observe(self, *values: str, value: float) -> None:
        with self.lock:
            cell = self.series.setdefault(values, [[0] * len(self.buckets), 0.0, 0])
            for i, bound in enumerate(self.buckets):
                if value <= bound:
                    cell[0][i] += 1
            cell[1] += value
            cell[2] += 1

    def render(self) -> list[str]:
        out = []
        for k, (counts, total, n) in sorted(self.series.items()):
            for bound, c in zip(self.buckets, counts):
                le = 'le="' + _fmt(bound) + '"'
                out.append(f"{self.name}_bucket{self._labels_text(k, le)} {c}")
            inf = 'le="+Inf"'
            out.append(f"{self.name}_bucket{self._labels_text(k, inf)} {n}")
            out.append(f"{self.name}_sum{self._labels_text(k)} {_fmt(total)}")
            out.append(f"{self.name}_count{self._labels_text(k)} {n}")
        return out


class Registry:
    CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

    def __init__(self):
        self.families: list[_Family] = []
        self.callbacks: list = []  # (name, help, kind, fn)

    def counter(self, name, help_text, labels=()) -> Counter:
        f = Counter(name, help_text, "counter", tuple(labels))
        self.families.append(f)
        return f

    def gauge(self, name, help_text, labels=()) -> Gauge:
        f = Gauge(name, help_text, "gauge", tuple(labels))
        self.families.append(f)
        return f

    def histogram(self, name, help_text, labels=(), buckets=DEFAULT_BUCKETS) -> Histogram:
        f = Histogram(name, help_text, tuple(labels), buckets)
        self.families.append(f)
        return f

    def callback(self, name, help_text, kind, fn) -> None:
        self.callbacks.append((name, help_text, kind, fn))

    def expose(self) -> str:
        lines = []
        for f in sorted(self.families, key=lambda f: f.name):
            with f.lock:
                rendered = f.render()
            if not rendered:
                continue
            lines += [f"# HELP {f.name} {f.help}", f"# TYPE {f.name} {f.kind}"] + rendered
        for name, help_text, kind, fn in sorted(self.callbacks, key=lambda c: c[0]):
            value = fn()
            if value is None:
                continue
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", f"{name} {_fmt(value)}"]
        return "\n".join(lines) + "\n"


def register_process_metrics(registry: Registry, version: str) -> None:
    start = time.time() - (time.monotonic() - _MONO_START)

    def stat_fields():
        with open("/proc/self/stat") as f:
            return f.read().rsplit(")", 1)[1].split()

    ticks = os.sysconf("SC_CLK_TCK")
    page = os.sysconf("SC_PAGE_SIZE")
    registry.callback("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                      "counter", lambda: (int(stat_fields()[11]) + int(stat_fields()[12])) / ticks)
    registry.callback("process_resident_memory_bytes", "Resident memory size in bytes.", "gauge",
                      lambda: int(stat_fields()[21]) * page)
    registry.callback("process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge",
                      lambda: int(stat_fields()[20]))
    registry.callback("process_open_fds", "Number of open file descriptors.", "gauge",
                      lambda: len(os.listdir("/proc/self/fd")))
    registry.callback("process_max_fds", "Maximum number of open file descriptors.", "gauge",
                      lambda: __import__("resource").getrlimit(__import__("resource").RLIMIT_NOFILE)[0])
    registry.callback("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                      "gauge", lambda: start)
    info = registry.gauge("sd_build_info", "Build information; the value is always 1.",
                          ("version", "compiler", "build_type"))
    info.set(version, "python", "interpreted", value=1)


_MONO_START = time.monotonic()


# ---- which requests get an access line --------------------------------------------------------

def sample_key(trace_id: str) -> int:
    """The sampling key of a trace: its rightmost 8 bytes (random, per trace-context Level 2)."""
    return int(trace_id[16:], 16)


class AccessLogPolicy:
    """5xx and requests at least `slow` seconds long (0: no such rule) are always logged; the rest
    when their key < rate * 2**64. The key is the trace id's, so every service on a request's path
    makes the same choice (05's tracing/access_log_policy.hpp, the same arithmetic)."""

    def __init__(self, sample_rate: float = 1.0, slow: float = 0.0):
        self.all = sample_rate >= 1.0
        # rate * 2**64 is exact for a float (a power-of-two scale) and truncates as the C++ cast does.
        self.threshold = int(sample_rate * 2.0 ** 64) if 0.0 < sample_rate < 1.0 else 0
        self.slow = max(slow, 0.0)

    def should_log(self, status: int, seconds: float, key: int) -> bool:
        if self.all or status >= 500:
            return True
        if self.slow > 0 and seconds >= self.slow:
            return True
        return key < self.threshold


def random_sample_key() -> int:
    """A key for a request with no trace (a connection-level rejection)."""
    return secrets.randbits(64)


class RequestObservability:
    """RED metrics + access log + request id + trace for every request of an App."""

    def __init__(self, registry: Registry, log, access_log: bool = True, policy: AccessLogPolicy | None = None):
        self.log = log
        self.access_log = access_log
        self.policy = policy or AccessLogPolicy()
        self.requests = registry.counter("http_requests_total", "HTTP requests by method, route template and status code.",
                                         ("method", "route", "code"))
        self.duration = registry.histogram("http_request_duration_seconds",
                                           "Time from request parsed to response ready, in seconds.", ("method", "route"))
        self.in_flight = registry.gauge("http_requests_in_flight", "HTTP requests being handled now.")
        self._in_flight = 0
        self._lock = threading.Lock()

    def begin(self, request) -> None:
        request.request_id = accept_or_new_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.trace = Trace(request.headers.get_all("traceparent") or [], request.headers.get_all("tracestate") or [])
        with self._lock:
            self._in_flight += 1
            self.in_flight.set(value=self._in_flight)

    def end(self, request, response, seconds: float) -> None:
        with self._lock:
            self._in_flight -= 1
            self.in_flight.set(value=self._in_flight)
        response.headers[REQUEST_ID_HEADER] = request.request_id
        self.record(request.method, request.route, response.status, seconds)
        if self.access_log and self.policy.should_log(response.status, seconds, sample_key(request.trace.trace_id)):
            self.log.log("info", "request", request_id=request.request_id, trace_id=request.trace.trace_id,
                         span_id=request.trace.span_id, method=request.method, route=request.route,
                         status=response.status, duration_s=seconds, bytes_in=len(request.body),
                         bytes_out=len(response.body), peer=request.peer)

    def record(self, method: str, route: str, status: int, seconds: float) -> None:
        known = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}
        method = method if method in known else "OTHER"
        route = route or "unmatched"
        self.requests.inc(method, route, str(status))
        self.duration.observe(method, route, value=seconds)
