"""法定规则的列式使用 — OCDS methods mapped to procedure rows, Beijing days, working days and catalog decisions.

The numbers and checks stay in `ggzy.rules`: this module only evaluates them over columns. Procedure periods come
from `ggzy.rules.procedures` rows; the catalog's decisions come from `ggzy.rules.catalog.decide()` and
`violations()`, called once per cell of a small table whose cells are cut at the catalog's own thresholds
(`decide` compares the estimate, the state-funds share and the state-funds amount with catalog values by `≥`,
so its answer is constant inside each cell; tests check the table against direct calls).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import product

import numpy as np
import polars as pl

from ggzy.core.calendar import is_working_day
from ggzy.rules.base import Regime
from ggzy.rules.catalog import DEFAULT, Catalog, Category, Facts, decide, violations
from ggzy.rules.procedures import PROCEDURES, Method, Period, procedure
from ggzy.supervision.flags.base import RunContext
from ggzy.supervision.flags.cardinal.common import with_timestamps
from ggzy.supervision.ocds.tables import Tables

OPEN, INVITED, NONE = "open", "invited", "none"  # open/invited tender, its regime taken from the category
PROCEDURE_CHOICES = (OPEN, INVITED, *(m.value for m in Method), NONE)
DEFAULT_PROCEDURES: dict[str, str] = {
    "公开招标": OPEN,
    "邀请招标": INVITED,
    "竞争性谈判": Method.NEGOTIATION,
    "竞争性磋商": Method.CONSULTATION,
    "询价": Method.QUOTATION,
    "询价采购": Method.QUOTATION,
    "单一来源": Method.SINGLE_SOURCE,
    "单一来源采购": Method.SINGLE_SOURCE,
    "拍卖": NONE,
    "挂牌": NONE,
    "open": OPEN,
    "selective": INVITED,
    "direct": Method.SINGLE_SOURCE,
}
OPEN_METHODS = (Method.OPEN_TENDER.value, Method.GP_OPEN_TENDER.value)
_CATEGORY_BY_REGIME = {
    (Regime.TENDERING, "works"): Category.CONSTRUCTION,
    (Regime.TENDERING, "goods"): Category.WORKS_GOODS,
    (Regime.TENDERING, "services"): Category.WORKS_SERVICES,
    (Regime.PROCUREMENT, "goods"): Category.GP_GOODS,
    (Regime.PROCUREMENT, "services"): Category.GP_SERVICES,
    (Regime.PROCUREMENT, "works"): Category.GP_WORKS,
}
_REGIME_BY_MAIN = {"works": Regime.TENDERING, "goods": Regime.PROCUREMENT, "services": Regime.PROCUREMENT}
BEIJING_OFFSET_S = 8 * 3600  # Asia/Shanghai has had no daylight saving since 1991
UNMAPPED = "采购方式无法对应到法定程序 (procurement method not mapped to a procedure, see [procedures])"
NO_REGIME = "无法确定适用法律：缺少品目或 mainProcurementCategory (regime unknown: no category)"


def _resolve(
    details: str | None, method: str | None, main: str | None, category: str | None, mapping: dict[str, str]
) -> tuple[str | None, str | None, str | None]:
    """(procedure, catalog category, reason when unresolved) for one distinct combination."""
    name = mapping.get(details) if details is not None and details in mapping else mapping.get(method or "")
    if name is None or name == NONE:
        return None, None, UNMAPPED
    known = category if category in Category.__members__.values() else None
    cat = Category(known) if known else None
    regime = cat.regime if cat else _REGIME_BY_MAIN.get(main or "")
    if name in (OPEN, INVITED):
        if regime is None:
            return None, None, NO_REGIME
        tender = regime is Regime.TENDERING
        chosen = {
            (OPEN, True): Method.OPEN_TENDER,
            (OPEN, False): Method.GP_OPEN_TENDER,
            (INVITED, True): Method.INVITED_TENDER,
            (INVITED, False): Method.GP_INVITED_TENDER,
        }[name, tender]
    else:
        chosen = Method(name)
    if cat is None and main is not None:
        cat = _CATEGORY_BY_REGIME.get((procedure(chosen).regime, main))
    return chosen.value, cat.value if cat else None, None


def procedures(tables: Tables, ctx: RunContext) -> pl.DataFrame:
    """Per release: rid, ocid, proc (a `Method` value or null), category (a catalog `Category` or null), reason."""

    def make() -> pl.DataFrame:
        mapping = DEFAULT_PROCEDURES | dict(getattr(ctx.settings, "procedures", {}))
        keys = ["procurement_method_details", "procurement_method", "main_category", "catalog_category"]
        p = tables.processes.select("rid", "ocid", *keys)
        combos = p.select(keys).unique()
        resolved = [_resolve(d, m, main, cat, mapping) for d, m, main, cat in combos.iter_rows()]
        table = combos.with_columns(
            pl.Series("proc", [r[0] for r in resolved], pl.String),
            pl.Series("category", [r[1] for r in resolved], pl.String),
            pl.Series("reason", [r[2] for r in resolved], pl.String),
        )
        return p.join(table, on=keys, how="left", nulls_equal=True).select("rid", "ocid", "proc", "category", "reason")

    frame: pl.DataFrame = ctx.cached("legal.procedures", make)
    return frame


def period_table(attribute: str) -> pl.DataFrame:
    """For each procedure row with that period: proc, days, working, regime, citation (from ggzy.rules)."""
    rows = []
    for method, row in PROCEDURES.items():
        period: Period | None = getattr(row, attribute)
        if period is not None:
            rows.append((method.value, period.days, period.working, row.regime.value, str(period.citation)))
    return pl.DataFrame(rows, schema=["proc", "days", "working", "regime", "citation"], orient="row")


def regimes() -> pl.DataFrame:
    return pl.DataFrame(
        [(m.value, r.regime.value) for m, r in PROCEDURES.items()], schema=["proc", "regime"], orient="row"
    )


def with_days(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """Add `<column>_day`: the Beijing calendar day (days since 1970-01-01) of an RFC 3339 timestamp, else null."""
    frame = with_timestamps(frame, column)
    day = (pl.col(f"{column}_s") + BEIJING_OFFSET_S).floordiv(86400)
    return frame.with_columns(day.alias(f"{column}_day")).drop(f"{column}_s", f"{column}_ns")


def _working_index(first: int, last: int) -> pl.DataFrame:
    """day → number of working days from `first` up to and including `day` (China's calendar, ggzy.core)."""
    epoch = dt.date(1970, 1, 1)
    days = np.arange(first, last + 1)
    working = np.fromiter((is_working_day(epoch + dt.timedelta(days=int(d))) for d in days), bool, len(days))
    return pl.DataFrame({"day": days.astype(np.int64), "w": np.cumsum(working).astype(np.int64)})


MIN_DAY, MAX_DAY = (dt.date(1990, 1, 1) - dt.date(1970, 1, 1)).days, (dt.date(2100, 1, 1) - dt.date(1970, 1, 1)).days


def counted_days(frame: pl.DataFrame, start: str, end: str) -> pl.DataFrame:
    """Add `counted`: the days from `start` to `end` (Beijing days) as the law counts them — calendar days, or,
    where `working` is true, working days after the start day up to and including the end day. The period is
    short exactly when `counted < days`, i.e. when the end falls before `Period.earliest(start)`."""
    calendar = pl.col(end) - pl.col(start)
    in_range = pl.col(start).is_between(MIN_DAY, MAX_DAY) & pl.col(end).is_between(MIN_DAY, MAX_DAY)
    frame = frame.with_columns(pl.when(in_range).then(calendar).alias("counted"))
    needs = frame.filter(pl.col("working") & pl.col("counted").is_not_null())
    if needs.is_empty():
        return frame
    bounds = needs.select(
        pl.min_horizontal(pl.col(start).min(), pl.col(end).min()).alias("low"),
        pl.max_horizontal(pl.col(start).max(), pl.col(end).max()).alias("high"),
    ).row(0)
    low, high = int(bounds[0]), int(bounds[1])
    index = _working_index(low, high)
    with_w = frame.join(index.rename({"day": start, "w": "_ws"}), on=start, how="left").join(
        index.rename({"day": end, "w": "_we"}), on=end, how="left"
    )
    working = pl.col("_we") - pl.col("_ws")
    counted = pl.when(pl.col("working")).then(working).otherwise(pl.col("counted"))
    return with_w.with_columns(counted.alias("counted")).drop("_ws", "_we")


def _breaks(catalog: Catalog) -> tuple[list[Decimal], list[Decimal], list[Decimal]]:
    """Where `decide` can change its answer: catalog thresholds for the estimate, share and amount of state funds."""
    estimate = {Decimal(0)}
    for entry in catalog.entries:
        estimate |= {v for v in (entry.must_trade_at, entry.must_tender_at, entry.must_open_at) if v is not None}
    share = {Decimal(0), catalog.state_funds_share, catalog.state_control_share}
    amount = {Decimal(0), catalog.state_funds_amount}
    return sorted(estimate), sorted(share), sorted(amount)


def decision_table(catalog: Catalog = DEFAULT) -> pl.DataFrame:
    """One row per (category, estimate cell, share cell, amount cell, procedure): the catalog's decision and the
    trading platform's objections to the procedure (`violations`), '；'-joined, or null."""
    estimate, share, amount = _breaks(catalog)
    rows = []
    for category, (ie, e), (is_, s), (ia, a) in product(
        Category, enumerate(estimate), enumerate(share), enumerate(amount)
    ):
        facts = Facts(category, e, s, a)
        d = decide(facts, catalog)
        for method in Method:
            found = violations(facts, procedure(method), catalog)
            rows.append(
                (
                    category.value,
                    ie,
                    is_,
                    ia,
                    method.value,
                    d.must_trade,
                    d.must_tender,
                    d.must_open,
                    "；".join(found) or None,
                    "；".join(d.reasons),
                    "；".join(d.tender_reasons),
                )
            )
    schema = [
        "category",
        "ie",
        "is",
        "ia",
        "proc",
        "must_trade",
        "must_tender",
        "must_open",
        "violation",
        "reasons",
        "tender_reasons",
    ]
    return pl.DataFrame(rows, schema=schema, orient="row")


def _cell(values: pl.Series, breaks: list[Decimal]) -> pl.Series:
    """Index of the last break ≤ value (null for null or negative values)."""
    edges = np.array([float(b) for b in breaks])
    data = values.cast(pl.Float64).to_numpy()
    index = np.searchsorted(edges, np.nan_to_num(data, nan=-1.0), side="right") - 1
    valid = np.isfinite(data) & (index >= 0)
    return pl.select(pl.when(pl.Series(valid)).then(pl.Series(index, dtype=pl.Int64))).to_series()


def with_decisions(frame: pl.DataFrame, estimate: str, catalog: Catalog = DEFAULT) -> pl.DataFrame:
    """Join the catalog's decision for each row: must_trade, must_tender, must_open, reasons and, where `proc` is a
    column, the platform's objections to that procedure (`violation`); `decided` is false where the state funds
    are unknown and could change the answer. Needs `category`, the estimate, `share` and `amount` of state funds."""
    e, s, a = _breaks(catalog)
    table = decision_table(catalog)
    if "proc" not in frame.columns:
        table = table.filter(pl.col("proc") == Method.OPEN_TENDER.value)
        frame = frame.with_columns(pl.lit(Method.OPEN_TENDER.value).alias("proc"))
    answer = pl.struct("must_trade", "must_tender", "must_open", "violation")
    spread = table.group_by("category", "ie", "proc").agg((answer.n_unique() > 1).alias("funds_matter"))
    cells = frame.with_columns(
        _cell(frame[estimate], e).alias("ie"),
        _cell(frame["share"], s).alias("is"),
        _cell(frame["amount"], a).alias("ia"),
    )
    known = pl.col("is").is_not_null() & pl.col("ia").is_not_null()
    cells = cells.with_columns(known.alias("funds_known"), pl.col("is").fill_null(0), pl.col("ia").fill_null(0))
    out = cells.join(table, on=["category", "ie", "is", "ia", "proc"], how="left").join(
        spread, on=["category", "ie", "proc"], how="left"
    )
    decided = pl.col("must_trade").is_not_null() & (pl.col("funds_known") | ~pl.col("funds_matter").fill_null(True))
    return out.with_columns(decided.alias("decided"))


def state_funds(frame: pl.DataFrame, assume_share: float | None, estimate: str) -> pl.DataFrame:
    """Add `share` and `amount` of state funds; where both are missing and `assume_share` is set, assume it."""
    share, amount = pl.col("state_funds_share"), pl.col("state_funds_amount")
    if assume_share is None:
        return frame.with_columns(share.alias("share"), amount.alias("amount"))
    missing = share.is_null() & amount.is_null()
    return frame.with_columns(
        pl.when(missing).then(pl.lit(assume_share)).otherwise(share).alias("share"),
        pl.when(missing).then(pl.col(estimate) * assume_share / 100).otherwise(amount).alias("amount"),
    )
