"""法规 — the law as data: every legal number once, with its citation and effective date.

Owns: the rules, procedure types and catalog predicates, used to enforce by the trade and to detect by supervision.
May not: import a domain or a table: the rules are pure data and functions, read by everyone.
"""

from ggzy.rules import award, delegation, deposits, platform, procurement, security, tendering
from ggzy.rules.base import RULES, Citation, Regime, Rule, rules_in_force

__all__ = [
    "RULES",
    "Citation",
    "Regime",
    "Rule",
    "award",
    "delegation",
    "deposits",
    "platform",
    "procurement",
    "rules_in_force",
    "security",
    "tendering",
]
