"""Builders for hand-made OCDS releases and a one-call run of the Cardinal flags over them."""

from __future__ import annotations

from typing import Any

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
