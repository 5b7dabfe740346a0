"""专家库查询 — the pool, its filters, a draw's eligible list with avoidance, and the committee for evaluation."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.core.errors import NotFound
from ggzy.core.events import SignedTreeHead
from ggzy.experts.models import Draw, Expert, ExpertSpeciality, Invitation, Relation, Speciality, Unavailable
from ggzy.experts.rfc3797 import ANY
from ggzy.experts.states import DrawStatus, ExpertStatus, InvitationStatus, RelationKind
from ggzy.projects.models import Project, Section


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def get_expert(session: Session, user_id: str) -> Expert:
    e = session.get(Expert, user_id)
    if e is None:
        raise NotFound("未找到该评标专家")
    return e


def get_draw(session: Session, draw_id: str) -> Draw:
    d = session.get(Draw, draw_id)
    if d is None:
        raise NotFound("未找到该次专家抽取")
    return d


def get_invitation(session: Session, invitation_id: str) -> Invitation:
    i = session.get(Invitation, invitation_id)
    if i is None:
        raise NotFound("未找到该评标邀请")
    return i


def specialities(session: Session) -> list[Speciality]:
    return list(session.execute(select(Speciality).order_by(Speciality.code)).scalars())


def specialities_of(session: Session, user_ids: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    if not user_ids:
        return out
    stmt = select(ExpertSpeciality.user_id, ExpertSpeciality.code).where(ExpertSpeciality.user_id.in_(user_ids))
    for uid, code in session.execute(stmt.order_by(ExpertSpeciality.code)):
        out[uid].append(code)
    return out


def relations_of(session: Session, user_id: str) -> list[Relation]:
    return list(session.execute(select(Relation).where(Relation.user_id == user_id).order_by(Relation.id)).scalars())


def unavailable_of(session: Session, user_id: str) -> list[Unavailable]:
    stmt = select(Unavailable).where(Unavailable.user_id == user_id).order_by(Unavailable.start)
    return list(session.execute(stmt).scalars())


def list_experts(
    session: Session,
    *,
    speciality: str = "",
    region: str = "",
    status: str = "",
    limit: int = 200,
    offset: int = 0,
) -> list[Expert]:
    stmt = select(Expert)
    if status:
        stmt = stmt.where(Expert.status == status)
    if region:
        stmt = stmt.where(Expert.region.startswith(region))
    if speciality:
        stmt = stmt.where(
            select(ExpertSpeciality.user_id)
            .where(
                ExpertSpeciality.user_id == Expert.user_id,
                (ExpertSpeciality.code == speciality) | ExpertSpeciality.code.startswith(speciality + "."),
            )
            .exists()
        )
    return list(session.execute(stmt.order_by(Expert.user_id).limit(limit).offset(offset)).scalars())


def count_experts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Expert.status, func.count()).group_by(Expert.status))
    return {s: int(n) for s, n in rows}


def matches(code: str, group: str) -> bool:
    """Does a speciality code fall under a seat's required speciality (itself or a node below it)?"""
    return group == ANY or code == group or code.startswith(group + ".")


@dataclass
class Eligibility:
    """Who may be drawn for each group, and how many were set aside for each reason."""

    groups: dict[str, list[str]]  # group -> expert ids
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        return sorted({uid for ids in self.groups.values() for uid in ids})


@dataclass(frozen=True)
class Avoid:
    """What avoidance needs to know about the section: the credit codes of the tenderer and every bidder, the
    tenderer (for the repeat limit) and the day of the evaluation."""

    credit_codes: frozenset[str]
    tenderer_org_id: str
    on: date
    former_years: int
    repeat_limit: int
    repeat_days: int
    exclude_regions: tuple[str, ...] = ()
    require_regions: tuple[str, ...] = ()


def _region_ok(region: str, avoid: Avoid) -> bool:
    if avoid.exclude_regions and region.startswith(avoid.exclude_regions):
        return False
    return not avoid.require_regions or region.startswith(avoid.require_regions)


