"""投标人网络 — the co-bidding graph, communities by weighted label propagation, and closed bidding rings (B07)."""

from __future__ import annotations

import numpy as np
import polars as pl

from ggzy.supervision.flags.base import Group, Outcome, Phase, RunContext, hits_frame
from ggzy.supervision.flags.behaviour.common import OECD, S6, bidders, flag, spec
from ggzy.supervision.flags.options import defaults_of, option
from ggzy.supervision.ocds.tables import Tables

MAX_ROUNDS = 50


def label_propagation(src: np.ndarray, dst: np.ndarray, weight: np.ndarray, nodes: int) -> np.ndarray:
    """Communities of an undirected weighted graph (each edge given in both directions) by label propagation.

    Each node takes the label with the largest total edge weight among its neighbours (ties: its own label if it
    is among the best, else the smallest); even and odd nodes update in alternate rounds, which avoids the
    oscillation of fully synchronous updates; stops when two rounds in a row change nothing. A label per node.
    """
    labels = np.arange(nodes, dtype=np.int64)
    quiet = 0
    for round_ in range(MAX_ROUNDS * 2):
        half = (src % 2) == (round_ % 2)
        scores = (
            pl.DataFrame({"u": src[half], "label": labels[dst[half]], "w": weight[half]})
            .group_by("u", "label")
            .agg(pl.col("w").sum())
        )
        scores = scores.with_columns(pl.Series("own", labels[scores["u"].to_numpy()]))
        best = (
            scores.sort(["u", "w", "label"], descending=[False, True, False]).group_by("u", maintain_order=True).first()
        )
        own = scores.filter(pl.col("label") == pl.col("own")).select("u", pl.col("w").alias("own_w"))
        keep = pl.col("own_w").fill_null(-1.0) >= pl.col("w")
        chosen = best.join(own, on="u", how="left").select(
            "u", pl.when(keep).then("own").otherwise("label").alias("new")
        )
        u, new = chosen["u"].to_numpy(), chosen["new"].to_numpy()
        quiet = quiet + 1 if bool((labels[u] == new).all()) else 0
        labels[u] = new
        if quiet >= 2:
            break
    return labels


def co_bidding(tables: Tables, ctx: RunContext) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(pairs, strength): every pair of tenderers with the number of tenders they bid in together (tenders with
    more than `max_tenderers` left out), and each tenderer's total co-bids (Σ over its tenders of the others)."""

    def make() -> tuple[pl.DataFrame, pl.DataFrame]:
        limit = int(option(ctx.settings, "B07", "max_tenderers"))
        people = bidders(tables, ctx).filter(pl.len().over("rid").is_between(2, limit))
        strength = (
            people.with_columns((pl.len().over("rid") - 1).alias("s"))
            .group_by("tenderer")
            .agg(pl.col("s").sum().alias("strength"), pl.len().alias("tenders"))
        )
        lazy = people.lazy()
        pairs = (
            lazy.join(lazy, on="rid", suffix="_b")
            .filter(pl.col("tenderer") < pl.col("tenderer_b"))
            .group_by(pl.col("tenderer").alias("a"), pl.col("tenderer_b").alias("b"))
            .agg(pl.len().alias("weight"))
            .collect()
        )
        return pairs, strength

    result: tuple[pl.DataFrame, pl.DataFrame] = ctx.cached("behaviour.co_bidding", make)
    return result


