"""案件接口的数据形状 — what the cases API takes and returns."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from ggzy.cases.states import EntryKind, Matter, Outcome, Remedy
from ggzy.core.holds import Step
from ggzy.core.roles import Sector


class ObjectionIn(BaseModel):
    section_id: str = Field(max_length=26)
    matter: Matter
    points: list[str] = Field(min_length=1, max_length=20, description="逐项列明的异议（质疑）事项")
    claims: str = Field(max_length=5000, description="事实、理由和请求")
    known_at: datetime | None = Field(default=None, description="知道或应当知道其权益受到损害之时（采购）")


class ComplaintIn(ObjectionIn):
    to_sector: Sector = Field(description="投诉人提交的行政监督部门（所属行业）")
    objection_id: str | None = Field(default=None, max_length=26, description="此前提出的异议（质疑）")


class AnswerIn(BaseModel):
    answer: str = Field(max_length=5000)


class ReasonIn(BaseModel):
    reason: str = Field(max_length=500)


class SuspensionIn(BaseModel):
    steps: list[Step] = Field(min_length=1, max_length=5)
    reason: str = Field(max_length=200)


class EntryIn(BaseModel):
    kind: EntryKind
    text: str = Field(max_length=5000)
    to_org_id: str | None = Field(default=None, max_length=26)


class DecisionIn(BaseModel):
    outcome: Outcome
    remedy: Remedy = Remedy.NONE
    decision: str = Field(max_length=5000)
    malicious: bool = False


class ComplyIn(BaseModel):
    title: str = Field(default="", max_length=300)
    body: str = Field(max_length=5000)


class ClockRead(BaseModel):
    kind: str
    rule: str
    due: date | None
    paused: bool
    overdue: bool


class EntryRead(BaseModel):
    kind: str
    at: datetime
    by_role: str
    text: str
    file_name: str | None
    file_sha256: str | None


class CaseRead(BaseModel):
    id: str
    number: str
    kind: str
    regime: str
    matter: str
    status: str
    section_id: str
    regulator_sector: str | None
    points: list[str]
    filed_at: datetime
    next_actor: str
    clocks: list[ClockRead]
    thread: list[EntryRead] = Field(default_factory=list)
    told: str = ""
    outcome: str | None = None
    remedy: str | None = None
    answered_late: bool = False
    accepted_late: bool = False
    decided_late: bool = False
    late_recorded: list[str] = []  # clocks whose running out was recorded and flagged (answer, accept, decide)
