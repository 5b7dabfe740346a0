"""合规指标公共部分 — scope, the procedure of each release and helpers shared by the compliance flags."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.base import FlagSpec, Group, RunContext
from ggzy.supervision.flags.cardinal.common import in_scope
from ggzy.supervision.flags.legal import procedures
from ggzy.supervision.ocds.tables import Tables

FAMILY = "compliance"


def spec(
    code: str,
    zh: str,
    en: str,
    definition: str,
    source: str,
    requires: tuple[str, ...],
    output: str,
    defaults: dict[str, str] | None = None,
    groups: tuple[Group, ...] = (Group.OCID,),
) -> FlagSpec:
    return FlagSpec(code, FAMILY, zh, en, definition, defaults or {}, source, requires, groups, output)


def scoped(tables: Tables, ctx: RunContext, columns: list[str]) -> pl.DataFrame:
    """In-scope releases (as for every indicator) with `columns` of `processes` and their procedure row."""
    scope = in_scope(tables, ctx).select("rid")
    chosen = tables.processes.select("rid", "ocid", *columns).join(scope, on="rid", how="semi")
    return chosen.join(procedures(tables, ctx).select("rid", "proc", "category", "reason"), on="rid", how="left")


def unmapped(frame: pl.DataFrame) -> dict[str, int]:
    """Skip counts of releases whose procedure is unknown, by reason."""
    counts = frame.filter(pl.col("proc").is_null()).group_by("reason").len()
    return {str(reason): int(n) for reason, n in counts.iter_rows()}


def missing(frame: pl.DataFrame, condition: pl.Expr, reason: str) -> tuple[pl.DataFrame, dict[str, int]]:
    """Keep the rows where `condition` holds; count the others under `reason`."""
    kept = frame.filter(condition)
    return kept, {reason: frame.height - kept.height}


def unit(working: pl.Expr) -> pl.Expr:
    return pl.when(working).then(pl.lit("个工作日")).otherwise(pl.lit("日"))
