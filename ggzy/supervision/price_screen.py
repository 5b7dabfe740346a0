"""开标即筛 — score an opened section's prices with the collusion model, against the platform's own history.

The model (`ggzy collusion train`, configured by GGZY_COLLUSION_MODEL) ranks a tender's screens within its
market; here the market is every section opened on this platform, so a section is judged against its peers.
A section scored at or above the model's decision point becomes an alert with the screens that drove it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.bidding.models import Bid
from ggzy.projects.models import Project, Section
from ggzy.projects.states import OPENED_OR_LATER_VALUES
from ggzy.supervision.service import Finding
from ggzy.supervision.states import Severity

FLAG_ID = "S01"
LEGAL_BASIS = (
    "《招标投标法实施条例》第39条、第40条（投标人之间协商投标报价、投标报价呈规律性差异）；"
    "价格筛查：Huber & Imhof (2019), Wallimann, Imhof & Huber (2022)"
)
TOP = 3  # the screens named in an alert's evidence


def _platform_bids(session: Session) -> pl.DataFrame:
    """Every opened price of every opened section, with the section's estimate as the pre-tender estimate."""
    rows = session.execute(
        select(Bid.section_id, Bid.price, Section.estimate)
        .join(Section, Section.id == Bid.section_id)
        .where(
            Section.status.in_(OPENED_OR_LATER_VALUES),
            Bid.opened_at.is_not(None),
            Bid.round == Section.round,
            Bid.price.is_not(None),
        )
        .order_by(Bid.section_id, Bid.submitted_at)
    ).all()
    return pl.DataFrame(
        {
            "tender": [r[0] for r in rows],
            "bid": [str(r[1]) for r in rows],
            "pte": [str(r[2]) for r in rows],
        },
        schema={"tender": pl.String, "bid": pl.String, "pte": pl.String},
    )


def score_section(session: Session, section: Section, model_path: Path) -> dict[str, Any] | None:
    """The section's collusion probability and its drivers, or None when it cannot be screened (< 3 prices)."""
    from ggzy.supervision.collusion.bids import table_from_frame
    from ggzy.supervision.collusion.features import GROUPS
    from ggzy.supervision.collusion.output import GROUP_NAMES, drivers
    from ggzy.supervision.collusion.store import load_model

    model = load_model(model_path)
    table = table_from_frame(_platform_bids(session), {"tender": "tender", "bid": "bid", "pte": "pte"}, name="platform")
    if section.id not in table.tenders:
        return None
    at = table.tenders.index(section.id)
    target = table.subset(np.array([at]))
    others = np.array([i for i in range(len(table)) if i != at], dtype=np.intp)
    reference = table.subset(others) if others.size else None
    scores = model.score(target, explain_groups=True, reference=reference)
    assert scores.contributions is not None and scores.percentiles is not None
    groups = list(GROUPS)
    return {
        "probability": round(float(scores.probability[0]), 4),
        "flagged": bool(scores.flagged[0]),
        "bids": int(target.bids[0].size),
        "market_sections": len(table),
        "familiarity": round(float(scores.familiarity), 4),
        "drivers": [
            {
                "screen": GROUP_NAMES[g],
                "percentile": round(float(scores.percentiles[0][groups.index(g)]), 4),
                "log_odds": round(v, 4),
            }
            for g, v in drivers(scores.contributions[0], TOP)
        ],
    }


def findings(session: Session, section: Section, project: Project, model_path: Path) -> list[Finding]:
    result = score_section(session, section, model_path)
    if result is None or not result["flagged"]:
        return []
    subject = f"{project.name}（{section.name}）"
    return [
        Finding(
            flag_id=FLAG_ID,
            title=f"报价筛查显示围标串标可能（{result['probability']:.0%}）：{subject}",
            severity=Severity.HIGH,
            legal_basis=LEGAL_BASIS,
            subject=subject,
            source="platform",
            evidence=result,
            project_id=project.id,
            section_id=section.id,
            sector=project.sector,
            region=project.region,
            dedup="price-screen",
        )
    ]
