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
    RETURNED = "returned"  # held money sent back to the account it came from (never counted as security)

    @property
    def label(self) -> str:
        return {
            "accepted": "已到账（基本账户）",
            "held": "已到账但非基本账户，待核实",
            "returned": "非基本账户来款，已退回付款账户",
        }[self.value]


class RefundReason(StrEnum):
    WITHDRAWN = "withdrawn"
    CONCLUDED = "concluded"
    ENDED = "ended"  # the tender failed (流标) or was terminated
    HELD = "held"  # stored as "held:<digest of the payment>": one return per held payment

    @property
    def label(self) -> str:
        return {
            "withdrawn": "截止前撤回投标",
            "concluded": "交易结束",
            "ended": "流标或终止招标",
            "held": "非基本账户来款，退回付款账户",
        }[self.value]

    @classmethod
    def of(cls, stored: str) -> RefundReason:
        """The reason of a stored refund (a held payment's return carries its payment's digest)."""
        return cls.HELD if stored.startswith("held:") else cls(stored)


class GuaranteeStatus(StrEnum):
    VALID = "valid"
    RELEASED = "released"  # open guarantee: released by the platform at the end of the trade
    SURRENDERING = "surrendering"  # integrated: the surrender message is on its way to the issuer
    SURRENDERED = "surrendered"  # integrated: the issuer confirmed the surrender
    CLAIMING = "claiming"  # a claim was decided and is on its way (or with the beneficiary, for an open one)
    CLAIMED = "claimed"  # the issuer accepted the claim
    CLAIM_REFUSED = "claim_refused"  # the issuer refused the claim (its reason is recorded)

    @property
    def label(self) -> str:
        return {
            "valid": "有效",
            "released": "交易结束，已解除担保责任（开放式保函，平台已通知）",
            "surrendering": "交易结束，退保通知已发往出具机构，待机构确认",
            "surrendered": "交易结束，已退保（出具机构已确认）",
            "claiming": "已决定索赔，待出具机构答复",
            "claimed": "出具机构已受理索赔并赔付",
            "claim_refused": "出具机构拒绝索赔",
        }[self.value]


class MessageStatus(StrEnum):
    PENDING = "pending"  # decided, not yet sent
    SENT = "sent"  # sent; no answer yet (or the answer was lost): asked again before sending again
    FAILED = "failed"  # a surrender the issuer refused: sent again later under the same message id
    DONE = "done"  # the issuer confirmed (a release needs nobody's confirmation)
    REFUSED = "refused"  # the issuer refused a claim: final, never sent again
    OFFLINE = "offline"  # a claim on an open guarantee: the beneficiary claims with the paper itself

    @property
    def label(self) -> str:
        return {
            "pending": "待发送",
            "sent": "已发送，待机构答复",
            "failed": "机构退回，待重发",
            "done": "已完成",
            "refused": "机构拒绝",
            "offline": "开放式保函，由受益人持保函向出具机构索赔",
        }[self.value]


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
