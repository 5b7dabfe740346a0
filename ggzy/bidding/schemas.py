"""投标接口模型 — section info for sealing clients, receipts, share submission, opening records."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class DocumentRead(BaseModel):
    id: str
    name: str
    size: int
    sha256: str


class RecipientRead(BaseModel):
    index: int = Field(description="share index: 1 交易中心, 2 监督管理办公室, 3 招标人")
    holder: str
    key_id: str
    public_key: str = Field(description="base64 of the uncompressed P-256 point")


class SectionRead(BaseModel):
    id: str
    code: str
    name: str
    project_code: str
    project_name: str
    status: str
    status_label: str
    method: str
    bid_deadline: datetime | None
    documents_until: datetime | None
    threshold: int = Field(description="how many holder bodies' shares open a bid (2)")
    deadline_unix: int | None = Field(description="the bid deadline in seconds since the epoch, sealed in each bid")
    recipients: list[RecipientRead] = Field(
        description="the key set: share each bid's content key to every one of these holder public keys"
    )
    documents: list[DocumentRead]


class ReceiptRead(BaseModel):
    bid_id: str
    version: int
    status: str
    envelope_digest: str = Field(description="SHA-256 (hex) of the ciphertext as received; compare with your own")
    receipt: dict[str, Any] = Field(description="signed: {receipt, signature (Ed25519, base64), alg}")
    verifier_key: str = Field(description="the platform's key that signs receipts and checkpoints")


class HolderKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    public_key: str = Field(
        min_length=88, max_length=88, description="base64 of the 65-byte P-256 point made on the holder's side"
    )


class HolderKeyRead(BaseModel):
    key_id: str | None
    public_key: str | None


class BidHeaderRead(BaseModel):
    bid_id: str
    header: str = Field(description="base64 of the envelope's public header (empty if the file is missing)")


class HolderWorkRead(BaseModel):
    section_id: str
    deadline: datetime
    index: int
    holder: str
    bids: list[BidHeaderRead]


class SharesSubmit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shares: dict[str, str | None] = Field(
        max_length=10000,
        description="bid id → base64 of the 66-byte share unwrapped on the holder's side (null if it would not open)",
    )


class ShareProgress(BaseModel):
    threshold: int
    submitted: list[str]
    opened: bool


class OpeningRow(BaseModel):
    bidder: str
    price: Decimal | None
    duration_days: int | None
    status: str
    note: str
    security: str = Field("", description="投标保证金：截止时的缴纳或保函情况（未要求时为空）")


class OpeningRead(BaseModel):
    section_id: str
    status: str
    opened_at: datetime | None
    rows: list[OpeningRow]


class OpeningObjectionIn(BaseModel):
    org_id: str = Field(min_length=1, max_length=26, description="提出异议的投标人")
    text: str = Field(max_length=5000)
    answer: str = Field(max_length=5000)


class OpeningObjectionRead(BaseModel):
    id: str
    section_id: str
    org_id: str
    text: str
    answer: str
