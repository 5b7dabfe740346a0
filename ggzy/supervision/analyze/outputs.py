"""分析输出 — the stderr summary, the flag tables (CSV and Parquet) and the report files."""

from __future__ import annotations

import json
from pathlib import Path

import click
import polars as pl

from ggzy.supervision.analyze.cardinal_json import Results
from ggzy.supervision.analyze.pipeline import Analysis


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
    lines += [f"  {message}" for message in s.errors]
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


def long_table(results: Results) -> pl.DataFrame:
    rows = [
        (group, key, code, value)
        for group, entries in results.items()
        for key, values in entries.items()
        for code, value in values.items()
    ]
    return pl.DataFrame(
        rows, schema={"group": pl.String, "id": pl.String, "indicator": pl.String, "value": pl.Float64}, orient="row"
    )


def wide(long: pl.DataFrame, groups: list[str]) -> pl.DataFrame:
    part = long.filter(pl.col("group").is_in(groups))
    if part.is_empty():
        return pl.DataFrame(schema={"group": pl.String, "id": pl.String, "flags": pl.UInt32})
    table = part.pivot(on="indicator", index=["group", "id"], values="value", aggregate_function="first")
    codes = sorted(c for c in table.columns if c not in ("group", "id"))
    flags = pl.sum_horizontal(pl.col(c).is_not_null().cast(pl.UInt32) for c in codes).alias("flags")
    return table.select("group", "id", flags, *codes).sort(["flags", "id"], descending=[True, False])


def write_all(result: Analysis, results: Results, out_dir: Path) -> list[Path]:
    """flags.csv/.parquet (long), processes, buyers (and procuring entities), tenderers; summary.json; report."""
    from ggzy.supervision.analyze.report import render_report

    out_dir.mkdir(parents=True, exist_ok=True)
    long = long_table(results)
    tables = {
        "flags": long,
        "processes": wide(long, ["OCID"]),
        "buyers": wide(long, ["Buyer", "ProcuringEntity"]),
        "tenderers": wide(long, ["Tenderer"]),
    }
    written = []
    for name, frame in tables.items():
        frame.write_csv(out_dir / f"{name}.csv")
        frame.write_parquet(out_dir / f"{name}.parquet")
        written += [out_dir / f"{name}.csv", out_dir / f"{name}.parquet"]
    summary = {
        "input": {
            "shape": str(result.stats.shape),
            "gzip": result.stats.gzip,
            "items": result.stats.items,
            "releases": result.stats.releases,
            "malformed": result.stats.malformed,
            "not_objects": result.stats.not_objects,
            "errors": result.stats.errors,
        },
        "scope": result.scope,
        "indicators": {
            code: {
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
    (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    (out_dir / "report.html").write_text(render_report(result, results, summary_lines(result)), encoding="utf-8")
    return [*written, out_dir / "summary.json", out_dir / "report.html"]
