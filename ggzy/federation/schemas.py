"""接入平台接口的数据形状."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from ggzy.federation.states import PlatformKind


class PlatformIn(BaseModel):
    code: str = Field(max_length=40, description="平台代码（推送时的 X-Platform）")
    name: str = Field(max_length=200, description="平台名称")
    kind: PlatformKind = Field(description="平台类型")
    region: str = Field(max_length=6, description="行政区划代码")
    ocid_prefix: str = Field(max_length=40, description="该平台登记的 OCDS 前缀（ocds-xxxxxx）")
    public_key: str = Field(max_length=100, description="Ed25519 签名公钥（十六进制或 base64）")


class PlatformRead(BaseModel):
    id: str
    code: str
    name: str
    kind: str
    region: str
    ocid_prefix: str
    public_key: str
    status: str
    created_at: datetime
    suspend_reason: str


class Accredited(PlatformRead):
    token: str = Field(description="接入凭证（只显示这一次，本平台仅保存其摘要）")


class SuspendIn(BaseModel):
    reason: str = Field(max_length=300, description="暂停理由")


class FiguresRead(BaseModel):
    platform: PlatformRead
    releases: int
    trades: int
    lag_median_seconds: int | None
    lag_p90_seconds: int | None
    lag_max_seconds: int | None
    late_over_day: int
    refused: int
    refused_by_reason: dict[str, int]
    skewed_releases: int
    skew_max_seconds: int


class PushRead(BaseModel):
    platform: str
    accepted: list[str]
    duplicates: list[str]
    skew_seconds: int
    skewed: bool
    warning: str = ""


class TradeRead(BaseModel):
    ocid: str
    platform: str
    platform_name: str
    title: str
    buyer: str
    status: str
    last_tag: str
    amount: Decimal | None
    awarded: Decimal | None
    supplier: str
    releases: int
    last_at: datetime
