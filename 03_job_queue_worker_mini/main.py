#!/usr/bin/env python3
"""sd-jobqueue, the Python twin: the HTTP job-queue API in memory on the standard library.

Same contract as main.cpp (tubes, priorities, delays, TTR leases with lease numbers, touch, a
server-side retry policy for nacks, bury/kick, limits with 503 + Retry-After), on one lock and a
condition variable: the seed's channel, grown up. The C++ service adds the beanstalkd protocol,
the write-ahead log and the speed; this file is the readable reference."""

from __future__ import annotations

import heapq
import itertools
import pathlib
import random
import re
import sys
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "core" / "python"))
import sdhttp  # noqa: E402
from sdhttp import HttpError, Request, Response  # noqa: E402

NAME = re.compile(r"^[A-Za-z0-9+/;.$_()][A-Za-z0-9+/;.$_()-]{0,199}$")
JOB_OVERHEAD = 120  # bytes charged per job besides its body (the C++ job header's size)
URGENT = 1024


class Job:
    __slots__ = ("id", "tube", "pri", "body", "state", "deadline", "ttr", "delay", "created",
                 "reserves", "timeouts", "releases", "buries", "kicks")

    def __init__(self, job_id, tube, pri, body, ttr, delay, now):
        self.id, self.tube, self.pri, self.body = job_id, tube, pri, body
        self.ttr, self.delay, self.created = ttr, delay, now
        self.state, self.deadline = "ready", 0.0
        self.reserves = self.timeouts = self.releases = self.buries = self.kicks = 0


