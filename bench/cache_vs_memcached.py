#!/usr/bin/env python3
"""sd-cache vs memcached (Debian), side by side, through the memcached text protocol and the same
load generator (build/tools/memcache_load): throughput and latency at 1 thread vs `memcached -t 1`
and 2 vs 2; memory per item at 1M items; and the eviction policies' miss ratios from the
simulator, with the plot. Writes bench/results/cache_vs_memcached.md, cache_hit_ratio.csv and
cache_miss_ratio.svg.
"""

import argparse
import json
import pathlib
import shutil
import statistics
import subprocess
import sys
import time

import benchlib

HERE = pathlib.Path(__file__).resolve().parent
RESULTS = HERE / "results"


def start_memcached(port: int, threads: int, cpus: str, megabytes: int) -> benchlib.Server:
    exe = shutil.which("memcached") or "/usr/bin/memcached"
    return benchlib.start_command(f"memcached -t {threads}",
                                  [exe, "-p", str(port), "-U", "0", "-l", "127.0.0.1", "-t", str(threads),
                                   "-m", str(megabytes), "-c", "4096", "-u", "root"], port, cpus)


def start_sd_cache(build: str, port: int, threads: int, cpus: str, megabytes: int, policy: str) -> benchlib.Server:
    http_port = benchlib.free_port()
    return benchlib.start_command(
        f"sd-cache ×{threads} ({policy})",
        [str(pathlib.Path(build) / "bin" / "sd-cache"), "--port", str(http_port), "--threads", "1",
         "--memcached-port", str(port), "--memcached-threads", str(threads), "--log-level", "warn",
         "--capacity-bytes", str(megabytes << 20), "--policy", policy], port, cpus)


def load(build: str, port: int, seconds: int, cpus: str, connections: int, extra=()) -> dict:
    cmd = ["taskset", "-c", cpus, str(pathlib.Path(build) / "tools" / "memcache_load"), "--port", str(port),
           "--seconds", str(seconds), "--connections", str(connections), "--keys", "100000",
           "--value-bytes", "32", *extra]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120).stdout
    return json.loads(out.strip().splitlines()[-1])


def paired_rounds(build, servers, rounds, seconds, load_cpus, connections) -> dict[str, list[dict]]:
    """Alternating rounds of memcache_load (from `build`) against `servers`; name → every round's
    result, each with the server's CPU µs per op ("cpu_us_per_op"). Stops the servers."""
    try:
        results = {s.name: [] for s in servers}
        for s in servers:  # prefill + warm-up
            load(build, s.port, 1, load_cpus, connections)
        for _ in range(rounds):
            for s in servers:
                before = benchlib.cpu_seconds(s.cpu_pids)
                r = load(build, s.port, seconds, load_cpus, connections)
                r["cpu_us_per_op"] = (benchlib.cpu_seconds(s.cpu_pids) - before) * 1e6 / max(1, r["all_ops"])
                results[s.name].append(r)
    finally:
        for s in servers:
            s.stop()
    return results


def throughput(build, threads, server_cpus, load_cpus, rounds, seconds, connections):
    servers = [start_memcached(benchlib.free_port(), threads, server_cpus, 1024),
               start_sd_cache(build, benchlib.free_port(), threads, server_cpus, 1024, "s3fifo")]
    results = paired_rounds(build, servers, rounds, seconds, load_cpus, connections)
    median = {name: sorted(rs, key=lambda r: r["ops_per_s"])[len(rs) // 2] for name, rs in results.items()}
    base_rounds = results[servers[0].name]
    # The ratio is the median of per-round ratios (each round runs both back to back), which holds
    # on a noisy machine where the absolute numbers drift between rounds.
    lines = ["| server | ops/s (median round) | p50 | p99 | server CPU µs/op | vs memcached (median of paired rounds) |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, r in median.items():
        ratio = statistics.median(a["ops_per_s"] / b["ops_per_s"] for a, b in zip(results[name], base_rounds))
        lines.append(f"| {name} | {r['ops_per_s']:,.0f} | {r['p50_us']:.0f} µs | {r['p99_us']:.0f} µs | "
                     f"{r['cpu_us_per_op']:.2f} | {ratio:.2f}× |")
    return "\n".join(lines)


def memory_per_item(build: str, items: int) -> str:
    rows = ["| server | RSS growth for 1M items (16 B keys, 32 B values) | bytes per item |", "|---|---:|---:|"]
    for make in (lambda p: start_memcached(p, 1, "0", 4096),
                 lambda p: start_sd_cache(build, p, 1, "0", 4096, "s3fifo"),
                 lambda p: start_sd_cache(build, p, 1, "0", 4096, "lru")):
        port = benchlib.free_port()
        s = make(port)
        try:
            time.sleep(0.2)
            before = benchlib.rss_bytes(s.proc.pid)
            subprocess.run([str(pathlib.Path(build) / "tools" / "memcache_load"), "--port", str(port), "--keys",
                            str(items), "--value-bytes", "32", "--prefill-only"], check=True, capture_output=True,
                           timeout=600)
            grown = benchlib.rss_bytes(s.proc.pid) - before
        finally:
            s.stop()
        rows.append(f"| {s.name} | {grown / 2**20:.1f} MiB | {grown / items:.1f} |")
    return "\n".join(rows)


def hit_ratio(build: str) -> str:
    csv_path = RESULTS / "cache_hit_ratio.csv"
    sim = pathlib.Path(build) / "bench" / "cache_hit_ratio_sim"
    out = subprocess.run([str(sim), "--csv", str(csv_path)], capture_output=True, text=True, timeout=1800).stdout
    subprocess.run([sys.executable, str(HERE / "plot_miss_ratio.py"), str(csv_path),
                    str(RESULTS / "cache_miss_ratio.svg")], check=True)
    return out


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--skip-hit-ratio", action="store_true")
    args = p.parse_args()
    RESULTS.mkdir(exist_ok=True)
    one = throughput(args.build, 1, "0", "1", args.rounds, args.seconds, 50)
    two = throughput(args.build, 2, "0,1", "0,1", args.rounds, args.seconds, 100)
    mem = memory_per_item(args.build, 1_000_000)
    sim = "" if args.skip_hit_ratio else hit_ratio(args.build)
    report = (
        "# sd-cache vs memcached\n\n"
        f"Machine: {benchlib.machine_note()}. Load: `build/tools/memcache_load` (closed loop, one request "
        "in flight per connection), 100k keys of 16 B, 32 B values, 90 % get / 10 % set, uniform keys; "
        f"{args.rounds} alternating rounds of {args.seconds}s, median round.\n\n"
        "## One server thread vs `memcached -t 1` (server on CPU 0, load on CPU 1, 50 connections)\n\n"
        f"{one}\n\n"
        "## Two threads vs `memcached -t 2` (server and load share CPUs 0-1, 100 connections)\n\n"
        f"{two}\n\n## Memory per item at 1M items\n\n{mem}\n\n"
        + (f"## Miss ratio by policy (simulator)\n\n![miss ratio vs cache size](cache_miss_ratio.svg)\n\n```\n{sim}```\n\n"
           if sim else "")
        + "Command: `bench/cache_vs_memcached.py --build build` (part of `make bench`).\n")
    (RESULTS / "cache_vs_memcached.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