def communities(tables: Tables, ctx: RunContext) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(members, edges): each tenderer of the graph of pairs that bid together at least `min_weight` times, with
    its community (named after one member) and the community's size; the graph's edges."""

    def make() -> tuple[pl.DataFrame, pl.DataFrame]:
        pairs, _ = co_bidding(tables, ctx)
        edges = pairs.filter(pl.col("weight") >= int(option(ctx.settings, "B07", "min_weight")))
        names = pl.concat([edges["a"], edges["b"]]).unique().sort()
        index = pl.DataFrame({"name": names, "i": np.arange(len(names), dtype=np.int64)})
        coded = edges.join(index.rename({"name": "a", "i": "ia"}), on="a").join(
            index.rename({"name": "b", "i": "ib"}), on="b"
        )
        ia, ib, w = coded["ia"].to_numpy(), coded["ib"].to_numpy(), coded["weight"].to_numpy().astype(np.float64)
        labels = label_propagation(
            np.concatenate([ia, ib]), np.concatenate([ib, ia]), np.concatenate([w, w]), len(names)
        )
        members = index.with_columns(pl.Series("label", labels)).join(
            index.select(pl.col("i").alias("label"), pl.col("name").alias("community")), on="label"
        )
        members = members.select(pl.col("name").alias("tenderer"), "community").with_columns(
            pl.len().over("community").alias("community_size")
        )
        return members, edges

    result: tuple[pl.DataFrame, pl.DataFrame] = ctx.cached("behaviour.communities", make)
    return result


B07 = spec(
    "B07",
    "封闭投标圈",
    "Closed bidding ring",
    "Tenderers that bid together at least `min_weight` times are linked; communities of that co-bidding graph are "
    "found by weighted label propagation. A community of `min_size` to `max_size` tenderers, at least `min_density` "
    "of whose member pairs are linked, whose members make at least `min_internal` of all their co-bids (in tenders "
    "with at most `max_tenderers`) with each other, and whose linked pairs bid together on average at least "
    "`min_lift` times as often as their activity predicts (lift = together × tenders / (tenders of a × of b)) "
    "is a closed ring: in a small market where everyone meets everyone, the lift stays near 1.",
    f"{S6} 投标人网络; {OECD} (the same group of firms always bidding together); "
    "Raghavan, Albert & Kumara (2007), label propagation",
    ("bids/details/tenderers/id", "bids/details/status"),
    (Group.TENDERER,),
    "the community's size (community and size are also columns of the per-tenderer output)",
    defaults_of("B07"),
)


def compute_b07(tables: Tables, ctx: RunContext) -> Outcome:
    s = ctx.settings
    min_size, max_size = int(option(s, "B07", "min_size")), int(option(s, "B07", "max_size"))
    min_internal, min_density = float(option(s, "B07", "min_internal")), float(option(s, "B07", "min_density"))
    min_lift = float(option(s, "B07", "min_lift"))
    pairs, strength = co_bidding(tables, ctx)
    members, edges = communities(tables, ctx)
    side = members.select("tenderer", "community")
    inside = (
        pairs.join(side.rename({"tenderer": "a", "community": "ca"}), on="a")
        .join(side.rename({"tenderer": "b", "community": "cb"}), on="b")
        .filter(pl.col("ca") == pl.col("cb"))
        .group_by(pl.col("ca").alias("community"))
        .agg((pl.col("weight").sum() * 2).alias("internal"))
    )
    linked = edges.join(side.rename({"tenderer": "a", "community": "ca"}), on="a").join(
        side.rename({"tenderer": "b", "community": "cb"}), on="b"
    )
    total = bidders(tables, ctx).select(pl.col("rid").n_unique()).item()
    active = strength.select("tenderer", "tenders")
    lift = pl.col("weight") * total / (pl.col("tenders") * pl.col("tenders_b"))
    links = (
        linked.filter(pl.col("ca") == pl.col("cb"))
        .join(active.rename({"tenderer": "a"}), on="a")
        .join(active.rename({"tenderer": "b", "tenders": "tenders_b"}), on="b")
        .group_by(pl.col("ca").alias("community"))
        .agg(pl.len().alias("links"), lift.mean().alias("lift"))
    )
    size = pl.col("community_size")
    rings = (
        members.join(strength, on="tenderer")
        .group_by("community")
        .agg(pl.col("strength").sum(), pl.col("community_size").first(), pl.col("tenderer").sort().alias("names"))
        .join(inside, on="community", how="left")
        .join(links, on="community", how="left")
        .with_columns(
            (pl.col("internal").fill_null(0) / pl.col("strength")).alias("ratio"),
            (pl.col("links").fill_null(0) * 2 / (size * (size - 1))).alias("density"),
        )
        .filter(
            size.is_between(min_size, max_size)
            & (pl.col("ratio") >= min_internal)
            & (pl.col("density") >= min_density)
            & (pl.col("lift").fill_null(0) >= min_lift)
        )
    )
    flagged = (
        rings.with_columns(
            pl.format(
                "投标圈 {}（{} 家：{}），圈内共同投标占 {}%，提升度 {}",
                "community",
                "community_size",
                pl.col("names").list.join("、"),
                (pl.col("ratio") * 100).round(1),
                pl.col("lift").round(1),
            ).alias("evidence")
        )
        .explode("names")
        .sort("names")
        .select(pl.lit(0).alias("rid"), pl.col("names").alias("key"), "community_size", "evidence")
    )
    outcome = Outcome(
        hits=hits_frame(flagged, Group.TENDERER, pl.col("community_size"), Phase.FINALIZE),
        evaluated=members.select("community").n_unique(),
        meta={"communities": float(members.select("community").n_unique()), "edges": float(edges.height)},
    )
    return outcome


FLAGS = (flag(B07, compute_b07),)
