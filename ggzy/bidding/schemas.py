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
    opening_public_key: str | None = Field(description="base64 of the uncompressed P-256 point; seal bids to it")
    opening_key_id: str | None
    documents: list[DocumentRead]


class ReceiptRead(BaseModel):
    bid_id: str
    version: int
    status: str
    envelope_digest: str = Field(description="SHA-256 (hex) of the ciphertext as received; compare with your own")
    receipt: dict[str, Any] = Field(description="signed: {receipt, signature (Ed25519, base64), alg}")
    verifier_key: str = Field(description="the platform's key that signs receipts and checkpoints")


class ShareSubmit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=256, description="the key holder's own sign-in password")


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


class OpeningRead(BaseModel):
    section_id: str
    status: str
    opened_at: datetime | None
    rows: list[OpeningRow]
