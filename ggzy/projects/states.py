"""项目与标段状态 — the statuses with Chinese labels, and who may move them where."""

from __future__ import annotations

from enum import StrEnum

from ggzy.core.lifecycle import Lifecycle, Transition
from ggzy.core.roles import Role


class ProjectStatus(StrEnum):
    REGISTERED = "registered"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    TERMINATED = "terminated"

    @property
    def label(self) -> str:
        return {"registered": "已登记待受理", "accepted": "已受理", "returned": "已退回", "terminated": "已终止"}[
            self.value
        ]


class SectionStatus(StrEnum):
    PREPARING = "preparing"
    BIDDING = "bidding"
    CLOSED = "closed"
    OPENED = "opened"
    FAILED = "failed"
    TERMINATED = "terminated"

    @property
    def label(self) -> str:
        return SECTION_LABELS[self]


SECTION_LABELS = {
    SectionStatus.PREPARING: "待发布公告",
    SectionStatus.BIDDING: "投标中",
    SectionStatus.CLOSED: "投标截止，待开标",
    SectionStatus.OPENED: "已开标",
    SectionStatus.FAILED: "流标",
    SectionStatus.TERMINATED: "已终止",
}

MANAGERS = frozenset({Role.TENDERER, Role.AGENCY})
HOLDERS = frozenset({Role.OPERATOR, Role.SUPERVISOR, Role.TENDERER})

P = ProjectStatus
PROJECT_LIFECYCLE: Lifecycle[ProjectStatus] = Lifecycle(
    "项目",
    [
        Transition("accept", "受理登记", P.REGISTERED, P.ACCEPTED, by=frozenset({Role.OPERATOR})),
        Transition("return", "退回登记", P.REGISTERED, P.RETURNED, by=frozenset({Role.OPERATOR})),
        Transition("resubmit", "重新提交登记", P.RETURNED, P.REGISTERED, by=MANAGERS),
        Transition("terminate", "终止项目", P.REGISTERED, P.TERMINATED, by=MANAGERS),
        Transition("terminate", "终止项目", P.ACCEPTED, P.TERMINATED, by=MANAGERS),
    ],
)

S = SectionStatus
SECTION_LIFECYCLE: Lifecycle[SectionStatus] = Lifecycle(
    "标段",
    [
        Transition("publish", "发布招标公告", S.PREPARING, S.BIDDING, by=MANAGERS),
        Transition("close", "投标截止", S.BIDDING, S.CLOSED, timed=True),
        Transition("fail", "投标人不足，流标", S.BIDDING, S.FAILED, timed=True),
        Transition("open", "开标", S.CLOSED, S.OPENED, by=HOLDERS),
        Transition("retender", "重新招标", S.FAILED, S.PREPARING, by=MANAGERS),
        *(
            Transition("terminate", "终止招标", src, S.TERMINATED, by=MANAGERS)
            for src in (S.PREPARING, S.BIDDING, S.CLOSED, S.FAILED)
        ),
    ],
)
