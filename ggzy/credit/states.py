"""信用状态 — trade classes a sanction limits, the states of a record, where a check is made."""

from __future__ import annotations

from enum import StrEnum


class TradeClass(StrEnum):
    PROCUREMENT = "procurement"  # 政府采购
    STATE_WORKS = "state_works"  # 国有资金投资的工程建设项目招标投标
    LAND = "land"  # 土地使用权和矿业权出让

    @property
    def label(self) -> str:
        return {"procurement": "政府采购", "state_works": "国有资金投资工程招标投标", "land": "土地矿业权出让"}[
            self.value
        ]


class RecordStatus(StrEnum):
    NOTIFIED = "notified"  # written notice given, not yet listed (河南省社会信用条例 art. 28)
    LISTED = "listed"
    REVOKED = "revoked"  # an objection found it wrong
    REPAIRED = "repaired"  # credit repaired: no longer shown

    @property
    def label(self) -> str:
        return {
            "notified": "已书面告知，待列入",
            "listed": "已列入",
            "revoked": "经异议撤销",
            "repaired": "已信用修复",
        }[self.value]


class RecordSource(StrEnum):
    DECISION = "decision"  # a regulator's decision or sanction
    COMPLAINT = "complaint"  # a complaint's outcome (false or malicious complaint)
    ALERT = "alert"  # a confirmed supervision alert
    IMPORT = "import"  # an imported list
    PERFORMANCE = "performance"  # contract performance

    @property
    def label(self) -> str:
        return {
            "decision": "行政监督部门处理处罚决定",
            "complaint": "投诉处理结果",
            "alert": "监管预警查实",
            "import": "外部名单导入",
            "performance": "合同履约评价",
        }[self.value]


class Step(StrEnum):
    REGISTRATION = "registration"
    BID = "bid"
    DEPOSIT = "deposit"
    GUARANTEE = "guarantee"
    EVALUATION = "evaluation"
    AWARD = "award"

    @property
    def label(self) -> str:
        return {
            "registration": "报名",
            "bid": "递交投标文件",
            "deposit": "缴纳投标保证金",
            "guarantee": "提交投标保函",
            "evaluation": "评标",
            "award": "定标",
        }[self.value]

    @property
    def refuses(self) -> bool:
        """At registration the sanction is a warning; from the bid on it refuses (issue #12, 6)."""
        return self is not Step.REGISTRATION


class Outcome(StrEnum):
    CLEAR = "clear"
    WARNED = "warned"
    REFUSED = "refused"
    FLAGGED = "flagged"  # found at evaluation or award: recorded with the report, the bid is excluded

    @property
    def label(self) -> str:
        return {"clear": "未见限制", "warned": "提示", "refused": "拒绝", "flagged": "否决并记录"}[self.value]


LISTS = {
    "dishonest_debtors": "失信被执行人名单（最高人民法院）",
    "tax_offenders": "重大税收违法失信主体名单（税务总局）",
    "procurement_misconduct": "政府采购严重违法失信行为记录名单（财政部）",
}
