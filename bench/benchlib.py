"""Shared pieces of the side-by-side benchmarks: start servers on loopback, drive them with wrk,
read their CPU time, and write a results table.

Method (the machine is shared and noisy, so ratios, not absolutes, are the result):
- every contender runs in the same script run, pinned to the same CPU (taskset), with wrk pinned to
  the other CPU, so the server, not the load generator, is what saturates;
- rounds alternate between contenders (A B A B ...) and the median round is reported;
- besides requests/s, the server's own CPU time per request is reported: it stays meaningful even
  when the load generator, not the server, is the bottleneck.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

# Ports and processes: the helpers the tests use too (tests/contract/procs.py), re-exported here
# as benchlib.free_port / benchlib.wait_port for the benchmark scripts.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "contract"))
import procs  # noqa: E402
from procs import free_port, wait_port  # noqa: E402,F401

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / CLK_TCK


def rss_bytes(pid: int) -> int:
    """Resident memory of process `pid` (VmRSS), in bytes; 0 when /proc does not say."""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


@dataclass
class Server:
    name: str
    proc: subprocess.Popen
    port: int
    cpu_pids: list[int] = field(default_factory=list)  # whose CPU time counts

    def stop(self) -> None:
        procs.stop(self.proc)


def start_command(name: str, argv: list[str], port: int, cpus: str = "0",
                  stderr=subprocess.DEVNULL) -> Server:
    """`stderr`: where the server's log goes (a file object or descriptor; default: nowhere)."""
    proc = subprocess.Popen(["taskset", "-c", cpus] + argv, stdout=subprocess.DEVNULL,
                            stderr=stderr)
    wait_port(port)
    return Server(name, proc, port, [proc.pid])


def start_nginx(name: str, locations: str, workers: int = 1, cpus: str = "0",
                http_extra: str = "") -> Server:
    """nginx from Debian with `locations` inside its server block; one master + `workers` workers."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    port = free_port()
    d = tempfile.mkdtemp(prefix="sd-bench-nginx-")
    conf = f"""
worker_processes {workers};
daemon off;
error_log {d}/error.log warn;
pid {d}/nginx.pid;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  server_tokens off;
  keepalive_requests 100000000;
  client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fcgi;
  uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
  {http_extra}
  server {{
    listen 127.0.0.1:{port} reuseport;
    {locations}
  }}
}}
"""
    with open(f"{d}/nginx.conf", "w") as f:
        f.write(conf)
    proc = subprocess.Popen(["taskset", "-c", cpus, nginx, "-p", d, "-c", f"{d}/nginx.conf"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port)
    deadline = time.monotonic() + 5
    workers_pids: list[int] = []
    while len(workers_pids) < workers and time.monotonic() < deadline:
        workers_pids = children(proc.pid)
        time.sleep(0.02)
    return Server(name, proc, port, [proc.pid] + workers_pids)


@dataclass
class WrkResult:
    rps: float
    p50_us: float
    p99_us: float
    requests: int
    cpu_us_per_req: float
    non_2xx: int = 0


def _to_us(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s|m)", text)
    if m is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    if m.group(2) == "m":  # wrk prints minutes as e.g. "1.02m"
        return float(m.group(1)) * 60e6
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 1, "ms": 1e3, "s": 1e6}[unit]


def run_wrk(server: Server, path: str, seconds: int, threads: int, connections: int,
            wrk_cpus: str = "1", script: str | None = None) -> WrkResult:
    cmd = ["taskset", "-c", wrk_cpus, "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s",
           "--latency"]
    if script:
        cmd += ["-s", script]
    cmd.append(f"http://127.0.0.1:{server.port}{path}")
    before = cpu_seconds(server.cpu_pids)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30).stdout
    after = cpu_seconds(server.cpu_pids)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    p50 = _to_us(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _to_us(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    cpu_us = (after - before) * 1e6 / max(requests, 1)
    return WrkResult(rps, p50, p99, requests, cpu_us, int(non2xx.group(1)) if non2xx else 0)


def median_result(results: list[WrkResult]) -> WrkResult:
    """The round with the median throughput (its own latencies, not a mix of rounds)."""
    ordered = sorted(results, key=lambda r: r.rps)
    return ordered[len(ordered) // 2]


class Comparison(dict):
    """name → median round, plus every round kept for paired ratios (see ratio())."""

    def __init__(self, rounds: dict[str, list[WrkResult]]):
        super().__init__({name: median_result(rs) for name, rs in rounds.items()})
        self.rounds = rounds

    def ratio(self, name: str, baseline: str) -> float:
        """Median over rounds of name/baseline throughput. Each round runs every contender back to
        back, so a paired ratio cancels the machine's slow drift that medians of absolutes keep."""
        pairs = [a.rps / b.rps for a, b in zip(self.rounds[name], self.rounds[baseline])]
        return statistics.median(pairs)

    def cpu_ratio(self, name: str, baseline: str) -> float:
        pairs = [a.cpu_us_per_req / b.cpu_us_per_req for a, b in zip(self.rounds[name], self.rounds[baseline])]
        return statistics.median(pairs)


def compare(servers: list[Server], path: str, rounds: int, seconds: int, threads: int,
            connections: int, wrk_cpus: str = "1", script: str | None = None) -> Comparison:
    """Alternating rounds (A B C, A B C, ...); the result keeps every round."""
    for s in servers:  # warm-up: connections, caches, CPU frequency
        run_wrk(s, path, 1, threads, connections, wrk_cpus, script)
    per: dict[str, list[WrkResult]] = {s.name: [] for s in servers}
    for _ in range(rounds):
        for s in servers:
            per[s.name].append(run_wrk(s, path, seconds, threads, connections, wrk_cpus, script))
    return Comparison(per)


def table(results: Comparison, baseline: str) -> str:
    lines = ["| server | requests/s (median round) | p50 | p99 | server CPU µs/request | "
             f"throughput vs {baseline} (median of paired rounds) | CPU per request vs {baseline} |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, r in results.items():
        lines.append(f"| {name} | {r.rps:,.0f} | {r.p50_us:.0f} µs | {r.p99_us:.0f} µs | "
                     f"{r.cpu_us_per_req:.2f} | {results.ratio(name, baseline):.2f}× | "
                     f"{results.cpu_ratio(name, baseline):.2f}× |")
    return "\n".join(lines)


def machine_note() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"model name\s*:\s*(.*)", f.read())
            cpu = m.group(1) if m else cpu
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}), {time.strftime('%Y-%m-%d')}"