def eligible(session: Session, groups: list[str], avoid: Avoid) -> Eligibility:
    """The active experts who may sit, per group, after avoidance (回避) and the region rules."""
    excluded: dict[str, int] = defaultdict(int)
    session.flush()  # the reads below go through the connection, past the ORM's autoflush
    experts = (
        session.connection()
        .execute(
            select(Expert.user_id, Expert.region, Expert.employer_credit_code).where(
                Expert.status == ExpertStatus.ACTIVE.value
            )
        )
        .all()
    )
    out_ids: set[str] = set()
    for uid, region, employer in experts:
        if employer in avoid.credit_codes:
            out_ids.add(uid)
            excluded["employer"] += 1
        elif not _region_ok(region, avoid):
            out_ids.add(uid)
            excluded["region"] += 1
    if avoid.credit_codes:
        since = years_before(avoid.on, avoid.former_years)
        rel = session.execute(
            select(Relation.user_id, Relation.kind, Relation.until).where(
                Relation.credit_code.in_(sorted(avoid.credit_codes))
            )
        ).all()
        for uid, kind, until in rel:
            recent = kind == RelationKind.RELATIVE_EMPLOYER.value or until is None or until >= since
            if recent and uid not in out_ids:
                out_ids.add(uid)
                excluded["relation"] += 1
    busy = session.execute(
        select(Unavailable.user_id).where(Unavailable.start <= avoid.on, Unavailable.end >= avoid.on)
    ).scalars()
    for uid in set(busy):
        if uid not in out_ids:
            out_ids.add(uid)
            excluded["unavailable"] += 1
    window = avoid.on - timedelta(days=avoid.repeat_days)
    sat = session.execute(
        select(Invitation.expert_id, func.count())
        .join(Draw, Draw.id == Invitation.draw_id)
        .join(Section, Section.id == Draw.section_id)
        .join(Project, Project.id == Section.project_id)
        .where(
            Invitation.status == InvitationStatus.ACCEPTED.value,
            Project.tenderer_org_id == avoid.tenderer_org_id,
            Draw.evaluation_on > window,
            Draw.evaluation_on <= avoid.on,
        )
        .group_by(Invitation.expert_id)
    ).all()
    for uid, n in sat:
        if n >= avoid.repeat_limit and uid not in out_ids:
            out_ids.add(uid)
            excluded["repeat"] += 1
    keep = {uid for uid, _, _ in experts if uid not in out_ids}
    # Which groups each speciality code falls under, from the tree: then one pass over the links.
    codes = session.connection().execute(select(Speciality.code)).scalars().all()
    under: dict[str, list[str]] = {c: [g for g in groups if g != ANY and matches(c, g)] for c in codes}
    members: dict[str, set[str]] = {g: set() for g in groups}
    if ANY in members:
        members[ANY] = set(keep)
    rows = session.connection().execute(select(ExpertSpeciality.user_id, ExpertSpeciality.code))
    for uid, code in rows:
        for g in under.get(code, ()):
            if uid in keep:
                members[g].add(uid)
    return Eligibility({g: sorted(ids) for g, ids in members.items()}, dict(excluded))


def draws_of(session: Session, section_id: str) -> list[Draw]:
    stmt = select(Draw).where(Draw.section_id == section_id).order_by(Draw.requested_at.desc(), Draw.id.desc())
    return list(session.execute(stmt).scalars())


def active_draw(session: Session, section_id: str, round: int) -> Draw | None:
    for d in draws_of(session, section_id):
        if d.round == round and DrawStatus(d.status).active:
            return d
    return None


def invitations(session: Session, draw_id: str) -> list[Invitation]:
    stmt = select(Invitation).where(Invitation.draw_id == draw_id).order_by(Invitation.idx)
    return list(session.execute(stmt).scalars())


def invitations_for(session: Session, expert_id: str, *, limit: int = 50) -> list[Invitation]:
    stmt = (
        select(Invitation)
        .where(Invitation.expert_id == expert_id)
        .order_by(Invitation.invited_at.desc(), Invitation.idx.desc())
        .limit(limit)
    )
    return list(session.execute(stmt).scalars())


def seats_of(d: Draw) -> list[str]:
    return list(json.loads(d.seats))


def representatives_of(d: Draw) -> list[str]:
    return list(json.loads(d.representatives))


def committee_of(session: Session, section_id: str) -> tuple[list[str], str | None]:
    """The committee of a complete draw for the section's current round: the accepted experts in seat order,
    then the tenderer's representatives; the chair is left to the committee (None). ([], None) without one."""
    section = session.get(Section, section_id)
    if section is None:
        raise NotFound("未找到该标段")
    d = active_draw(session, section_id, section.round)
    if d is None or DrawStatus(d.status) is not DrawStatus.COMPLETE:
        return [], None
    accepted = sorted(
        (i for i in invitations(session, d.id) if i.status == InvitationStatus.ACCEPTED.value), key=lambda i: i.seat
    )
    return [i.expert_id for i in accepted] + representatives_of(d), None


def due_draws(session: Session) -> list[str]:
    """Committed draws whose seed can now be read: a checkpoint was signed after their commitment."""
    later = select(SignedTreeHead.size).where(SignedTreeHead.size > Draw.commit_seq).exists()
    stmt = select(Draw.id).where(Draw.status == DrawStatus.COMMITTED.value, later).order_by(Draw.requested_at)
    return list(session.execute(stmt).scalars())


def due_answers(session: Session, now: object) -> list[str]:
    stmt = (
        select(Invitation.id)
        .join(Draw, Draw.id == Invitation.draw_id)
        .where(
            Invitation.status == InvitationStatus.INVITED.value,
            Invitation.answer_by <= now,
            Draw.status == DrawStatus.CALLING.value,
        )
        .order_by(Invitation.answer_by)
    )
    return list(session.execute(stmt).scalars())
