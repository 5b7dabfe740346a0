"""分析输出 — the stderr summary, the flag tables (CSV and Parquet) and the report files."""

from __future__ import annotations

import json
from pathlib import Path

import click
import polars as pl

from ggzy.supervision.analyze.cardinal_json import ordered_hits
from ggzy.supervision.analyze.pipeline import Analysis
from ggzy.supervision.flags import registry
from ggzy.supervision.flags.cardinal.settings import INDICATORS

LONG_SCHEMA = {"group": pl.String, "id": pl.String, "indicator": pl.String, "value": pl.Float64, "evidence": pl.String}
TABLES = {
    "processes": ["OCID"],
    "buyers": ["Buyer", "ProcuringEntity"],
    "tenderers": ["Tenderer"],
    "categories": ["Category"],
    "projects": ["Project"],
}


def summary_lines(result: Analysis) -> list[str]:
    s = result.stats
    lines = [
        f"输入 input: {s.shape} {'(gzip) ' if s.gzip else ''}— {s.items} 项 items, {s.releases} 个 release",
    ]
    problems = {
        "格式错误的行 malformed": s.malformed,
        "非对象 not objects": s.not_objects,
        "无 compiledRelease 的记录 records without compiledRelease": s.records_without_compiled_release,
    }
    lines += [f"  {label}: {count}" for label, count in problems.items() if count]
    if s.blank_lines:
        numbers = ", ".join(map(str, s.blank_line_numbers)) + (
            " …" if s.blank_lines > len(s.blank_line_numbers) else ""
        )
        lines.append(f"  空行 blank lines: {s.blank_lines}（第 {numbers} 行 lines）")
    lines += [f"  {message}" for message in s.errors]
    if s.truncated:
        lines.append(f"输入不完整 INPUT TRUNCATED: {s.truncated} — 以下结果只涵盖已读到的 {s.releases} 个 release")
    lines += s.schema.lines()
    lines += [f"  范围外 out of scope — {reason}: {count}" for reason, count in result.scope.items() if count]
    for code, outcome in result.outcomes.items():
        flagged = outcome.hits.height
        lines.append(f"{code}: 判定 evaluated {outcome.evaluated}, 结果 results {flagged}")
        lines += [f"  跳过 skipped — {reason}: {count}" for reason, count in outcome.skipped.items() if count]
        lines += [f"  不适用 excluded — {reason}: {count}" for reason, count in outcome.excluded.items() if count]
    lines += [f"警告 warning: {w}" for w in result.warnings]
    return lines


def echo_summary(result: Analysis) -> None:
    for line in summary_lines(result):
        click.echo(line, err=True)


def summary_text(result: Analysis) -> str:
    counts = result.hits.group_by("group").agg(pl.col("key").n_unique().alias("n")).sort("group")
    lines = [f"{group}: {n} 个被标记 (flagged)" for group, n in counts.iter_rows()]
    return "\n".join(lines) + ("\n" if lines else "")


def long_table(hits: pl.DataFrame) -> pl.DataFrame:
    """One row per (group, id, indicator): Cardinal's value as its JSON keeps it (the last set), and for the other
    families the first result (their results are unique per id already), with the evidence."""
    cardinal = hits.filter(pl.col("indicator").is_in(INDICATORS))
    others = hits.filter(~pl.col("indicator").is_in(INDICATORS))
    keys = ["group", "key", "indicator"]
    columns = ["group", pl.col("key").alias("id"), "indicator", "value", "evidence"]
    parts = [
        ordered_hits(cardinal).unique(keys, keep="last", maintain_order=True).select(columns),
        others.unique(keys, keep="first", maintain_order=True).select(columns),
    ]
    return pl.concat(parts)


def wide(long: pl.DataFrame, groups: list[str]) -> pl.DataFrame:
    """One row per id: a column per indicator, `flags` (how many were raised) and the evidence, most flagged first."""
    part = long.filter(pl.col("group").is_in(groups))
    if part.is_empty():
        return pl.DataFrame(schema={"group": pl.String, "id": pl.String, "flags": pl.UInt32, "evidence": pl.String})
    order = {code: i for i, code in enumerate(registry())}
    table = part.pivot(on="indicator", index=["group", "id"], values="value", aggregate_function="first")
    codes = sorted((c for c in table.columns if c not in ("group", "id")), key=lambda c: order.get(c, len(order)))
    evidence = (
        part.filter(pl.col("evidence").is_not_null())
        .group_by("group", "id", maintain_order=True)
        .agg(pl.format("{}: {}", "indicator", "evidence").str.join(" | ").alias("evidence"))
    )
    flags = pl.sum_horizontal(pl.col(c).is_not_null().cast(pl.UInt32) for c in codes).alias("flags")
    table = table.join(evidence, on=["group", "id"], how="left")
    return table.select("group", "id", flags, *codes, "evidence").sort(["flags", "id"], descending=[True, False])


def with_communities(tenderers: pl.DataFrame, result: Analysis) -> pl.DataFrame:
    """Every tenderer of the co-bidding graph with its community and the community's size (when B07 ran)."""
    cached = result.context.cache.get("behaviour.communities") if result.context else None
    if cached is None:
        return tenderers
    members = cached[0].rename({"tenderer": "id"}).with_columns(pl.lit("Tenderer").alias("group"))
    joined = tenderers.join(members, on=["group", "id"], how="full", coalesce=True)
    return joined.with_columns(pl.col("flags").fill_null(0)).sort(["flags", "id"], descending=[True, False])


def summary_json(result: Analysis) -> dict[str, object]:
    flags = registry()
    return {
        "input": {
            "shape": str(result.stats.shape),
            "gzip": result.stats.gzip,
            "items": result.stats.items,
            "releases": result.stats.releases,
            "malformed": result.stats.malformed,
            "not_objects": result.stats.not_objects,
            "errors": result.stats.errors,
            "blank_lines": result.stats.blank_lines,
            "blank_line_numbers": result.stats.blank_line_numbers,
            "truncated": result.stats.truncated,
            "schema": result.stats.schema.as_json(),
        },
        "scope": result.scope,
        "indicators": {
            code: {
                "family": flags[code].spec.family,
                "name_zh": flags[code].spec.name_zh,
                "evaluated": o.evaluated,
                "results": o.hits.height,
                "skipped": o.skipped,
                "excluded": o.excluded,
                "meta": o.meta,
            }
            for code, o in result.outcomes.items()
        },
        "warnings": result.warnings,
    }


def write_all(result: Analysis, out_dir: Path) -> list[Path]:
    """flags (long), processes, buyers (and procuring entities), tenderers, categories, projects as CSV and Parquet;
    summary.json; report.html."""
    from ggzy.supervision.analyze.report import render_report

    out_dir.mkdir(parents=True, exist_ok=True)
    long = long_table(result.hits)
    tables = {"flags": long} | {name: wide(long, groups) for name, groups in TABLES.items()}
    tables["tenderers"] = with_communities(tables["tenderers"], result)
    written = []
    for name, frame in tables.items():
        frame.write_csv(out_dir / f"{name}.csv")
        frame.write_parquet(out_dir / f"{name}.parquet")
        written += [out_dir / f"{name}.csv", out_dir / f"{name}.parquet"]
    summary = summary_json(result)
    (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    (out_dir / "report.html").write_text(render_report(result, long, summary_lines(result)), encoding="utf-8")
    return [*written, out_dir / "summary.json", out_dir / "report.html"]
