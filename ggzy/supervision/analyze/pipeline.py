"""分析流程 — read an OCDS file into tables in batches, run every enabled flag, gather the results."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from tqdm import tqdm

from ggzy.supervision.flags import Flag, Outcome, RunContext, registry
from ggzy.supervision.flags.base import HITS_SCHEMA
from ggzy.supervision.flags.cardinal.common import FAMILY, scope_counts
from ggzy.supervision.flags.cardinal.settings import CardinalSettings
from ggzy.supervision.ocds.parallel import read_parallel
from ggzy.supervision.ocds.reader import ReadStats, iter_releases
from ggzy.supervision.ocds.tables import TableBuilder, Tables

BATCH = 20_000  # releases held as Python objects at once; bounds memory
PARALLEL_MIN_BYTES = 32 << 20  # smaller files are read in this process: starting workers costs a second


@dataclass
class Analysis:
    """Everything one run produced: the tables, what the reader saw, each flag's outcome, all results."""

    tables: Tables  # after `analyze`, only `bid_tenderers` (see Tables.slim)
    stats: ReadStats
    outcomes: dict[str, Outcome]
    hits: pl.DataFrame  # HITS_SCHEMA plus `indicator`
    scope: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    context: RunContext | None = None  # shared work of the flags (the co-bidding graph for the report)


def read_tables(
    path: Path, *, progress: bool = True, batch: int = BATCH, workers: int | None = None
) -> tuple[Tables, ReadStats]:
    """Stream the file into typed tables, `batch` releases at a time; a bar on stderr follows the bytes read.

    Large JSON Lines files are parsed by `workers` processes (default: one per core); packages are streamed here.
    """
    stats = ReadStats()
    size = path.stat().st_size if path.is_file() else 0
    bar = tqdm(total=size, unit="B", unit_scale=True, desc="读取 reading", file=sys.stderr, disable=not progress)
    last = [0]

    def advance(position: int) -> None:
        bar.update(position - last[0])
        last[0] = position

    if workers is None:
        workers = (os.cpu_count() or 1) if size >= PARALLEL_MIN_BYTES else 1
    builder = TableBuilder()
    parts = []
    try:
        if workers > 1:
            parallel = read_parallel(path, stats, workers=workers, progress=advance)
            if parallel is not None:
                return Tables.concat(parallel), stats
            stats = ReadStats()
        for line, release in iter_releases(path, stats, advance):
            builder.add(line, line, release)
            if builder.rows >= batch:
                parts.append(builder.frames())
                builder.rows = 0
    finally:
        bar.close()
    parts.append(builder.frames())
    return Tables.concat(parts), stats


def enabled_flags(settings: CardinalSettings, only: Callable[[str], bool] | None = None) -> list[Flag]:
    return [f for f in registry().values() if f.enabled(settings) and (only is None or only(f.spec.id))]


# Shared work cached under these prefixes is dropped once the family is done (memory); what the outputs, the report
# or a later family reads is kept.
CACHE_PREFIXES = {
    "cardinal": "cardinal.",
    "collusion_signs": "signs.",
    "behaviour": "behaviour.",
    "avoidance": "avoidance.",
}
KEEP = frozenset({"cardinal.scope", "cardinal.currency", "behaviour.communities"})
FOR_OUTPUTS = frozenset({"behaviour.communities"})  # what the tables and the report read after the run


def release_cache(ctx: RunContext, family: str) -> None:
    prefix = CACHE_PREFIXES.get(family)
    if prefix is not None:
        for key in [k for k in ctx.cache if k.startswith(prefix) and k not in KEEP]:
            del ctx.cache[key]


def run_flags(
    tables: Tables, settings: CardinalSettings, *, approvals: pl.DataFrame | None = None
) -> tuple[dict[str, Outcome], pl.DataFrame, RunContext]:
    """Compute every enabled flag over the tables; results carry their indicator id.

    Cardinal's results keep the order in which Cardinal sets them; the other families' are sorted (group, order,
    sub, key) so that every run gives the same rows in the same order."""
    ctx = RunContext(settings=settings, approvals=approvals)
    outcomes: dict[str, Outcome] = {}
    frames = []
    chosen = enabled_flags(settings)
    for position, flag in enumerate(chosen):
        outcome = flag.compute(tables, ctx)
        if position + 1 == len(chosen) or chosen[position + 1].spec.family != flag.spec.family:
            release_cache(ctx, flag.spec.family)
        if flag.spec.family != FAMILY:
            outcome.hits = outcome.hits.sort("group", "order", "sub", "key")
        outcomes[flag.spec.id] = outcome
        frames.append(outcome.hits.with_columns(pl.lit(flag.spec.id).alias("indicator")))
    schema = {**HITS_SCHEMA, "indicator": pl.String()}
    hits = pl.concat(frames) if frames else pl.DataFrame(schema=schema)
    return outcomes, hits, ctx


def analyze(
    path: Path, settings: CardinalSettings, *, progress: bool = True, approvals: pl.DataFrame | None = None
) -> Analysis:
    tables, stats = read_tables(path, progress=progress)
    outcomes, hits, ctx = run_flags(tables, settings, approvals=approvals)
    scope = scope_counts(tables, ctx)
    ctx.cache = {key: value for key, value in ctx.cache.items() if key in FOR_OUTPUTS}
    return Analysis(
        tables=tables.slim(),  # the outputs need only the bids' tenderers: the rest is freed before formatting
        stats=stats,
        outcomes=outcomes,
        hits=hits,
        scope=scope,
        warnings=[*settings.warnings, *ctx.warnings],
        context=ctx,
    )
