"""红旗指标登记表 — the registry of flags: each family is a module listed here that exposes `FLAGS`."""

from __future__ import annotations

import importlib

from ggzy.supervision.flags.base import Flag, FlagSpec, Group, Outcome, Phase, RunContext

# A new family (compliance checks, 条例 art. 40 signs, behaviour, splitting…) is a new module exposing
# `FLAGS: tuple[Flag, ...]`, plus one line here; the pipeline does not change.
FAMILY_MODULES: tuple[str, ...] = (
    "ggzy.supervision.flags.cardinal",
    "ggzy.supervision.flags.compliance",
    "ggzy.supervision.flags.collusion_signs",
    "ggzy.supervision.flags.behaviour",
    "ggzy.supervision.flags.avoidance",
)


def registry() -> dict[str, Flag]:
    """Every registered flag by id, in family order then the family's own order."""
    flags: dict[str, Flag] = {}
    for name in FAMILY_MODULES:
        module = importlib.import_module(name)
        for flag in module.FLAGS:
            if flag.spec.id in flags:
                raise ValueError(f"duplicate flag id {flag.spec.id} in {name}")
            flags[flag.spec.id] = flag
    return flags


def specs() -> list[FlagSpec]:
    """The registry rows, for documentation and reports."""
    return [flag.spec for flag in registry().values()]


def titles() -> dict[str, str]:
    """Every flag's Chinese title: the analytic registry's and the platform's own (flags.platform)."""
    from ggzy.supervision.flags.platform import titles as platform_titles

    return {**platform_titles(), **{spec.id: spec.name_zh for spec in specs()}}


__all__ = [
    "FAMILY_MODULES",
    "Flag",
    "FlagSpec",
    "Group",
    "Outcome",
    "Phase",
    "RunContext",
    "registry",
    "specs",
    "titles",
]
