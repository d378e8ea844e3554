#!/usr/bin/env python3
"""Experiment 4 (06): the circuit breaker during an outage. 200 calls/s to a healthy upstream
(20 ms) that fails every request at once (503) from 10 s to 22 s. Without a breaker (no retries;
three attempts), with the default breaker (resilience4j's window of 100 calls at 50 %, Polly's
5 s open), and a tuned one (window of 20, 1 s open). Reports how long the breaker took to notice,
how many requests went to the dead upstream, and how long after the upstream recovered the calls
did. Writes bench/results/reliability_breaker.{md,svg}.
"""

import argparse
import pathlib
import sys

import reliability_sim
from reliability_svg import Panel, line_chart

HERE = pathlib.Path(__file__).resolve().parent
POLICIES = [("none", "no breaker, no retries"), ("naive", "no breaker, 3 attempts"),
            ("breaker", "breaker (defaults), 3 attempts"), ("tuned", "breaker (20 calls, 1 s open), 3 attempts")]
DOWN, UP = 10, 22


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--rate", type=int, default=200)
    p.add_argument("--seconds", type=int, default=30)
    args = p.parse_args()
    lines = ["| policy | breaker open after | requests to the dead upstream | ÷ calls during the outage | "
             "calls served again after the upstream recovered | goodput, whole run |",
             "|---|---:|---:|---:|---:|---:|"]
    load, goodput = {}, {}
    for name, label in POLICIES:
        rows = reliability_sim.run(args.build, "breaker", policy=name, rate=args.rate, seconds=args.seconds)
        outage = rows[DOWN:UP]
        wasted = sum(int(r["upstream_requests"]) for r in outage)
        calls = sum(int(r["calls"]) for r in outage)
        # To 10 ms: the first sample with the breaker not closed; the first call served after the
        # upstream came back.
        opened = next((int(r["second"]) - DOWN + 1 - int(r["breaker_open_ms"]) / 1000
                       for r in outage if int(r["breaker_open_ms"]) > 0), None)
        back = next((int(r["second"]) - UP + int(r["first_success_ms"]) / 1000
                     for r in rows[UP:] if int(r["first_success_ms"]) >= 0), None)
        total = sum(int(r["calls"]) for r in rows)
        ok = sum(int(r["succeeded"]) for r in rows)
        lines.append(f"| {label} | {'—' if opened is None else f'{opened * 1000:.0f} ms'} | {wasted:,} | "
                     f"{wasted / calls:.2f} | {'—' if back is None else f'{back * 1000:.0f} ms'} | {ok / total:.1%} |")
        load[label] = [(int(r["second"]), int(r["upstream_requests"])) for r in rows]
        goodput[label] = [(int(r["second"]), int(r["succeeded"])) for r in rows]
    svg = line_chart([Panel("requests/s reaching the upstream", "second", load, shade=(DOWN, UP),
                            shade_label="upstream down"),
                      Panel("successful calls/s", "second", goodput, shade=(DOWN, UP))],
                     f"Circuit breaker: {args.rate} calls/s, the upstream fails everything from {DOWN} s to {UP} s")
    (HERE / "results" / "reliability_breaker.svg").write_text(svg)
    report = (f"# Circuit breaker during an outage (06)\n\nVirtual time, Poisson arrivals at {args.rate} calls/s; "
              f"the upstream answers in 20 ms, and with 503 at once from {DOWN} s to {UP} s. Times to the "
              "nearest 10 ms. Retry budget off, to isolate the "
              "breaker.\n\n" + "\n".join(lines) + "\n\n![breaker](reliability_breaker.svg)\n\n"
              "Command: `bench/reliability_breaker.py --build build` "
              f"(each row: `{reliability_sim.command('breaker', policy='<policy>', rate=args.rate, seconds=args.seconds)}`).\n")
    (HERE / "results" / "reliability_breaker.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
