"""生命周期 — declarative state machines: a status enum and the table of allowed moves.

An illegal move raises RuleViolation with a Chinese message; nothing is ever just logged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from ggzy.core.actor import Actor
from ggzy.core.errors import RuleViolation
from ggzy.core.roles import Role

S = TypeVar("S", bound=StrEnum)


class Labelled(Protocol):
    @property
    def label(self) -> str: ...


@dataclass(frozen=True)
class Transition(Generic[S]):
    name: str
    label: str
    source: S
    target: S
    by: frozenset[Role] = field(default_factory=frozenset)
    timed: bool = False  # fired by the clock (`ggzy tick`), by the platform itself


class Lifecycle(Generic[S]):
    def __init__(self, name: str, transitions: Iterable[Transition[S]]) -> None:
        self.name = name
        self.transitions = list(transitions)
        self._by_key = {(t.name, t.source): t for t in self.transitions}
        if len(self._by_key) != len(self.transitions):
            raise ValueError(f"{name}: a move is declared twice from the same state")

    def allowed(self, state: S) -> list[Transition[S]]:
        return [t for t in self.transitions if t.source == state]

    def find(self, move: str, state: S) -> Transition[S]:
        t = self._by_key.get((move, state))
        if t is None:
            label = getattr(state, "label", state.value)
            names = {tr.name: tr.label for tr in self.transitions}
            raise RuleViolation(
                f"{self.name}当前状态为「{label}」，不能执行「{names.get(move, move)}」",
                code="illegal-transition",
                move=move,
                state=state.value,
            )
        return t

    def move(self, state: S, move: str, actor: Actor) -> S:
        """Return the next state, or refuse: wrong state, or not this actor's move to make."""
        t = self.find(move, state)
        if actor.role is Role.SYSTEM:
            if not t.timed and t.by:
                raise RuleViolation(f"「{t.label}」须由有权限的用户操作", code="not-timed")
            return t.target
        if actor.role not in t.by:
            raise RuleViolation(f"「{t.label}」不能由{actor.role.label}操作", code="wrong-actor")
        return t.target
