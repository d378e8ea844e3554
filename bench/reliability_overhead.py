#!/usr/bin/env python3
"""Experiment 5 (06): what the reliability pipeline costs when nothing goes wrong.

1. In process: Google Benchmark of a call that needs none of the policies (reliability_pipeline_
   benchmark) — an operation that completes at once, bare and through Pipeline::Execute.
2. Over HTTP: sd-reliability's /call/{name} to a healthy upstream vs nginx proxy_pass (upstream
   keepalive) to the same upstream, one server thread / one worker each, in the same run. The
   upstream is a second nginx returning two bytes. sd-reliability answers like a proxy with
   ?raw=true (the like-for-like row) and, as the lab does by default, with the JSON trace.

Writes bench/results/reliability_overhead.md.
"""

import argparse
import json
import pathlib
import subprocess
import sys

import benchlib

HERE = pathlib.Path(__file__).resolve().parent
ROWS = ["BM_BareAwait", "BM_BareCancellableSpawn", "BM_PipelineDefaultsInline", "BM_PipelineDefaultsInlineNoTrace",
        "BM_PipelineDefaults", "BM_PipelineDefaultsNoTrace", "BM_PipelineTimeoutAndRetryOnly",
        "BM_PipelineEverything"]


def micro(build: str) -> str:
    binary = pathlib.Path(build) / "bench" / "reliability_pipeline_benchmark"
    out = subprocess.run([str(binary), "--benchmark_format=json", "--benchmark_repetitions=3",
                          "--benchmark_report_aggregates_only=true", "--benchmark_min_time=0.5"],
                         capture_output=True, text=True, check=True, timeout=900).stdout
    runs = {b["run_name"]: b for b in json.loads(out)["benchmarks"] if b.get("aggregate_name") == "median"}
    lines = ["| benchmark | CPU time per call (median of 3) | heap allocations per call |", "|---|---:|---:|"]
    for name in ROWS + sorted(n for n in runs if n.startswith("BM_Concurrent")):
        b = runs.get(name)
        if b is None:
            continue
        ns = b["cpu_time"] if b["time_unit"] == "ns" else b["cpu_time"] * 1000
        if "items_per_second" in b:
            ns = 1e9 / b["items_per_second"]  # batch benchmarks: per item
        lines.append(f"| {name} | {ns:,.0f} ns | {b.get('allocs_per_call', 0):.1f} |")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--skip-micro", action="store_true")
    args = p.parse_args()
    micro_table = "" if args.skip_micro else micro(args.build)

    binary = str(pathlib.Path(args.build) / "bin" / "sd-reliability")
    upstream = benchlib.start_nginx("upstream", "location = /up { default_type text/plain; return 200 'ok'; }",
                                    cpus="1")
    url = f"http://127.0.0.1:{upstream.port}/up"
    contenders = []  # (server, path)
    try:
        port = benchlib.free_port()
        shipped = benchlib.start_command(
            "sd-reliability /call ?raw=true (1 thread)",
            [binary, "--port", str(port), "--threads", "1", "--log-level", "warn", "--upstream", f"up={url}"], port)
        contenders.append((shipped, "/call/up?raw=true"))
        port = benchlib.free_port()
        bare = benchlib.start_command(
            "sd-reliability /call ?raw=true, no observability (1 thread)",
            [binary, "--port", str(port), "--threads", "1", "--no-observability", "--upstream", f"up={url}"], port)
        contenders.append((bare, "/call/up?raw=true"))
        contenders.append((shipped, "/call/up"))  # the lab's JSON answer with the trace
        nginx = benchlib.start_nginx(
            "nginx proxy_pass (1 worker)",
            "location = /call/up { proxy_pass http://backend/up; proxy_http_version 1.1; "
            "proxy_set_header Connection \"\"; }",
            http_extra=f"upstream backend {{ server 127.0.0.1:{upstream.port}; keepalive 64; }}")
        contenders.append((nginx, "/call/up"))
        names = [s.name if path != "/call/up" or s is nginx else "sd-reliability /call, JSON + trace (1 thread)"
                 for s, path in contenders]
        for s, path in contenders:  # warm-up
            benchlib.run_wrk(s, path, 1, 1, 50)
        rounds = {n: [] for n in names}
        for _ in range(args.rounds):
            for n, (s, path) in zip(names, contenders):
                rounds[n].append(benchlib.run_wrk(s, path, args.seconds, 1, 50))
        results = benchlib.Comparison(rounds)
    finally:
        for s, _ in contenders:
            s.stop()
        upstream.stop()
    baseline = "nginx proxy_pass (1 worker)"
    non2xx = {n: r.non_2xx for n, r in results.items()}
    report = ("# The pipeline's cost on the happy path (06)\n\n"
              "## In process\n\n"
              "`reliability_pipeline_benchmark`: an operation that answers at once, awaited bare, spawned as a "
              "cancellable coroutine (the least an attempt that a timeout or a hedge can stop costs in Asio), "
              "and run through `Pipeline::Execute` with the default policies (attempt and call timeouts, "
              "retry, budget, breaker, bulkhead): *Inline* when the operation honours its own deadline (what "
              "CallHttp does), otherwise as a spawned attempt; with and without the trace; with only timeout "
              "and retry; and with everything (hedging, which always spawns, and throttling). The "
              "`Concurrent` rows keep 1 or 64 calls in flight, each operation suspending once as I/O would "
              "(bare, spawned attempts, inline attempts); CPU time per call.\n\n"
              f"{micro_table}\n\n"
              "## Over HTTP, against nginx\n\n"
              f"Machine: {benchlib.machine_note()}. Proxy on CPU 0; wrk (`-t1 -c50`) and the upstream (nginx, "
              f"1 worker, `return 200 'ok'`) on CPU 1; {args.rounds} alternating rounds of {args.seconds} s, "
              f"median round, ratios as medians of paired rounds. Non-2xx: {non2xx}. sd-reliability runs the "
              "default pipeline (timeouts, retry, budget, breaker, bulkhead) through core::HttpClient's "
              "keep-alive pool; nginx proxies with `keepalive 64`.\n\n"
              f"{benchlib.table(results, baseline)}\n\n"
              "Command: `bench/reliability_overhead.py --build build` (part of `make bench`).\n")
    (HERE / "results" / "reliability_overhead.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
