"""投标人行为 — cover bidders (B01) and bid rotation (B02)."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.base import Group, Outcome, Phase, RunContext, flag, hits_frame
from ggzy.supervision.flags.behaviour.common import OECD, S6, contests, spec, undecided
from ggzy.supervision.flags.options import defaults_of, option
from ggzy.supervision.ocds.tables import Tables

REQUIRES = ("bids/details/tenderers/id", "bids/details/status", "awards/status", "awards/suppliers/id")

B01 = spec(
    "B01",
    "疑似陪标",
    "Cover bidder",
    "A tenderer that bid in at least `min_bids` decided tenders, won at most `max_win_ratio` of them, and lost at "
    "least `min_share` of the tenders it lost to its `top_winners` most frequent winners.",
    f"{S6} 陪标; {OECD} (cover bidding); 招标投标法实施条例 第39条",
    REQUIRES,
    (Group.TENDERER,),
    "the win ratio",
    defaults_of("B01"),
)


def compute_b01(tables: Tables, ctx: RunContext) -> Outcome:
    s = ctx.settings
    min_bids, top = int(option(s, "B01", "min_bids")), int(option(s, "B01", "top_winners"))
    max_ratio, min_share = float(option(s, "B01", "max_win_ratio")), float(option(s, "B01", "min_share"))
    frame = contests(tables, ctx)
    per = frame.group_by("tenderer").agg(pl.len().alias("bids"), pl.col("won").sum().alias("wins"), pl.col("rid").min())
    judged = per.filter(pl.col("bids") >= min_bids)
    candidates = judged.filter(pl.col("wins") / pl.col("bids") <= max_ratio)
    lost = frame.filter(~pl.col("won")).join(candidates.select("tenderer"), on="tenderer")
    beaten_by = (
        lost.join(frame.filter(pl.col("won")).select("rid", pl.col("tenderer").alias("winner")), on="rid")
        .group_by("tenderer", "winner")
        .agg(pl.col("rid").n_unique().alias("n"))
        .sort(["tenderer", "n", "winner"], descending=[False, True, False])
        .group_by("tenderer", maintain_order=True)
        .head(top)
        .group_by("tenderer", maintain_order=True)
        .agg(pl.col("n").sum().alias("top_n"), pl.format("{}（{}次）", "winner", "n").str.join("、").alias("to"))
    )
    flagged = (
        candidates.join(beaten_by, on="tenderer")
        .filter(pl.col("top_n") >= min_share * (pl.col("bids") - pl.col("wins")))
        .sort("tenderer")
        .select(
            "rid",
            pl.col("tenderer").alias("key"),
            (pl.col("wins") / pl.col("bids")).alias("ratio"),
            pl.format("投标 {} 次，中标 {} 次；主要输给 {}", "bids", "wins", "to").alias("evidence"),
        )
    )
    return Outcome(
        hits=hits_frame(flagged, Group.TENDERER, pl.col("ratio"), Phase.FINALIZE),
        evaluated=judged.height,
        skipped=undecided(tables, ctx),
        excluded={f"投标少于 {min_bids} 次 (fewer than min_bids decided tenders)": per.height - judged.height},
    )


B02 = spec(
    "B02",
    "轮流中标",
    "Bid rotation",
    "The same set of at least `min_members` tenderers bid together, and alone, in at least `min_tenders` decided "
    "tenders with one winner each, and every member of the set won at least one of them: they take turns.",
    f"{S6} 轮流中标; {OECD} (bid rotation); 招标投标法实施条例 第39条 (约定轮流中标)",
    REQUIRES,
    (Group.OCID, Group.TENDERER),
    "process and members: the number of tenders of the set",
    defaults_of("B02"),
)


def compute_b02(tables: Tables, ctx: RunContext) -> Outcome:
    min_members, min_tenders = (
        int(option(ctx.settings, "B02", "min_members")),
        int(option(ctx.settings, "B02", "min_tenders")),
    )
    frame = contests(tables, ctx)
    tenders = frame.group_by("rid").agg(
        pl.col("tenderer").sort().alias("members"), pl.col("tenderer").filter("won").alias("w")
    )
    single = tenders.filter((pl.col("w").list.len() == 1) & (pl.col("members").list.len() >= min_members))
    single = single.with_columns(
        pl.col("members").list.join("|").alias("set"), pl.col("w").list.first().alias("winner")
    )
    sets = (
        single.sort("rid")
        .group_by("set")
        .agg(pl.col("rid"), pl.col("winner"), pl.col("members").first())
        .filter(pl.col("rid").list.len() >= min_tenders)
    )
    rotating = sets.filter(pl.col("winner").list.n_unique() == pl.col("members").list.len()).with_columns(
        pl.col("rid").list.len().alias("n"),
        pl.format(
            "{} 共同投标 {} 次，中标依次为 {}",
            pl.col("members").list.join("、"),
            pl.col("rid").list.len(),
            pl.col("winner").list.join("→"),
        ).alias("evidence"),
    )
    ocids = tables.processes.select("rid", pl.col("ocid").alias("key"))
    processes = rotating.explode("rid").join(ocids, on="rid").select("rid", "key", "n", "evidence").sort("rid")
    members = (
        rotating.with_columns(pl.col("rid").list.min().alias("rid"))
        .explode("members")
        .select("rid", pl.col("members").alias("key"), "n", "evidence")
        .sort("rid", "key")
    )
    hits = pl.concat(
        [
            hits_frame(processes, Group.OCID, pl.col("n"), Phase.FINALIZE),
            hits_frame(members, Group.TENDERER, pl.col("n"), Phase.FINALIZE, sub=1),
        ]
    )
    return Outcome(
        hits=hits,
        evaluated=single.height,
        skipped=undecided(tables, ctx),
        excluded={"多个中标人或投标人太少 (several winners or too few tenderers)": tenders.height - single.height},
    )


FLAGS = (flag(B01, compute_b01), flag(B02, compute_b02))
