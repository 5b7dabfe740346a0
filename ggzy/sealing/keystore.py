"""开标密钥保管 — key holders' P-256 key pairs wrapped under their password, and shares sealed to them.

Wrapping: `kek = scrypt(NFC(password), salt, n, r, p, 32)`; `blob = AES-256-GCM(kek, nonce, scalar, aad)` with
`aad = "ggzy/keystore/v1\\0" || len(user_id) (2) || user_id || public key (65) || n, r, p (4 each)`,
so a record copied to another user, paired with another public key or given other cost parameters fails.

Share delivery: `ECDH(ephemeral, holder) → HKDF-SHA256(salt = ephemeral_public || holder key id,
info = "ggzy/share-delivery/v1\\0" || len(section) (2) || section || len(holder) (2) || holder)` → key (32) ||
nonce (12); sealed share = `01 || ephemeral_public (65) || AES-256-GCM(share, aad = info)`.
"""

from __future__ import annotations

import json
import secrets
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ggzy.core.errors import DomainError
from ggzy.sealing import p256
from ggzy.sealing.sensitive import Sensitive

WRAP_LABEL = b"ggzy/keystore/v1\x00"
DELIVERY_LABEL = b"ggzy/share-delivery/v1\x00"
DELIVERY_VERSION = 1
SALT_LEN = 16
NONCE_LEN = 12
MAX_SEALED_SHARE = 1 + p256.PUBLIC_LEN + 4096 + 16
MAX_SCRYPT_MEMORY = 256 * 1024 * 1024  # scrypt needs 128·n·r bytes


class KeystoreError(DomainError):
    status = 422
    code = "keystore-error"
    title = "开标密钥无法使用"

    def __init__(self, message: str | None = None, **details: Any) -> None:
        super().__init__(message or self.title, **details)


class WrongPassword(KeystoreError):
    """The password is wrong, or the record belongs to another user or was altered (indistinguishable)."""

    status = 403
    code = "keystore-wrong-password"
    title = "口令不正确，或密钥记录不属于该用户"


class BadRecord(KeystoreError):
    code = "keystore-bad-record"
    title = "密钥记录格式不正确"


class ShareUnreadable(KeystoreError):
    """The sealed share is for another holder, section or key, or was altered."""

    code = "keystore-share-unreadable"
    title = "无法解开密钥分片：不属于本人、本标段，或已被篡改"


@dataclass(frozen=True)
class ScryptParams:
    """scrypt cost. The default (2^17, 8, 1) takes 128 MiB and a few tenths of a second per unwrap."""

    n: int = 2**17
    r: int = 8
    p: int = 1

    def check(self) -> None:
        """Bounds on what a stored record may ask for, so a doctored record cannot exhaust memory."""
        shape_ok = 2**10 <= self.n <= 2**20 and self.n & (self.n - 1) == 0 and 1 <= self.r <= 16 and 1 <= self.p <= 4
        if not shape_ok or 128 * self.n * self.r > MAX_SCRYPT_MEMORY:
            raise BadRecord(reason="scrypt-params")

    def encode(self) -> bytes:
        return b"".join(v.to_bytes(4, "big") for v in (self.n, self.r, self.p))


