"""保证金接口的数据形状 — what the API takes and returns (ORM rows never reach clients)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field


class RequirementSet(BaseModel):
    amount: Decimal = Field(
        max_digits=16, decimal_places=2, description="投标保证金（元，两位小数）", examples=["20000.00"]
    )
    bank_name: str = Field(max_length=100, examples=["中国银行新乡分行"])


class BasicAccountSet(BaseModel):
    account_no: str = Field(max_length=40, description="基本存款账户账号", examples=["410501001234567890"])
    bank_name: str = Field(max_length=100, examples=["中国建设银行新乡分行"])


class SubAccountRead(BaseModel):
    section_id: str
    number: str = Field(description="本标段本投标人的保证金虚拟子账号")


class BankCallback(BaseModel):
    bank_txn_id: str = Field(max_length=64)
    sub_account: str = Field(max_length=40)
    payer_account: str = Field(max_length=40)
    payer_name: str = Field(max_length=200)
    amount: Decimal
    paid_at: datetime


class CallbackResult(BaseModel):
    bank_txn_id: str
    booked: bool = Field(description="true：本次入账；false：此前已入账（重发报文）")


class RefundRead(BaseModel):
    id: str
    reason: str
    principal: Decimal
    interest: Decimal
    status: str
    status_label: str
    due_at: datetime
    confirmed_at: datetime | None


class DepositRead(BaseModel):
    section_id: str
    org_id: str
    sub_account: str
    required: Decimal
    paid: Decimal
    held: Decimal
    owed: Decimal
    status: str
    refunds: list[RefundRead]


class ForfeitIn(BaseModel):
    org_id: str = Field(max_length=26)
    ground: str = Field(max_length=40, examples=["refused_contract"])
    reason: str = Field(max_length=500)


class GuaranteeApply(BaseModel):
    issuer_id: str = Field(max_length=26, description="经监管部门登记、可经平台申请的出具机构")


class ClaimIn(BaseModel):
    org_id: str = Field(max_length=26, description="被保证人（投标人）")
    ground: str = Field(
        max_length=40,
        description="法定情形：withdrawn_after_deadline | refused_contract | refused_performance_security",
        examples=["refused_contract"],
    )
    reason: str = Field(max_length=500, description="事实与理由")


class ClaimRead(BaseModel):
    id: str
    guarantee_number: str
    amount: Decimal
    beneficiary: str = Field(description="受益人（招标人）统一社会信用代码")
    status: str
    status_label: str


class HeldReturnIn(BaseModel):
    bank_txn_id: str = Field(max_length=64, description="待核实到账的银行流水号")
    reason: str = Field(max_length=300)
