#!/usr/bin/env python3
"""Where a request's time goes, counted rather than guessed: system calls per request by kind, and
the server's user and kernel CPU per request, for our servers and the peers under the same load.

    bench/syscalls.py --build build [--seconds 4] [--uring-build build-uring]

Each contender runs with one server thread (nginx: one worker; memcached: -t 1) pinned to CPU 0 and
its load generator pinned to CPU 1 (wrk -t1 -c50 for HTTP; tools/memcache_load -c50 for the
memcached protocol, 90 % gets of 32-byte values), in two phases:
- CPU: a run without tracing; utime and stime from /proc/PID/stat over the run, per request;
- syscalls: the same run with `strace -c -f` attached to the server; calls (and failed calls, e.g.
  a read that returned EAGAIN) per request, by kind;
- receives, untraced: the same run once more with `perf stat` counting the receive calls' kernel
  tracepoints (and the ones that failed), when perf is there and allowed to (skipped otherwise).
strace slows the traced process down several times, so throughput in the second phase is
meaningless; the calls per request are what it is for. It also changes them: with the server the
slow side, the client's next request is usually there by the time the server reads, so a read that
would have found nothing finds a request. The perf phase costs the server little and shows the
receives of an untraced server.
The floor to compare against is one receive and one send per request (wrk does not pipeline),
plus a share of one epoll_wait. Writes bench/results/syscalls.md.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import benchlib
import cache_vs_memcached

HERE = pathlib.Path(__file__).resolve().parent
CONNECTIONS = 50
KEYS = 100000

# The kinds a reader cares about, in table order; every other syscall is summed under "other".
RECEIVE = ("read", "recvfrom", "recvmsg", "readv")
SEND = ("write", "sendto", "sendmsg", "writev", "sendfile")
KINDS = {
    "receive": RECEIVE,
    "send": SEND,
    "epoll_wait": ("epoll_wait", "epoll_pwait", "epoll_pwait2"),
    "epoll_ctl": ("epoll_ctl",),
    "timers": ("timerfd_settime", "timerfd_gettime", "clock_gettime", "clock_nanosleep"),
    "futex": ("futex",),
    "io_uring": ("io_uring_enter", "io_uring_register"),
}


def stat_times(pids: list[int]) -> tuple[float, float]:
    """(user, system) CPU seconds of the given processes, all their threads included."""
    user = system = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        user += int(fields[11])
        system += int(fields[12])
    return user / benchlib.CLK_TCK, system / benchlib.CLK_TCK


def parse_strace_summary(text: str) -> dict[str, tuple[int, int]]:
    """syscall → (calls, errors) from `strace -c` output."""
    out: dict[str, tuple[int, int]] = {}
    for line in text.splitlines():
        # % time  seconds  usecs/call  calls  [errors]  syscall
        m = re.match(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(\d+\s+)?([a-z_0-9]+)\s*$", line)
        if m and m.group(3) != "total":
            out[m.group(3)] = (int(m.group(1)), int(m.group(2) or 0))
    return out


def http_load(server: benchlib.Server, seconds: int, path: str) -> tuple[int, float]:
    r = benchlib.run_wrk(server, path, seconds, threads=1, connections=CONNECTIONS)
    return r.requests, r.rps


def memcache_load(build: str, server: benchlib.Server, seconds: int) -> tuple[int, float]:
    cmd = ["taskset", "-c", "1", str(pathlib.Path(build) / "tools" / "memcache_load"), "--port",
           str(server.port), "--seconds", str(seconds), "--connections", str(CONNECTIONS), "--keys",
           str(KEYS), "--value-bytes", "32"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120).stdout
    # all_ops leaves out the prefill (one set per key, 16 connections) that every run starts with.
    r = json.loads(out.strip().splitlines()[-1])
    return int(r["all_ops"]) + KEYS, float(r["ops_per_s"])


def traced(server: benchlib.Server, run) -> tuple[dict[str, tuple[int, int]], int]:
    """Runs `run()` with strace counting the server's calls; → (calls, requests served)."""
    fd, path = tempfile.mkstemp(prefix="sd-strace-")
    os.close(fd)
    argv = [shutil.which("strace") or "/usr/bin/strace", "-c", "-f", "-qq", "-o", path]
    for pid in server.cpu_pids:
        argv += ["-p", str(pid)]
    strace = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)  # attaching is asynchronous; calls before it are simply not counted
    try:
        requests, _ = run()
    finally:
        strace.send_signal(signal.SIGINT)
        strace.wait(timeout=30)
    text = pathlib.Path(path).read_text()
    os.unlink(path)
    return parse_strace_summary(text), requests