@dataclass(frozen=True)
class WrappedKey:
    """What the server stores per key-holder user: public key, salt, params and the wrapped private key."""

    public: bytes
    salt: bytes = field(repr=False)
    blob: bytes = field(repr=False)  # nonce (12) || AES-256-GCM ciphertext of the scalar (32 + 16)
    params: ScryptParams = ScryptParams()

    @property
    def key_id(self) -> bytes:
        return p256.key_id(self.public)

    def to_json(self) -> str:
        b64 = p256.b64encode
        doc = {"v": 1, "kdf": "scrypt", "n": self.params.n, "r": self.params.r, "p": self.params.p}
        doc |= {"public": b64(self.public), "salt": b64(self.salt), "blob": b64(self.blob)}
        return json.dumps(doc, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> WrappedKey:
        try:
            d = json.loads(text)
            if d.get("v") != 1 or d.get("kdf") != "scrypt":
                raise ValueError("unknown record version")
            params = ScryptParams(int(d["n"]), int(d["r"]), int(d["p"]))
            rec = cls(p256.b64decode(d["public"]), p256.b64decode(d["salt"]), p256.b64decode(d["blob"]), params)
            p256.load_public(rec.public)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise BadRecord() from None
        return rec

    def __repr__(self) -> str:
        return f"WrappedKey(key_id={self.key_id.hex()[:16]}…, params={self.params})"


def _kek(password: str, salt: bytes, params: ScryptParams) -> Sensitive:
    params.check()
    with Sensitive(unicodedata.normalize("NFC", password).encode("utf-8")) as pw:
        out = Scrypt(salt=salt, length=32, n=params.n, r=params.r, p=params.p).derive(pw.buffer)
    return Sensitive.adopt(bytearray(out))


def _wrap_aad(user_id: str, public: bytes, params: ScryptParams) -> bytes:
    return WRAP_LABEL + _lp(user_id) + public + params.encode()


def _lp(text: str) -> bytes:
    raw = text.encode("utf-8")
    if not raw or len(raw) > 0xFFFF:
        raise ValueError("identifier must be 1..65535 bytes")
    return len(raw).to_bytes(2, "big") + raw


def wrap(private: Sensitive, password: str, user_id: str, params: ScryptParams = ScryptParams()) -> WrappedKey:
    """Wrap an existing private scalar (used by `create` and `rewrap`)."""
    if not password:
        raise ValueError("a key holder's password cannot be empty")
    public = p256.public_from_private(private)
    salt, nonce = secrets.token_bytes(SALT_LEN), secrets.token_bytes(NONCE_LEN)
    with _kek(password, salt, params) as kek:
        ct = AESGCM(kek.buffer).encrypt(nonce, private.buffer, _wrap_aad(user_id, public, params))
    return WrappedKey(public=public, salt=salt, blob=nonce + ct, params=params)


def create(password: str, user_id: str, params: ScryptParams = ScryptParams()) -> WrappedKey:
    """A fresh key pair for a key-holder user; the private half exists only wrapped."""
    with p256.generate().private as private:
        return wrap(private, password, user_id, params)


def unwrap(wrapped: WrappedKey, password: str, user_id: str) -> Sensitive:
    """The private scalar, in memory only. Wipe it (`with unwrap(...) as key:`) as soon as the share is open."""
    if len(wrapped.blob) != NONCE_LEN + p256.SCALAR_LEN + 16 or len(wrapped.salt) != SALT_LEN:
        raise BadRecord()
    with _kek(password, wrapped.salt, wrapped.params) as kek:
        out = bytearray(p256.SCALAR_LEN)
        aad = _wrap_aad(user_id, wrapped.public, wrapped.params)
        try:
            AESGCM(kek.buffer).decrypt_into(wrapped.blob[:NONCE_LEN], wrapped.blob[NONCE_LEN:], aad, out)
        except InvalidTag:
            raise WrongPassword() from None
    private = Sensitive.adopt(out)
    if not p256.matches(private, wrapped.public):  # cannot happen unless the public key was swapped with its AAD
        private.wipe()
        raise BadRecord(reason="public-key")
    return private


def rewrap(wrapped: WrappedKey, old_password: str, new_password: str, user_id: str) -> WrappedKey:
    """Same key pair under a new password (and a fresh salt); the old record stops being needed."""
    with unwrap(wrapped, old_password, user_id) as private:
        return wrap(private, new_password, user_id, wrapped.params)


def _delivery(shared: Sensitive, eph_public: bytes, holder_public: bytes, info: bytes) -> tuple[AESGCM, bytes]:
    with shared, p256.hkdf(shared, salt=eph_public + p256.key_id(holder_public), info=info, length=44) as okm:
        return AESGCM(okm.buffer[:32]), bytes(okm.buffer[32:])


def _delivery_info(section_id: str, holder_id: str) -> bytes:
    return DELIVERY_LABEL + _lp(section_id) + _lp(holder_id)


def seal_share(share: Sensitive, holder_public: bytes, *, section_id: str, holder_id: str) -> bytes:
    """Encrypt a share (or any small secret) to one key-holder user, bound to the section and that user."""
    info = _delivery_info(section_id, holder_id)
    eph, eph_public = p256.ephemeral()
    aead, nonce = _delivery(p256.ecdh(eph, p256.load_public(holder_public)), eph_public, holder_public, info)
    return bytes([DELIVERY_VERSION]) + eph_public + aead.encrypt(nonce, share.buffer, info)


def open_share(blob: bytes, holder_private: Sensitive, *, section_id: str, holder_id: str) -> Sensitive:
    """The share sealed by `seal_share`; `ShareUnreadable` if it is not for this holder and section or was changed."""
    if not 1 + p256.PUBLIC_LEN + 16 <= len(blob) <= MAX_SEALED_SHARE or blob[0] != DELIVERY_VERSION:
        raise ShareUnreadable(reason="format")
    eph_public, ct = blob[1 : 1 + p256.PUBLIC_LEN], blob[1 + p256.PUBLIC_LEN :]
    try:
        eph = p256.load_public(eph_public)
        key = p256.private_key(holder_private)
    except ValueError:
        raise ShareUnreadable(reason="key") from None
    info = _delivery_info(section_id, holder_id)
    holder_public = p256.public_from_private(holder_private)
    aead, nonce = _delivery(p256.ecdh(key, eph), eph_public, holder_public, info)
    out = bytearray(len(ct) - 16)
    try:
        aead.decrypt_into(nonce, ct, info, out)
    except InvalidTag:
        raise ShareUnreadable() from None
    return Sensitive.adopt(out)
