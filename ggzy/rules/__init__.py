"""法规 — the law as data: every legal number once, with its citation and effective date."""

from ggzy.rules import platform, procurement, security, tendering
from ggzy.rules.base import RULES, Citation, Regime, Rule, rules_in_force

__all__ = ["RULES", "Citation", "Regime", "Rule", "platform", "procurement", "rules_in_force", "security", "tendering"]
