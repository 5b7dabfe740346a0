"""预警状态 — the life of an alert, and how serious it is."""

from __future__ import annotations

from enum import StrEnum

from ggzy.core.lifecycle import Lifecycle, Transition
from ggzy.core.roles import Role


class AlertStatus(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    INVESTIGATING = "investigating"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"

    @property
    def label(self) -> str:
        return {
            "new": "新预警",
            "assigned": "已分派",
            "investigating": "核查中",
            "confirmed": "已查实",
            "dismissed": "已排除",
        }[self.value]


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def label(self) -> str:
        return {"high": "高", "medium": "中", "low": "低"}[self.value]

    @property
    def weight(self) -> int:
        return {"high": 3, "medium": 2, "low": 1}[self.value]


HANDLERS = frozenset({Role.SUPERVISOR, Role.SECTOR_SUPERVISOR})
A = AlertStatus
ALERT_LIFECYCLE: Lifecycle[AlertStatus] = Lifecycle(
    "预警",
    [
        Transition("assign", "分派核查人员", A.NEW, A.ASSIGNED, by=HANDLERS),
        Transition("assign", "改派核查人员", A.ASSIGNED, A.ASSIGNED, by=HANDLERS),
        Transition("investigate", "开始核查", A.ASSIGNED, A.INVESTIGATING, by=HANDLERS),
        Transition("confirm", "查实", A.INVESTIGATING, A.CONFIRMED, by=HANDLERS),
        Transition("dismiss", "排除", A.NEW, A.DISMISSED, by=HANDLERS),
        Transition("dismiss", "排除", A.ASSIGNED, A.DISMISSED, by=HANDLERS),
        Transition("dismiss", "排除", A.INVESTIGATING, A.DISMISSED, by=HANDLERS),
    ],
)
