"""串通投标迹象公共部分 — groups of tenderers sharing one value within one tender, as hits with evidence."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.base import FlagSpec, Group, Outcome, Phase, RunContext, hits_frame
from ggzy.supervision.flags.cardinal.common import in_scope
from ggzy.supervision.ocds.tables import Tables

FAMILY = "collusion_signs"
ART40 = "招标投标法实施条例 第40条"


def spec(
    code: str,
    zh: str,
    en: str,
    definition: str,
    source: str,
    requires: tuple[str, ...],
    defaults: dict[str, str] | None = None,
) -> FlagSpec:
    return FlagSpec(
        code,
        FAMILY,
        zh,
        en,
        definition,
        defaults or {},
        source,
        requires,
        (Group.OCID, Group.TENDERER),
        "process: the size of the largest group; tenderer: the size of its group",
    )


def bidders(tables: Tables, ctx: RunContext) -> pl.DataFrame:
    """rid, bid, tenderer of in-scope releases (every tenderer of every bid with a string id)."""

    def make() -> pl.DataFrame:
        scope = in_scope(tables, ctx).select("rid")
        people = tables.bid_tenderers.filter(pl.col("tenderer_id").is_not_null()).select(
            "rid", "bid", pl.col("tenderer_id").alias("tenderer")
        )
        return people.join(scope, on="rid")

    frame: pl.DataFrame = ctx.cached("signs.bidders", make)
    return frame


def tenders_with_bids(tables: Tables, ctx: RunContext) -> int:
    """How many in-scope releases have at least one bid with a tenderer id."""
    count: int = ctx.cached("signs.tenders", lambda: bidders(tables, ctx).select(pl.col("rid").n_unique()).item())
    return count


def shared(values: pl.DataFrame | pl.LazyFrame, label: str, tables: Tables) -> pl.DataFrame:
    """From rows (rid, tenderer, value): each group of ≥ 2 distinct tenderers of one tender sharing one value,
    as rid, ocid, value, members (sorted list), label."""
    return (
        values.lazy()
        .filter(pl.col("value").is_not_null() & (pl.col("value") != ""))
        .filter(pl.col("tenderer").n_unique().over("rid", "value") >= 2)
        .group_by("rid", "value")
        .agg(pl.col("tenderer").unique().sort().alias("members"))
        .join(tables.processes.lazy().select("rid", "ocid"), on="rid")
        .with_columns(pl.lit(label).alias("label"))
        .collect()
    )


def repeated(frame: pl.LazyFrame, *by: str) -> pl.LazyFrame:
    """Only rows whose `by` values occur at least twice: the candidates for sharing (most rows are unique)."""
    return frame.filter(pl.len().over(*by) >= 2)


def group_hits(groups: pl.DataFrame) -> pl.DataFrame:
    """Process hits (value: largest group) and tenderer hits (value: its group's size), each naming the group."""
    if groups.is_empty():
        return hits_frame(pl.DataFrame(schema={"rid": pl.Int64, "key": pl.String}), Group.OCID, 1.0, Phase.FOLD)
    described = groups.with_columns(
        pl.col("members").list.len().alias("size"),
        pl.format("{} {}：{}", "label", "value", pl.col("members").list.join(", ")).alias("evidence"),
    ).sort("rid", "value")
    processes = described.group_by("rid", maintain_order=True).agg(
        pl.col("ocid").first().alias("key"), pl.col("size").max(), pl.col("evidence").str.join("；")
    )
    people = (
        described.explode("members")
        .sort("rid", "members", pl.col("size"), descending=[False, False, True])
        .unique(["rid", "members"], keep="first", maintain_order=True)
        .select("rid", pl.col("members").alias("key"), "size", "evidence")
    )
    return pl.concat(
        [
            hits_frame(processes, Group.OCID, pl.col("size"), Phase.FOLD),
            hits_frame(people, Group.TENDERER, pl.col("size"), Phase.FOLD, sub=1),
        ]
    )


def outcome(groups: pl.DataFrame, judged: int, skipped: dict[str, int]) -> Outcome:
    return Outcome(hits=group_hits(groups), evaluated=judged, skipped=skipped)
