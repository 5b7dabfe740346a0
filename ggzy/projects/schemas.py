"""项目接口模型 — projects and sections, registration, publication and clarification, agency appointments.

Amounts are strings of yuan (`"5000000.00"`), parsed exactly by `core.types.parse_money`: never a float.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from ggzy.core.roles import Sector
from ggzy.rules.catalog import Category
from ggzy.rules.procedures import Method

Amount = Annotated[str, Field(max_length=24, pattern=r"^\s*[0-9][0-9,]*(\.[0-9]+)?\s*$", examples=["5000000.00"])]
Reason = Annotated[str, Field(min_length=1, max_length=300)]
Id = Annotated[str, Field(min_length=1, max_length=26)]


class SectionIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["第一标段"])
    estimate: Amount


class ProjectIn(BaseModel):
    """登记交易项目：招标人登记本单位项目；代理机构登记委托其代理的招标人的项目（须有有效委托）。"""

    name: str = Field(max_length=200, examples=["新乡市示范道路改造工程"])
    approval_code: str = Field(max_length=60, examples=["2026-410700-48-01-000123"])
    category: Category
    sector: Sector
    method: Method
    state_funds_share: Amount = "0"
    state_funds_amount: Amount = "0"
    tenderer_org_id: Id | None = Field(None, description="代理机构登记时必填：委托本机构的招标人；招标人登记时为本单位")
    agency_org_id: Id | None = Field(None, description="招标人登记时可指定代理机构（须另行委托后方可代为办理）")
    sections: list[SectionIn] = Field(min_length=1, max_length=50)
    exception_ref: str = Field("", max_length=100)
    note: str = Field("", max_length=300)


class ProjectAmendIn(BaseModel):
    """修改被退回的项目登记：与登记相同的字段与检查；招标人与代理机构不变。标段按顺序保留编号，多删少补。"""

    name: str = Field(max_length=200, examples=["新乡市示范道路改造工程"])
    approval_code: str = Field(max_length=60, examples=["2026-410700-48-01-000123"])
    category: Category
    sector: Sector
    method: Method
    state_funds_share: Amount = "0"
    state_funds_amount: Amount = "0"
    sections: list[SectionIn] = Field(min_length=1, max_length=50)
    exception_ref: str = Field("", max_length=100)
    note: str = Field("", max_length=300, description="修改说明")


class ReasonIn(BaseModel):
    reason: Reason


class SectionBrief(BaseModel):
    id: str
    seq: int
    code: str
    name: str
    estimate: str
    status: str
    status_label: str
    round: int
    bid_deadline: dt.datetime | None
    documents_until: dt.datetime | None
    opened_at: dt.datetime | None


class ProjectRead(BaseModel):
    id: str
    code: str
    name: str
    approval_code: str
    category: str
    sector: str
    method: str
    estimate: str
    region: str
    status: str
    status_label: str
    tenderer_org_id: str
    agency_org_id: str | None
    appointment: str | None = Field(description="代理机构据以办理的委托代理协议编号；无代理或无有效委托时为空")
    must_trade: bool
    must_tender: bool
    must_open: bool
    reasons: list[str] = Field(description="交易目录对本项目的判断及依据")
    note: str
    registered_at: dt.datetime
    sections: list[SectionBrief]


class ProjectPage(BaseModel):
    items: list[ProjectRead]
    next_cursor: str | None = Field(description="下一页的游标；为空表示没有更多")


class ClarifyIn(BaseModel):
    title: str = Field(max_length=300)
    body: str = Field(max_length=20000)
    new_deadline: dt.datetime | None = Field(None, description="新的投标截止时间（ISO 8601；无时区时按北京时间）")


class InviteIn(BaseModel):
    org_ids: list[Id] = Field(min_length=1, max_length=200)


class InviteRead(BaseModel):
    section_id: str
    added: list[str]
    invited: list[str]


class NoticeRef(BaseModel):
    number: str
    kind: str
    title: str
    published_at: dt.datetime
    url: str


class AppointmentIn(BaseModel):
    """委托代理：委托一个项目（project_id），或按期间（valid_from–valid_until）和交易类别（categories）委托。"""

    agency_org_id: Id
    agreement_ref: str = Field(max_length=100, examples=["XXDL-2026-001"])
    agreement_file_name: str = Field(max_length=200, examples=["委托代理协议.pdf"])
    agreement_file_base64: str = Field(max_length=28 << 20, description="委托代理协议文件内容（base64，≤ 20 MB）")
    project_id: Id | None = None
    categories: list[Category] = Field(default_factory=list, max_length=10)
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


class AppointmentRead(BaseModel):
    id: str
    tenderer_org_id: str
    agency_org_id: str
    project_id: str | None
    categories: list[str]
    valid_from: dt.date | None
    valid_until: dt.date | None
    agreement_ref: str
    agreement_file_name: str
    agreement_sha256: str
    status: str
    status_label: str
    source: str = Field(description="platform：在平台委托；migrated：迁移前登记时已指定的代理机构（补录）")
    appointed_at: dt.datetime
    revoked_at: dt.datetime | None
    revoke_reason: str


class AppointmentPage(BaseModel):
    items: list[AppointmentRead]
    next_cursor: str | None


class AgencyActRead(BaseModel):
    seq: int = Field(description="事件日志序号")
    at: dt.datetime
    label: str
    type: str
    agency_org_id: str
    project_id: str
    project_code: str
    project_name: str
    detail: str


class AgencyActPage(BaseModel):
    items: list[AgencyActRead]
    next_cursor: str | None
