"""统一社会信用代码 — the 18-character unified social credit code and its check character (GB 32100-2015)."""

from __future__ import annotations

import re

from ggzy.core.errors import Invalid

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def check_character(first17: str) -> str:
    """The 18th character: 31 − (Σ value·weight mod 31), with 31 written as 0."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    return code.strip().upper()


def validate(code: str) -> str:
    """Return the normalised code, or refuse it with a message that says what is wrong."""
    c = normalise(code)
    if len(c) != 18:
        raise Invalid(f"统一社会信用代码应为18位，收到{len(c)}位", code="credit-code-length")
    bad = sorted({ch for ch in c if ch not in _VALUE})
    if bad:
        raise Invalid(
            f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、S、V、Z）", code="credit-code-charset"
        )
    if not _SHAPE.match(c):
        raise Invalid("统一社会信用代码第3至8位应为行政区划数字代码", code="credit-code-shape")
    expected = check_character(c[:17])
    if c[17] != expected:
        raise Invalid(
            f"统一社会信用代码校验位错误：第18位应为「{expected}」，实为「{c[17]}」（GB 32100-2015）",
            code="credit-code-check",
        )
    return c


def make(first17: str) -> str:
    """Complete a 17-character stem with its check character (the demo city and tests use it)."""
    return first17 + check_character(first17)
