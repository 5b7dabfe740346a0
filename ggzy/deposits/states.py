"""保证金状态 — payments, refunds and the ledger's account kinds, with their Chinese labels."""

from __future__ import annotations

from enum import StrEnum


class AccountKind(StrEnum):
    BANK = "bank"  # the section's money at the partner bank (asset)
    PAYABLE = "payable"  # what the platform owes a bidder for a section (liability)
    INTEREST = "interest"  # interest owed to a bidder (liability)
    INTEREST_INCOME = "interest_income"  # interest the bank credited to the section (its source)
    TRANSIT = "transit"  # a refund instructed to the bank and not yet confirmed
    SUSPENSE = "suspense"  # money held for review (wrong payer account, unknown sub-account)
    FORFEITED = "forfeited"  # security kept where the law allows it

    @property
    def label(self) -> str:
        return {
            "bank": "银行子账户",
            "payable": "应退投标人保证金",
            "interest": "应付利息",
            "interest_income": "银行结息",
            "transit": "退款在途",
            "suspense": "待核实款项",
            "forfeited": "不予退还保证金",
        }[self.value]


class PaymentStatus(StrEnum):
    ACCEPTED = "accepted"
    HELD = "held"

    @property
    def label(self) -> str:
        return {"accepted": "已到账（基本账户）", "held": "已到账但非基本账户，待核实"}[self.value]


class RefundReason(StrEnum):
    WITHDRAWN = "withdrawn"
    CONCLUDED = "concluded"

    @property
    def label(self) -> str:
        return {"withdrawn": "截止前撤回投标", "concluded": "交易结束"}[self.value]


class RefundStatus(StrEnum):
    PREPARED = "prepared"  # the money is in transit in the ledger; the bank has not been told yet
    SENT = "sent"  # the instruction went out; no answer yet (or the answer was lost)
    FAILED = "failed"  # the bank refused; it will be sent again with the same instruction id
    CONFIRMED = "confirmed"  # the bank confirmed the transfer

    @property
    def label(self) -> str:
        return {
            "prepared": "待发送银行",
            "sent": "已发送，待银行确认",
            "failed": "银行退回，待重试",
            "confirmed": "已退还",
        }[self.value]
