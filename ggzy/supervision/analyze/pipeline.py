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
from ggzy.supervision.flags.cardinal.common import FAMILY, FIRST, FIRST_CACHE, scope_counts
from ggzy.supervision.flags.cardinal.settings import CardinalSettings
from ggzy.supervision.ocds.check import check_release
from ggzy.supervision.ocds.parallel import read_parallel
from ggzy.supervision.ocds.reader import ReadStats, Shape, iter_releases
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
            check_release(release, where(stats.shape, line), stats.schema)
            builder.add(line, line, release)
            if builder.rows >= batch:
                parts.append(builder.frames())
                builder.rows = 0
    finally:
        bar.close()
    parts.append(builder.frames())
    return Tables.concat(parts), stats


def where(shape: Shape, number: int) -> str:
    """How an example names the release: its line (JSON Lines) or its place in the package (0-based, as JSON)."""
    if shape is Shape.JSON_LINES:
        return f"line {number}:"
    if shape is Shape.RELEASE_PACKAGE:
        return f"releases[{number - 1}]"
    return f"records[{number - 1}].compiledRelease"


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
# The families that read each table, for freeing it once they are done (`run_flags(free=True)`); `processes` (read
# by every family) and `bid_tenderers` (read by the report) are kept until the end. A table read after it was freed
# raises an error, so that a family missing here cannot silently see an empty table.
READERS: dict[str, frozenset[str]] = {
    "bids": frozenset({"cardinal", "collusion_signs", "behaviour"}),
    "awards": frozenset({"cardinal", "compliance", "behaviour", "avoidance"}),
    "award_suppliers": frozenset({"cardinal", "behaviour"}),
    "award_items": frozenset({"cardinal", "behaviour"}),
    "contracts": frozenset({"compliance"}),
    "parties": frozenset({"collusion_signs"}),
    "amendments": frozenset({"compliance"}),
    "bid_signals": frozenset({"collusion_signs"}),
    "bid_signal_kinds": frozenset({"collusion_signs"}),
}


def release_cache(ctx: RunContext, family: str) -> None:
    prefix = CACHE_PREFIXES.get(family)
    if prefix is not None:
        for key in [k for k in ctx.cache if k.startswith(prefix) and k not in KEEP]:
            del ctx.cache[key]


def computation_order(chosen: list[Flag]) -> list[Flag]:
    """The flags in the order they are computed: family by family, Cardinal's price indicators first (their shared
    frames are dropped right after them). Results are still gathered in the registry order."""
    first = {code: rank for rank, code in enumerate(FIRST)}
    families = {flag.spec.family: rank for rank, flag in reversed(list(enumerate(chosen)))}
    return sorted(chosen, key=lambda f: (families[f.spec.family], first.get(f.spec.id, len(first))))


def run_flags(
    tables: Tables, settings: CardinalSettings, *, approvals: pl.DataFrame | None = None, free: bool = False
) -> tuple[dict[str, Outcome], pl.DataFrame, RunContext]:
    """Compute every enabled flag over the tables; results carry their indicator id.

    Cardinal's results keep the order in which Cardinal sets them; the other families' are sorted (group, order,
    sub, key) so that every run gives the same rows in the same order. With `free`, each table in READERS is
    released as soon as the last family reading it is done (the caller must not read it afterwards)."""
    ctx = RunContext(settings=settings, approvals=approvals)
    results: dict[str, Outcome] = {}
    chosen = enabled_flags(settings)
    order = computation_order(chosen)
    early = [f.spec.id for f in order if f.spec.id in FIRST]
    for position, flag in enumerate(order):
        outcome = flag.compute(tables, ctx)
        if flag.spec.family != FAMILY:
            outcome.hits = outcome.hits.sort("group", "order", "sub", "key")
        results[flag.spec.id] = outcome
        if flag.spec.id in FIRST and all(code in results for code in early):
            for key in FIRST_CACHE:
                ctx.cache.pop(key, None)
        if position + 1 == len(order) or order[position + 1].spec.family != flag.spec.family:
            release_cache(ctx, flag.spec.family)
            if free:
                later = {f.spec.family for f in order[position + 1 :]}
                for name, families in READERS.items():
                    if not families & later:
                        tables.release(name)
    outcomes = {flag.spec.id: results[flag.spec.id] for flag in chosen}
    frames = [outcome.hits.with_columns(pl.lit(code).alias("indicator")) for code, outcome in outcomes.items()]
    schema = {**HITS_SCHEMA, "indicator": pl.String()}
    hits = pl.concat(frames) if frames else pl.DataFrame(schema=schema)
    return outcomes, hits, ctx


def analyze(
    path: Path, settings: CardinalSettings, *, progress: bool = True, approvals: pl.DataFrame | None = None
) -> Analysis:
    tables, stats = read_tables(path, progress=progress)
    scope = scope_counts(tables, RunContext(settings=settings))
    outcomes, hits, ctx = run_flags(tables, settings, approvals=approvals, free=True)
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
