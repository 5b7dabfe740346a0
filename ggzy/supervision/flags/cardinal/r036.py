"""R036 最低价投标被否决 — lowest bid disqualified (Cardinal)."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.base import FlagSpec, Group, Outcome, Phase, RunContext, flag, hits_frame
from ggzy.supervision.flags.cardinal.common import (
    FAMILY,
    SOURCE_DOCS,
    currency_skips,
    in_currency,
    in_scope,
    main_currency,
    r036_candidates,
)
from ggzy.supervision.ocds.tables import Tables

SPEC = FlagSpec(
    id="R036",
    family=FAMILY,
    name_zh="最低价投标被否决",
    name_en="Lowest bid disqualified",
    definition="There is an active award and a valid priced bid, and the lowest submitted bid (first one at "
    "that amount) is disqualified, while the award criterion is assumed to be price only.",
    defaults={},
    source=f"{SOURCE_DOCS}036; cf. 条例 art. 51 and 采购法 art. 36",
    requires=("awards/status", "bids/details/status", "bids/details/value/amount", "bids/details/value/currency"),
    groups=(Group.OCID,),
    output="always 1.0",
)


def compute(tables: Tables, ctx: RunContext) -> Outcome:
    candidates = r036_candidates(tables, ctx)
    currency = main_currency(tables, ctx)
    per_process = (
        candidates.lazy()
        .filter(in_currency(currency))
        .select("rid", "bid", "amount", "disqualified", "valid")
        .sort("rid", "amount", "bid")
        .group_by("rid", maintain_order=True)
        .agg(
            pl.col("disqualified").first().alias("lowest_out"),
            pl.col("valid").any().alias("has_valid"),
        )
        .collect()
    )
    ocids = in_scope(tables, ctx).select("rid", pl.col("ocid").alias("key"))
    flagged = per_process.filter(pl.col("lowest_out") & pl.col("has_valid")).join(
        ocids, on="rid", how="left", maintain_order="left"
    )
    return Outcome(
        hits=hits_frame(flagged, Group.OCID, 1.0, Phase.FOLD),
        evaluated=per_process.height,
        skipped={"其他币种的投标，未混算 (bids in another currency, not mixed)": currency_skips(candidates, currency)},
    )


FLAG = flag(SPEC, compute)
