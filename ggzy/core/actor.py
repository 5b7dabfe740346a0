"""行为人 — who acts: the user, the role they act in, their organisation and network address."""

from __future__ import annotations

from dataclasses import dataclass, field

from ggzy.core.roles import Role


@dataclass(frozen=True)
class Actor:
    user_id: str | None
    role: Role
    org_id: str | None = None
    sectors: frozenset[str] = field(default_factory=frozenset)
    ip: str | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None


PUBLIC = Actor(user_id=None, role=Role.PUBLIC)


def system(ip: str | None = None) -> Actor:
    """The platform itself, for timed moves and set-up (recorded as such in the log)."""
    return Actor(user_id=None, role=Role.SYSTEM, ip=ip)