def perf_receives(server: benchlib.Server, run) -> tuple[float, float] | None:
    """Runs `run()` with perf counting the server's receive calls and the failed ones (the exit
    tracepoint filtered on ret < 0); → (receives, failed receives) per request, or None when perf
    is missing or not allowed to read tracepoints."""
    perf = shutil.which("perf")
    if perf is None:
        return None
    fd, path = tempfile.mkstemp(prefix="sd-perf-")
    os.close(fd)
    argv = [perf, "stat", "-x", ",", "-o", path, "-p", ",".join(map(str, server.cpu_pids))]
    for name in RECEIVE:
        argv += ["-e", f"syscalls:sys_enter_{name}", "-e", f"syscalls:sys_exit_{name}", "--filter", "ret < 0"]
    stat = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)  # as for strace: calls before perf is attached are not counted
    if stat.poll() is not None:
        os.unlink(path)
        return None
    try:
        requests, _ = run()
    finally:
        stat.send_signal(signal.SIGINT)
        stat.wait(timeout=30)
    counts: dict[str, int] = {}
    for line in pathlib.Path(path).read_text().splitlines():
        cells = line.split(",")
        if len(cells) > 2 and cells[0].isdigit():
            counts[cells[2]] = int(cells[0])
    os.unlink(path)
    if not counts:
        return None
    entered = sum(counts.get(f"syscalls:sys_enter_{n}", 0) for n in RECEIVE)
    failed = sum(counts.get(f"syscalls:sys_exit_{n}", 0) for n in RECEIVE)
    return entered / requests, failed / requests


def measure(name: str, server: benchlib.Server, run) -> dict:
    run()  # warm-up: connections, caches, the memcached prefill
    user0, sys0 = stat_times(server.cpu_pids)
    requests, rps = run()
    user1, sys1 = stat_times(server.cpu_pids)
    calls, traced_requests = traced(server, run)
    untraced = perf_receives(server, run)
    per = {kind: sum(calls.get(n, (0, 0))[0] for n in names) / traced_requests
           for kind, names in KINDS.items()}
    known = {n for names in KINDS.values() for n in names}
    per["other"] = sum(c for n, (c, _) in calls.items() if n not in known) / traced_requests
    failed = sum(e for _, e in calls.values()) / traced_requests
    others = sorted(((c, n) for n, (c, _) in calls.items() if n not in known), reverse=True)[:3]
    return {
        "name": name,
        "user_us": (user1 - user0) * 1e6 / requests,
        "sys_us": (sys1 - sys0) * 1e6 / requests,
        "per": per,
        "total": sum(c for c, _ in calls.values()) / traced_requests,
        "failed": failed,
        "others": ", ".join(f"{n}" for _, n in others),
        "rps": rps,
        "untraced": untraced,
    }


class Run:
    """A load of fixed length against one server; → (requests served, requests/s measured)."""

    def __init__(self, fn, seconds: int):
        self.fn, self.seconds = fn, seconds

    def __call__(self) -> tuple[int, float]:
        return self.fn(self.seconds)


