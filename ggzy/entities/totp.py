"""动态口令 — TOTP second factor (RFC 6238), each code usable once (ASVS V6.5.1)."""

from __future__ import annotations

from datetime import datetime

import pyotp
import segno

STEP = 30


def new_secret() -> str:
    return pyotp.random_base32()


def matching_step(secret: str, code: str, now: datetime, *, window: int = 1) -> int | None:
    """The time step the code belongs to (±1 step of drift), or None."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret, interval=STEP)
    step = int(now.timestamp()) // STEP
    for s in range(step - window, step + window + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(s), code):
            return s
    return None


def code_at(secret: str, now: datetime) -> str:
    """The current code (the demo and tests use it; a person uses an authenticator app)."""
    return pyotp.TOTP(secret, interval=STEP).at(now)


def provisioning_uri(secret: str, *, username: str, issuer: str) -> str:
    return pyotp.TOTP(secret, interval=STEP).provisioning_uri(name=username, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """An inline SVG QR code: no image service, works on an intranet."""
    return segno.make(uri, error="m").svg_inline(scale=5, dark="#1f2937", light="#ffffff")
