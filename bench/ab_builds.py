#!/usr/bin/env python3
"""Two builds of the same services side by side: did a change make the hot path slower?

    bench/ab_builds.py --base /tmp/before --new build [--rounds 7 --seconds 3]

`--base` and `--new` are build folders (each with bin/sd-*): build the previous commit into one
(`git worktree add /tmp/before <rev> && cmake --preset release -S /tmp/before && ...`) and the
current into the other. Each service runs once from each build, one server thread pinned to CPU 0,
wrk on CPU 1, in alternating rounds; the ratios are medians of paired rounds (the machine is shared
and noisy: absolute numbers drift, paired ratios hold), for throughput and for the server's own CPU
time per request, which stays meaningful when the load generator is the bottleneck.
The memcached port (sd-cache, one thread) runs the same way under tools/memcache_load, when both
builds have sd-cache.
Writes bench/results/ab_builds.md (or --out).
"""

import argparse
import pathlib
import statistics
import sys

import benchlib
import cache_vs_memcached

HERE = pathlib.Path(__file__).resolve().parent

# name → (binary, extra flags, path)
CASES = {
    "GET /hello, bare core": ("sd-framework", ["--no-observability"], "/hello"),
    "GET /hello, as shipped (no access log)": ("sd-framework", ["--log-level", "warn"], "/hello"),
    "GET /ping behind the limiter": ("sd-ratelimiter",
                                     ["--no-observability", "--rule",
                                      "name=default,algo=token_bucket,rate=1000000/s,burst=1000000"],
                                     "/ping"),
}


def memcached_port_row(args) -> str:
    """The memcached port of each build's sd-cache, one thread, 50 connections of memcache_load
    (the load generator from whichever build has it, --new first)."""
    tools = args.new if (pathlib.Path(args.new) / "tools" / "memcache_load").exists() else args.base
    servers = []
    try:
        for label, build in (("before", args.base), ("after", args.new)):
            s = cache_vs_memcached.start_sd_cache(build, benchlib.free_port(), 1, "0", 1024, "s3fifo")
            s.name = label
            servers.append(s)
    except Exception:
        for s in servers:
            s.stop()
        raise
    rounds = cache_vs_memcached.paired_rounds(tools, servers, args.rounds, args.seconds, "1",
                                              args.connections)
    before, after = rounds["before"], rounds["after"]
    med = {k: statistics.median(r["ops_per_s"] for r in v) for k, v in rounds.items()}
    cpu = {k: statistics.median(r["cpu_us_per_op"] for r in v) for k, v in rounds.items()}
    ratio = statistics.median(a["ops_per_s"] / b["ops_per_s"] for a, b in zip(after, before))
    cpu_ratio = statistics.median(a["cpu_us_per_op"] / b["cpu_us_per_op"] for a, b in zip(after, before))
    return (f"| memcached port (sd-cache), 90 % get | {med['before']:,.0f} | {med['after']:,.0f} | "
            f"{ratio:.2f}× | {cpu['before']:.2f} | {cpu['after']:.2f} | {cpu_ratio:.2f}× |")


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True)
    p.add_argument("--new", default="build")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--seconds", type=int, default=3)
    p.add_argument("--connections", type=int, default=50)
    p.add_argument("--out", default=str(HERE / "results" / "ab_builds.md"))
    args = p.parse_args()

    rows = []
    for case, (binary, flags, path) in CASES.items():
        servers = []
        try:
            for label, build in (("before", args.base), ("after", args.new)):
                port = benchlib.free_port()
                argv = [str(pathlib.Path(build) / "bin" / binary), "--port", str(port), "--threads", "1",
                        *flags]
                servers.append(benchlib.start_command(label, argv, port))
            results = benchlib.compare(servers, path, args.rounds, args.seconds, threads=1,
                                       connections=args.connections)
        finally:
            for s in servers:
                s.stop()
        before, after = results["before"], results["after"]
        rows.append(f"| {case} | {before.rps:,.0f} | {after.rps:,.0f} | "
                    f"{results.ratio('after', 'before'):.2f}× | {before.cpu_us_per_req:.2f} | "
                    f"{after.cpu_us_per_req:.2f} | {results.cpu_ratio('after', 'before'):.2f}× |")
        print(rows[-1], flush=True)
    if all((pathlib.Path(b) / "bin" / "sd-cache").exists() for b in (args.base, args.new)):
        rows.append(memcached_port_row(args))
        print(rows[-1], flush=True)

    report = (
        "# Before and after: two builds side by side\n\n"
        f"Machine: {benchlib.machine_note()}. One server thread on CPU 0, `wrk -t1 -c{args.connections}` "
        f"on CPU 1 (the memcached port: `memcache_load`, same connections), {args.rounds} alternating "
        f"rounds of {args.seconds} s; ratios are medians of paired rounds.\n\n"
        "| case | req/s before | req/s after | throughput after/before | CPU µs/req before | "
        "CPU µs/req after | CPU after/before |\n|---|---:|---:|---:|---:|---:|---:|\n"
        + "\n".join(rows) + "\n\n"
        f"Command: `bench/ab_builds.py --base {args.base} --new {args.new}"
        f" --rounds {args.rounds} --seconds {args.seconds}`.\n")
    pathlib.Path(args.out).write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
