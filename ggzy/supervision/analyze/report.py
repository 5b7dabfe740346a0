"""分析报告 — a self-contained HTML report (inline CSS and SVG, no script, no network)."""

from __future__ import annotations

from html import escape

import polars as pl

from ggzy.supervision.analyze.cardinal_json import Results
from ggzy.supervision.analyze.pipeline import Analysis
from ggzy.supervision.analyze.svg import bar_chart, network_chart
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


def _top(results: Results, groups: list[str], limit: int = 15) -> list[list[object]]:
    scored = [
        (len(values), group, key, ", ".join(sorted(values)))
        for group in groups
        for key, values in results.get(group, {}).items()
    ]
    scored.sort(key=lambda row: (-row[0], row[2]))
    return [[key, group, count, codes] for count, group, key, codes in scored[:limit]]


def _indicator_rows(result: Analysis) -> list[list[object]]:
    flags = registry()
    rows: list[list[object]] = []
    for code, outcome in result.outcomes.items():
        spec = flags[code].spec
        skipped = sum(outcome.skipped.values())
        rows.append([code, spec.name_zh, spec.name_en, outcome.evaluated, outcome.hits.height, skipped])
    return rows


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


def render_report(result: Analysis, results: Results, summary: list[str]) -> str:
    """The whole report as one HTML string."""
    counts = {code: o.hits.height for code, o in result.outcomes.items()}
    flagged_tenderers = set(results.get("Tenderer", {}))
    sections = [
        "<h1>红旗指标分析报告 <span class='muted'>Red-flag analysis report</span></h1>",
        f"<p>release 数 releases: <b>{result.stats.releases}</b> · 被标记的流程 flagged processes: "
        f"<b>{len(results.get('OCID', {}))}</b> · 被标记的投标人 flagged tenderers: <b>{len(flagged_tenderers)}</b> · "
        f"被标记的采购人/代理 flagged buyers and procuring entities: "
        f"<b>{len(results.get('Buyer', {})) + len(results.get('ProcuringEntity', {}))}</b></p>",
        "<h2>各指标结果 Results by indicator</h2>",
        bar_chart(list(counts.items()), title="results per indicator"),
        _table(["指标 id", "名称", "name", "判定 evaluated", "结果 results", "跳过 skipped"], _indicator_rows(result)),
        "<h2>风险最高的流程 Top processes</h2>",
        _table(["ocid", "group", "flags", "indicators"], _top(results, ["OCID"])),
        "<h2>风险最高的采购人 Top buyers and procuring entities</h2>",
        _table(["id", "group", "flags", "indicators"], _top(results, ["Buyer", "ProcuringEntity"])),
        "<h2>风险最高的投标人 Top tenderers</h2>",
        _table(["id", "group", "flags", "indicators"], _top(results, ["Tenderer"])),
        "<h2>投标人共同投标网络 Co-bidding network</h2>",
        "<p class='muted'>线越粗，两家共同投标的流程越多；红色节点为被标记的投标人。"
        " Thicker lines: more processes bid together; red nodes are flagged tenderers.</p>",
        network_chart(co_bidding_edges(result), flagged_tenderers),
        "<h2>数据质量与跳过 Data quality and skips</h2>",
        "<pre>" + escape("\n".join(summary)) + "</pre>",
    ]
    return (
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>红旗指标分析报告</title>"
        f"<style>{CSS}</style></head><body>{''.join(sections)}</body></html>"
    )
