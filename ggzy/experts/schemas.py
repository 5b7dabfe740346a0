"""专家接口模型 — what the API takes and returns; a draw's seats carry pseudonyms, names only where allowed."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class SpecialityIn(BaseModel):
    code: str = Field(max_length=20, description="专业代码，如 A08、A08.01")
    name: str = Field(max_length=100)


class StatusIn(BaseModel):
    status: str = Field(description="active | suspended | removed")
    reason: str = Field(max_length=300)


class ExpertRead(BaseModel):
    user_id: str
    username: str
    name: str
    region: str
    employer: str
    specialities: list[str]
    status: str
    status_label: str


class DrawIn(BaseModel):
    seats: list[str] | None = Field(default=None, max_length=49, description="每个专家席位的评标专业（* 为不限）")
    counts: dict[str, int] | None = Field(default=None, description="或：各专业的人数")
    evaluation_on: date = Field(description="评标日期（北京时间）")
    representatives: list[str] = Field(default_factory=list, max_length=20, description="招标人代表（用户编号）")
    exclude_regions: list[str] = Field(default_factory=list, max_length=20)
    require_regions: list[str] = Field(default_factory=list, max_length=20)
    exclude_tenderer_region: bool = False
    answer_minutes: int | None = Field(default=None, ge=1, le=1440)


class SeatRead(BaseModel):
    seat: int
    speciality: str
    index: int
    pseudonym: str
    status: str
    name: str | None = None


class DrawRead(BaseModel):
    id: str
    section_id: str
    status: str
    status_label: str
    seats: list[str]
    eligible_sha256: str
    eligible_counts: dict[str, int]
    commit_seq: int
    opening_seq: int
    checkpoint_size: int | None
    seed_key: str | None
    calls: list[SeatRead]
    names_shown: bool


class AnswerIn(BaseModel):
    accept: bool


class InvitationRead(BaseModel):
    id: str
    draw_id: str
    seat: int
    status: str
    answer_by: str
