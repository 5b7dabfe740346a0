"""演示专家库 — the demo city's speciality tree and pool, and a completed, verifiable draw for every opened section.

The pool is the city's expert accounts (expert01…), spread over specialities, regions and employers. A draw
needs a signed checkpoint after its commitment: the caller passes `checkpoint` (the CLI signs with the
platform's log key); without it the draws stay committed and the tick completes them later.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core.actor import Actor, system
from ggzy.core.calendar import local_date
from ggzy.core.clock import Clock
from ggzy.core.notify import MemoryNotifier, Notifier
from ggzy.core.roles import Role
from ggzy.entities import queries as entities
from ggzy.entities.models import RoleGrant, User
from ggzy.experts import queries, service
from ggzy.experts.models import Expert, Speciality
from ggzy.experts.states import DrawStatus, InvitationStatus
from ggzy.projects import queries as projects
from ggzy.projects.models import Section
from ggzy.projects.states import SectionStatus
from ggzy.rules.procedures import Method, procedure

TREE = [
    ("A08", "房屋建筑工程"),
    ("A08.01", "土建"),
    ("A08.02", "给排水与暖通安装"),
    ("A08.03", "建筑电气"),
    ("A09", "市政公用工程"),
    ("A09.01", "道路与桥梁"),
    ("B02", "工程造价"),
    ("C01", "政府采购货物"),
    ("C01.02", "教学仪器设备"),
    ("C03", "政府采购服务"),
]
SPREAD = ["A08.01", "A08.02", "A08.03", "A09.01", "B02", "B02", "C01.02", "C03", "A08.01", "C01.02"]
REGIONS = ["410702", "410703", "410704", "410711", "410721", "410724", "410100", "410800"]


def _actor(user: User, role: Role) -> Actor:
    return Actor(user_id=user.id, role=role, org_id=user.org_id)


def _experts(session: Session) -> list[User]:
    stmt = (
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == Role.EXPERT.value, User.is_active.is_(True))
        .order_by(User.username)
    )
    return list(session.execute(stmt).scalars())


def seed_pool(session: Session, *, clock: Clock) -> int:
    me = system()
    for code, name in TREE:
        if session.get(Speciality, code) is None:
            service.define_speciality(session, me, code=code, name=name, clock=clock)
    added = 0
    for i, user in enumerate(_experts(session)):
        if session.get(Expert, user.id) is not None:
            continue
        specs = [SPREAD[i % len(SPREAD)]] + (["B02"] if i % 4 == 0 and SPREAD[i % len(SPREAD)] != "B02" else [])
        service.save_expert(
            session,
            me,
            service.Profile(
                username=user.username, region=REGIONS[i % len(REGIONS)], specialities=specs, title="高级工程师"
            ),
            clock=clock,
        )
        added += 1
    return added


def _seats(session: Session, section: Section) -> list[str]:
    project = projects.get_project(session, section.project_id)
    proc = procedure(project.method)
    if Method(project.method) in service.NEGOTIATED:
        return ["*"] * 3
    if proc.regime.value == "procurement":
        return ["C01", "C01", "C01", "C01", "B02"]
    return ["A08", "A08", "A08", "B02", "B02"]


def seed(
    session: Session,
    *,
    clock: Clock,
    checkpoint: Callable[[Session, Clock], object] | None = None,
    notifier: Notifier | None = None,
) -> int:
    """Load the pool and draw a committee for every opened section that has none; returns the draws made."""
    seed_pool(session, clock=clock)
    notifier = notifier or MemoryNotifier()
    opened = session.execute(
        select(Section).where(Section.status == SectionStatus.OPENED.value).order_by(Section.code)
    ).scalars()
    made = 0
    for section in list(opened):
        if queries.active_draw(session, section.id, section.round) is not None:
            continue
        project = projects.get_project(session, section.project_id)
        tenderer = next(
            (
                u
                for u in session.execute(select(User).where(User.org_id == project.tenderer_org_id)).scalars()
                if Role.TENDERER in entities.roles_of(session, u.id)
            ),
            None,
        )
        if tenderer is None:
            continue
        request = service.DrawRequest(
            seats=_seats(session, section), evaluation_on=local_date(clock.now() + timedelta(days=1))
        )
        d = service.request_draw(
            session, _actor(tenderer, Role.TENDERER), section_id=section.id, request=request, clock=clock
        )
        made += 1
        if checkpoint is None:
            continue
        checkpoint(session, clock)
        service.perform_draw(session, draw_id=d.id, clock=clock, notifier=notifier)
        _answer_all(session, d.id, clock=clock, notifier=notifier)
    return made


def _answer_all(session: Session, draw_id: str, *, clock: Clock, notifier: Notifier) -> None:
    """The first expert called declines (so the demo shows a replacement); everyone else accepts."""
    declined = False
    while True:
        d = queries.get_draw(session, draw_id)
        waiting = [i for i in queries.invitations(session, draw_id) if i.status == InvitationStatus.INVITED.value]
        if d.status != DrawStatus.CALLING.value or not waiting:
            return
        inv = waiting[0]
        user = entities.get_user(session, inv.expert_id)
        service.answer(
            session,
            _actor(user, Role.EXPERT),
            invitation_id=inv.id,
            accept=declined,
            clock=clock,
            notifier=notifier,
        )
        declined = True
