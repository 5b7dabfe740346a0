"""接入平台状态与拒收原因."""

from __future__ import annotations

from enum import StrEnum


class PlatformStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"

    @property
    def label(self) -> str:
        return {"active": "已认可", "suspended": "已暂停"}[self.value]


class PlatformKind(StrEnum):
    MARKET = "market"  # 市场化交易平台
    CITY = "city"  # 其他市级平台
    COUNTY = "county"  # 县（区）级平台

    @property
    def label(self) -> str:
        return {"market": "市场化交易平台", "city": "市级公共资源交易平台", "county": "县（区）级交易平台"}[self.value]


class Reason(StrEnum):
    """Why a push was refused (what the per-platform figures count)."""

    UNKNOWN_PLATFORM = "unknown-platform"
    BAD_TOKEN = "bad-token"  # noqa: S105 (a reason code)
    SUSPENDED = "platform-suspended"
    BAD_SIGNATURE = "bad-signature"
    STALE = "stale-timestamp"
    TOO_LARGE = "too-large"
    NOT_JSON = "not-json"
    INVALID = "invalid-ocds"
    NOT_OWNER = "not-owner"
    CONFLICT = "release-conflict"

    @property
    def label(self) -> str:
        return {
            "unknown-platform": "未经认可的平台",
            "bad-token": "接入凭证无效",
            "platform-suspended": "平台已被暂停",
            "bad-signature": "签名无效",
            "stale-timestamp": "签名时间超出时限（重放或时钟错误）",
            "too-large": "请求体过大",
            "not-json": "不是 JSON 发布包",
            "invalid-ocds": "OCDS 数据校验不通过",
            "not-owner": "推送了其他平台的交易",
            "release-conflict": "同一发布编号内容不同",
        }[self.value]

    @property
    def status(self) -> int:
        return {
            "unknown-platform": 401,
            "bad-token": 401,
            "platform-suspended": 403,
            "bad-signature": 401,
            "stale-timestamp": 401,
            "too-large": 413,
            "not-json": 422,
            "invalid-ocds": 422,
            "not-owner": 403,
            "release-conflict": 409,
        }[self.value]
