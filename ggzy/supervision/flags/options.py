"""指标设置 — the INI sections and options of the ggzy families (compliance, art. 40 signs, behaviour, avoidance).

They live in the same settings file as Cardinal's indicators and follow its design: a section switches its flag
on, its keys override the flag's defaults, an unknown key is an error. The defaults below are screening
parameters, not legal numbers (those come from `ggzy.rules`); each is documented in docs/analyze.md.
"""

from __future__ import annotations

from typing import Any

INT, UINT, FLOAT, TEXT = "int", "uint", "float", "text"

# id → option → (type, default as written in the settings file)
FAMILY_OPTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "C01": {},
    "C02": {},
    "C03": {},
    "C04": {},
    "C05": {"tolerance": (FLOAT, "0.0")},
    "C06": {"assume_state_funds_share": (FLOAT, "")},
    "C07": {},
    "C08": {},
    "X01": {},
    "X02": {},
    "X03": {},
    "X04": {"ignore": (TEXT, "")},
    "X05": {},
    "X06": {},
    "X07": {},
    "X08": {},
    "X09": {},
    "X10": {},
    "X11": {},
    "X12": {},
    "X13": {"min_bids": (UINT, "3")},
    "X14": {"min_bids": (UINT, "3")},
    "B01": {
        "min_bids": (UINT, "10"),
        "max_win_ratio": (FLOAT, "0.05"),
        "top_winners": (UINT, "3"),
        "min_share": (FLOAT, "0.5"),
    },
    "B02": {"min_members": (UINT, "3"), "min_tenders": (UINT, "4")},
    "B03": {"min_awards": (UINT, "10"), "threshold": (FLOAT, "0.25")},
    "B04": {"min_awards": (UINT, "20"), "threshold": (FLOAT, "0.25"), "digits": (UINT, "2")},
    "B05": {"min_awards": (UINT, "5"), "min_share": (FLOAT, "0.5")},
    "B06": {"threshold": (FLOAT, "0.01")},
    "B07": {
        "min_weight": (UINT, "2"),
        "min_size": (UINT, "3"),
        "max_size": (UINT, "20"),
        "min_internal": (FLOAT, "0.5"),
        "min_density": (FLOAT, "0.5"),
        "min_lift": (FLOAT, "3.0"),
        "max_tenderers": (UINT, "50"),
    },
    "A01": {"window_days": (UINT, "0"), "digits": (UINT, "2"), "assume_state_funds_share": (FLOAT, "")},
    "A02": {"band": (FLOAT, "0.1"), "min_count": (UINT, "10"), "p_value": (FLOAT, "0.05")},
    "A03": {"assume_state_funds_share": (FLOAT, "")},
}
FAMILY_IDS = tuple(FAMILY_OPTIONS)
PROCEDURES_SECTION = "procedures"  # `[procedures]`: procurementMethodDetails or procurementMethod → procedure row


def defaults_of(code: str) -> dict[str, str]:
    """The defaults of a flag, as its registry row shows them."""
    return {key: default or "(none)" for key, (_, default) in FAMILY_OPTIONS[code].items()}


def option(settings: Any, code: str, key: str) -> Any:
    """The option's value from the settings, else its default converted to its type (None for an empty default)."""
    value = settings.option(code, key)
    if value is not None:
        return value
    kind, default = FAMILY_OPTIONS[code][key]
    if default == "":
        return None
    return float(default) if kind == FLOAT else int(default) if kind in (INT, UINT) else default
