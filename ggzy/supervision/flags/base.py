"""红旗指标的形状 — what every flag declares (its registry row) and what it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import polars as pl

from ggzy.supervision.ocds.tables import Tables


class Group(StrEnum):
    """Who a result is about; the order is Cardinal's."""

    OCID = "OCID"
    BUYER = "Buyer"
    PROCURING_ENTITY = "ProcuringEntity"
    TENDERER = "Tenderer"
    CATEGORY = "Category"  # an item classification prefix (behaviour: concentration per category)
    PROJECT = "Project"  # an approved investment project from `--approvals` (avoidance: 应进未进)


class Phase(StrEnum):
    """When a result is set: while reading each process, or after all processes (outlier fences)."""

    FOLD = "fold"
    FINALIZE = "finalize"


@dataclass(frozen=True)
class FlagSpec:
    """One row of the indicator registry."""

    id: str
    family: str
    name_zh: str
    name_en: str
    definition: str
    defaults: dict[str, str]  # setting name → default, as written in the settings file
    source: str  # legal basis or published source
    requires: tuple[str, ...]  # OCDS paths the flag needs; a release lacking them is skipped and counted
    groups: tuple[Group, ...]
    output: str  # what the value means


HITS_SCHEMA: dict[str, pl.DataType] = {
    "group": pl.String(),
    "key": pl.String(),
    "value": pl.Float64(),
    "phase": pl.String(),
    "order": pl.Int64(),  # rid for fold results; position within the finalize pass otherwise
    "sub": pl.Int64(),  # tie-breaker inside one release or one finalize pass
    # what was found: the group sharing a sign, the rule broken, the numbers compared (categorical: many results share
    # one text, and a million results must not hold a million copies)
    "evidence": pl.Categorical(),
}


def empty_hits() -> pl.DataFrame:
    return pl.DataFrame(schema=HITS_SCHEMA)


@dataclass
class Outcome:
    """What a flag returns: its results (HITS_SCHEMA), how many processes it judged, skipped, excluded."""

    hits: pl.DataFrame = field(default_factory=empty_hits)
    evaluated: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # reason → releases lacking data the flag needs
    excluded: dict[str, int] = field(default_factory=dict)  # reason → releases outside the flag's scope
    meta: dict[str, float] = field(default_factory=dict)  # quartiles and fences used


@dataclass
class RunContext:
    """Inputs shared by every flag in one run: the settings and a per-run cache for shared work."""

    settings: Any
    approvals: pl.DataFrame | None = None  # approved investment projects (`--approvals`), see flags.avoidance
    cache: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]


Compute = Callable[[Tables, RunContext], Outcome]


@dataclass(frozen=True)
class Flag:
    """A registered flag: its row and the function computing it over the flattened tables."""

    spec: FlagSpec
    compute: Compute
    enabled: Callable[[Any], bool]  # whether the settings switch this flag on


def flag(spec: FlagSpec, compute: Compute) -> Flag:
    """A flag switched on by its own section of the settings file (`[R024]`, `[C01]` …)."""
    return Flag(spec=spec, compute=compute, enabled=lambda settings: settings.enabled(spec.id))


def hits_frame(
    keys: pl.DataFrame, group: Group, value: pl.Expr | float, phase: Phase, order: str = "rid", sub: int = 0
) -> pl.DataFrame:
    """Turn a frame with a `key` column (and `rid`/`order`, optionally `sub` and `evidence`) into HITS_SCHEMA rows."""
    value_expr = value if isinstance(value, pl.Expr) else pl.lit(value)
    return keys.select(
        pl.lit(str(group)).alias("group"),
        pl.col("key").cast(pl.String),
        value_expr.cast(pl.Float64).alias("value"),
        pl.lit(str(phase)).alias("phase"),
        pl.col(order).cast(pl.Int64).alias("order"),
        (pl.col("sub").cast(pl.Int64) if "sub" in keys.columns else pl.lit(sub, dtype=pl.Int64)).alias("sub"),
        (pl.col("evidence") if "evidence" in keys.columns else pl.lit(None, pl.String))
        .cast(pl.String)
        .cast(pl.Categorical)
        .alias("evidence"),
    )
