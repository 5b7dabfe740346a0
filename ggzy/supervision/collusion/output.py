"""输出 — a scored market as readable lines (Chinese first) or as JSON, with each tender's top drivers."""

from __future__ import annotations

import unicodedata
from typing import Any

import click
import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from ggzy.supervision.collusion.bids import BidTable
from ggzy.supervision.collusion.features import GROUPS
from ggzy.supervision.collusion.model import Scores

GROUP_NAMES: dict[str, str] = {
    "CV": "变异系数 CV",
    "SPD": "价差率 SPD",
    "DIFFP": "最低两价差 DIFFP",
    "RD": "相对距离 RD",
    "RDNOR": "归一化距离 RDNOR",
    "RDALT": "替代相对距离 RDALT",
    "KURT": "峰度 KURT",
    "SKEW": "偏度 SKEW",
    "KS": "KS 统计量",
    "NBIDS": "投标人数 bids",
    "PTE": "最低价/控制价 PTE",
}


def width(text: str) -> int:
    """Columns the text takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int, *, right: bool = False) -> str:
    """Pad to `columns` terminal columns (left-aligned, or right-aligned with `right`)."""
    fill = " " * max(columns - width(text), 0)
    return fill + text if right else text + fill


def drivers(contributions: NDArray[np.float64], top: int) -> list[tuple[str, float]]:
    """The `top` groups with the largest absolute contribution, largest first."""
    order = np.argsort(-np.abs(contributions), kind="stable")[:top]
    return [(GROUPS[i], float(contributions[i])) for i in order]


def scores_json(table: BidTable, scores: Scores, model_name: str) -> dict[str, Any]:
    assert scores.contributions is not None
    assert scores.percentiles is not None
    percentiles = scores.percentiles
    return {
        "model": model_name,
        "file": table.name,
        "familiarity": round(scores.familiarity, 4),
        "nearest_market": scores.nearest_market,
        "prior": round(scores.prior, 4),
        "median_tender_probability": float(expit(scores.base_logit)),
        "skipped": dict(table.skipped),
        "tenders": [
            {
                "tender": tender,
                "bids": int(table.bids[i].size),
                "probability": float(scores.probability[i]),
                "collusive": bool(scores.flagged[i]),
                "logit": float(scores.logit[i]),
                "contributions": {g: round(v, 4) for g, v in drivers(scores.contributions[i], len(GROUPS))},
                "market_percentiles": {g: round(float(p), 4) for g, p in zip(GROUPS, percentiles[i], strict=True)},
            }
            for i, tender in enumerate(scores.tenders)
        ],
    }


def describe(group: str, contribution: float, percentile: float) -> str:
    """`变异系数 CV 低(8%) +0.47`: the screen, where the tender stands in its market, and what that did."""
    level = "低" if percentile < 0.5 else "高"
    return f"{GROUP_NAMES[group]} {level}({percentile:.0%}) {contribution:+.2f}"


def print_scores(table: BidTable, scores: Scores, *, top: int) -> None:
    assert scores.contributions is not None
    assert scores.percentiles is not None
    base = float(expit(scores.base_logit))
    click.echo(
        f"{table.name}: {len(table)} 个标段 tenders；市场熟悉度 familiarity {scores.familiarity:.2f} "
        f"(nearest: {scores.nearest_market or '—'})；先验 prior {scores.prior:.2f}；"
        f"中位标段概率 median tender {base:.2f}"
    )
    click.echo(
        "主要因素：筛查指标在本市场中的高低（百分位）及其对对数几率的贡献，相对于本市场的中位标段 "
        "(drivers: where the screen stands in the market, and its contribution in log-odds against the median tender)"
    )
    click.echo(
        pad("标段 tender", 18)
        + pad("报价数 bids", 13, right=True)
        + pad("串标概率 p", 12, right=True)
        + "  "
        + pad("嫌疑 flag", 11)
        + "主要因素 drivers"
    )
    for i in np.argsort(-scores.probability, kind="stable"):
        flag = "是 yes" if scores.flagged[i] else "否 no"
        pct = scores.percentiles[i]
        why = "，".join(describe(g, v, pct[GROUPS.index(g)]) for g, v in drivers(scores.contributions[i], top))
        click.echo(
            pad(scores.tenders[i], 18)
            + f"{table.bids[i].size:>13}{scores.probability[i]:>12.3f}  "
            + pad(flag, 11)
            + why
        )
