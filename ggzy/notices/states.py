"""公告类别 — the kinds of notice, their Chinese names and number prefixes."""

from __future__ import annotations

from enum import StrEnum


class NoticeKind(StrEnum):
    TENDER = "tender"
    CLARIFICATION = "clarification"
    OPENING = "opening"
    FAILED = "failed"
    TERMINATION = "termination"
    CANDIDATES = "candidates"
    RESULT = "result"
    CONTRACT = "contract"
    DECISION = "decision"

    @property
    def label(self) -> str:
        return {
            "tender": "招标公告",
            "clarification": "澄清/修改公告",
            "opening": "开标记录",
            "failed": "流标公告",
            "termination": "终止公告",
            "candidates": "中标候选人公示",
            "result": "中标结果公告",
            "contract": "合同公告",
            "decision": "投诉处理决定",
        }[self.value]

    @property
    def prefix(self) -> str:
        return {
            "tender": "ZBGG",
            "clarification": "CQGG",
            "opening": "KBJL",
            "failed": "LBGG",
            "termination": "ZZGG",
            "candidates": "HXGS",
            "result": "ZBJG",
            "contract": "HTGG",
            "decision": "TSJD",
        }[self.value]
