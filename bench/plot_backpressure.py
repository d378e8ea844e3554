#!/usr/bin/env python3
"""The backpressure experiment as an SVG drawn with the standard library: queued memory and p99
latency over time, one line per policy (unbounded, block, reject), from the CSV that
jobqueue_backpressure prints.

    build/bin/jobqueue_backpressure > bench/results/backpressure.csv
    bench/plot_backpressure.py bench/results/backpressure.csv bench/results/backpressure.svg
"""

import csv
import sys
from collections import defaultdict

COLORS = {"unbounded": "#d62728", "block": "#1f77b4", "reject": "#2ca02c"}
W, H, M = 420, 260, 56


def panel(out, x0, title, series, ylabel):
    xmax = max((x for pts in series.values() for x, _ in pts), default=1) or 1
    ymax = max((y for pts in series.values() for _, y in pts), default=1) or 1
    out.append(f'<text x="{x0 + W / 2}" y="20" text-anchor="middle" font-size="13">{title}</text>')
    out.append(f'<rect x="{x0}" y="{M}" width="{W}" height="{H}" fill="none" stroke="#999"/>')
    for i in range(5):
        y = M + H - i * H / 4
        out.append(f'<text x="{x0 - 6}" y="{y + 4}" text-anchor="end">{ymax * i / 4:,.0f}</text>')
        x = x0 + i * W / 4
        out.append(f'<text x="{x}" y="{M + H + 16}" text-anchor="middle">{xmax * i / 4:.1f}</text>')
    out.append(f'<text x="{x0 + W / 2}" y="{M + H + 34}" text-anchor="middle">seconds</text>')
    out.append(f'<text x="{x0 - 44}" y="{M - 10}">{ylabel}</text>')
    for policy, pts in series.items():
        path = " ".join(f"{x0 + x / xmax * W:.1f},{M + H - y / ymax * H:.1f}" for x, y in pts)
        out.append(f'<polyline fill="none" stroke="{COLORS[policy]}" stroke-width="2" points="{path}"/>')


def main() -> int:
    memory, latency = defaultdict(list), defaultdict(list)
    for row in csv.DictReader(open(sys.argv[1])):
        t = float(row["t_s"])
        memory[row["policy"]].append((t, int(row["queued_bytes"]) / 1024))
        latency[row["policy"]].append((t, float(row["p99_ms"])))
    width = 2 * (W + 2 * M)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{H + 2 * M + 40}" '
           'font-family="sans-serif" font-size="11">', f'<rect width="100%" height="100%" fill="white"/>']
    panel(out, M, "queued memory (KiB)", memory, "KiB")
    panel(out, W + 3 * M, "p99 latency from intent to done (ms)", latency, "ms")
    for i, (policy, color) in enumerate(COLORS.items()):
        y = H + 2 * M + 28
        out.append(f'<rect x="{M + i * 140}" y="{y - 9}" width="12" height="12" fill="{color}"/>')
        out.append(f'<text x="{M + i * 140 + 18}" y="{y + 1}">{policy}</text>')
    out.append("</svg>")
    open(sys.argv[2], "w").write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