class Engine:
    """Tubes of jobs: ready (priority, then FIFO), delayed, reserved (leased), buried."""

    def __init__(self, args, clock=time.monotonic):
        self.max_jobs, self.max_bytes, self.max_job_bytes = args.max_jobs, args.max_bytes, args.max_job_bytes
        self.max_attempts, self.retry_base, self.retry_max = args.max_attempts, args.retry_base, args.retry_max
        self.clock = clock
        self.cond = threading.Condition()
        self.jobs: dict[int, Job] = {}
        self.ready: dict[str, list] = {}      # tube -> heap of (pri, id); stale entries skipped
        self.timers: list = []                # heap of (deadline, id) for delayed and reserved jobs
        self.buried: dict[str, dict[int, None]] = {}  # tube -> insertion-ordered ids
        self.bytes = 0
        self.ids = itertools.count(1)
        self.counters = dict.fromkeys(("puts", "reserves", "deletes", "releases", "buries", "kicks",
                                       "touches", "lease_timeouts", "rejected_full", "rejected_draining"), 0)
        self.draining = False

    # -- internals (hold self.cond) --
    def _make_ready(self, job):
        job.state = "ready"
        heapq.heappush(self.ready.setdefault(job.tube, []), (job.pri, job.id))

    def _tick(self, now):
        while self.timers and self.timers[0][0] <= now:
            deadline, job_id = heapq.heappop(self.timers)
            job = self.jobs.get(job_id)
            if job is None or job.deadline != deadline or job.state not in ("delayed", "reserved"):
                continue  # stale timer
            if job.state == "reserved":
                job.timeouts += 1
                self.counters["lease_timeouts"] += 1
            self._make_ready(job)
            self.cond.notify_all()

    def _best_ready(self, tubes):
        best = None
        for tube in tubes:
            heap = self.ready.get(tube, [])
            while heap:
                pri, job_id = heap[0]
                job = self.jobs.get(job_id)
                if job is not None and job.state == "ready" and job.pri == pri:
                    break
                heapq.heappop(heap)
            if heap and (best is None or heap[0] < best):
                best = heap[0]
        return best

    def _lease(self, job_id, lease):
        job = self.jobs.get(job_id)
        if job is None:
            raise HttpError(404, f"no job {job_id}")
        if job.state != "reserved" or job.reserves != lease:
            raise HttpError(409, f"job {job_id} is not leased under lease {lease} (its lease may have run out)")
        return job

    def _set_timer(self, job, deadline):
        job.deadline = deadline
        heapq.heappush(self.timers, (deadline, job.id))

    # -- operations --
    def put(self, tube, body, pri, delay, ttr):
        size = len(body.encode("utf-8", "surrogatepass"))
        with self.cond:
            if size > self.max_job_bytes:
                raise HttpError(413, f"the job body exceeds --max-job-bytes ({self.max_job_bytes})")
            if self.draining:
                self.counters["rejected_draining"] += 1
                raise HttpError(503, "draining: no new jobs", headers={"Retry-After": "1"})
            if len(self.jobs) >= self.max_jobs or self.bytes + size + JOB_OVERHEAD > self.max_bytes:
                self.counters["rejected_full"] += 1
                raise HttpError(503, "the queue is full", headers={"Retry-After": "1"})
            now = self.clock()
            job = Job(next(self.ids), tube, pri, body, max(ttr, 1.0), max(delay, 0.0), now)
            self.jobs[job.id] = job
            self.bytes += size + JOB_OVERHEAD
            self.counters["puts"] += 1
            if job.delay > 0:
                job.state = "delayed"
                self._set_timer(job, now + job.delay)
            else:
                self._make_ready(job)
            self.cond.notify_all()
            return job

    def reserve(self, tubes, timeout):
        with self.cond:
            until = self.clock() + timeout
            while True:
                now = self.clock()
                self._tick(now)
                best = self._best_ready(tubes)
                if best is not None:
                    job = self.jobs[best[1]]
                    heapq.heappop(self.ready[job.tube])
                    job.state = "reserved"
                    job.reserves += 1
                    self.counters["reserves"] += 1
                    self._set_timer(job, now + job.ttr)
                    return job, job.reserves
                if now >= until:
                    return None, 0
                wake = until if not self.timers else min(until, self.timers[0][0])
                self.cond.wait(max(0.001, wake - now))

    def ack(self, job_id, lease):
        with self.cond:
            self._tick(self.clock())
            job = self._lease(job_id, lease)
            self._remove(job)
            self.counters["deletes"] += 1

    def _remove(self, job):
        del self.jobs[job.id]
        self.bytes -= len(job.body.encode("utf-8", "surrogatepass")) + JOB_OVERHEAD
        self.buried.get(job.tube, {}).pop(job.id, None)
        job.state = "deleted"

    def delete(self, job_id):
        with self.cond:
            self._tick(self.clock())
            job = self.jobs.get(job_id)
            if job is None:
                raise HttpError(404, f"no job {job_id}")
            if job.state == "reserved":
                raise HttpError(409, f"job {job_id} is reserved: ack it with its lease")
            self._remove(job)
            self.counters["deletes"] += 1

    def nack(self, job_id, lease):
        with self.cond:
            now = self.clock()
            self._tick(now)
            job = self._lease(job_id, lease)
            if job.reserves >= self.max_attempts:
                self._bury(job)
                return {"state": "buried", "attempts": job.reserves}
            backoff = min(self.retry_max, self.retry_base * 2 ** min(job.reserves - 1, 30))
            delay = backoff / 2 + random.uniform(0, backoff / 2)  # equal jitter
            job.releases += 1
            self.counters["releases"] += 1
            job.delay = delay
            if delay > 0:
                job.state = "delayed"
                self._set_timer(job, now + delay)
            else:
                self._make_ready(job)
                self.cond.notify_all()
            return {"state": job.state, "attempts": job.reserves, "retry_in_ms": int(delay * 1000)}

    def _bury(self, job):
        job.state = "buried"
        job.buries += 1
        self.counters["buries"] += 1
        self.buried.setdefault(job.tube, {})[job.id] = None

    def touch(self, job_id, lease):
        with self.cond:
            now = self.clock()
            self._tick(now)
            job = self._lease(job_id, lease)
            self._set_timer(job, now + job.ttr)
            self.counters["touches"] += 1

    def bury(self, job_id, lease):
        with self.cond:
            self._tick(self.clock())
            self._bury(self._lease(job_id, lease))

    def kick(self, tube, bound):
        with self.cond:
            self._tick(self.clock())
            kicked = 0
            buried = self.buried.get(tube, {})
            if buried:
                for job_id in list(buried)[:bound]:
                    del buried[job_id]
                    self._kick(self.jobs[job_id])
                    kicked += 1
            else:
                delayed = sorted((j.deadline, j.id) for j in self.jobs.values()
                                 if j.tube == tube and j.state == "delayed")
                for _, job_id in delayed[:bound]:
                    self._kick(self.jobs[job_id])
                    kicked += 1
            self.cond.notify_all()
            return kicked

    def _kick(self, job):
        job.kicks += 1
        self.counters["kicks"] += 1
        self._make_ready(job)

    def job_status(self, job_id):
        with self.cond:
            now = self.clock()
            self._tick(now)
            job = self.jobs.get(job_id)
            if job is None:
                raise HttpError(404, f"no job {job_id}")
            left = job.deadline - now if job.state in ("delayed", "reserved") else 0
            return {"id": job.id, "tube": job.tube, "state": job.state, "priority": job.pri,
                    "age_ms": int((now - job.created) * 1000), "delay_ms": int(job.delay * 1000),
                    "ttr_ms": int(job.ttr * 1000), "time_left_ms": max(0, int(left * 1000)),
                    "reserves": job.reserves, "timeouts": job.timeouts, "releases": job.releases,
                    "buries": job.buries, "kicks": job.kicks}

    def tube_counts(self, tube=None):
        counts = dict.fromkeys(("ready", "urgent", "reserved", "delayed", "buried"), 0)
        for job in self.jobs.values():
            if tube is None or job.tube == tube:
                counts[job.state] += 1
                counts["urgent"] += job.state == "ready" and job.pri < URGENT
        return counts

    def tube_stats(self, tube):
        with self.cond:
            self._tick(self.clock())
            if not any(j.tube == tube for j in self.jobs.values()):
                raise HttpError(404, f"no tube {tube!r} (tubes exist while they hold jobs)")
            return {"name": tube, **self.tube_counts(tube)}

    def stats(self):
        with self.cond:
            self._tick(self.clock())
            tubes = {j.tube for j in self.jobs.values()} | {"default"}
            return {**self.tube_counts(), "jobs": len(self.jobs), "bytes": self.bytes,
                    "tubes": len(tubes), "draining": self.draining, **self.counters}


