"""投标人网络 — the co-bidding graph, communities by weighted label propagation, and closed bidding rings (B07)."""

from __future__ import annotations

import numpy as np
import polars as pl

from ggzy.supervision.flags.base import Group, Outcome, Phase, RunContext, flag, hits_frame
from ggzy.supervision.flags.behaviour.common import OECD, S6, bidders, spec
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


def _pair_counts(coded: pl.DataFrame, n: int, min_weight: int) -> pl.DataFrame:
    """key (a·n + b, a < b) and weight: how many tenders each pair of codes bid in together, for the pairs with a
    weight of at least `min_weight`. Rows sorted by (rid, code) pair with the row d places later when it is the same
    tender, for d = 1, 2, … — no self-join; the keys are then sorted in place and counted in runs (no hash table:
    the pairs, a dozen per tender, are by far the largest frame of the behaviour family)."""
    rows = coded.sort("rid", "code")
    rid, code = rows["rid"].to_numpy(), rows["code"].to_numpy()
    del rows
    parts = []
    d = 1
    while d < len(rid):
        same = rid[d:] == rid[:-d]
        if not same.any():
            break
        parts.append(code[:-d][same] * n + code[d:][same])
        d += 1
    if not parts:
        return pl.DataFrame(schema={"key": pl.Int64, "weight": pl.Int64})
    keys = np.concatenate(parts)
    del parts
    keys.sort()
    if min_weight > 1:  # a key repeated min_weight times has its first copy min_weight − 1 places before its last
        ends = len(keys) - min_weight + 1
        chosen = np.unique(keys[:ends][keys[min_weight - 1 :] == keys[:ends]]) if ends > 0 else keys[:0]
    else:
        chosen = np.unique(keys)
    weight = np.searchsorted(keys, chosen, side="right") - np.searchsorted(keys, chosen, side="left")
    return pl.DataFrame({"key": chosen.astype(np.int64), "weight": weight.astype(np.int64)})


def co_bidding(tables: Tables, ctx: RunContext) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(names, coded, strength, edges), tenderers coded as integers (tenders with more than `max_tenderers` left
    out): names (code, tenderer); coded (rid, code); each code's total co-bids (Σ over its tenders of the others) and
    number of tenders; edges (a < b, weight): the pairs that bid together in at least `min_weight` tenders."""

    def make() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        limit, min_weight = (
            int(option(ctx.settings, "B07", "max_tenderers")),
            int(option(ctx.settings, "B07", "min_weight")),
        )
        people = bidders(tables, ctx).lazy().filter(pl.len().over("rid").is_between(2, limit)).collect()
        names = people.select(pl.col("tenderer").unique().sort()).with_row_index("code").cast({"code": pl.Int64})
        coded = people.lazy().join(names.lazy(), on="tenderer").select("rid", "code").collect()
        del people
        strength = (
            coded.with_columns((pl.len().over("rid") - 1).alias("s"))
            .group_by("code")
            .agg(pl.col("s").sum().alias("strength"), pl.len().alias("tenders"))
        )
        n = max(names.height, 1)
        keys = _pair_counts(coded, n, min_weight)
        edges = keys.select((pl.col("key") // n).alias("a"), (pl.col("key") % n).alias("b"), "weight")
        return names, coded, strength, edges

    result: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame] = ctx.cached("behaviour.co_bidding", make)
    return result


def graph(tables: Tables, ctx: RunContext) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(members, edges) in codes: the linked pairs, and each of their tenderers with its community (the code of one
    member) and the community's size."""

    def make() -> tuple[pl.DataFrame, pl.DataFrame]:
        edges = co_bidding(tables, ctx)[3]
        nodes, inverse = np.unique(np.concatenate([edges["a"].to_numpy(), edges["b"].to_numpy()]), return_inverse=True)
        ia, ib = inverse[: edges.height], inverse[edges.height :]
        w = edges["weight"].to_numpy().astype(np.float64)
        labels = label_propagation(
            np.concatenate([ia, ib]), np.concatenate([ib, ia]), np.concatenate([w, w]), len(nodes)
        )
        members = pl.DataFrame({"code": nodes.astype(np.int64), "community": nodes[labels].astype(np.int64)})
        return members.with_columns(pl.len().over("community").alias("community_size")), edges

    result: tuple[pl.DataFrame, pl.DataFrame] = ctx.cached("behaviour.graph", make)
    return result


