"""合作银行 — the bank behind a Protocol: refund instructions, their status, and signed callbacks.

The platform never moves money itself: it instructs the partner bank and waits for its answer. Every
instruction carries the platform's instruction id, which the bank treats as its idempotency key
(业务流水号), so sending the same instruction again after a lost answer or a crash pays once.
`FakeBank` is the in-process bank of tests and the demo; it can refuse, time out, lose its answer and
answer twice.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, Protocol

from ggzy.core.errors import DomainError, Unauthenticated

Outcome = Literal["done", "rejected"]


class BankTimeout(Exception):
    """The bank did not answer in time: whether it acted is unknown until it is asked again."""


@dataclass(frozen=True)
class Instruction:
    instruction_id: str
    from_sub_account: str
    to_account: str
    amount_fen: int
    memo: str


@dataclass(frozen=True)
class BankAnswer:
    instruction_id: str
    outcome: Outcome
    bank_ref: str = ""
    reason: str = ""


class Bank(Protocol):
    def instruct(self, instruction: Instruction) -> BankAnswer:
        """Carry out (once per instruction id) or refuse; may raise BankTimeout."""
        ...

    def status(self, instruction_id: str) -> BankAnswer | None:
        """What became of an instruction (None: the bank never received it)."""
        ...


@dataclass
class FakeBank:
    """An in-process bank. `refuse`, `timeout` and `lose_answer` make the next calls misbehave."""

    refuse: int = 0  # refuse the next N new instructions
    timeout: int = 0  # time out before acting on the next N calls
    lose_answer: int = 0  # act, then time out (the answer is lost) on the next N calls
    paid: dict[str, Instruction] = field(default_factory=dict)
    transfers: list[Instruction] = field(default_factory=list)  # every payment actually made
    calls: int = 0

    def instruct(self, instruction: Instruction) -> BankAnswer:
        self.calls += 1
        if self.timeout > 0:
            self.timeout -= 1
            raise BankTimeout(instruction.instruction_id)
        done = self.paid.get(instruction.instruction_id)
        if done is not None:
            if done != instruction:
                return BankAnswer(instruction.instruction_id, "rejected", reason="同一业务流水号的指令内容不一致")
            return BankAnswer(instruction.instruction_id, "done", bank_ref=_ref(instruction))
        if self.refuse > 0:
            self.refuse -= 1
            return BankAnswer(instruction.instruction_id, "rejected", reason="收款账户状态异常")
        self.paid[instruction.instruction_id] = instruction
        self.transfers.append(instruction)
        if self.lose_answer > 0:
            self.lose_answer -= 1
            raise BankTimeout(instruction.instruction_id)
        return BankAnswer(instruction.instruction_id, "done", bank_ref=_ref(instruction))

    def status(self, instruction_id: str) -> BankAnswer | None:
        done = self.paid.get(instruction_id)
        return None if done is None else BankAnswer(instruction_id, "done", bank_ref=_ref(done))


def _ref(instruction: Instruction) -> str:
    return "BK" + hashlib.sha256(instruction.instruction_id.encode()).hexdigest()[:16].upper()


# --- signed callbacks ------------------------------------------------------------------------


class BadSignature(DomainError):
    status = 401
    code = "bad-signature"
    title = "银行报文签名无效"


def sign_callback(key: bytes, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over `timestamp.body`, hex: what the bank sends in `X-Bank-Signature`."""
    return hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify_callback(
    key: bytes, *, timestamp: str, signature: str, body: bytes, now: datetime, window: timedelta
) -> None:
    """Refuse a callback whose signature is wrong or whose timestamp is outside the replay window."""
    if not key:
        raise Unauthenticated("平台未配置银行回调密钥，拒绝接收", code="no-callback-key")
    expected = sign_callback(key, timestamp, body)
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise BadSignature("银行回调报文签名校验失败，已拒收并记录")
    try:
        sent = datetime.fromtimestamp(int(timestamp), tz=now.tzinfo)
    except (ValueError, OverflowError, OSError) as e:
        raise BadSignature("银行回调报文时间戳格式不正确") from e
    if abs(now - sent) > window:
        raise BadSignature(
            f"银行回调报文时间戳超出 {int(window.total_seconds() // 60)} 分钟的有效窗口，疑为重放，已拒收"
        )
