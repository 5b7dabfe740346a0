"""演示评标 — the demo city's evaluations after its draws: a room in progress (every member but the last has
scored) and rooms whose report is signed, on both laws (a works tender and a procurement negotiation with
its final quotes). Only sections whose draw is complete are taken: the committee is the draw's."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core.actor import Actor
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.roles import Role
from ggzy.entities import queries as entities
from ggzy.entities.models import User
from ggzy.evaluation import methods, queries, service
from ggzy.evaluation.methods import Kind
from ggzy.evaluation.scoring import Sheet
from ggzy.experts import queries as expert_queries
from ggzy.experts.states import DrawStatus
from ggzy.projects import queries as projects
from ggzy.projects.models import Project, Section
from ggzy.projects.states import SectionStatus
from ggzy.rules.procedures import Method as Procedure

SCORING, REPORTED = "scoring", "reported"
QUOTE_CUT = Decimal("0.985")  # the demo suppliers' final quotes: 1.5 % under their opened price (not a rule)


def _actor(user: User, role: Role) -> Actor:
    return Actor(user_id=user.id, role=role, org_id=user.org_id)


def _sheet(method: methods.Method, orgs: list[str], seat: int) -> Sheet:
    """A plausible sheet: each bid a little apart, each member within a point of the others."""
    s = Sheet()
    for n, org in enumerate(orgs):
        s.scores[org] = {
            c.id: max(Decimal(0), (c.max_score * Decimal("0.8")) - Decimal(n) - Decimal(seat % 2)).quantize(
                Decimal("0.1")
            )
            for c in method.scored
        }
        s.passes[org] = {c.id: (True, "") for c in method.qualification}
    return s


def seed(session: Session, *, clock: FixedClock, files: FileStore, plan: Mapping[str, str]) -> int:
    """Open and run the room of each opened section whose project's approval code is in `plan` (→ "scoring" or
    "reported") and whose draw is complete; returns the rooms opened."""
    operator = entities.find_user(session, "operator")
    if operator is None:
        return 0
    op = _actor(operator, Role.OPERATOR)
    stmt = (
        select(Section, Project)
        .join(Project, Project.id == Section.project_id)
        .where(Section.status == SectionStatus.OPENED.value, Project.approval_code.in_(list(plan)))
        .order_by(Section.code)
    )
    opened = 0
    for section, project in list(session.execute(stmt).all()):
        d = expert_queries.active_draw(session, section.id, section.round)
        if d is None or DrawStatus(d.status) is not DrawStatus.COMPLETE or queries.of_section(session, section.id):
            continue
        negotiated = Procedure(project.method) is Procedure.NEGOTIATION
        method = methods.preset(Kind.NEGOTIATION if negotiated else Kind.COMPREHENSIVE)
        members = service.seated(session, section)
        clock.advance(timedelta(hours=2))
        e = service.open_evaluation(
            session, op, section_id=section.id, chair=members[0], method=method, clock=clock, ceiling=project.estimate
        )
        opened += 1
        if negotiated:
            clock.advance(timedelta(minutes=40))
            service.open_round(session, op, evaluation_id=e.id, final=True, clock=clock)
            for b in queries.in_review(session, e.id):
                supplier = next(u for u in session.execute(select(User).where(User.org_id == b.org_id)).scalars())
                clock.advance(timedelta(minutes=5))
                service.submit_quote(
                    session,
                    _actor(supplier, Role.BIDDER),
                    evaluation_id=e.id,
                    price=((b.price or project.estimate) * QUOTE_CUT).quantize(Decimal("0.01")),
                    clock=clock,
                )
            service.close_round(session, op, evaluation_id=e.id, clock=clock)
        orgs = [b.org_id for b in queries.in_review(session, e.id)]
        sitting = members if plan[project.approval_code] == REPORTED else members[:-1]
        for seat, uid in enumerate(sitting, start=1):
            user = entities.get_user(session, uid)
            clock.advance(timedelta(minutes=25))
            service.submit_sheet(
                session, _actor(user, Role.EXPERT), evaluation_id=e.id, sheet=_sheet(method, orgs, seat), clock=clock
            )
        if plan[project.approval_code] == REPORTED:
            clock.advance(timedelta(minutes=30))
            chair = entities.get_user(session, members[0])
            service.sign_report(session, _actor(chair, Role.EXPERT), evaluation_id=e.id, clock=clock, files=files)
    return opened


__all__ = ["REPORTED", "SCORING", "projects", "seed"]
