"""日志接口模型 — checkpoints and proofs, hashes in standard base64 as in RFC 9162 tooling."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class CheckpointRead(BaseModel):
    size: int
    root_hash: str = Field(description="base64")
    signed_at: datetime
    note: str = Field(description="C2SP signed note (tlog-checkpoint)")
    verifier_key: str


class InclusionProof(BaseModel):
    leaf_index: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    proof: list[str]


class ConsistencyProof(BaseModel):
    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str]


class EventRead(BaseModel):
    seq: int
    id: str
    at: datetime
    type: str
    label: str
    actor_id: str | None
    role: str
    org_id: str | None
    ip: str | None
    subject_type: str | None
    subject_id: str | None
    scope_id: str | None
    payload: dict[str, Any]
    entry: str = Field(description="the exact bytes hashed into the leaf (UTF-8)")
    leaf_hash: str = Field(description="hex")


class SealedProofRead(BaseModel):
    """A secret event after its disclosure: its place in its section's sealed log and the proofs tying it to the
    public log (the deadline commitment and the disclosure are public events)."""

    event_id: str
    log: str
    index: int
    size: int
    leaf_hash: str = Field(description="base64: the sealed entry (the copy's entry without its public seq)")
    proof: list[str]
    root_hash: str
    copy_index: int = Field(description="the disclosed copy's index in the public log")
    disclosure_index: int
    commitment_index: int | None
    committed_size: int | None
    committed_root: str | None
    consistency: list[str] = Field(description="from committed_size to size in the sealed log")
