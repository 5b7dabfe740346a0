"""评标状态 — the life of one evaluation room."""

from __future__ import annotations

from enum import StrEnum

from ggzy.core.lifecycle import Lifecycle, Transition
from ggzy.core.roles import Role


class EvaluationStatus(StrEnum):
    SCORING = "scoring"  # 评标中：清标完成，专家独立评审
    SCORED = "scored"  # 全部专家已提交，评分揭晓
    REPORTED = "reported"  # 评标报告已生成并签入日志

    @property
    def label(self) -> str:
        return {"scoring": "评标中", "scored": "评分已全部提交", "reported": "评标报告已签署"}[self.value]


E = EvaluationStatus
EVALUATION_LIFECYCLE: Lifecycle[EvaluationStatus] = Lifecycle(
    "评标",
    [
        Transition(
            "reveal",
            "全部成员提交评分",
            E.SCORING,
            E.SCORED,
            by=frozenset({Role.EXPERT, Role.TENDERER, Role.AGENCY}),  # the last sheet may be a representative's
        ),
        Transition("report", "组长汇总并签署评标报告", E.SCORED, E.REPORTED, by=frozenset({Role.EXPERT})),
    ],
)
