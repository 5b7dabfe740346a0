"""Builders for hand-made OCDS releases and a one-call run of the Cardinal flags over them."""

from __future__ import annotations

from typing import Any

import polars as pl

from ggzy.supervision.analyze.cardinal_json import Results, build_results, dumps
from ggzy.supervision.analyze.pipeline import run_flags
from ggzy.supervision.flags.base import Outcome
from ggzy.supervision.flags.cardinal.settings import load_settings
from ggzy.supervision.ocds.tables import build_tables


def a_bid(
    tenderer: str | list[str] | None, amount: float | None = None, status: str = "valid", **extra: Any
) -> dict[str, Any]:
    bid: dict[str, Any] = {"status": status, **extra}
    if tenderer is not None:
        names = [tenderer] if isinstance(tenderer, str) else tenderer
        bid["tenderers"] = [{"id": name} for name in names]
    if amount is not None:
        bid["value"] = {"amount": amount, "currency": extra.pop("currency", "USD")}
    return bid


def an_award(*suppliers: str, status: str = "active", **extra: Any) -> dict[str, Any]:
    return {"status": status, "suppliers": [{"id": s} for s in suppliers], **extra}


def a_release(
    ocid: str, *, bids: list[dict[str, Any]] | None = None, awards: list[dict[str, Any]] | None = None, **fields: Any
) -> dict[str, Any]:
    release: dict[str, Any] = {"ocid": ocid, **fields}
    if bids is not None:
        release["bids"] = {"details": bids}
    if awards is not None:
        release["awards"] = awards
    return release


def a_price_race(ocid: str, won: float, lost: float, winner: str = "W", loser: str = "L") -> dict[str, Any]:
    """Two valid bids, the lower one awarded."""
    return a_release(ocid, bids=[a_bid(winner, won), a_bid(loser, lost)], awards=[an_award(winner)])


def run(releases: list[dict[str, Any]], ini: str) -> Results:
    _, hits, _ = run_flags(build_tables(releases), load_settings(ini))
    return build_results(hits)


def run_json(releases: list[dict[str, Any]], ini: str) -> str:
    return dumps(run(releases, ini))


def outcome(releases: list[dict[str, Any]], ini: str, code: str) -> Outcome:
    outcomes, _, _ = run_flags(build_tables(releases), load_settings(ini))
    return outcomes[code]


def run_family(
    releases: list[dict[str, Any]], ini: str, approvals: pl.DataFrame | None = None
) -> tuple[dict[str, Outcome], pl.DataFrame]:
    outcomes, hits, _ = run_flags(build_tables(releases), load_settings(ini), approvals=approvals)
    return outcomes, hits


def flagged(
    releases: list[dict[str, Any]], code: str, group: str = "OCID", ini: str = "", approvals: pl.DataFrame | None = None
) -> dict[str, float]:
    """id → value of one indicator's results for one group (the flag's section is added to `ini`)."""
    _, hits = run_family(releases, f"[{code}]\n{ini}", approvals)
    rows = hits.filter((pl.col("indicator") == code) & (pl.col("group") == group))
    return dict(zip(rows["key"].to_list(), rows["value"].to_list(), strict=True))


def evidence(releases: list[dict[str, Any]], code: str, ini: str = "") -> list[str]:
    _, hits = run_family(releases, f"[{code}]\n{ini}")
    return hits.filter(pl.col("indicator") == code)["evidence"].drop_nulls().to_list()


def skipped(releases: list[dict[str, Any]], code: str, ini: str = "") -> int:
    """How many releases (or groups) the flag skipped for missing data."""
    outcomes, _ = run_family(releases, f"[{code}]\n{ini}")
    return sum(outcomes[code].skipped.values())


def a_tender(
    ocid: str,
    details: str | None = "公开招标",
    category: str | None = "works",
    *,
    start: str | None = "2024-03-01T09:00:00+08:00",
    end: str | None = "2024-03-25T09:00:00+08:00",
    amount: float | None = 1_000_000.0,
    ext: dict[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A release with a tender: procedure name, main category, tender period, value (CNY) and the ggzy extension."""
    tender: dict[str, Any] = {"tenderPeriod": {k: v for k, v in (("startDate", start), ("endDate", end)) if v}}
    if details is not None:
        tender["procurementMethodDetails"] = details
    if category is not None:
        tender["mainProcurementCategory"] = category
    if amount is not None:
        tender["value"] = {"amount": amount, "currency": "CNY"}
    if ext is not None:
        tender["ggzySupervision"] = ext
    tender |= fields.pop("tender", {})
    return a_release(ocid, tender=tender, **fields)
