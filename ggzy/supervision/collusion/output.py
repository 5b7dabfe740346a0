"""输出 — a scored market as readable lines (Chinese first) or as JSON, with each tender's top drivers."""

from __future__ import annotations

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


def drivers(contributions: NDArray[np.float64], top: int) -> list[tuple[str, float]]:
    """The `top` groups with the largest absolute contribution, largest first."""
    order = np.argsort(-np.abs(contributions), kind="stable")[:top]
    return [(GROUPS[i], float(contributions[i])) for i in order]


def scores_json(table: BidTable, scores: Scores, model_name: str) -> dict[str, Any]:
    assert scores.contributions is not None
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
            }
            for i, tender in enumerate(scores.tenders)
        ],
    }


def print_scores(table: BidTable, scores: Scores, *, top: int) -> None:
    assert scores.contributions is not None
    base = float(expit(scores.base_logit))
    click.echo(
        f"{table.name}: {len(table)} 个标段 tenders；市场熟悉度 familiarity {scores.familiarity:.2f} "
        f"(nearest: {scores.nearest_market or '—'})；先验 prior {scores.prior:.2f}；"
        f"中位标段概率 median tender {base:.2f}"
    )
    click.echo("贡献为对数几率，相对于本市场的中位标段 (contributions in log-odds against the market's median tender)")
    click.echo(f"{'标段 tender':16}{'报价数 bids':>12}{'串标概率 p':>12}  判定 flag    主要因素 drivers")
    order = np.argsort(-scores.probability, kind="stable")
    for i in order:
        flag = "串标嫌疑 suspect" if scores.flagged[i] else "—"
        why = "，".join(f"{GROUP_NAMES[g]} {v:+.2f}" for g, v in drivers(scores.contributions[i], top))
        click.echo(f"{scores.tenders[i]:16}{table.bids[i].size:>12}{scores.probability[i]:>12.3f}  {flag:12}{why}")
