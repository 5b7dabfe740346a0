"""领域清单 — THE ordered list of domains; the app, Alembic and the tick all read it from here."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

DOMAINS: tuple[str, ...] = (
    "ggzy.entities",
    "ggzy.catalog",
    "ggzy.projects",
    "ggzy.notices",
    "ggzy.bidding",
    "ggzy.deposits",
    "ggzy.credit",
    "ggzy.cases",
    "ggzy.supervision",
    "ggzy.audit",
    "ggzy.experts",
    "ggzy.evaluation",
    "ggzy.award",
    "ggzy.exchange",
    "ggzy.federation",
)


def _optional(module: str) -> ModuleType | None:
    if importlib.util.find_spec(module) is None:
        return None
    return importlib.import_module(module)


def load_models() -> None:
    """Import every table so Base.metadata knows the whole schema (Alembic, tests, create_all)."""
    importlib.import_module("ggzy.core.events")
    importlib.import_module("ggzy.core.training")
    importlib.import_module("ggzy.core.holds")
    importlib.import_module("ggzy.core.idempotency")
    for d in DOMAINS:
        _optional(f"{d}.models")


def edge_modules(kind: str) -> Iterator[ModuleType]:
    """Each domain's `api` or `pages` module, in order."""
    for d in DOMAINS:
        m = _optional(f"{d}.{kind}")
        if m is not None:
            yield m


def domain_modules(name: str) -> Iterator[ModuleType]:
    """Each domain's module of that name (`timers`, `workbench`), where the domain has one."""
    yield from edge_modules(name)


def template_dirs() -> list[Path]:
    out = []
    for d in DOMAINS:
        spec = importlib.util.find_spec(d)
        if spec and spec.submodule_search_locations:
            p = Path(next(iter(spec.submodule_search_locations))) / "templates"
            if p.is_dir():
                out.append(p)
    return out
