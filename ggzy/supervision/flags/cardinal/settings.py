"""Cardinal 设置文件 — the INI settings of `ocdscardinal indicators --settings`, same sections and keys.

The same file also holds the sections of the ggzy families (`ggzy.supervision.flags.options`) and the
`[procedures]` mapping from procurement method names to the procedure rows of `ggzy.rules.procedures`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from ggzy.supervision.flags.options import FAMILY_IDS, FAMILY_OPTIONS, FLOAT, INT, PROCEDURES_SECTION, TEXT, UINT

INDICATORS = ("R003", "R018", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R048", "R058")
NOT_IMPLEMENTED = ("R044", "R055")  # Cardinal has them; this engine does not (yet)
TOP_LEVEL = ("currency", "no_price_comparison_procurement_methods", "price_comparison_procurement_methods")
PREPARE_SECTIONS = ("defaults", "redactions", "corrections", "modifications")  # read by `prepare`, ignored here

KEYS: dict[str, dict[str, str]] = {
    "exclusions": {"procurement_method_details": TEXT},
    "R003": {"threshold": INT, "procurement_methods": TEXT},
    "R018": {"procurement_methods": TEXT},
    "R024": {"threshold": FLOAT},
    "R025": {"percentile": UINT, "threshold": FLOAT},
    "R028": {},
    "R030": {},
    "R035": {"threshold": UINT},
    "R036": {},
    "R038": {"threshold": FLOAT, "minimum_submitted_bids": UINT, "minimum_contracting_processes": UINT},
    "R048": {"digits": UINT, "threshold": UINT, "minimum_contracting_processes": UINT},
    "R058": {"threshold": FLOAT},
}
KEYS |= {code: {key: kind for key, (kind, _) in options.items()} for code, options in FAMILY_OPTIONS.items()}

Value = int | float | str


class SettingsError(ValueError):
    """The settings file cannot be used; the message says where and why (Chinese, then English)."""


@dataclass
class CardinalSettings:
    """Parsed settings: which indicators run and their options (absent option = Cardinal's default)."""

    currency: str | None = None
    no_price_comparison_procurement_methods: str | None = None
    price_comparison_procurement_methods: str | None = None
    exclusions: dict[str, Value] = field(default_factory=dict)
    indicators: dict[str, dict[str, Value]] = field(default_factory=dict)  # enabled id → options
    r003_procurement_method_details: dict[str, int] = field(default_factory=dict)
    procedures: dict[str, str] = field(default_factory=dict)  # `[procedures]`: method name → procedure row
    warnings: list[str] = field(default_factory=list)

    def enabled(self, indicator: str) -> bool:
        return indicator in self.indicators

    def option(self, indicator: str, key: str) -> Value | None:
        return self.indicators.get(indicator, {}).get(key)

    @classmethod
    def all_defaults(cls) -> CardinalSettings:
        return cls(indicators={code: {} for code in (*INDICATORS, *FAMILY_IDS)})


def pipe_set(value: Value | None) -> set[str]:
    """A pipe-separated list as Cardinal reads it: a trailing `|` adds nothing, an empty value is empty."""
    if value is None or value == "":
        return set()
    parts = str(value).split("|")
    if parts and parts[-1] == "":
        parts.pop()
    return set(parts)


def _strip_comment(value: str) -> str:
    for marker in (" ;", " #", "\t;", "\t#"):
        at = value.find(marker)
        if at >= 0:
            value = value[:at]
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return value


def _convert(kind: str, raw: str, where: str) -> Value:
    try:
        if kind == FLOAT:
            number = float(raw)
            if math.isnan(number):
                raise ValueError(raw)
            return number
        if kind in (INT, UINT):
            number_i = int(raw)
            if kind == UINT and number_i < 0:
                raise ValueError(raw)
            return number_i
    except ValueError:
        expected = {FLOAT: "小数 decimal", INT: "整数 integer", UINT: "非负整数 natural number"}[kind]
        raise SettingsError(f"设置 {where} 的值 {raw!r} 无效，应为{expected} (invalid value for {where})") from None
    return raw


def parse_ini(text: str) -> list[tuple[str, str, str, int]]:
    """(section, key, raw value, line) for each property; '' is the top level before any section."""
    entries: list[tuple[str, str, str, int]] = []
    section = ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped[0] in ";#":
            continue
        if stripped.startswith("["):
            if not stripped.endswith("]") or len(stripped) < 3:
                raise SettingsError(f"第 {number} 行的节名无效 (invalid section header on line {number}): {stripped}")
            section = stripped[1:-1].strip()
            entries.append((section, "", "", number))  # a bare section enables its indicator
            continue
        separator = min((i for i in (stripped.find("="), stripped.find(":")) if i > 0), default=-1)
        if separator < 0:
            raise SettingsError(f"第 {number} 行不是 名称 = 值 (line {number} is not `name = value`): {stripped}")
        entries.append((section, stripped[:separator].strip(), _strip_comment(stripped[separator + 1 :]), number))
    return entries


def load_settings(text: str) -> CardinalSettings:
    """Read Cardinal's INI settings; unknown sections and keys are errors, as in Cardinal."""
    settings = CardinalSettings()
    for section, key, raw, number in parse_ini(text):
        _apply(settings, section, key, raw, number)
    return settings


def read_settings(path: Path) -> CardinalSettings:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError(f"设置文件不存在 (settings file not found): {path}") from None
    except (UnicodeDecodeError, IsADirectoryError) as error:
        raise SettingsError(f"设置文件无法读取 (settings file unreadable): {path}: {error}") from None
    return load_settings(text)


def _apply(settings: CardinalSettings, section: str, key: str, raw: str, number: int) -> None:
    where = f"[{section}] {key}" if section else key
    if section == "":
        if key not in TOP_LEVEL:
            raise SettingsError(f"第 {number} 行：未知的设置 {key} (line {number}: unknown property {key})")
        setattr(settings, key, raw)
        return
    head, _, sub = section.partition(".")
    if section == PROCEDURES_SECTION:
        if key:
            settings.procedures[key] = _procedure(raw, where)
        return
    if head in PREPARE_SECTIONS or head == "codelists":
        return
    if head in NOT_IMPLEMENTED:
        settings.warnings.append(f"{head} 尚未实现，已忽略 ({head} is not implemented, ignored)")
        return
    if head == "R003" and sub == "procurement_method_details":
        settings.indicators.setdefault("R003", {})
        if key:
            settings.r003_procurement_method_details[key] = int(_convert(INT, raw, f"[{section}] {key}"))
        return
    if head not in KEYS or sub:
        raise SettingsError(f"第 {number} 行：未知的节 [{section}] (line {number}: unknown section [{section}])")
    options = settings.exclusions if head == "exclusions" else settings.indicators.setdefault(head, {})
    if not key:
        return
    kind = KEYS[head].get(key)
    if kind is None:
        raise SettingsError(f"第 {number} 行：[{section}] 中没有设置 {key} (line {number}: unknown property {where})")
    options[key] = _convert(kind, raw, where)


def _procedure(raw: str, where: str) -> str:
    from ggzy.supervision.flags.legal import PROCEDURE_CHOICES

    if raw not in PROCEDURE_CHOICES:
        choices = ", ".join(PROCEDURE_CHOICES)
        raise SettingsError(f"设置 {where} 的采购方式 {raw!r} 无效，应为 {choices} (unknown procedure for {where})")
    return raw
