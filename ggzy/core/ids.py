"""标识 — internal keys (ULIDs) and tokens; readable public codes live with their domains."""

from __future__ import annotations

import secrets

from ulid import ULID


def new_id() -> str:
    """A sortable 26-character ULID string for primary keys."""
    return str(ULID())


def new_token(nbytes: int = 32) -> str:
    """An unguessable token (≥128 bits from the OS CSPRNG, ASVS V7.2.3)."""
    return secrets.token_urlsafe(nbytes)
