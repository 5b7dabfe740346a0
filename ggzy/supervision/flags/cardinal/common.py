"""Cardinal 公共部分 — scope filters, final awards, main currency, R-8 quartiles and dates shared by R0xx."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import polars as pl

from ggzy.supervision.flags.base import RunContext
from ggzy.supervision.flags.cardinal.settings import CardinalSettings, pipe_set
from ggzy.supervision.ocds.tables import Tables

FAMILY = "cardinal"
SOURCE_DOCS = "Open Contracting Partnership, Cardinal (ocdscardinal) documentation, cli/indicators/R/"
SCOPE_COLUMNS = (
    "rid",
    "ocid",
    "tender_is_object",
    "tender_status",
    "procurement_method",
    "procurement_method_details",
    "tender_start",
    "tender_end",
    "number_of_tenderers",
    "number_of_tenderers_is_int",
    "buyer_id",
    "procuring_entity_id",
    "awards_is_array",
    "bids_is_array",
)
# The price indicators share large frames (candidate bids, ratios) that no other indicator reads: they are computed
# first, in this order, and these frames dropped right after them (peak memory; results keep the registry order).
FIRST = ("R024", "R058", "R036")
FIRST_CACHE = ("cardinal.ratio_candidates", "cardinal.r036_candidates", "cardinal.ratios")
SUBMITTED = pl.col("status").is_not_null() & ~pl.col("status").is_in(["invited", "withdrawn"])


def settings_of(ctx: RunContext) -> CardinalSettings:
    settings = ctx.settings
    assert isinstance(settings, CardinalSettings)
    return settings


def quantile_r8(values: np.ndarray, tau: float) -> float:
    """Quantile by Hyndman & Fan's R-8, with the arithmetic of Rust's statrs (which Cardinal uses)."""
    n = len(values)
    if n == 0 or tau < 0.0 or tau > 1.0:
        return math.nan
    ordered = np.sort(values)
    h = (n + 1.0 / 3.0) * tau + 1.0 / 3.0
    hf = int(h)
    if hf <= 0 or tau == 0.0:
        return float(ordered[0])
    if hf >= n or tau == 1.0:
        return float(ordered[-1])
    a, b = float(ordered[hf - 1]), float(ordered[hf])
    return a + (h - hf) * (b - a)


def fused(a: float, b: float, c: float) -> float:
    """a*b + c rounded once, like Rust's f64::mul_add (Cardinal's fences are computed this way)."""
    if not (math.isfinite(a) and math.isfinite(b) and math.isfinite(c)):
        return a * b + c
    return float(Fraction(a) * Fraction(b) + Fraction(c))


def quartiles(values: pl.Series) -> tuple[float, float]:
    data = values.cast(pl.Float64).to_numpy()
    return quantile_r8(data, 0.25), quantile_r8(data, 0.75)


def in_scope(tables: Tables, ctx: RunContext) -> pl.DataFrame:
    """Releases every indicator considers: string ocid, tender not cancelled, details not excluded."""

    def make() -> pl.DataFrame:
        excluded = pipe_set(settings_of(ctx).exclusions.get("procurement_method_details"))
        p = tables.processes.select(SCOPE_COLUMNS)
        keep = (
            pl.col("ocid").is_not_null()
            & (pl.col("tender_status").fill_null("") != "cancelled")
            & (pl.col("procurement_method_details").is_null() | ~pl.col("procurement_method_details").is_in(excluded))
        )
        return p.filter(keep)

    scoped: pl.DataFrame = ctx.cached("cardinal.scope", make)
    return scoped


def scope_counts(tables: Tables, ctx: RunContext) -> dict[str, int]:
    """Why releases left the common scope, for the summary."""
    p = tables.processes
    excluded = pipe_set(settings_of(ctx).exclusions.get("procurement_method_details"))
    return {
        "ocid 不是字符串 (ocid missing or not a string)": p.filter(pl.col("ocid").is_null()).height,
        "招标已取消 (tender cancelled)": p.filter(
            pl.col("ocid").is_not_null() & (pl.col("tender_status") == "cancelled")
        ).height,
        "按采购方式细节排除 ([exclusions] procurement_method_details)": p.filter(
            pl.col("ocid").is_not_null()
            & (pl.col("tender_status").fill_null("") != "cancelled")
            & pl.col("procurement_method_details").is_in(excluded)
        ).height,
    }


def price_comparable(ctx: RunContext) -> pl.Expr:
    """`no_price_comparison_procurement_methods` / `price_comparison_procurement_methods` as Cardinal applies them."""
    s = settings_of(ctx)
    include = pipe_set(s.price_comparison_procurement_methods)
    exclude = pipe_set(s.no_price_comparison_procurement_methods)
    details = pl.col("procurement_method_details")
    if include:
        return details.is_not_null() & details.is_in(include)
    return details.is_null() | ~details.is_in(exclude)


def method_matches(methods: set[str]) -> pl.Expr:
    """An empty set matches everything; otherwise the method must be set and listed."""
    if not methods:
        return pl.lit(True)
    return pl.col("procurement_method").is_not_null() & pl.col("procurement_method").is_in(methods)


def final_awards(tables: Tables, scope: pl.DataFrame) -> pl.DataFrame:
    """Per release whose awards are all final (none pending/invalid) and that has bids/details:
    rid, ocid, n_active, supplier (the single supplier id of the single active award, else null)."""
    base = scope.lazy().filter(pl.col("awards_is_array") & pl.col("bids_is_array")).select("rid", "ocid")
    awards = tables.awards.lazy().join(base.select("rid"), on="rid", how="semi")
    per_release = awards.group_by("rid").agg(
        (pl.col("status").is_not_null() & ~pl.col("status").is_in(["active", "cancelled", "unsuccessful"]))
        .any()
        .alias("open"),
        (pl.col("status") == "active").sum().alias("n_active"),
    )
    single = (
        awards.filter((pl.col("status") == "active") & (pl.col("n_suppliers") == 1))
        .join(tables.award_suppliers.lazy().filter(pl.col("pos") == 0), on=["rid", "award"])
        .group_by("rid")
        .agg(pl.col("supplier_id").first().alias("supplier"))
    )
    out = (
        base.join(per_release, on="rid", how="left")
        .with_columns(pl.col("open").fill_null(False), pl.col("n_active").fill_null(0).cast(pl.Int64))
        .filter(~pl.col("open"))
        .join(single, on="rid", how="left")
        .with_columns(pl.when(pl.col("n_active") == 1).then(pl.col("supplier")).alias("supplier"))
    )
    return out.select("rid", "ocid", "n_active", "supplier").collect()


def single_tenderer_bids(tables: Tables, status: str) -> pl.LazyFrame:
    """Bids of a status with exactly one tenderer that has a string id: rid, bid, amount, currency, tenderer."""
    first = tables.bid_tenderers.lazy().filter(pl.col("pos") == 0).select("rid", "bid", "tenderer_id")
    return (
        tables.bids.lazy()
        .filter((pl.col("n_tenderers") == 1) & (pl.col("status") == status))
        .select("rid", "bid", "amount", "currency")
        .join(first, on=["rid", "bid"])
        .filter(pl.col("tenderer_id").is_not_null())
        .rename({"tenderer_id": "tenderer"})
    )


def ratio_candidates(tables: Tables, ctx: RunContext) -> pl.DataFrame:
    """Valid priced single-tenderer bids of releases with one active award to one supplier (R024, R058):
    rid, bid, amount, currency (categorical: a few values over millions of bids), tenderer, supplier."""

    def make() -> pl.DataFrame:
        scope = in_scope(tables, ctx).filter(price_comparable(ctx))
        awarded = final_awards(tables, scope).filter(pl.col("supplier").is_not_null())
        bids = single_tenderer_bids(tables, "valid").filter(
            pl.col("amount").is_not_null() & pl.col("currency").is_not_null()
        )
        return (
            bids.join(awarded.lazy().select("rid", "supplier"), on="rid")
            .with_columns(pl.col("currency").cast(pl.Categorical))
            .collect()
        )

    candidates: pl.DataFrame = ctx.cached("cardinal.ratio_candidates", make)
    return candidates


def r036_candidates(tables: Tables, ctx: RunContext) -> pl.DataFrame:
    """Submitted priced bids of in-scope, price-comparable releases with at least one active award (R036):
    rid, bid, amount, currency (categorical), disqualified and valid (the bid's status)."""

    def make() -> pl.DataFrame:
        scope = in_scope(tables, ctx).filter(price_comparable(ctx) & pl.col("awards_is_array"))
        active = tables.awards.lazy().filter(pl.col("status") == "active").select("rid")
        chosen = scope.lazy().join(active, on="rid", how="semi").filter(pl.col("bids_is_array"))
        bids = (
            tables.bids.lazy()
            .filter(SUBMITTED & pl.col("amount").is_not_null() & pl.col("currency").is_not_null())
            .select(
                "rid",
                "bid",
                "amount",
                pl.col("currency").cast(pl.Categorical),
                (pl.col("status") == "disqualified").alias("disqualified"),
                (pl.col("status") == "valid").alias("valid"),
            )
        )
        return bids.join(chosen.select("rid"), on="rid").collect()

    candidates: pl.DataFrame = ctx.cached("cardinal.r036_candidates", make)
    return candidates


def main_currency(tables: Tables, ctx: RunContext) -> str | None:
    """The `currency` setting, else the first currency observed by the price indicators (R024/R058, R036)."""

    def make() -> str | None:
        s = settings_of(ctx)
        if s.currency is not None:
            return s.currency
        seen = []
        if s.enabled("R024") or s.enabled("R058"):
            seen.append(ratio_candidates(tables, ctx).select("rid", pl.lit(0).alias("phase"), "bid", "currency"))
        if s.enabled("R036"):
            seen.append(r036_candidates(tables, ctx).select("rid", pl.lit(1).alias("phase"), "bid", "currency"))
        frames = [f for f in seen if f.height]
        if not frames:
            return None
        first = pl.concat(frames).lazy().sort("rid", "phase", "bid").head(1).collect().row(0, named=True)
        return str(first["currency"])

    currency: str | None = ctx.cached("cardinal.currency", make)
    return currency


def in_currency(currency: str | None) -> pl.Expr:
    """Bids in the main currency (none when no currency was ever observed)."""
    return pl.lit(False) if currency is None else pl.col("currency") == currency


def currency_skips(frame: pl.DataFrame, currency: str | None) -> int:
    """Bids left out because their currency is not the main one (never mixed)."""
    if currency is None:
        return 0
    return frame.filter(pl.col("currency") != currency).height


_RFC3339 = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"


def _int(text: pl.Expr, start: int, length: int) -> pl.Expr:
    return text.str.slice(start, length).cast(pl.Int64, strict=False)


def rfc3339(column: str) -> tuple[pl.Expr, pl.Expr]:
    """(seconds since the epoch, nanoseconds) of an RFC 3339 timestamp as chrono parses it; null when invalid."""
    text = pl.col(column)
    shaped = text.str.contains(_RFC3339)
    y, mo, d = _int(text, 0, 4), _int(text, 5, 2), _int(text, 8, 2)
    hh, mi, ss = _int(text, 11, 2), _int(text, 14, 2), _int(text, 17, 2)
    frac = text.str.extract(r"^.{19}\.(\d+)", 1).str.slice(0, 9).str.pad_end(9, "0").cast(pl.Int64).fill_null(0)
    zone = text.str.slice(-6)
    utc = text.str.ends_with("Z") | text.str.ends_with("z")
    sign = pl.when(zone.str.starts_with("-")).then(-1).otherwise(1)
    off_h = pl.when(utc).then(0).otherwise(_int(zone, 1, 2))
    off_m = pl.when(utc).then(0).otherwise(_int(zone, 4, 2))
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    month_days = (
        pl.when(mo == 2).then(pl.when(leap).then(29).otherwise(28)).when(mo.is_in([4, 6, 9, 11])).then(30).otherwise(31)
    )
    valid = (
        shaped
        & mo.is_between(1, 12)
        & d.is_between(1, month_days)
        & hh.is_between(0, 23)
        & mi.is_between(0, 59)
        & ss.is_between(0, 60)
        & off_h.is_between(0, 23)
        & off_m.is_between(0, 59)
    )
    # Days from the civil date (Howard Hinnant's algorithm), all in integer arithmetic.
    yy = y - (mo <= 2).cast(pl.Int64)
    era = yy.floordiv(400)
    yoe = yy - era * 400
    mp = (mo + 9) % 12
    doy = (153 * mp + 2).floordiv(5) + d - 1
    doe = yoe * 365 + yoe.floordiv(4) - yoe.floordiv(100) + doy
    days = era * 146097 + doe - 719468
    seconds = days * 86400 + hh * 3600 + mi * 60 + ss - sign * (off_h * 3600 + off_m * 60)
    return pl.when(valid).then(seconds), pl.when(valid).then(frac)


def with_timestamps(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """Add `<column>_s` and `<column>_ns` (see `rfc3339`), parsing each distinct text once."""
    seconds, nanos = rfc3339(column)
    distinct = frame.select(pl.col(column).unique()).drop_nulls()
    parsed = distinct.with_columns(seconds.alias(f"{column}_s"), nanos.alias(f"{column}_ns"))
    return frame.join(parsed, on=column, how="left", nulls_equal=False)


def whole_days(frame: pl.DataFrame, start: str, end: str) -> pl.DataFrame:
    """Add `days`: (end - start) in whole days, truncated toward zero like chrono's `Duration::num_days`."""
    frame = with_timestamps(with_timestamps(frame, start), end)
    secs = pl.col(f"{end}_s") - pl.col(f"{start}_s")
    nanos = pl.col(f"{end}_ns") - pl.col(f"{start}_ns")
    secs = pl.when(nanos < 0).then(secs - 1).otherwise(secs)
    nanos = pl.when(nanos < 0).then(nanos + 1_000_000_000).otherwise(nanos)
    secs = pl.when((secs < 0) & (nanos > 0)).then(secs + 1).otherwise(secs)
    days = pl.when(secs >= 0).then(secs.floordiv(86400)).otherwise(-((-secs).floordiv(86400)))
    return frame.with_columns(days.alias("days"))
