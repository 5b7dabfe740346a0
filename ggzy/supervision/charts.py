"""图表 — small SVG charts drawn on the server: no JavaScript library, nothing from the internet."""

from __future__ import annotations

import math
from html import escape

PALETTE = ("#b4232a", "#d97706", "#2563eb", "#059669", "#7c3aed", "#db2777", "#0891b2", "#65a30d")


def bars(items: list[tuple[str, int]], *, width: int = 520, row: int = 26, label_width: int = 190) -> str:
    """Horizontal bars with their labels and values; an empty chart says so."""
    if not items:
        return '<p class="empty">暂无数据</p>'
    top = max(v for _, v in items) or 1
    height = row * len(items) + 8
    said = escape("；".join(f"{label}：{value}" for label, value in items))  # what a screen reader reads
    parts = [
        f'<svg class="chart" role="img" aria-label="{said}" viewBox="0 0 {width} {height}" width="100%" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        w = max(2, int((width - label_width - 60) * value / top))
        text = escape(label if len(label) <= 14 else label[:13] + "…")
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" font-size="13" fill="#374151">{text}</text>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y + 4}" width="{w}" height="{row - 10}" rx="3" fill="{PALETTE[0]}"/>'
        )
        parts.append(f'<text x="{label_width + w + 6}" y="{y + 17}" font-size="13" fill="#111827">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def network(
    nodes: list[tuple[str, str, bool]],
    edges: list[tuple[str, str, int]],
    *,
    flagged: frozenset[str] = frozenset(),
    size: int = 520,
) -> str:
    """Bidders on a circle; a line for every pair that bid in the same section, thicker when they did so often;
    the bidders the project's alerts name are ringed."""
    if not nodes:
        return '<p class="empty">尚无已开标的投标，暂无投标人关系</p>'
    c, r = size / 2, size / 2 - 70
    pos = {
        n: (
            c + r * math.cos(2 * math.pi * i / len(nodes) - math.pi / 2),
            c + r * math.sin(2 * math.pi * i / len(nodes) - math.pi / 2),
        )
        for i, (n, _, _) in enumerate(nodes)
    }
    said = f"投标人关系图：{len(nodes)} 个投标人，{len(edges)} 对曾在同一标段投标"
    if flagged:
        said += "；预警涉及：" + "、".join(name for n, name, _ in nodes if n in flagged)
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(said)}" viewBox="0 0 {size} {size}" width="100%" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    for a, b, w in edges:
        (x1, y1), (x2, y2) = pos[a], pos[b]
        line = f'x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"'
        parts.append(f'<line {line} stroke="#9ca3af" stroke-width="{min(8, w):d}"/>')
    for n, name, core in nodes:
        x, y = pos[n]
        fill = PALETTE[0] if core else PALETTE[2]
        short = escape(name.replace("新乡市", "").replace("有限公司", "")[:8])
        ring = ' stroke="#111827" stroke-width="4" data-flagged="1"' if n in flagged else ""
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill="{fill}"{ring}><title>{escape(name)}</title></circle>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{y + 24:.1f}" text-anchor="middle" font-size="12" fill="#111827">{short}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
