"""接入平台查询 — the register, the pushed trades for the portal, and each platform's raw figures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.core.errors import NotFound
from ggzy.federation.models import Platform, PushedRelease, PushedTrade, Refusal
from ggzy.rules import federation as law


def platforms(session: Session) -> list[Platform]:
    return list(session.execute(select(Platform).order_by(Platform.created_at)).scalars())


def trades(session: Session, *, limit: int = 100, offset: int = 0) -> list[tuple[PushedTrade, Platform]]:
    q = (
        select(PushedTrade, Platform)
        .join(Platform, Platform.id == PushedTrade.platform_id)
        .order_by(PushedTrade.last_at.desc(), PushedTrade.ocid)
        .limit(limit)
        .offset(offset)
    )
    return [(t, p) for t, p in session.execute(q).all()]


def trade(session: Session, ocid: str) -> tuple[PushedTrade, Platform, list[PushedRelease]]:
    t = session.get(PushedTrade, ocid)
    if t is None:
        raise NotFound("未找到该接入平台交易", code="no-such-trade")
    p = session.get(Platform, t.platform_id)
    assert p is not None
    rels = session.execute(
        select(PushedRelease).where(PushedRelease.ocid == ocid).order_by(PushedRelease.released_at)
    ).scalars()
    return t, p, list(rels)


def _percentile(sorted_values: list[int], q: float) -> int | None:
    if not sorted_values:
        return None
    i = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[i]


@dataclass
class Figures:
    """A platform's raw figures for its assessment: arrivals, lateness, refusals by reason, clock skew."""

    platform: Platform
    releases: int = 0
    trades: int = 0
    lag_median: int | None = None  # seconds from release.date to receipt
    lag_p90: int | None = None
    lag_max: int | None = None
    late_over_day: int = 0  # releases received more than a day after their event
    refused: int = 0
    by_reason: list[tuple[str, int]] = field(default_factory=list)
    skewed: int = 0  # releases pushed with a clock off by more than the tolerance (accepted)
    skew_max: int = 0
    recent_refusals: list[Refusal] = field(default_factory=list)

    @property
    def refused_share(self) -> str:
        total = self.releases + self.refused
        return f"{self.refused}/{total}" if total else "0/0"


def figures(session: Session, platform: Platform) -> Figures:
    f = Figures(platform)
    lags = sorted(
        session.execute(select(PushedRelease.lag_seconds).where(PushedRelease.platform_id == platform.id)).scalars()
    )
    f.releases = len(lags)
    f.lag_median, f.lag_p90, f.lag_max = _percentile(lags, 0.5), _percentile(lags, 0.9), (lags[-1] if lags else None)
    f.late_over_day = sum(1 for x in lags if x > 86_400)
    f.trades = int(
        session.scalar(select(func.count()).select_from(PushedTrade).where(PushedTrade.platform_id == platform.id)) or 0
    )
    reasons = Counter(session.execute(select(Refusal.reason).where(Refusal.platform_id == platform.id)).scalars())
    f.refused = sum(reasons.values())
    f.by_reason = reasons.most_common()
    tol = int(law.CLOCK_SKEW_TOLERANCE.value)
    skews = list(
        session.execute(select(PushedRelease.skew_seconds).where(PushedRelease.platform_id == platform.id)).scalars()
    )
    f.skewed = sum(1 for s in skews if abs(s) > tol)
    f.skew_max = max((abs(s) for s in skews), default=0)
    f.recent_refusals = list(
        session.execute(
            select(Refusal).where(Refusal.platform_id == platform.id).order_by(Refusal.at.desc()).limit(20)
        ).scalars()
    )
    return f


def unknown_refusals(session: Session) -> int:
    """Pushes refused before any platform was known (an unregistered code): illegal platforms knocking."""
    return int(session.scalar(select(func.count()).select_from(Refusal).where(Refusal.platform_id.is_(None))) or 0)
