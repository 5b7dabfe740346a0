"""公告类别 — the kinds of notice, their Chinese names and number prefixes."""

from __future__ import annotations

from enum import StrEnum


class NoticeKind(StrEnum):
    TENDER = "tender"
    CLARIFICATION = "clarification"
    OPENING = "opening"
    FAILED = "failed"
    TERMINATION = "termination"

    @property
    def label(self) -> str:
        return {
            "tender": "招标公告",
            "clarification": "澄清/修改公告",
            "opening": "开标记录",
            "failed": "流标公告",
            "termination": "终止公告",
        }[self.value]

    @property
    def prefix(self) -> str:
        return {"tender": "ZBGG", "clarification": "CQGG", "opening": "KBJL", "failed": "LBGG", "termination": "ZZGG"}[
            self.value
        ]
