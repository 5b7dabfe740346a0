"""推送签名 — what an accredited platform signs, and how both sides compute it (docs/federation.md).

The signed message binds the exact request body to the platform's code and the request's time:

    b"ggzy-push/1\\n" + X-Platform + b"\\n" + X-Timestamp + b"\\n" + body

signed with Ed25519 (RFC 8032); X-Signature carries the 64-byte signature in base64. Nothing is re-encoded before
checking: the bytes received are the bytes verified and the bytes stored.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

DOMAIN = b"ggzy-push/1\n"
TOKEN_PREFIX = "gfp_"  # noqa: S105 (a marker, not a secret)


def message(platform: str, timestamp: str, body: bytes) -> bytes:
    return DOMAIN + platform.encode() + b"\n" + timestamp.encode() + b"\n" + body


def sign(key: Ed25519PrivateKey, platform: str, timestamp: str, body: bytes) -> str:
    return base64.b64encode(key.sign(message(platform, timestamp, body))).decode()


def verify(public_hex: str, platform: str, timestamp: str, body: bytes, signature: str) -> bool:
    try:
        raw = base64.b64decode(signature, validate=True)
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(raw, message(platform, timestamp, body))
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def public_hex(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def parse_public(text: str) -> str:
    """A registered public key: 64 hex digits or base64 of the 32 raw bytes; returns hex, or raises ValueError."""
    t = text.strip()
    try:
        raw = bytes.fromhex(t) if len(t) == 64 else base64.b64decode(t, validate=True)
    except (ValueError, binascii.Error):
        raise ValueError("not hex or base64") from None
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    Ed25519PublicKey.from_public_bytes(raw)
    return raw.hex()


def load_private(text: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(text.strip()))


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
