"""数据中的文字 — texts people read that live in data, not in a literal the extraction can see, handed to Babel.

`babel.cfg` maps this file to `texts()` below, so `make messages` puts into the catalog every rule's title and
unit, every role and sector, every event type, every label of a status or kind (an enum's `label`) — each read from
the one place it is defined, so a new rule or status is in the catalog (and the catalog test asks for its English)
at the next extraction.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
from collections.abc import Iterable, Iterator
from typing import Any

import ggzy

Extracted = tuple[int, str, str, list[str]]


def data_texts() -> Iterable[tuple[str, str]]:
    """(where, Chinese text) for every text held as data."""
    from ggzy.core import citations, events
    from ggzy.core.config import Settings
    from ggzy.core.roles import ROLE_LABELS, SECTOR_LABELS
    from ggzy.rules import RULES, catalog
    from ggzy.rules.base import Regime, Unit

    labels = list(enum_labels())  # imports every module first, so that every rule is registered
    yield "settings platform_name (the default)", str(Settings.model_fields["platform_name"].default)
    for role, label in ROLE_LABELS.items():
        yield f"role {role.value}", label
    for sector, label in SECTOR_LABELS.items():
        yield f"sector {sector.value}", label
    for regime in Regime:
        yield f"regime {regime.value}", regime.label
    for unit in Unit:
        yield f"unit {unit.name}", unit.value
    for rule in RULES.values():
        yield f"rule {rule.id}", rule.title
        yield f"law cited by rule {rule.id}", rule.citation.law
        for part in citations.texts_to_translate(str(rule.citation)):
            yield f"citation of rule {rule.id}", part
    for entry in catalog.DEFAULT.entries:  # the catalogue's first version; later versions keep the labels
        yield f"catalog entry {entry.key}", entry.label
        yield f"law cited by catalog entry {entry.key}", entry.citation.law
        for part in citations.texts_to_translate(str(entry.citation)):
            yield f"citation of catalog entry {entry.key}", part
    yield from labels
    for name, t in sorted(events.EVENT_TYPES.items()):  # the log's event types, as the event pages name them
        yield f"event type {name}", t.label


def enum_labels() -> Iterator[tuple[str, str]]:
    """Every `label` of every enum member defined in ggzy (statuses, kinds, steps), in a stable order."""
    for info in sorted(pkgutil.walk_packages(ggzy.__path__, "ggzy."), key=lambda i: i.name):
        if ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in sorted(vars(module).items()):
            if not (isinstance(value, type) and issubclass(value, enum.Enum) and value.__module__ == module.__name__):
                continue
            for member in value:
                label = getattr(member, "label", None)
                if isinstance(label, str):
                    yield f"{info.name}.{name}.{member.name}", label


def texts(fileobj: Any, keywords: Any, comment_tags: Any, options: dict[str, Any]) -> Iterator[Extracted]:
    """A Babel extraction method (babel.cfg): the data's texts, each with a comment saying where it comes from."""
    seen: set[str] = set()
    for where, text in data_texts():
        if text and text not in seen and any("\u4e00" <= ch <= "\u9fff" for ch in text):
            seen.add(text)
            yield 1, "_", text, [where]