def table(rows: list[dict]) -> str:
    head = ("| server | requests/s (untraced) | user µs/req | kernel µs/req | kernel share | "
            "syscalls/req | " + " | ".join(KINDS) + " | other | failed/req | "
            "receive, untraced (perf) | of which failed |")
    lines = [head, "|---|" + "---:|" * (len(KINDS) + 9)]
    for r in rows:
        cpu = r["user_us"] + r["sys_us"]
        cells = " | ".join(f"{r['per'][k]:.2f}" for k in KINDS)
        other = f"{r['per']['other']:.2f}" + (f" ({r['others']})" if r["others"] else "")
        lines.append(f"| {r['name']} | {r['rps']:,.0f} | {r['user_us']:.2f} | {r['sys_us']:.2f} | "
                     f"{100 * r['sys_us'] / cpu:.0f} % | {r['total']:.2f} | {cells} | {other} | "
                     f"{r['failed']:.2f} | " +
                     (f"{r['untraced'][0]:.2f} | {r['untraced'][1]:.2f} |" if r["untraced"] else "— | — |"))
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--seconds", type=int, default=4)
    p.add_argument("--uring-build", help="a build configured with -DBOOST_ASIO_HAS_IO_URING "
                   "-DBOOST_ASIO_DISABLE_EPOLL (core/README.md): adds its bare core as a row")
    args = p.parse_args()
    if shutil.which("strace") is None:
        print("syscalls: strace not found (apt: strace; scripts/setup.sh installs it)", file=sys.stderr)
        return 2
    bin_dir = pathlib.Path(args.build) / "bin"
    hello = "location = /hello { default_type application/json; return 200 '{\"message\":\"hello\"}'; }"

    http_rows, mc_rows = [], []
    contenders = [
        ("sd-framework, core only", lambda: start(bin_dir / "sd-framework", ["--no-observability"])),
        ("sd-framework as shipped, access log to a file",
         lambda: start(bin_dir / "sd-framework", [], log=True)),
        ("nginx, 1 worker, return 200", lambda: benchlib.start_nginx("nginx", hello)),
    ]
    if args.uring_build:
        uring = pathlib.Path(args.uring_build) / "bin" / "sd-framework"
        contenders.insert(1, ("sd-framework, core only, Asio's io_uring backend",
                              lambda: start(uring, ["--no-observability"])))
    for name, make in contenders:
        server = make()
        try:
            http_rows.append(measure(name, server,
                                     Run(lambda s, srv=server: http_load(srv, s, "/hello"), args.seconds)))
        finally:
            server.stop()

    mc = [
        ("sd-cache memcached port, 1 thread", lambda: start_cache(args.build)),
        ("memcached -t 1", start_memcached),
    ]
    for name, make in mc:
        server = make()
        try:
            mc_rows.append(measure(name, server,
                                   Run(lambda s, srv=server: memcache_load(args.build, srv, s), args.seconds)))
        finally:
            server.stop()

    report = (
        "# System calls and CPU per request\n\n"
        f"Machine: {benchlib.machine_note()}. One server thread on CPU 0, the load generator on CPU 1, "
        f"{CONNECTIONS} keep-alive connections, no pipelining; {args.seconds} s per phase. Columns "
        "after 'syscalls/req' split it by kind (receive: read/recvfrom/recvmsg; send: "
        "write/sendto/sendmsg/writev; timers: timerfd_settime and clock calls); 'failed/req' counts "
        "calls that returned an error, almost all of them a receive that found nothing "
        "(EAGAIN). The last two columns count receives again without strace's slow-down (perf stat "
        "on the syscall tracepoints; — where perf is not available): strace makes the server the slow "
        "side, which hides reads that find nothing.\n\n"
        "## HTTP: GET /hello (wrk)\n\n" + table(http_rows) + "\n\n"
        "## memcached text protocol (tools/memcache_load, 90 % get)\n\n" + table(mc_rows) + "\n\n"
        "Command: `bench/syscalls.py --build build` (part of `make bench`).\n")
    out = HERE / "results" / "syscalls.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(report)
    print(report)
    return 0


def start(binary: pathlib.Path, flags: list[str], log: bool = False) -> benchlib.Server:
    port = benchlib.free_port()
    argv = [str(binary), "--port", str(port), "--threads", "1", *flags]
    if not log:
        return benchlib.start_command(binary.name, argv, port)
    # The access log goes where a deployment sends it: a file, not /dev/null.
    with tempfile.TemporaryFile(prefix="sd-access-") as log_file:
        return benchlib.start_command(binary.name, argv, port, stderr=log_file)


def start_cache(build: str) -> benchlib.Server:
    return cache_vs_memcached.start_sd_cache(build, benchlib.free_port(), 1, "0", 1024, "s3fifo")


def start_memcached() -> benchlib.Server:
    return cache_vs_memcached.start_memcached(benchlib.free_port(), 1, "0", 1024)


if __name__ == "__main__":
    sys.exit(main())