def field(obj, name, kind, default, low, high):
    value = obj.get(name, default)
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)) or \
            kind is str and not isinstance(value, str):
        raise HttpError(400, f"{name}: expected {'an integer' if kind is int else 'a string'}")
    if kind is int and not low <= value <= high:
        raise HttpError(400, f"{name}: must be in {low}..{high}")
    return value


class Service:
    def __init__(self, engine: Engine, max_wait: float):
        self.engine, self.max_wait = engine, max_wait

    @staticmethod
    def body(request: Request) -> dict:
        value = request.json() if request.body else {}
        if not isinstance(value, dict):
            raise HttpError(400, "the body must be a JSON object")
        return value

    @staticmethod
    def tube(name: str) -> str:
        if not NAME.match(name):
            raise HttpError(400, "tube: 1..200 of A-Z a-z 0-9 - + / ; . $ _ ( ), not starting with '-'")
        return name

    @staticmethod
    def job_id(request: Request) -> int:
        text = request.params["id"]
        if not text.isdigit() or len(text) > 19:
            raise HttpError(400, "id: a job number")
        return int(text)

    def lease(self, request: Request) -> int:
        return field(self.body(request), "lease", int, None, 1, 2**32 - 1)

    def enqueue(self, request: Request) -> Response:
        tube = self.tube(request.params["tube"])
        b = self.body(request)
        body = field(b, "body", str, None, 0, 0)
        pri = field(b, "priority", int, URGENT, 0, 2**32 - 1)
        delay = field(b, "delay_ms", int, 0, 0, 2**32 - 1) / 1000
        ttr = field(b, "ttr_ms", int, 60000, 0, 2**32 - 1) / 1000
        job = self.engine.put(tube, body, pri, delay, ttr)
        return Response.json(201, {"id": job.id, "tube": tube, "state": job.state})

    def reserve(self, request: Request) -> Response:
        b = self.body(request)
        tubes = b.get("tubes", ["default"])
        if not isinstance(tubes, list) or not tubes or len(tubes) > 100 or \
                not all(isinstance(t, str) for t in tubes):
            raise HttpError(400, "tubes: a list of 1..100 tube names")
        tubes = [self.tube(t) for t in tubes]
        timeout = field(b, "timeout_ms", int, 0, 0, 2**32 - 1) / 1000
        job, lease = self.engine.reserve(tubes, min(timeout, self.max_wait))
        if job is None:
            return Response(204)
        return Response.json(200, {"id": job.id, "tube": job.tube, "body": job.body, "lease": lease,
                                   "attempts": job.reserves, "ttr_ms": int(job.ttr * 1000)})

    def ack(self, request: Request) -> Response:
        self.engine.ack(self.job_id(request), self.lease(request))
        return Response(204)

    def nack(self, request: Request) -> Response:
        return Response.json(200, self.engine.nack(self.job_id(request), self.lease(request)))

    def touch(self, request: Request) -> Response:
        self.engine.touch(self.job_id(request), self.lease(request))
        return Response(204)

    def bury(self, request: Request) -> Response:
        self.engine.bury(self.job_id(request), self.lease(request))
        return Response(204)

    def kick(self, request: Request) -> Response:
        tube = self.tube(request.params["tube"])
        bound = field(self.body(request), "bound", int, 1, 0, 2**32 - 1)
        return Response.json(200, {"kicked": self.engine.kick(tube, bound)})

    def status(self, request: Request) -> Response:
        return Response.json(200, self.engine.job_status(self.job_id(request)))

    def delete(self, request: Request) -> Response:
        self.engine.delete(self.job_id(request))
        return Response(204)

    def tube_stats(self, request: Request) -> Response:
        return Response.json(200, self.engine.tube_stats(self.tube(request.params["tube"])))

    def stats(self, _request: Request) -> Response:
        return Response.json(200, self.engine.stats())


