#!/usr/bin/env python3
"""Retries per insert vs links stored, for random codes of length 5, 6 and 7: measured (points) and
the birthday estimate n/62^L (lines), log-log. An SVG drawn with the standard library from the CSV
that shortener_code_collisions writes (--csv).

    bench/plot_collisions.py results/shortener_collisions.csv results/shortener_collisions.svg
"""

import csv
import math
import sys
from collections import defaultdict

COLORS = {"5": "#d62728", "6": "#1f77b4", "7": "#2ca02c"}
W, H, M = 620, 400, 70


def main() -> int:
    src, dst = sys.argv[1], sys.argv[2]
    measured = defaultdict(list)
    estimate = defaultdict(list)
    for row in csv.DictReader(open(src)):
        n = float(row["links"])
        estimate[row["length"]].append((n, float(row["estimate_per_insert"])))
        if float(row["retries_per_insert"]) > 0:
            measured[row["length"]].append((n, float(row["retries_per_insert"])))
    xs = [n for pts in estimate.values() for n, _ in pts]
    ys = [v for pts in list(estimate.values()) + list(measured.values()) for _, v in pts if v > 0]
    x0, x1 = math.floor(math.log10(min(xs))), math.ceil(math.log10(max(xs)))
    y0, y1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))

    def px(n):
        return M + (math.log10(n) - x0) / (x1 - x0) * W

    def py(v):
        return M + H - (math.log10(v) - y0) / (y1 - y0) * H

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W + 2 * M}" height="{H + 2 * M}" '
           'font-family="sans-serif" font-size="12">',
           f'<rect width="{W + 2 * M}" height="{H + 2 * M}" fill="white"/>',
           f'<text x="{M}" y="24" font-size="14">Retries per insert vs links stored (random base62 codes)</text>',
           f'<rect x="{M}" y="{M}" width="{W}" height="{H}" fill="none" stroke="#888"/>']
    for e in range(x0, x1 + 1):
        x = px(10 ** e)
        out.append(f'<line x1="{x}" y1="{M}" x2="{x}" y2="{M + H}" stroke="#eee"/>'
                   f'<text x="{x}" y="{M + H + 16}" text-anchor="middle">1e{e}</text>')
    for e in range(y0, y1 + 1):
        y = py(10 ** e)
        out.append(f'<line x1="{M}" y1="{y}" x2="{M + W}" y2="{y}" stroke="#eee"/>'
                   f'<text x="{M - 6}" y="{y + 4}" text-anchor="end">1e{e}</text>')
    out.append(f'<text x="{M + W / 2}" y="{M + H + 40}" text-anchor="middle">links stored</text>')
    out.append(f'<text x="18" y="{M + H / 2}" transform="rotate(-90 18 {M + H / 2})" '
               'text-anchor="middle">retries per insert</text>')
    for length, color in COLORS.items():
        pts = sorted(estimate[length])
        path = " ".join(f"{'M' if i == 0 else 'L'}{px(n):.1f},{py(v):.1f}" for i, (n, v) in enumerate(pts))
        out.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="1.5" stroke-dasharray="5,3"/>')
        for n, v in measured[length]:
            out.append(f'<circle cx="{px(n):.1f}" cy="{py(v):.1f}" r="3.5" fill="{color}"/>')
        ly = M + 16 + 18 * list(COLORS).index(length)
        out.append(f'<circle cx="{M + 14}" cy="{ly - 4}" r="3.5" fill="{color}"/>'
                   f'<text x="{M + 24}" y="{ly}">length {length}: measured (dots), n/62^{length} (dashed)</text>')
    out.append("</svg>")
    open(dst, "w").write("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
