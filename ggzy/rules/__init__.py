"""法规 — the law as data: every legal number once, with its citation and effective date."""

from ggzy.rules import deposits, platform, procurement, security, tendering
from ggzy.rules.base import RULES, Citation, Regime, Rule, rules_in_force

__all__ = [
    "RULES",
    "Citation",
    "Regime",
    "Rule",
    "deposits",
    "platform",
    "procurement",
    "rules_in_force",
    "security",
    "tendering",
]
