"""规避招标公共部分 — purchases with their catalog category, estimate, state funds and Beijing date."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.base import FlagSpec, Group, RunContext
from ggzy.supervision.flags.cardinal.common import in_scope
from ggzy.supervision.flags.legal import procedures, with_days
from ggzy.supervision.ocds.tables import Tables

FAMILY = "avoidance"
S7 = "REQUIREMENTS S7 (规避招标)"
CATALOG_SOURCE = (
    "16号令 第5条; 招标投标法 第4条 (不得将依法必须进行招标的项目化整为零); 政府采购法 第28条 — ggzy.rules.catalog"
)


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


def purchases(tables: Tables, ctx: RunContext) -> pl.DataFrame:
    """In-scope releases: rid, ocid, buyer_id, proc, category, reason, tender_amount, tender_currency, state funds,
    tender_classification, day (Beijing day of tenderPeriod/startDate, else of the release date)."""

    def make() -> pl.DataFrame:
        scope = in_scope(tables, ctx).select("rid")
        columns = [
            "ocid",
            "buyer_id",
            "tender_amount",
            "tender_currency",
            "state_funds_share",
            "state_funds_amount",
            "tender_classification",
            "tender_start",
            "date",
        ]
        frame = tables.processes.select("rid", *columns).join(scope, on="rid")
        frame = frame.join(procedures(tables, ctx).select("rid", "proc", "category", "reason"), on="rid")
        frame = with_days(with_days(frame, "tender_start"), "date")
        return frame.with_columns(pl.coalesce("tender_start_day", "date_day").alias("day"))

    frame: pl.DataFrame = ctx.cached("avoidance.purchases", make)
    return frame
