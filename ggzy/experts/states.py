"""专家与抽取状态 — an expert's standing in the pool, a draw's progress, an invitation's answer."""

from __future__ import annotations

from enum import StrEnum


class ExpertStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REMOVED = "removed"

    @property
    def label(self) -> str:
        return {"active": "正常", "suspended": "暂停", "removed": "除名"}[self.value]


class DrawStatus(StrEnum):
    COMMITTED = "committed"  # the eligible list and the seed's sources are committed in the log; seed not yet known
    CALLING = "calling"  # drawn: experts are being called and answer
    COMPLETE = "complete"  # every seat accepted
    SHORT = "short"  # a seat could not be filled from what was left: the shortfall is recorded

    @property
    def label(self) -> str:
        return {
            "committed": "已承诺，待随机种子",
            "calling": "已抽取，通知专家中",
            "complete": "抽取完成",
            "short": "专家不足，抽取未完成",
        }[self.value]

    @property
    def active(self) -> bool:
        return self in (DrawStatus.COMMITTED, DrawStatus.CALLING, DrawStatus.COMPLETE)


class InvitationStatus(StrEnum):
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"  # no answer in time

    @property
    def label(self) -> str:
        return {"invited": "待答复", "accepted": "已接受", "declined": "已拒绝", "expired": "未答复（超时）"}[
            self.value
        ]


class RelationKind(StrEnum):
    FORMER_EMPLOYER = "former_employer"  # an employer of the last years
    RELATIVE_EMPLOYER = "relative_employer"  # a close relative's employer

    @property
    def label(self) -> str:
        return {"former_employer": "曾任职单位", "relative_employer": "近亲属工作单位"}[self.value]
