"""行为分析公共部分 — who bid and who won in each decided tender, awards by buyer, shared by the behaviour flags."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.base import FlagSpec, Group, RunContext
from ggzy.supervision.flags.cardinal.common import SUBMITTED, in_scope
from ggzy.supervision.ocds.tables import Tables

FAMILY = "behaviour"
S6 = "REQUIREMENTS S6 (大数据分析)"
OECD = "OECD, Guidelines for Fighting Bid Rigging in Public Procurement (2009; 2025 revision)"


def spec(
    code: str,
    zh: str,
    en: str,
    definition: str,
    source: str,
    requires: tuple[str, ...],
    groups: tuple[Group, ...],
    output: str,
    defaults: dict[str, str],
) -> FlagSpec:
    return FlagSpec(code, FAMILY, zh, en, definition, defaults, source, requires, groups, output)


def winners(tables: Tables, ctx: RunContext) -> pl.DataFrame:
    """rid, supplier: the suppliers of active awards of in-scope releases (distinct)."""

    def make() -> pl.DataFrame:
        scope = in_scope(tables, ctx).lazy().select("rid")
        active = tables.awards.lazy().filter(pl.col("status") == "active").select("rid", "award")
        return (  # lazy: only the columns read are copied, and no intermediate frame is materialised (peak memory)
            tables.award_suppliers.lazy()
            .select("rid", "award", "supplier_id")
            .filter(pl.col("supplier_id").is_not_null())
            .join(active, on=["rid", "award"])
            .join(scope, on="rid")
            .select("rid", pl.col("supplier_id").alias("supplier"))
            .unique()
            .collect()
        )

    frame: pl.DataFrame = ctx.cached("behaviour.winners", make)
    return frame


def bidders(tables: Tables, ctx: RunContext) -> pl.DataFrame:
    """rid, tenderer: distinct tenderers of submitted bids of in-scope releases."""

    def make() -> pl.DataFrame:
        scope = in_scope(tables, ctx).lazy().select("rid")
        submitted = tables.bids.lazy().filter(SUBMITTED).select("rid", "bid")
        return (  # lazy: see `winners`
            tables.bid_tenderers.lazy()
            .select("rid", "bid", "tenderer_id")
            .filter(pl.col("tenderer_id").is_not_null())
            .join(submitted, on=["rid", "bid"])
            .join(scope, on="rid")
            .select("rid", pl.col("tenderer_id").alias("tenderer"))
            .unique()
            .collect()
        )

    frame: pl.DataFrame = ctx.cached("behaviour.bidders", make)
    return frame


def contests(tables: Tables, ctx: RunContext) -> pl.DataFrame:
    """Decided tenders (bids and at least one winner): rid, tenderer, won (bool)."""

    def make() -> pl.DataFrame:
        won = winners(tables, ctx).select("rid", pl.col("supplier").alias("tenderer"), pl.lit(True).alias("won"))
        decided = winners(tables, ctx).select("rid").unique()
        frame = bidders(tables, ctx).join(decided, on="rid").join(won, on=["rid", "tenderer"], how="left")
        return frame.with_columns(pl.col("won").fill_null(False))

    frame: pl.DataFrame = ctx.cached("behaviour.contests", make)
    return frame


def active_awards(tables: Tables, ctx: RunContext) -> pl.DataFrame:
    """Active awards with one supplier: rid, ocid, buyer_id, supplier, amount, currency."""

    def make() -> pl.DataFrame:
        scope = in_scope(tables, ctx).select("rid", "ocid", "buyer_id")
        one = tables.award_suppliers.filter(pl.col("pos") == 0).select("rid", "award", "supplier_id")
        awards = tables.awards.filter((pl.col("status") == "active") & (pl.col("n_suppliers") == 1))
        return (
            awards.join(one, on=["rid", "award"])
            .filter(pl.col("supplier_id").is_not_null())
            .join(scope, on="rid")
            .select("rid", "award", "ocid", "buyer_id", pl.col("supplier_id").alias("supplier"), "amount", "currency")
        )

    frame: pl.DataFrame = ctx.cached("behaviour.awards", make)
    return frame


def main_currency(frame: pl.DataFrame) -> str | None:
    """The most frequent currency among the amounts (shares are never mixed across currencies)."""
    counts = (
        frame.filter(pl.col("currency").is_not_null())
        .group_by("currency")
        .len()
        .sort(["len", "currency"], descending=[True, False])
    )
    return None if counts.is_empty() else str(counts["currency"][0])


def undecided(tables: Tables, ctx: RunContext) -> dict[str, int]:
    """Skip count: in-scope tenders with bids but no active award with a supplier (no winner to judge against)."""
    with_bids = bidders(tables, ctx).select(pl.col("rid").n_unique()).item()
    decided = contests(tables, ctx).select(pl.col("rid").n_unique()).item()
    return {"有投标但没有有效中标 (bids but no active award with a supplier)": int(with_bids - decided)}
