#!/usr/bin/env python3
"""sd-jobqueue vs beanstalkd (Debian), same load generator, same run.

put → reserve → delete cycles over 50 connections (bench/beanstalk_load.cpp), one server thread
against beanstalkd's one, server on CPU 0 and load on CPU 1, rounds alternating between the two;
the ratio is the median of the paired rounds. Configurations: in memory, and with the log at each
fsync setting against `beanstalkd -b` with the matching -f/-F. Then memory per queued job: RSS
growth after storing 1 M jobs of 64 bytes in each (in memory).

    bench/jobqueue_vs_beanstalkd.py --build build [--rounds 3] [--seconds 5]
Writes bench/results/jobqueue_vs_beanstalkd.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

import benchlib
import procs  # tests/contract/procs.py, on the path benchlib sets

HERE = Path(__file__).resolve().parent


def start(kind: str, build: Path, mode: str, data: str) -> tuple[subprocess.Popen, int]:
    port = benchlib.free_port()
    if kind == "beanstalkd":
        argv = ["beanstalkd", "-l", "127.0.0.1", "-p", str(port)]
        if mode != "memory":
            argv += ["-b", data] + {"always": ["-f", "0"], "every=50ms": ["-f", "50"], "never": ["-F"]}[mode]
    else:
        argv = [str(build / "bin/sd-jobqueue"), "--port", "0", "--beanstalkd-port", str(port),
                "--threads", "1", "--log-level", "warn", "--max-jobs", "2000000"]
        if mode != "memory":
            argv += ["--data", data, "--fsync", mode]
    proc = subprocess.Popen(["taskset", "-c", "0"] + argv, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    benchlib.wait_port(port, timeout=20)
    return proc, port


def load(build: Path, port: int, seconds: int, extra: list[str] | None = None) -> dict:
    r = subprocess.run(["taskset", "-c", "1", str(build / "tools/beanstalk_load"), "--port", str(port),
                        "--seconds", str(seconds), "--connections", "50"] + (extra or []),
                       capture_output=True, text=True, timeout=600)
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--jobs", type=int, default=1_000_000)
    args = p.parse_args()
    build = Path(args.build).resolve()
    if not shutil.which("beanstalkd"):
        print("SKIP: beanstalkd is not installed")
        return 0
    lines = ["# sd-jobqueue vs beanstalkd", "",
             f"put → reserve → delete cycles, 50 connections, {args.seconds} s per round, "
             f"{args.rounds} alternating rounds; server on CPU 0 (one thread each), load on CPU 1; "
             "ratio = median of paired rounds.", "",
             "| configuration | sd-jobqueue cycles/s | p99 µs | beanstalkd cycles/s | p99 µs | ratio |",
             "|---|---:|---:|---:|---:|---:|"]
    for mode in ("memory", "always", "every=50ms", "never"):
        runs = {"sd": [], "beanstalkd": []}
        for _ in range(args.rounds):
            for kind in ("sd", "beanstalkd"):
                with tempfile.TemporaryDirectory(prefix="jq-bench-") as data:
                    proc, port = start(kind, build, mode, data)
                    try:
                        runs[kind].append(load(build, port, args.seconds))
                    finally:
                        procs.stop(proc, timeout=15)
        ratios = [a["cycles_per_s"] / b["cycles_per_s"] for a, b in zip(runs["sd"], runs["beanstalkd"])]
        med = {k: sorted(v, key=lambda r: r["cycles_per_s"])[len(v) // 2] for k, v in runs.items()}
        label = "in memory" if mode == "memory" else f"log, --fsync {mode} vs -b " + \
            {"always": "-f 0", "every=50ms": "-f 50", "never": "-F"}[mode]
        row = (f"| {label} | {med['sd']['cycles_per_s']:,.0f} | {med['sd']['p99_us']:.0f} | "
               f"{med['beanstalkd']['cycles_per_s']:,.0f} | {med['beanstalkd']['p99_us']:.0f} | "
               f"**{statistics.median(ratios):.2f}×** |")
        print(row, flush=True)
        lines.append(row)

    lines += ["", f"Memory per queued job: RSS growth after storing {args.jobs:,} jobs of 64 bytes "
              "(in memory, pipelined puts).", "", "| server | RSS growth | per job |", "|---|---:|---:|"]
    for kind in ("sd", "beanstalkd"):
        proc, port = start(kind, build, "memory", "")
        try:
            # taskset execs the server, so the pid is the server's.
            before = benchlib.rss_bytes(proc.pid) // 1024
            load(build, port, 1, ["--fill", str(args.jobs)])
            after = benchlib.rss_bytes(proc.pid) // 1024
        finally:
            procs.stop(proc, timeout=15)
        per_job = (after - before) * 1024 / args.jobs
        row = f"| {'sd-jobqueue' if kind == 'sd' else 'beanstalkd 1.12'} | {(after - before) / 1024:,.0f} MiB | {per_job:.0f} B |"
        print(row, flush=True)
        lines.append(row)
    out = HERE / "results" / "jobqueue_vs_beanstalkd.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
