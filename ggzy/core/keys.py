"""密钥 — the platform's own secrets, generated on first start into var/ with owner-only permissions.

Nothing here is ever logged or printed; the public half of the log key is the only thing shown.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SECRET_FILE = "secret.key"  # noqa: S105 - a file name, not a secret
LOG_KEY_FILE = "log-signing.key"


def _write_private(path: Path, data: bytes) -> None:
    """Create the file with mode 0600 from the start, so it is never readable by others, even briefly."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def ensure_var_dir(var_dir: Path) -> Path:
    var_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(var_dir, 0o700)
    return var_dir


def _read_or_create(path: Path, make: bytes) -> bytes:
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process won the race: read what it wrote
            _write_private(path, make)
    os.chmod(path, 0o600)
    return path.read_bytes()


@dataclass(frozen=True)
class Keys:
    """The secrets a running platform needs. `repr` hides them."""

    master: bytes = field(repr=False)
    log_private: Ed25519PrivateKey = field(repr=False)

    def derive(self, purpose: str, length: int = 32) -> bytes:
        """One independent key per purpose (session tokens, CSRF, column encryption)."""
        return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=purpose.encode()).derive(self.master)

    @property
    def log_public(self) -> Ed25519PublicKey:
        return self.log_private.public_key()

    def log_public_raw(self) -> bytes:
        return self.log_public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def load_keys(var_dir: Path) -> Keys:
    """Read the keys from var/, creating each one on first start."""
    ensure_var_dir(var_dir)
    master_hex = _read_or_create(var_dir / SECRET_FILE, secrets.token_hex(32).encode())
    fresh = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pem = _read_or_create(var_dir / LOG_KEY_FILE, fresh)
    private = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise ValueError(f"{var_dir / LOG_KEY_FILE} is not an Ed25519 key")
    return Keys(master=bytes.fromhex(master_hex.decode().strip()), log_private=private)
