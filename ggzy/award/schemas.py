"""定标接口模型 — what the API takes and returns for publicity, objections, award, contract and the dossier."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field


class CandidateRead(BaseModel):
    rank: int
    org_id: str
    name: str
    score: Decimal | None
    price: Decimal | None


class ObjectionRead(BaseModel):
    id: str
    number: str
    org_id: str
    text: str
    filed_at: datetime
    due_at: datetime
    answer: str | None
    answered_at: datetime | None
    late: bool
    case_url: str = ""  # the case page: its thread, clocks and the complaint after the answer (条例 art. 60)


class ContractRead(BaseModel):
    id: str
    source: str
    sha256: str
    amount: Decimal
    security: Decimal
    duration_days: int | None
    differences: list[dict[str, str]]
    tenderer_signed_at: datetime | None
    winner_signed_at: datetime | None
    signed_at: datetime | None


class AwardRead(BaseModel):
    section_id: str
    status: str
    status_label: str
    published_at: datetime
    publicity_ends_at: datetime
    published_late: bool
    candidates: list[CandidateRead]
    objections: list[ObjectionRead]
    winner_org_id: str | None
    winner_rank: int | None
    awarded_at: datetime | None
    notice_sha256: str | None
    contract_due_at: datetime | None
    report_due_at: datetime | None
    contract: ContractRead | None


class ObjectionFile(BaseModel):
    text: str = Field(min_length=1, max_length=5000, description="异议内容")


class ObjectionAnswer(BaseModel):
    answer: str = Field(min_length=1, max_length=5000, description="答复内容")


class WinnerChoose(BaseModel):
    winner_org_id: str = Field(max_length=26, description="中标人（须为公示的中标候选人）")
    reason: str = Field(default="", max_length=500, description="确定排名第一以外的候选人时的理由（条例第55条）")


class ReportSubmit(BaseModel):
    text: str = Field(min_length=1, max_length=5000, description="招标投标情况书面报告")


class ContractDraft(BaseModel):
    amount: Decimal = Field(description="合同金额（元）")
    security: Decimal = Field(default=Decimal(0), description="履约保证金（元，≤ 合同金额的10%）")
    duration_days: int | None = Field(default=None, ge=1, le=36500, description="工期/服务期（日）")
    terms: str = Field(default="", max_length=5000, description="主要条款")


class DossierFile(BaseModel):
    path: str
    kind: str
    sha256: str
    size: int
    event: int | None


class DossierRead(BaseModel):
    section_id: str
    sealed_at: datetime
    manifest_sha256: str
    event_seq: int | None
    retention_years: int
    retain_until: datetime
    retention_basis: str
    files: list[DossierFile]


class DossierBrief(BaseModel):
    """已封存交易档案列表中的一项。"""

    section_id: str
    section_code: str
    section_name: str
    project_id: str
    project_name: str
    sealed_at: datetime
    files: int
    size: int
    manifest_sha256: str
    retain_until: datetime


class PerformanceRead(BaseModel):
    id: str
    contract_id: str
    supplier_org_id: str
    outcome: str
    outcome_label: str
    text: str
    file_name: str | None
    file_sha256: str | None
    status: str
    status_label: str
    recorded_at: datetime
    objection: str
    objected_at: datetime | None
    objection_due_at: datetime | None
    handled_at: datetime | None
    upheld: bool | None
    handling_note: str
    handled_late: bool
    confirmed_at: datetime | None
    credit_record_id: str | None


class PerformanceObjection(BaseModel):
    text: str = Field(min_length=1, max_length=3000, description="异议理由")


class PerformanceHandling(BaseModel):
    upheld: bool = Field(description="异议是否成立（成立则撤销评价）")
    note: str = Field(min_length=1, max_length=3000, description="处理意见")