def duration(text: str) -> float:
    """'250ms', '2s', '5m' -> seconds."""
    m = re.fullmatch(r"(\d+)(ms|s|m)", text)
    if not m:
        raise ValueError(text)
    return int(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60}[m.group(2)]


def main() -> int:
    p = sdhttp.common_args("bounded job queue over HTTP (in memory)", 9003)
    p.add_argument("--max-job-bytes", type=int, default=65535)
    p.add_argument("--max-jobs", type=int, default=1_000_000)
    p.add_argument("--max-bytes", type=int, default=1 << 30)
    p.add_argument("--max-attempts", type=int, default=5)
    p.add_argument("--retry-base", type=duration, default=1.0)
    p.add_argument("--retry-max", type=duration, default=300.0)
    p.add_argument("--max-reserve-wait", type=duration, default=30.0)
    args = p.parse_args()
    args.max_body_bytes = max(args.max_body_bytes, args.max_job_bytes * 6 + 4096)  # JSON escaping
    engine = Engine(args)
    router = sdhttp.Router()
    app = sdhttp.App("sd-jobqueue", router, sdhttp.options_from(args))
    s = Service(engine, args.max_reserve_wait)
    helps = {"puts": "Jobs accepted by put/enqueue", "reserves": "Jobs handed out by reserve",
             "deletes": "Jobs deleted (acknowledged)", "releases": "Reserved jobs released back (nacks, retries)",
             "buries": "Jobs buried (moved to the dead-letter list)", "kicks": "Buried or delayed jobs kicked back",
             "touches": "Leases renewed by touch", "lease_timeouts": "Leases that ran out (TTR)",
             "rejected_full": "Puts refused because a job/byte limit was reached",
             "rejected_draining": "Puts refused in drain mode"}
    for key, help_text in helps.items():
        app.registry.callback(f"jobqueue_{key}_total", help_text + ".", "counter",
                              lambda k=key: engine.counters[k])
    app.registry.callback("jobqueue_bytes", "Bytes held by jobs (headers and bodies).", "gauge",
                          lambda: engine.bytes)
    router.post("/v1/tubes/{tube}/jobs", s.enqueue)
    router.post("/v1/tubes/{tube}/kick", s.kick)
    router.get("/v1/tubes/{tube}", s.tube_stats)
    router.post("/v1/reserve", s.reserve)
    router.post("/v1/jobs/{id}/ack", s.ack)
    router.post("/v1/jobs/{id}/nack", s.nack)
    router.post("/v1/jobs/{id}/touch", s.touch)
    router.post("/v1/jobs/{id}/bury", s.bury)
    router.get("/v1/jobs/{id}", s.status)
    router.delete("/v1/jobs/{id}", s.delete)
    router.get("/v1/stats", s.stats)
    return sdhttp.serve(app)


if __name__ == "__main__":
    sys.exit(main())
