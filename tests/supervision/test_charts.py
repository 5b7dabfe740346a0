"""The dashboard's SVG charts say what they show to a person who cannot see them (issue 13 item 9)."""

from __future__ import annotations

import re

from ggzy.supervision import charts


def _label(svg: str) -> str:
    found = re.search(r'<svg [^>]*role="img" aria-label="([^"]+)"', svg)
    assert found, svg[:200]
    return found.group(1)


def test_a_bar_chart_is_read_out_as_its_labels_and_values() -> None:
    svg = charts.bars([("疑似串通投标（报价规律一致）", 7), ("<围标>", 2)])
    assert _label(svg) == "疑似串通投标（报价规律一致）：7；&lt;围标&gt;：2"  # whole labels, escaped
    assert charts.bars([]) == '<p class="empty">暂无数据</p>'


def test_the_bidder_network_names_its_size_and_the_flagged_bidders() -> None:
    svg = charts.network(
        [("a", "新乡市甲建设有限公司", True), ("b", "新乡市乙建设有限公司", False)],
        [("a", "b", 3)],
        flagged=frozenset({"a"}),
    )
    assert _label(svg) == "投标人关系图：2 个投标人，1 对曾在同一标段投标；预警涉及：新乡市甲建设有限公司"
