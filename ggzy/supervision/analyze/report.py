"""分析报告 — a self-contained HTML report (inline CSS and SVG, no script, no network)."""

from __future__ import annotations

from html import escape

import polars as pl

from ggzy.supervision.analyze.pipeline import Analysis
from ggzy.supervision.analyze.svg import bar_chart, community_chart, network_chart
from ggzy.supervision.flags import registry

CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222;max-width:1100px}
h1{font-size:1.6em}h2{font-size:1.2em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left}
th{background:#f4f4f4}.num{text-align:right}.muted{color:#666;font-size:.9em}pre{background:#f8f8f8;padding:.6em}
"""


def _table(headers: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="{"num" if isinstance(c, int | float) else ""}">{escape(str(c))}</td>' for c in row)
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


FAMILIES = {
    "cardinal": "Cardinal 指标 (Open Contracting Partnership)",
    "compliance": "合规指标 Compliance (ggzy.rules)",
    "collusion_signs": "串通投标迹象 Signs of collusion (条例 第40条)",
    "behaviour": "行为分析 Behaviour",
    "avoidance": "规避招标 Avoidance (S7)",
}
GRAPH_NODES = 80


def _top(long: pl.DataFrame, groups: list[str], limit: int = 15) -> list[list[object]]:
    """The ids raising the most indicators, with the indicators and the first evidence."""
    part = long.filter(pl.col("group").is_in(groups))
    top = (
        part.group_by("group", "id", maintain_order=True)
        .agg(pl.len().alias("n"), pl.col("indicator").sort().str.join(", "), pl.col("evidence").drop_nulls().first())
        .sort(["n", "id"], descending=[True, False])
        .head(limit)
    )
    return [[i, g, n, codes, (e or "")[:160]] for g, i, n, codes, e in top.iter_rows()]


def _family_section(result: Analysis, long: pl.DataFrame, family: str) -> str:
    flags = registry()
    rows: list[list[object]] = []
    for code, outcome in result.outcomes.items():
        spec = flags[code].spec
        if spec.family != family:
            continue
        example = long.filter((pl.col("indicator") == code) & pl.col("evidence").is_not_null())["evidence"].head(1)
        rows.append(
            [
                code,
                spec.name_zh,
                spec.name_en,
                outcome.evaluated,
                outcome.hits.height,
                sum(outcome.skipped.values()),
                example[0][:120] if example.len() else "",
            ]
        )
    if not rows:
        return ""
    headers = ["指标 id", "名称", "name", "判定 evaluated", "结果 results", "跳过 skipped", "示例 example"]
    return f"<h2>{escape(FAMILIES.get(family, family))}</h2>" + _table(headers, rows)


def co_bidding_edges(result: Analysis, limit: int = 40) -> list[tuple[str, str, int]]:
    """Pairs of tenderers that bid in the same processes, the most frequent first (for the network)."""
    people = result.tables.bid_tenderers.filter(pl.col("tenderer_id").is_not_null()).select("rid", "tenderer_id")
    people = people.unique()
    if people.is_empty():
        return []
    top = people.group_by("tenderer_id").len().sort("len", descending=True).head(60)["tenderer_id"]
    people = people.filter(pl.col("tenderer_id").is_in(top.implode()))
    pairs = (
        people.join(people, on="rid", suffix="_b")
        .filter(pl.col("tenderer_id") < pl.col("tenderer_id_b"))
        .group_by("tenderer_id", "tenderer_id_b")
        .len()
        .sort(["len", "tenderer_id", "tenderer_id_b"], descending=[True, False, False])
        .head(limit)
    )
    return [(a, b, int(n)) for a, b, n in pairs.iter_rows()]


def _network(result: Analysis, flagged: set[str]) -> str:
    """The community graph (B07's) when it was computed: the largest communities' members, edges among them."""
    cached = result.context.cache.get("behaviour.communities") if result.context else None
    if cached is None:
        return network_chart(co_bidding_edges(result), flagged)
    members, edges = cached
    ring_members = members.filter(pl.col("tenderer").is_in(list(flagged)))
    chosen = pl.concat([ring_members, members.sort(["community_size", "tenderer"], descending=[True, False])])
    names = chosen.unique("tenderer", keep="first", maintain_order=True).head(GRAPH_NODES)["tenderer"].implode()
    shown = edges.filter(pl.col("a").is_in(names) & pl.col("b").is_in(names)).sort("weight", descending=True).head(300)
    community = dict(members.select("tenderer", "community").iter_rows())
    return community_chart([(a, b, int(w)) for a, b, w in shown.iter_rows()], community, flagged)


def render_report(result: Analysis, long: pl.DataFrame, summary: list[str]) -> str:
    """The whole report as one HTML string."""
    counts = {code: o.hits.height for code, o in result.outcomes.items()}
    ids = {
        g: long.filter(pl.col("group").is_in(g.split("|")))["id"].n_unique()
        for g in ("OCID", "Tenderer", "Buyer|ProcuringEntity")
    }
    flagged_tenderers = set(long.filter(pl.col("group") == "Tenderer")["id"].to_list())
    families = [_family_section(result, long, family) for family in FAMILIES]
    sections = [
        "<h1>红旗指标分析报告 <span class='muted'>Red-flag analysis report</span></h1>",
        f"<p>release 数 releases: <b>{result.stats.releases}</b> · 被标记的流程 flagged processes: "
        f"<b>{ids['OCID']}</b> · 被标记的投标人 flagged tenderers: <b>{ids['Tenderer']}</b> · "
        f"被标记的采购人/代理 flagged buyers and procuring entities: <b>{ids['Buyer|ProcuringEntity']}</b></p>",
        "<h2>各指标结果 Results by indicator</h2>",
        bar_chart(list(counts.items()), title="results per indicator"),
        *families,
        "<h2>风险最高的流程 Top processes</h2>",
        _table(["ocid", "group", "flags", "indicators", "evidence"], _top(long, ["OCID"])),
        "<h2>风险最高的采购人 Top buyers and procuring entities</h2>",
        _table(["id", "group", "flags", "indicators", "evidence"], _top(long, ["Buyer", "ProcuringEntity"])),
        "<h2>风险最高的投标人 Top tenderers</h2>",
        _table(["id", "group", "flags", "indicators", "evidence"], _top(long, ["Tenderer"])),
        "<h2>应进未进与品类 Projects and categories</h2>",
        _table(["id", "group", "flags", "indicators", "evidence"], _top(long, ["Project", "Category"])),
        "<h2>投标人共同投标网络 Co-bidding network</h2>",
        "<p class='muted'>颜色表示社区（标签传播），线越粗共同投标越多，黑圈为被标记的投标人。"
        " Colours are communities (label propagation); thicker lines: more tenders together; black rings: flagged.</p>",
        _network(result, flagged_tenderers),
        "<h2>数据质量与跳过 Data quality and skips</h2>",
        "<pre>" + escape("\n".join(summary)) + "</pre>",
    ]
    return (
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>红旗指标分析报告</title>"
        f"<style>{CSS}</style></head><body>{''.join(sections)}</body></html>"
    )
