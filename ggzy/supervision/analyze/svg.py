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


PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
    "#3182bd",
)


def _community_layout(groups: list[list[str]], size: int) -> dict[str, tuple[float, float]]:
    """Each community a small ring of its own, the communities spread on a large ring."""
    centre = size / 2
    where: dict[str, tuple[float, float]] = {}
    outer = size / 2 - 70 if len(groups) > 1 else 0.0
    for g, members in enumerate(groups):
        angle = 2 * math.pi * g / max(len(groups), 1)
        cx, cy = centre + outer * math.cos(angle), centre + outer * math.sin(angle)
        inner = min(12 + 5 * len(members), size / 6) if len(members) > 1 else 0.0
        for i, name in enumerate(members):
            a = 2 * math.pi * i / len(members)
            where[name] = (cx + inner * math.cos(a), cy + inner * math.sin(a))
    return where


def community_chart(
    edges: list[tuple[str, str, int]], community: dict[str, str], flagged: set[str], *, size: int = 640
) -> str:
    """Co-bidding graph with nodes coloured by community (label propagation); flagged tenderers have a black ring."""
    names = sorted({n for a, b, _ in edges for n in (a, b)})
    if not names:
        return "<p class='muted'>（没有共同投标 no co-bidding）</p>"
    order: dict[str, list[str]] = {}
    for name in names:
        order.setdefault(community.get(name, name), []).append(name)
    groups = sorted(order.values(), key=lambda m: (-len(m), m[0]))
    where = _community_layout(groups, size)
    colour = {name: PALETTE[g % len(PALETTE)] for g, members in enumerate(groups) for name in members}
    heaviest = max(n for _, _, n in edges)
    lines = [
        f'<line x1="{where[a][0]:.1f}" y1="{where[a][1]:.1f}" x2="{where[b][0]:.1f}" y2="{where[b][1]:.1f}" '
        f'stroke="#95a5a6" stroke-opacity="0.6" stroke-width="{0.5 + 3 * n / heaviest:.2f}"><title>'
        f"{escape(a)} – {escape(b)}: {n}</title></line>"
        for a, b, n in edges
    ]
    ring = ' stroke="#000" stroke-width="2"'
    dots = [
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{colour[name]}"{ring if name in flagged else ""}><title>'
        f"{escape(name)} · 社区 community {escape(community.get(name, name))}</title></circle>"
        for name, (x, y) in where.items()
    ]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" role="img" '
        f'aria-label="co-bidding communities">{"".join(lines)}{"".join(dots)}</svg>'
    )
