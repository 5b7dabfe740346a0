"""主体库接口模型 — what the API accepts and returns; ORM objects never reach clients."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ggzy.core.roles import Role, Sector
from ggzy.entities.states import OrgKind


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TokenCreate(Strict):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)
    totp_code: str | None = Field(default=None, max_length=8, description="工作人员及已绑定者必填")
    name: str = Field(min_length=1, max_length=60)


class TokenIssued(BaseModel):
    id: str
    token: str = Field(description="只返回这一次")
    role: Role
    expires_at: datetime


class OrgCreate(Strict):
    name: str = Field(min_length=2, max_length=200)
    credit_code: str = Field(min_length=1, max_length=40, description="统一社会信用代码（GB 32100-2015）")
    kind: OrgKind
    sector: Sector | None = None
    address: str = Field(default="", max_length=300)
    legal_representative: str = Field(default="", max_length=60)
    contact_name: str = Field(default="", max_length=60)
    contact_phone: str = Field(default="", max_length=40)
    contact_email: str = Field(default="", max_length=120)


class OrgUpdate(Strict):
    address: str | None = Field(default=None, max_length=300)
    legal_representative: str | None = Field(default=None, max_length=60)
    contact_name: str | None = Field(default=None, max_length=60)
    contact_phone: str | None = Field(default=None, max_length=40)
    contact_email: str | None = Field(default=None, max_length=120)


class OrgRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    credit_code: str
    kind: OrgKind
    sector: Sector | None
    region: str
    created_at: datetime


class OrgContacts(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    address: str
    legal_representative: str
    contact_name: str
    contact_phone: str
    contact_email: str


class OrgDetail(OrgRead):
    contacts: OrgContacts | None = Field(default=None, description="仅对有权查看者返回")


class OrgPage(BaseModel):
    items: list[OrgRead]
    total: int


class Grant(Strict):
    role: Role
    sector: Sector | None = None


class UserCreate(Strict):
    org_id: str = Field(max_length=26)
    username: str = Field(max_length=32)
    display_name: str = Field(min_length=1, max_length=60)
    roles: list[Grant] = Field(min_length=1, max_length=10)


class UserCreated(BaseModel):
    id: str
    username: str
    pending_review: bool = Field(description="工作人员账户：须经第二人复核同意后才启用（双人复核）")
    request_id: str | None = Field(default=None, description="待复核事项的编号")


class AccountChange(BaseModel):
    """An administrator's change to an account: done at once, or waiting for a second person."""

    user_id: str
    pending_review: bool
    request_id: str | None = None


class AccountRequestRead(BaseModel):
    id: str
    kind: str
    kind_label: str
    user_id: str
    username: str
    role: Role | None
    sector: str | None
    status: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None


class PasswordWithCode(Strict):
    username: str = Field(max_length=64)
    code: str = Field(max_length=32, description="短信收到的一次性验证码")
    new_password: str = Field(max_length=256)


class TotpReplace(Strict):
    current_code: str = Field(max_length=8, description="原验证器此刻显示的口令")
    secret: str = Field(max_length=64, description="新的 TOTP 密钥（Base32）")
    code: str = Field(max_length=8, description="新密钥此刻的口令")


class UserRead(BaseModel):
    id: str
    username: str
    display_name: str
    org_id: str
    roles: list[Grant]
    is_active: bool
    locked: bool
    second_factor: bool


class Me(BaseModel):
    id: str
    username: str
    display_name: str
    role: Role
    sectors: list[str]
    organisation: OrgRead
    locale: Literal["zh", "en"] | None = Field(
        default=None, description="界面语言：zh 中文、en English；空为跟随浏览器的语言切换（默认中文）"
    )


class MeUpdate(BaseModel):
    """本人设置：界面语言（页面、消息与文书所用的语言）。"""

    model_config = ConfigDict(extra="forbid")

    locale: Literal["zh", "en"] | None = Field(description="zh 中文、en English；null 为跟随浏览器的语言切换")