def communities(tables: Tables, ctx: RunContext) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(members, edges) by name, for the per-tenderer output and the report: tenderer, community (named after one
    member), community_size; a, b, weight."""

    def make() -> tuple[pl.DataFrame, pl.DataFrame]:
        names = co_bidding(tables, ctx)[0]
        members, edges = graph(tables, ctx)
        named = members.join(names, on="code").join(
            names.rename({"code": "community", "tenderer": "community_name"}), on="community"
        )
        out = named.select("tenderer", pl.col("community_name").alias("community"), "community_size")
        edge_names = edges.join(names.rename({"code": "a", "tenderer": "name_a"}), on="a").join(
            names.rename({"code": "b", "tenderer": "name_b"}), on="b"
        )
        return out, edge_names.select(pl.col("name_a").alias("a"), pl.col("name_b").alias("b"), "weight")

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


def _rings(tables: Tables, ctx: RunContext) -> pl.DataFrame:
    """Per community (codes): size, members' co-bids inside / all, density of links, mean lift of linked pairs."""
    _, coded, strength, _ = co_bidding(tables, ctx)
    members, edges = graph(tables, ctx)
    side_a = members.select(pl.col("code").alias("a"), pl.col("community").alias("ca"))
    side_b = members.select(pl.col("code").alias("b"), pl.col("community").alias("cb"))
    same = pl.col("ca") == pl.col("cb")
    # co-bids inside a community: in each tender, k members of one community make k·(k − 1) ordered pairs
    inside = (  # lazy: the join of every co-bid with its community is never materialised (peak memory)
        coded.lazy()
        .join(members.lazy().select("code", "community"), on="code")
        .group_by("rid", "community")
        .len()
        .group_by("community")
        .agg((pl.col("len") * (pl.col("len") - 1)).sum().alias("internal"))
        .collect()
    )
    total = bidders(tables, ctx).select(pl.col("rid").n_unique()).item()
    active_a = strength.select(pl.col("code").alias("a"), pl.col("tenders").alias("ta"))
    active_b = strength.select(pl.col("code").alias("b"), pl.col("tenders").alias("tb"))
    lift = pl.col("weight") * total / (pl.col("ta") * pl.col("tb"))
    links = (
        edges.join(side_a, on="a")
        .join(side_b, on="b")
        .filter(same)
        .join(active_a, on="a")
        .join(active_b, on="b")
        .group_by(pl.col("ca").alias("community"))
        .agg(pl.len().alias("links"), lift.mean().alias("lift"))
    )
    size = pl.col("community_size")
    return (
        members.join(strength, on="code")
        .group_by("community")
        .agg(pl.col("strength").sum(), pl.col("community_size").first(), pl.col("code"))
        .join(inside, on="community", how="left")
        .join(links, on="community", how="left")
        .with_columns(
            (pl.col("internal").fill_null(0) / pl.col("strength")).alias("ratio"),
            (pl.col("links").fill_null(0) * 2 / (size * (size - 1))).alias("density"),
            pl.col("lift").fill_null(0),
        )
    )


def compute_b07(tables: Tables, ctx: RunContext) -> Outcome:
    s = ctx.settings
    min_size, max_size = int(option(s, "B07", "min_size")), int(option(s, "B07", "max_size"))
    min_internal, min_density = float(option(s, "B07", "min_internal")), float(option(s, "B07", "min_density"))
    min_lift = float(option(s, "B07", "min_lift"))
    rings = _rings(tables, ctx)
    chosen = rings.filter(
        pl.col("community_size").is_between(min_size, max_size)
        & (pl.col("ratio") >= min_internal)
        & (pl.col("density") >= min_density)
        & (pl.col("lift") >= min_lift)
    )
    members, edges = communities(tables, ctx)
    names = co_bidding(tables, ctx)[0]
    listed = (
        chosen.explode("code")
        .join(names, on="code")
        .sort("tenderer")
        .group_by("community", maintain_order=True)
        .agg(pl.col("tenderer"), pl.col("community_size", "ratio", "lift").first())
        .join(names.rename({"code": "community", "tenderer": "name"}), on="community")
    )
    flagged = (
        listed.with_columns(
            pl.format(
                "投标圈 {}（{} 家：{}），圈内共同投标占 {}%，提升度 {}",
                "name",
                "community_size",
                pl.col("tenderer").list.join("、"),
                (pl.col("ratio") * 100).round(1),
                pl.col("lift").round(1),
            ).alias("evidence")
        )
        .explode("tenderer")
        .sort("tenderer")
        .select(pl.lit(0).alias("rid"), pl.col("tenderer").alias("key"), "community_size", "evidence")
    )
    return Outcome(
        hits=hits_frame(flagged, Group.TENDERER, pl.col("community_size"), Phase.FINALIZE),
        evaluated=rings.height,
        meta={"communities": float(rings.height), "edges": float(edges.height), "tenderers": float(members.height)},
    )


FLAGS = (flag(B07, compute_b07),)
