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
    PUBLICITY = "publicity"
    AWARDED = "awarded"
    CONTRACTED = "contracted"
    ARCHIVED = "archived"
    FAILED = "failed"
    TERMINATED = "terminated"

    @property
    def label(self) -> str:
        return SECTION_LABELS[self]

    @property
    def opened(self) -> bool:
        """The bids have been opened (the opening record is out): true from 已开标 to 已归档."""
        return self in OPENED_OR_LATER


SECTION_LABELS = {
    SectionStatus.PREPARING: "待发布公告",
    SectionStatus.BIDDING: "投标中",
    SectionStatus.CLOSED: "投标截止，待开标",
    SectionStatus.OPENED: "已开标",
    SectionStatus.PUBLICITY: "中标候选人公示中",
    SectionStatus.AWARDED: "已定标",
    SectionStatus.CONTRACTED: "已签约",
    SectionStatus.ARCHIVED: "已归档",
    SectionStatus.FAILED: "流标",
    SectionStatus.TERMINATED: "已终止",
}

# After the opening: publicity (条例 art. 54), award (招标投标法 art. 45), contract (art. 46),
# archive (电子办法 art. 56).
OPENED_OR_LATER = frozenset(
    {
        SectionStatus.OPENED,
        SectionStatus.PUBLICITY,
        SectionStatus.AWARDED,
        SectionStatus.CONTRACTED,
        SectionStatus.ARCHIVED,
    }
)
OPENED_OR_LATER_VALUES = tuple(sorted(s.value for s in OPENED_OR_LATER))

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
        Transition("terminate", "终止项目", P.RETURNED, P.TERMINATED, by=MANAGERS),
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
        Transition("publicize", "公示中标候选人", S.OPENED, S.PUBLICITY, by=MANAGERS),
        Transition("award", "确定中标人，发出中标通知书", S.PUBLICITY, S.AWARDED, by=MANAGERS),
        # the second signature makes the contract: the tenderer's or the winner's
        Transition("contract", "签订合同", S.AWARDED, S.CONTRACTED, by=MANAGERS | {Role.BIDDER}),
        Transition("archive", "封存交易档案", S.CONTRACTED, S.ARCHIVED, timed=True),
        Transition("retender", "重新招标", S.FAILED, S.PREPARING, by=MANAGERS),
        *(
            Transition("terminate", "终止招标", src, S.TERMINATED, by=MANAGERS)
            for src in (S.PREPARING, S.BIDDING, S.CLOSED, S.FAILED)
        ),
    ],
)
