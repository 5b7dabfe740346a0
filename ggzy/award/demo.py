"""演示 — the demo city's road after the evaluation: of the opened sections whose report is signed (in section-code
order), the first is archived, the next is under contract (signed by both, not yet sealed), the next is awarded and
the next stays in publicity."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from ggzy.award import archive, contracts, queries, service
from ggzy.bidding.keys import KeyEnv
from ggzy.core import training
from ggzy.core.actor import Actor, system
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.notify import Notifier
from ggzy.entities import queries as entities
from ggzy.evaluation import queries as evaluation
from ggzy.projects import queries as projects
from ggzy.projects.states import SectionStatus

STAGES = ("archived", "contracted", "awarded", "publicity")  # the furthest first: a short demo still ends a trade


def _user_of(session: Session, org_id: str) -> str:
    users = queries.users_of(session, org_id)
    if not users:
        raise LookupError(f"no user in {org_id}")
    return entities.get_user(session, users[0]).username


def advance(
    session: Session,
    actor_of: Callable[[str], Actor],
    *,
    clock: FixedClock,
    files: FileStore,
    env: KeyEnv,
    notifier: Notifier,
) -> list[tuple[str, str]]:
    """Take each evaluated section one stage further than the one before; returns (section code, stage) pairs.
    `actor_of(username)` is the demo's actor for a user; the story clock moves forward as each step needs."""
    ready = [
        s
        for p in projects.list_all_projects(session, limit=1000)
        for s in projects.sections_of(session, p.id)
        if SectionStatus(s.status) is SectionStatus.OPENED and evaluation.final_ranking(session, s.id)
    ]
    ready.sort(key=lambda s: s.code)
    done: list[tuple[str, str]] = []
    factor = training.factor(session)  # in training mode every period is shorter: so are the story's pauses
    for section, stage in zip(ready, STAGES, strict=False):
        project = projects.get_project(session, section.project_id)
        tenderer = actor_of(_user_of(session, project.tenderer_org_id))
        clock.advance(timedelta(hours=2) / factor)
        a = service.publish_candidates(session, tenderer, section_id=section.id, clock=clock)
        if stage != "publicity":
            clock.set(a.publicity_ends_at + timedelta(hours=9) / factor)
            first = queries.candidates(a)[0]
            service.award(
                session,
                tenderer,
                section_id=section.id,
                winner_org_id=first["org_id"],
                clock=clock,
                files=files,
                notifier=notifier,
            )
            if stage in ("contracted", "archived"):
                clock.advance(timedelta(days=1) / factor)
                contracts.create_contract(
                    session,
                    tenderer,
                    section_id=section.id,
                    amount=first["price"],
                    security=(first["price"] / 20).quantize(Decimal("0.01")),
                    duration_days=None,
                    clock=clock,
                    files=files,
                )
                clock.advance(timedelta(hours=3) / factor)
                contracts.sign_contract(session, tenderer, section_id=section.id, clock=clock)
                clock.advance(timedelta(hours=2) / factor)
                winner = actor_of(_user_of(session, first["org_id"]))
                contracts.sign_contract(session, winner, section_id=section.id, clock=clock)
                if stage == "archived":
                    archive.seal(session, system(), section_id=section.id, clock=clock, files=files, env=env)
        done.append((section.code, stage))
    return done
