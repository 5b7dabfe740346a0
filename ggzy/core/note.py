"""签名树头 — signed notes and checkpoints in the C2SP formats (signed-note, tlog-checkpoint), Ed25519.

A checkpoint is three lines (origin, tree size, base64 root) followed by a blank line and one
signature line per signer: `— <name> base64(keyID || signature)`.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = b"\x01"
DASH = "\u2014"


class NoteError(ValueError):
    """A note that cannot be parsed or has no signature we trust."""


def key_id(name: str, public_raw: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public_raw).digest()[:4]


def verifier_key(name: str, public_raw: bytes) -> str:
    """The text form `<name>+<hex key id>+<base64(type || key)>` that verifiers are configured with."""
    return f"{name}+{key_id(name, public_raw).hex()}+{base64.b64encode(ED25519 + public_raw).decode()}"


def parse_verifier_key(vkey: str) -> tuple[str, bytes, Ed25519PublicKey]:
    name, hexid, b64 = vkey.split("+", 2)  # names never contain "+", base64 may
    raw = base64.b64decode(b64, validate=True)
    if raw[:1] != ED25519 or len(raw) != 33:
        raise NoteError("only Ed25519 verifier keys are supported")
    kid = bytes.fromhex(hexid)
    if kid != key_id(name, raw[1:]):
        raise NoteError("verifier key id does not match its key")
    return name, kid, Ed25519PublicKey.from_public_bytes(raw[1:])


def _check_text(text: str) -> None:
    if not text.endswith("\n") or "\n\n" in text or DASH in text.splitlines()[0]:
        raise NoteError("note text must be non-empty lines, each ending with a newline")


def sign(text: str, name: str, private: Ed25519PrivateKey) -> str:
    _check_text(text)
    public_raw = private.public_key().public_bytes_raw()
    sig = private.sign(text.encode())
    line = f"{DASH} {name} {base64.b64encode(key_id(name, public_raw) + sig).decode()}\n"
    return text + "\n" + line


def open_note(note: str, verifiers: list[str]) -> str:
    """Return the signed text if at least one trusted signature verifies; unknown signers are ignored."""
    text, sep, sigblock = note.rpartition("\n\n")
    if not sep:
        raise NoteError("note has no signature block")
    text += "\n"
    _check_text(text)
    trusted: dict[tuple[str, bytes], Ed25519PublicKey] = {}
    for v in verifiers:
        name, kid, pub = parse_verifier_key(v)
        trusted[(name, kid)] = pub
    verified = False
    for line in sigblock.splitlines():
        prefix = DASH + " "
        if not line.startswith(prefix):
            raise NoteError("malformed signature line")
        name, _, b64 = line[len(prefix) :].rpartition(" ")
        try:
            blob = base64.b64decode(b64, validate=True)
        except ValueError as exc:
            raise NoteError("signature is not base64") from exc
        if len(blob) < 5:
            raise NoteError("signature too short")
        known = trusted.get((name, blob[:4]))
        if known is None:
            continue
        try:
            known.verify(blob[4:], text.encode())
        except InvalidSignature as exc:
            raise NoteError(f"bad signature from {name}") from exc
        verified = True
    if not verified:
        raise NoteError("no trusted signature on the note")
    return text


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise NoteError("a checkpoint has origin, size and root lines")
        origin, size_s, root_s = lines[0], lines[1], lines[2]
        if not size_s.isdigit() or (size_s != "0" and size_s.startswith("0")):
            raise NoteError("tree size must be decimal without leading zeros")
        root = base64.b64decode(root_s, validate=True)
        if len(root) != 32:
            raise NoteError("root hash must be 32 bytes")
        return cls(origin, int(size_s), root)
