"""SVG 图表 — small charts drawn as inline SVG strings: a bar chart and a circular network."""

from __future__ import annotations

import math
from html import escape


def bar_chart(items: list[tuple[str, int]], *, title: str, width: int = 640) -> str:
    """Horizontal bars, one per (label, value)."""
    if not items:
        return "<p class='muted'>（无数据 no data）</p>"
    row, left = 22, 70
    top = max(value for _, value in items) or 1
    height = row * len(items) + 10
    bars = []
    for index, (label, value) in enumerate(items):
        y = 5 + index * row
        length = (width - left - 60) * value / top
        bars.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" font-size="12">{escape(label)}</text>'
            f'<rect x="{left}" y="{y + 2}" width="{length:.1f}" height="{row - 6}" fill="#c0392b"/>'
            f'<text x="{left + length + 4:.1f}" y="{y + 14}" font-size="12">{value}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}">{"".join(bars)}</svg>'
    )


def network_chart(edges: list[tuple[str, str, int]], flagged: set[str], *, size: int = 560) -> str:
    """Nodes on a circle, edges weighted by how often two tenderers bid in the same process."""
    nodes = sorted({name for a, b, _ in edges for name in (a, b)})
    if not nodes:
        return "<p class='muted'>（没有共同投标 no co-bidding）</p>"
    centre, radius = size / 2, size / 2 - 90
    where = {
        name: (
            centre + radius * math.cos(2 * math.pi * i / len(nodes)),
            centre + radius * math.sin(2 * math.pi * i / len(nodes)),
        )
        for i, name in enumerate(nodes)
    }
    heaviest = max(n for _, _, n in edges)
    lines = [
        f'<line x1="{where[a][0]:.1f}" y1="{where[a][1]:.1f}" x2="{where[b][0]:.1f}" y2="{where[b][1]:.1f}" '
        f'stroke="#7f8c8d" stroke-opacity="0.6" stroke-width="{0.5 + 4 * n / heaviest:.2f}"><title>'
        f"{escape(a)} – {escape(b)}: {n}</title></line>"
        for a, b, n in edges
    ]
    dots = []
    for name, (x, y) in where.items():
        colour = "#c0392b" if name in flagged else "#2c3e50"
        anchor = "start" if x >= centre else "end"
        dx = 8 if x >= centre else -8
        dots.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"><title>{escape(name)}</title></circle>'
            f'<text x="{x + dx:.1f}" y="{y + 4:.1f}" font-size="10" text-anchor="{anchor}">{escape(name[:18])}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" role="img" '
        f'aria-label="co-bidding network">{"".join(lines)}{"".join(dots)}</svg>'
    )
