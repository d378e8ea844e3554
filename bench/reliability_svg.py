"""Line charts as SVG on the standard library, for the reliability experiments (06).

    svg = line_chart([Panel("upstream requests/s", "second", series={"naive": [(0, 590), ...]},
                            shade=(10, 12))], title="retry storm")
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

PALETTE = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f"]
PANEL_W, PANEL_H, MARGIN = 420, 220, 56


@dataclass
class Panel:
    ylabel: str
    xlabel: str
    series: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    shade: tuple[float, float] | None = None  # an x range to grey out (an outage, a slowdown)
    shade_label: str = ""
    logx: bool = False
    logy: bool = False


def _ticks(lo: float, hi: float, log: bool) -> list[float]:
    if log:
        out, v = [], 10 ** math.floor(math.log10(lo))
        while v <= hi * 1.0001:
            if v >= lo * 0.9999:
                out.append(v)
            v *= 10
        return out or [lo, hi]
    span = hi - lo or 1
    step = 10 ** math.floor(math.log10(span / 5))
    for m in (1, 2, 5, 10):
        if span / (step * m) <= 6:
            step *= m
            break
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) / step + 1.0001))]


def _fmt(v: float) -> str:
    if abs(v) >= 10000:
        return f"{v / 1000:g}k"
    return f"{v:g}"


def line_chart(panels: list[Panel], title: str, colors: dict[str, str] | None = None) -> str:
    names: list[str] = []
    for p in panels:
        names += [n for n in p.series if n not in names]
    colors = dict(colors or {})
    for i, n in enumerate(names):
        colors.setdefault(n, PALETTE[i % len(PALETTE)])
    width = len(panels) * (PANEL_W + MARGIN) + MARGIN
    legend, x, y = [], MARGIN, 36
    for n in names:  # wraps onto more rows when the names are long
        w = 34 + 7 * len(n)
        if x + w > width - MARGIN and x > MARGIN:
            x, y = MARGIN, y + 16
        legend.append(f'<line x1="{x}" y1="{y}" x2="{x + 22}" y2="{y}" stroke="{colors[n]}" stroke-width="2.5"/>'
                      f'<text x="{x + 27}" y="{y + 4}">{n}</text>')
        x += w
    top = y + 32
    height = top + PANEL_H + 2 * MARGIN
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="11">', f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{MARGIN}" y="18" font-size="13" font-weight="bold">{title}</text>'] + legend
    for i, p in enumerate(panels):
        ox, oy = MARGIN + i * (PANEL_W + MARGIN), top
        pts = [pt for s in p.series.values() for pt in s]
        xs = [pt[0] for pt in pts if not p.logx or pt[0] > 0]
        ys = [pt[1] for pt in pts if not p.logy or pt[1] > 0]
        x0, x1 = min(xs), max(xs)
        y0 = min(ys) if p.logy else 0.0
        y1 = max(ys) * (1.0 if p.logy else 1.08) or 1.0

        def px(v, x0=x0, x1=x1, log=p.logx):
            if log:
                return ox + (math.log10(v) - math.log10(x0)) / ((math.log10(x1) - math.log10(x0)) or 1) * PANEL_W
            return ox + (v - x0) / ((x1 - x0) or 1) * PANEL_W

        def py(v, y0=y0, y1=y1, log=p.logy):
            if log:
                v = max(v, y0)
                return oy + PANEL_H - (math.log10(v) - math.log10(y0)) / ((math.log10(y1) - math.log10(y0)) or 1) * PANEL_H
            return oy + PANEL_H - (v - y0) / ((y1 - y0) or 1) * PANEL_H

        if p.shade:
            a, b = px(max(p.shade[0], x0)), px(min(p.shade[1], x1))
            out.append(f'<rect x="{a:.1f}" y="{oy}" width="{b - a:.1f}" height="{PANEL_H}" fill="#f2f2f2"/>')
            if p.shade_label:
                out.append(f'<text x="{(a + b) / 2:.1f}" y="{oy + 12}" text-anchor="middle" fill="#777">'
                           f'{p.shade_label}</text>')
        out.append(f'<rect x="{ox}" y="{oy}" width="{PANEL_W}" height="{PANEL_H}" fill="none" stroke="#999"/>')
        for t in _ticks(y0 if p.logy else 0, y1, p.logy):
            out.append(f'<line x1="{ox}" y1="{py(t):.1f}" x2="{ox + PANEL_W}" y2="{py(t):.1f}" stroke="#eee"/>'
                       f'<text x="{ox - 4}" y="{py(t) + 4:.1f}" text-anchor="end">{_fmt(t)}</text>')
        for t in _ticks(x0, x1, p.logx):
            out.append(f'<text x="{px(t):.1f}" y="{oy + PANEL_H + 14}" text-anchor="middle">{_fmt(t)}</text>')
        for n, s in p.series.items():
            s = sorted(pt for pt in s if (not p.logx or pt[0] > 0))
            path = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in s)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colors[n]}" stroke-width="1.8"/>')
        out.append(f'<text x="{ox + PANEL_W / 2}" y="{oy + PANEL_H + 32}" text-anchor="middle">{p.xlabel}</text>')
        out.append(f'<text x="{ox - 42}" y="{oy + PANEL_H / 2}" transform="rotate(-90 {ox - 42} '
                   f'{oy + PANEL_H / 2})" text-anchor="middle">{p.ylabel}</text>')
    out.append("</svg>")
    return "\n".join(out)


def bar_chart(groups: list[str], series: dict[str, list[float]], ylabel: str, title: str,
              logy: bool = False) -> str:
    """Grouped bars: one group per entry of `groups`, one bar per series in each."""
    width, height = max(480, 90 * len(groups) * max(1, len(series)) // 2 + 2 * MARGIN), PANEL_H + 2 * MARGIN + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="11">', f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{MARGIN}" y="18" font-size="13" font-weight="bold">{title}</text>']
    ox, oy, w = MARGIN, 56, width - 2 * MARGIN
    values = [v for vs in series.values() for v in vs if v > 0]
    y0, y1 = (min(values) / 2, max(values) * 1.5) if logy else (0.0, max(values) * 1.1)

    def py(v):
        if logy:
            v = max(v, y0)
            return oy + PANEL_H - (math.log10(v) - math.log10(y0)) / (math.log10(y1) - math.log10(y0)) * PANEL_H
        return oy + PANEL_H - (v - y0) / (y1 - y0) * PANEL_H

    for t in _ticks(y0, y1, logy):
        out.append(f'<line x1="{ox}" y1="{py(t):.1f}" x2="{ox + w}" y2="{py(t):.1f}" stroke="#eee"/>'
                   f'<text x="{ox - 4}" y="{py(t) + 4:.1f}" text-anchor="end">{_fmt(t)}</text>')
    gw = w / len(groups)
    bw = gw * 0.8 / len(series)
    for gi, g in enumerate(groups):
        out.append(f'<text x="{ox + gi * gw + gw / 2:.1f}" y="{oy + PANEL_H + 16}" text-anchor="middle">{g}</text>')
        for si, (name, vs) in enumerate(series.items()):
            x = ox + gi * gw + gw * 0.1 + si * bw
            out.append(f'<rect x="{x:.1f}" y="{py(vs[gi]):.1f}" width="{bw - 2:.1f}" '
                       f'height="{oy + PANEL_H - py(vs[gi]):.1f}" fill="{PALETTE[si % len(PALETTE)]}"/>'
                       f'<text x="{x + bw / 2:.1f}" y="{py(vs[gi]) - 3:.1f}" text-anchor="middle" '
                       f'font-size="9">{vs[gi]:g}</text>')
    x = MARGIN
    for si, name in enumerate(series):
        out.append(f'<rect x="{x}" y="30" width="12" height="10" fill="{PALETTE[si % len(PALETTE)]}"/>'
                   f'<text x="{x + 16}" y="39">{name}</text>')
        x += 30 + 7 * len(name)
    out.append(f'<rect x="{ox}" y="{oy}" width="{w}" height="{PANEL_H}" fill="none" stroke="#999"/>')
    out.append(f'<text x="{ox - 42}" y="{oy + PANEL_H / 2}" transform="rotate(-90 {ox - 42} {oy + PANEL_H / 2})" '
               f'text-anchor="middle">{ylabel}</text>')
    out.append("</svg>")
    return "\n".join(out)
