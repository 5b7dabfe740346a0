"""P-256 密钥 — key pairs, key ids, ECDH and HKDF shared by the bid envelope, HPKE and the holders' key files.

Public keys travel as uncompressed points (65 bytes, `04 || X || Y`), the form Web Crypto's
`exportKey("raw")` gives and accepts; private keys as 32-byte big-endian scalars in `Sensitive`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ggzy.sealing.sensitive import Sensitive

CURVE = ec.SECP256R1()
ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
PUBLIC_LEN = 65
SCALAR_LEN = 32
KEY_ID_LEN = 32
KEY_ID_LABEL = b"ggzy/p256-key-id/v1\x00"


@dataclass(frozen=True)
class KeyPair:
    """A P-256 key pair; `repr` shows the key id only."""

    private: Sensitive = field(repr=False)
    public: bytes = field(repr=False)

    @property
    def key_id(self) -> bytes:
        return key_id(self.public)

    def public_b64(self) -> str:
        return b64encode(self.public)

    def wipe(self) -> None:
        self.private.wipe()

    def __repr__(self) -> str:
        return f"KeyPair(key_id={self.key_id.hex()[:16]}…)"


def generate() -> KeyPair:
    key = ec.generate_private_key(CURVE)
    scalar = bytearray(key.private_numbers().private_value.to_bytes(SCALAR_LEN, "big"))
    return KeyPair(private=Sensitive.adopt(scalar), public=_raw_public(key.public_key()))


def derive(seed: bytes) -> KeyPair:
    """A key pair fixed by a 32-byte secret seed (the platform's archive key, derived from its master key)."""
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    scalar = int.from_bytes(seed, "big") % (order - 1) + 1
    key = ec.derive_private_key(scalar, CURVE)
    return KeyPair(
        private=Sensitive.adopt(bytearray(scalar.to_bytes(SCALAR_LEN, "big"))), public=_raw_public(key.public_key())
    )


def key_id(public: bytes) -> bytes:
    """SHA-256 of a label and the uncompressed point: names a key without revealing anything else."""
    return hashlib.sha256(KEY_ID_LABEL + bytes(public)).digest()


def private_key(private: Sensitive) -> ec.EllipticCurvePrivateKey:
    """The `cryptography` key object for a scalar; refuses anything outside 1..n-1 or of the wrong length."""
    if len(private) != SCALAR_LEN:
        raise ValueError("a P-256 private key is 32 bytes")
    d = private.to_int()
    if not 0 < d < ORDER:
        raise ValueError("P-256 private key out of range")
    return ec.derive_private_key(d, CURVE)


def public_from_private(private: Sensitive) -> bytes:
    return _raw_public(private_key(private).public_key())


def load_public(raw: bytes) -> ec.EllipticCurvePublicKey:
    """Parse an uncompressed point; refuses compressed points, other lengths and points not on the curve."""
    raw = bytes(raw)
    if len(raw) != PUBLIC_LEN or raw[0] != 0x04:
        raise ValueError("a P-256 public key is a 65-byte uncompressed point")
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(CURVE, raw)
    except ValueError:
        raise ValueError("not a point on P-256") from None


def matches(private: Sensitive, public: bytes) -> bool:
    return hmac.compare_digest(public_from_private(private), bytes(public))


def ecdh(private: ec.EllipticCurvePrivateKey, peer: ec.EllipticCurvePublicKey) -> Sensitive:
    """The shared X coordinate (32 bytes), exactly what Web Crypto's `deriveBits(ECDH, 256)` returns."""
    return Sensitive.adopt(bytearray(private.exchange(ec.ECDH(), peer)))


def hkdf(ikm: Sensitive, *, salt: bytes, info: bytes, length: int) -> Sensitive:
    """HKDF-SHA256 (RFC 5869), the same as Web Crypto's `deriveBits({name: "HKDF", hash: "SHA-256"})`."""
    out = HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm.buffer)
    return Sensitive.adopt(bytearray(out))


def ephemeral() -> tuple[ec.EllipticCurvePrivateKey, bytes]:
    key = ec.generate_private_key(CURVE)
    return key, _raw_public(key.public_key())


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes:
    """Strict standard base64 (no whitespace, no URL alphabet, correct padding)."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ValueError("not valid base64") from exc


def _raw_public(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
