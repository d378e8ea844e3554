#!/usr/bin/env python3
"""Miss ratio vs cache size, one panel per workload, one line per policy: an SVG drawn with the
standard library from the CSV that cache_hit_ratio_sim writes (--csv).

    bench/plot_miss_ratio.py results/cache_hit_ratio.csv results/cache_miss_ratio.svg
"""

import csv
import math
import sys
from collections import defaultdict

COLORS = {"lru": "#d62728", "s3fifo": "#1f77b4", "sieve": "#2ca02c", "wtinylfu": "#9467bd"}
PANEL_W, PANEL_H, MARGIN = 330, 230, 48


def main() -> int:
    src, dst = sys.argv[1], sys.argv[2]
    data = defaultdict(lambda: defaultdict(list))  # workload → policy → [(size_pct, miss)]
    for row in csv.DictReader(open(src)):
        if row["policy"] not in COLORS:
            continue
        data[row["workload"]][row["policy"]].append((float(row["size_pct"]), float(row["miss_ratio"])))
    workloads = list(data)
    cols = 3
    rows = math.ceil(len(workloads) / cols)
    width, height = cols * (PANEL_W + MARGIN) + MARGIN, rows * (PANEL_H + 2 * MARGIN) + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>']
    # legend
    x = MARGIN
    for policy, color in COLORS.items():
        if any(policy in data[w] for w in workloads):
            out.append(f'<line x1="{x}" y1="18" x2="{x + 24}" y2="18" stroke="{color}" stroke-width="2.5"/>'
                       f'<text x="{x + 30}" y="22">{policy}</text>')
            x += 110
    for i, workload in enumerate(workloads):
        ox = MARGIN + (i % cols) * (PANEL_W + MARGIN)
        oy = 40 + MARGIN + (i // cols) * (PANEL_H + 2 * MARGIN)
        series = data[workload]
        sizes = sorted({s for pts in series.values() for s, _ in pts})
        ymax = max(m for pts in series.values() for _, m in pts)
        ymax = math.ceil(ymax * 10) / 10
        lx0, lx1 = math.log10(sizes[0]), math.log10(sizes[-1])

        def px(s):
            return ox + (math.log10(s) - lx0) / (lx1 - lx0) * PANEL_W

        def py(m):
            return oy + PANEL_H - m / ymax * PANEL_H

        out.append(f'<text x="{ox}" y="{oy - 8}" font-weight="bold">{workload}</text>')
        out.append(f'<rect x="{ox}" y="{oy}" width="{PANEL_W}" height="{PANEL_H}" fill="none" stroke="#999"/>')
        for s in sizes:
            out.append(f'<text x="{px(s):.1f}" y="{oy + PANEL_H + 14}" text-anchor="middle">{s:g}%</text>')
        for k in range(6):
            m = ymax * k / 5
            out.append(f'<line x1="{ox}" y1="{py(m):.1f}" x2="{ox + PANEL_W}" y2="{py(m):.1f}" stroke="#eee"/>'
                       f'<text x="{ox - 4}" y="{py(m) + 4:.1f}" text-anchor="end">{m:.2f}</text>')
        for policy, pts in series.items():
            pts.sort()
            path = " ".join(f"{px(s):.1f},{py(m):.1f}" for s, m in pts)
            out.append(f'<polyline points="{path}" fill="none" stroke="{COLORS[policy]}" stroke-width="2"/>')
        out.append(f'<text x="{ox + PANEL_W / 2}" y="{oy + PANEL_H + 30}" text-anchor="middle">cache size '
                   f'(% of distinct keys)</text>')
        out.append(f'<text x="{ox - 36}" y="{oy + PANEL_H / 2}" transform="rotate(-90 {ox - 36} '
                   f'{oy + PANEL_H / 2})" text-anchor="middle">miss ratio</text>')
    out.append("</svg>")
    open(dst, "w").write("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
