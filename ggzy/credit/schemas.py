"""信用接口的数据形状."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from ggzy.credit.states import TradeClass


class SanctionIn(BaseModel):
    org_id: str = Field(max_length=26)
    title: str = Field(max_length=300, description="失信行为")
    basis: str = Field(max_length=300, description="认定依据（法律条文）")
    source_ref: str = Field(max_length=120, description="处理处罚决定书文号")
    measure: str = Field(max_length=300, description="惩戒措施")
    classes: list[TradeClass] = Field(min_length=1, max_length=3)
    regions: list[str] = Field(default_factory=list, max_length=20, description="行政区划代码前缀，空为不限")
    starts: datetime
    ends: datetime
    person_name: str = Field(default="", max_length=60, description="责任人")


class ObjectionIn(BaseModel):
    text: str = Field(max_length=3000)
    with_source: bool = False


class HandlingIn(BaseModel):
    upheld: bool
    note: str = Field(max_length=3000)


class SanctionRead(BaseModel):
    measure: str
    citation: str
    trade_classes: list[str]
    regions: list[str]
    starts: datetime
    ends: datetime | None


class RecordRead(BaseModel):
    id: str
    credit_code: str
    org_name: str
    source: str
    source_ref: str
    title: str
    basis: str
    status: str
    listed_at: datetime | None
    display_until: datetime | None
    sanctions: list[SanctionRead]


class ImportRead(BaseModel):
    kept: int
    problems: list[tuple[int, str]]


class CheckRead(BaseModel):
    id: str
    at: datetime
    step: str
    section_id: str
    org_id: str
    outcome: str
    sanctions: list[dict[str, object]]
