"""评标接口模型 — what the API takes and returns; scores only after every member has submitted."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field


class EvaluationOpen(BaseModel):
    members: list[str] | None = Field(
        default=None,
        description="评标委员会成员的用户编号；有专家抽取时省略（取抽取完成的委员会），不经抽取时须同时给出 direct",
    )
    chair: str = Field(default="", description="评标委员会推举的组长的用户编号（或以 chair_seat 给出席位）")
    chair_seat: int | None = Field(default=None, ge=1, le=99, description="评标委员会推举的组长的席位号")
    direct: str = Field(
        default="",
        max_length=30,
        description="不经抽取确定评标委员会的法定依据（works-art47、gp-experts-art13、single-source）",
    )
    method: dict[str, Any] | None = Field(default=None, description="评标办法（JSON）；省略时按 kind 使用预设")
    kind: str = Field(default="comprehensive", description="评标办法类型")
    ceiling: Decimal | None = Field(default=None, description="最高投标限价（元）")
    tender_bill: dict[str, Any] | None = Field(default=None, description="招标工程量清单（ggzy-bill/1）")


class MemberRead(BaseModel):
    seat: int
    chair: bool
    submitted: bool


class BidRead(BaseModel):
    org_id: str
    name: str
    price: Decimal | None
    evaluated: Decimal | None
    notes: list[str]
    excluded: bool
    rejected: bool
    reasons: list[str]
    subjective: Decimal | None = None
    price_score: Decimal | None = None
    total: Decimal | None = None
    rank: int | None = None


class EvaluationBrief(BaseModel):
    """评标列表中的一项。"""

    id: str
    section_id: str
    section_code: str
    section_name: str
    project_name: str
    kind: str
    status: str
    status_label: str


class EvaluationRead(BaseModel):
    id: str
    section_id: str
    kind: str
    method: dict[str, Any]
    status: str
    status_label: str
    members: list[MemberRead]
    bids: list[BidRead]
    quote_round: int
    quotes_done: bool
    report_sha256: str | None


class SheetSubmit(BaseModel):
    scores: dict[str, dict[str, str]] = Field(default_factory=dict, description="投标人 → 评分因素 → 分值")
    qualification: dict[str, dict[str, dict[str, Any]]] = Field(
        default_factory=dict, description="投标人 → 审查因素 → {pass, reason}"
    )


class QuestionAsk(BaseModel):
    org_id: str
    question: str = Field(max_length=2000)


class AnswerSubmit(BaseModel):
    answer: str = Field(max_length=5000)


class QuestionRead(BaseModel):
    id: str
    org_id: str
    question: str
    answer: str | None


class RoundOpen(BaseModel):
    final: bool = False


class QuoteSubmit(BaseModel):
    price: str


class RecordSubmit(BaseModel):
    record: str = Field(max_length=10000)


class CandidateRead(BaseModel):
    org_id: str
    name: str
    rank: int
    score: Decimal | None
    price: Decimal | None
    report_id: str
    report_sha256: str
