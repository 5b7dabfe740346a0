"""案件状态 — kinds, matters, statuses and outcomes of a case, with Chinese labels."""

from __future__ import annotations

from enum import StrEnum

from ggzy.core.i18n import N_


class CaseKind(StrEnum):
    OBJECTION = "objection"  # 异议 (works) / 质疑 (procurement), to the tenderer or purchaser
    COMPLAINT = "complaint"  # 投诉, to the regulator

    def label_for(self, regime: str) -> str:
        if self is CaseKind.COMPLAINT:
            return N_("投诉")
        return N_("质疑") if regime == "procurement" else N_("异议")


class Matter(StrEnum):
    DOCUMENTS = "documents"
    PREQUALIFICATION = "prequalification"
    OPENING = "opening"
    RESULT = "result"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "documents": N_("招标（采购）文件"),
            "prequalification": N_("资格预审文件"),
            "opening": N_("开标"),
            "result": N_("评标结果（中标候选人）"),
            "other": N_("其他事项"),
        }[self.value]

    @property
    def needs_objection_first(self) -> bool:
        """条例 art. 60: for these matters a complaint needs an objection first."""
        return self is not Matter.OTHER


class CaseStatus(StrEnum):
    FILED = "filed"  # objection awaiting its answer; complaint awaiting acceptance
    ANSWERED = "answered"  # objection answered
    ACCEPTED = "accepted"  # complaint accepted, being handled
    REFUSED = "refused"  # complaint not accepted
    DECIDED = "decided"  # complaint decided
    COMPLIED = "complied"  # decided and its remedy carried out

    @property
    def label(self) -> str:
        return {
            "filed": N_("已提出，待处理"),
            "answered": N_("已答复"),
            "accepted": N_("已受理，处理中"),
            "refused": N_("不予受理"),
            "decided": N_("已作出处理决定"),
            "complied": N_("已按决定整改"),
        }[self.value]


class Outcome(StrEnum):
    DISMISSED = "dismissed"
    UPHELD = "upheld"

    @property
    def label(self) -> str:
        return {"dismissed": N_("驳回投诉"), "upheld": N_("投诉成立")}[self.value]


class Remedy(StrEnum):
    NONE = "none"
    CORRECT_DOCUMENTS = "correct_documents"
    REEVALUATE = "reevaluate"
    RETENDER = "retender"
    VOID_AWARD = "void_award"

    @property
    def label(self) -> str:
        return {
            "none": N_("无"),
            "correct_documents": N_("责令修改招标（采购）文件并澄清"),
            "reevaluate": N_("责令重新评审"),
            "retender": N_("责令重新招标（采购）"),
            "void_award": N_("确认中标（成交）结果无效"),
        }[self.value]


class EntryKind(StrEnum):
    STATEMENT = "statement"
    EVIDENCE = "evidence"
    QUESTION = "question"
    ANSWER = "answer"
    GUIDANCE = "guidance"
    FORWARDED = "forwarded"
    NOTICE = "notice"  # what the platform tells the parties (acceptance, pauses, decisions)

    @property
    def label(self) -> str:
        return {
            "statement": N_("陈述"),
            "evidence": N_("证据材料"),
            "question": N_("询问"),
            "answer": N_("答复"),
            "guidance": N_("交易中心指导"),
            "forwarded": N_("转送告知"),
            "notice": N_("告知"),
        }[self.value]


class ClockKind(StrEnum):
    ANSWER = "answer"
    ACCEPT = "accept"
    DECIDE = "decide"

    @property
    def label(self) -> str:
        return {"answer": N_("答复期限"), "accept": N_("受理审查期限"), "decide": N_("处理决定期限")}[self.value]
