#!/usr/bin/env python3
"""Experiment 1 (06): a retry storm. Open-loop clients at 60 % of an upstream's capacity; the
upstream slows down five-fold for two seconds (10 s → 12 s) and then is healthy again. Who turns
that blip into an outage? Policies: no retries; three attempts; three attempts with a retry budget
(Finagle's 20 % over 10 s, and the same share over 1 s); three attempts with a circuit breaker;
budget and breaker together (sd-reliability's default pipeline).

Runs the real pipeline in virtual time (build/tools/reliability_sim; see 06's README for the model)
and writes bench/results/reliability_retry_storm.{md,svg}.
"""

import argparse
import pathlib
import sys

import reliability_sim
from reliability_svg import Panel, line_chart

HERE = pathlib.Path(__file__).resolve().parent
POLICIES = [("none", "no retries"), ("naive", "3 attempts"), ("budget", "3 attempts + budget (10 s window)"),
            ("budget1s", "3 attempts + budget (1 s window)"), ("breaker", "3 attempts + breaker"),
            ("both", "budget + breaker (default)")]
BLIP_END = 12


def recovery(rows: list[dict]) -> str:
    """Seconds after the blip until goodput is back above 95 % for three seconds in a row."""
    good = [int(r["succeeded"]) >= 0.95 * max(1, int(r["calls"])) for r in rows]
    for s in range(BLIP_END, len(rows) - 2):
        if all(good[s:s + 3]):
            return f"{s - BLIP_END} s"
    return "never"


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--rate", type=int, default=600)
    p.add_argument("--seconds", type=int, default=40)
    args = p.parse_args()
    lines = ["| policy | upstream load ÷ calls | peak upstream load (× capacity) | goodput, whole run | "
             "goodput after the blip | back to normal after |", "|---|---:|---:|---:|---:|---:|"]
    load, goodput = {}, {}
    for name, label in POLICIES:
        rows = reliability_sim.run(args.build, "storm", policy=name, rate=args.rate, seconds=args.seconds)
        calls = sum(int(r["calls"]) for r in rows)
        upstream = sum(int(r["upstream_requests"]) for r in rows)
        ok = sum(int(r["succeeded"]) for r in rows)
        after = rows[BLIP_END:]
        ok_after = sum(int(r["succeeded"]) for r in after) / max(1, sum(int(r["calls"]) for r in after))
        peak = max(int(r["upstream_requests"]) for r in rows) / 1000
        lines.append(f"| {label} | {upstream / calls:.2f}× | {peak:.2f}× | {ok / calls:.1%} | {ok_after:.1%} | "
                     f"{recovery(rows)} |")
        load[label] = [(int(r["second"]), int(r["upstream_requests"])) for r in rows]
        goodput[label] = [(int(r["second"]), int(r["succeeded"])) for r in rows]
    svg = line_chart([Panel("requests/s reaching the upstream", "second", load, shade=(10, BLIP_END),
                            shade_label="slowdown"),
                      Panel("successful calls/s", "second", goodput, shade=(10, BLIP_END))],
                     f"Retry storm: {args.rate} calls/s to an upstream that serves 1,000/s, slowed 5× for 2 s")
    (HERE / "results" / "reliability_retry_storm.svg").write_text(svg)
    report = (f"# Retry storm (06)\n\nVirtual time, {args.seconds} s of Poisson arrivals at {args.rate} calls/s; the "
              "upstream serves 20 at once in 20 ms each (1,000/s) and slows down in proportion beyond that, "
              "keeps working on requests its client gave up on, and takes 100 ms per request from 10 s to 12 s. "
              "Attempt timeout 100 ms, call deadline 1 s, exponential backoff 25–250 ms with full jitter.\n\n"
              + "\n".join(lines) + "\n\n![retry storm](reliability_retry_storm.svg)\n\n"
              f"Command: `bench/reliability_retry_storm.py --build build` "
              f"(each row: `{reliability_sim.command('storm', policy='<policy>', rate=args.rate, seconds=args.seconds)}`).\n")
    (HERE / "results" / "reliability_retry_storm.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
