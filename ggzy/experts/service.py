"""专家库与抽取 — the verbs: keep the speciality tree and the pool; request, draw, call and replace.

The draw (T6) is verifiable by anyone (docs/experts.md):
1. `request_draw` checks the committee's composition, applies avoidance (回避), and commits in the log to the
   eligible list (pseudonymous ids per speciality, SHA-256 of its canonical JSON) and to the seed's sources:
   the opening record's digest and the first signed tree head made after this commitment.
2. `perform_draw` runs once that checkpoint exists: the seed is the RFC 3797 key string of those values, and
   the seats are drawn in order, each from its group of the list; the experts are called.
3. `answer` / `expire`: a decline or no answer draws a replacement with the next index of the same sequence.
Names stay with the operator running the evaluation until it ends (S4): everyone else sees seats and pseudonyms.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ggzy.bidding import queries as bidding
from ggzy.bidding.opening import SECTION_OPENED
from ggzy.core import canonical, events, policy
from ggzy.core.actor import Actor, system
from ggzy.core.calendar import local_date
from ggzy.core.clock import Clock
from ggzy.core.errors import Conflict, Forbidden, Invalid, RuleViolation
from ggzy.core.events import Event, SignedTreeHead
from ggzy.core.ids import new_id
from ggzy.core.notify import Channel, Notifier
from ggzy.core.roles import Role
from ggzy.entities import credit_code
from ggzy.entities import queries as entities
from ggzy.entities.models import Organisation, User
from ggzy.experts import queries, rfc3797
from ggzy.experts.models import (
    Draw,
    Expert,
    ExpertSpeciality,
    Invitation,
    Relation,
    Speciality,
    StatusChange,
    Unavailable,
)
from ggzy.experts.rfc3797 import ANY
from ggzy.experts.states import DrawStatus, ExpertStatus, InvitationStatus, RelationKind
from ggzy.projects import queries as projects
from ggzy.projects.models import Project, Section
from ggzy.projects.states import SectionStatus
from ggzy.rules import experts as rules
from ggzy.rules.base import Regime
from ggzy.rules.procedures import Method as Procedure
from ggzy.rules.procedures import procedure

SPECIALITY_DEFINED = events.event_type("experts.speciality_defined", "维护评标专家专业分类")
EXPERT_SAVED = events.event_type("experts.expert_saved", "登记或更新评标专家信息")
STATUS_CHANGED = events.event_type("experts.status_changed", "评标专家状态变更（暂停、恢复、除名）")
DRAW_COMMITTED = events.event_type("experts.draw_committed", "专家抽取承诺：候选名单摘要与随机种子来源")
DRAW_MADE = events.event_type("experts.draw_made", "按 RFC 3797 抽取评标专家")
DRAW_SHORT = events.event_type("experts.draw_short", "评标专家不足，抽取未完成")
INVITATION_ANSWERED = events.event_type("experts.invitation_answered", "被抽取专家答复")
DRAW_REPLACED = events.event_type("experts.draw_replaced", "补抽评标专家")
DRAW_COMPLETE = events.event_type("experts.draw_complete", "评标专家抽取完成")

ALGORITHM = "RFC 3797 (MD5, index prefix and suffix)"
CODE = re.compile(r"^[A-Z][0-9]{2}(\.[0-9]{2})*$")
REGION = re.compile(r"^[0-9]{2,6}$")
NEGOTIATED = frozenset({Procedure.NEGOTIATION, Procedure.CONSULTATION, Procedure.QUOTATION, Procedure.SINGLE_SOURCE})
MAX_SEATS = 49


# --- the speciality tree ---------------------------------------------------------------------


def define_speciality(session: Session, actor: Actor, *, code: str, name: str, clock: Clock) -> Speciality:
    """Add or rename a node of the classification; a child ("A08.01") needs its parent ("A08")."""
    policy.ensure(actor, policy.EXPERT_POOL_MANAGE)
    code = code.strip().upper()
    name = name.strip()
    if not CODE.match(code):
        raise Invalid(
            f"专业代码「{code}」格式应为字母加两位数字，下级以“.两位数字”续接，如 A08、A08.01", code="speciality-code"
        )
    if not name or len(name) > 100:
        raise Invalid("专业名称须为1至100字", code="speciality-name")
    parent = code.rsplit(".", 1)[0] if "." in code else None
    if parent is not None and session.get(Speciality, parent) is None:
        raise Invalid(f"上级专业「{parent}」尚未登记", code="speciality-parent")
    s = session.get(Speciality, code)
    if s is None:
        s = Speciality(code=code, name=name, parent=parent)
        session.add(s)
    else:
        s.name = name
    session.flush()
    events.record(session, actor, SPECIALITY_DEFINED, clock=clock, subject=("speciality", code), payload={"name": name})
    return s


# --- the pool --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RelationIn:
    kind: RelationKind
    credit_code: str
    since: date | None = None
    until: date | None = None


@dataclass
class Profile:
    """What the supervision office keeps about an expert (the xlsx row, the form)."""

    username: str
    region: str
    specialities: list[str]
    employer: str = ""  # organisation id or credit code; the account's own organisation when empty
    title: str = ""
    relations: list[RelationIn] = field(default_factory=list)
    unavailable: list[tuple[date, date]] = field(default_factory=list)


def save_expert(session: Session, actor: Actor, profile: Profile, *, clock: Clock) -> Expert:
    """Register an expert (a user holding the EXPERT role) or replace their profile; new experts are active."""
    policy.ensure(actor, policy.EXPERT_POOL_MANAGE)
    user = entities.find_user(session, profile.username.strip())
    if user is None:
        raise Invalid(f"用户「{profile.username}」不存在", code="expert-user")
    if Role.EXPERT not in entities.roles_of(session, user.id):
        raise Invalid(f"用户「{profile.username}」没有评标专家角色", code="expert-role")
    region = profile.region.strip()
    if not re.fullmatch(r"[0-9]{6}", region):
        raise Invalid(f"行政区划代码应为6位数字，收到「{region}」", code="expert-region")
    employer_ref = profile.employer.strip() or user.org_id
    org = session.get(Organisation, employer_ref) or entities.find_org_by_code(
        session, credit_code.normalise(employer_ref)
    )
    if org is None:
        raise Invalid(
            f"工作单位「{employer_ref}」不是已登记的主体（请填写主体编号或统一社会信用代码）", code="expert-employer"
        )
    codes = sorted({c.strip().upper() for c in profile.specialities if c.strip()})
    if not codes:
        raise Invalid("评标专家至少须有一个评标专业", code="expert-speciality")
    for c in codes:
        if session.get(Speciality, c) is None:
            raise Invalid(f"评标专业「{c}」不在专业分类中", code="expert-speciality")
    rels = []
    for r in profile.relations:
        cc = credit_code.validate(r.credit_code)
        if r.since and r.until and r.until < r.since:
            raise Invalid(f"关联单位 {cc} 的起止日期颠倒", code="expert-relation-dates")
        rels.append(Relation(user_id=user.id, kind=r.kind.value, credit_code=cc, since=r.since, until=r.until))
    for start, end in profile.unavailable:
        if end < start:
            raise Invalid(f"不可参加日期 {start}～{end} 起止颠倒", code="expert-unavailable-dates")
    if len(profile.title) > 60:
        raise Invalid("职称不得超过60字", code="expert-title")
    now = clock.now()
    e = session.get(Expert, user.id)
    created = e is None
    if e is None:
        e = Expert(user_id=user.id, status=ExpertStatus.ACTIVE.value, created_at=now)
        session.add(e)
    e.region, e.employer_org_id, e.employer_credit_code, e.employer_name = region, org.id, org.credit_code, org.name
    e.title, e.updated_at = profile.title.strip(), now
    session.flush()
    for table in (ExpertSpeciality, Relation, Unavailable):
        session.execute(delete(table).where(table.user_id == user.id))
    session.add_all(ExpertSpeciality(user_id=user.id, code=c) for c in codes)
    session.add_all(rels)
    session.add_all(Unavailable(user_id=user.id, start=s, end=t) for s, t in profile.unavailable)
    if created:
        session.add(StatusChange(user_id=user.id, old=None, new=e.status, reason="入库", by=actor.user_id, at=now))
    session.flush()
    events.record(
        session,
        actor,
        EXPERT_SAVED,
        clock=clock,
        subject=("expert", user.id),
        payload={
            "created": created,
            "region": region,
            "specialities": codes,
            "employer": org.credit_code,
            "relations": len(rels),
            "unavailable": len(profile.unavailable),
        },
    )
    return e


def set_status(
    session: Session, actor: Actor, *, user_id: str, status: ExpertStatus | str, reason: str, clock: Clock
) -> Expert:
    """暂停、恢复或除名 — with who, when and why kept in the history and the log; a removal is final."""
    policy.ensure(actor, policy.EXPERT_POOL_MANAGE)
    e = queries.get_expert(session, user_id)
    try:
        new = ExpertStatus(status)
    except ValueError:
        raise Invalid(f"未知的专家状态：{status}", code="expert-status") from None
    reason = reason.strip()
    if not reason or len(reason) > 300:
        raise Invalid("请填写变更原因（不超过300字）", code="expert-status-reason")
    old = ExpertStatus(e.status)
    if old is new:
        raise Conflict(f"该专家已是「{new.label}」状态", code="expert-status-same")
    if old is ExpertStatus.REMOVED:
        raise RuleViolation("已除名的专家不能恢复", code="expert-removed")
    now = clock.now()
    e.status, e.updated_at = new.value, now
    session.add(StatusChange(user_id=user_id, old=old.value, new=new.value, reason=reason, by=actor.user_id, at=now))
    session.flush()
    events.record(
        session,
        actor,
        STATUS_CHANGED,
        clock=clock,
        subject=("expert", user_id),
        payload={"from": old.value, "to": new.value, "reason": reason},
    )
    return e


def history(session: Session, user_id: str) -> list[StatusChange]:
    stmt = select(StatusChange).where(StatusChange.user_id == user_id).order_by(StatusChange.at, StatusChange.id)
    return list(session.execute(stmt).scalars())


# --- the committee's composition ---------------------------------------------------------------


def check_composition(regime: Regime, negotiated: bool, budget: Decimal, experts: int, representatives: int) -> None:
    """Size (odd, at least the minimum of the regime, procedure and budget) and the experts' two thirds."""
    minimum, thirds = rules.committee_rules(regime, negotiated, budget)
    size = experts + representatives
    if size < int(minimum.value) or size % 2 == 0:
        raise RuleViolation(
            f"评标委员会须为{minimum.value}人以上单数（{minimum.citation}），现为{size}人", code="committee-size"
        )
    if experts * 3 < int(thirds.value) * size:
        raise RuleViolation(
            f"评标委员会中专家不得少于成员总数的{thirds.value}/3（{thirds.citation}），现为{experts}/{size}",
            code="committee-experts-share",
        )


# --- the draw ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawRequest:
    seats: list[str]  # the speciality code of each seat, in order; "*" for any
    evaluation_on: date
    representatives: list[str] = field(default_factory=list)
    exclude_regions: list[str] = field(default_factory=list)
    require_regions: list[str] = field(default_factory=list)
    exclude_tenderer_region: bool = False
    answer_minutes: int | None = None

    @staticmethod
    def from_counts(counts: dict[str, int], **kw: object) -> DrawRequest:
        seats = [code for code in sorted(counts) for _ in range(int(counts[code]))]
        return DrawRequest(seats=seats, **kw)  # type: ignore[arg-type]


def pseudonym(salt: bytes, expert_id: str) -> str:
    """The published name of an expert in one draw: a keyed hash, unlinkable until the draw's key is shown."""
    return hmac.new(salt, expert_id.encode(), hashlib.sha256).hexdigest()[:20]


def eligible_document(draw_id: str, groups: dict[str, list[str]]) -> str:
    return canonical.dumps({"v": 1, "draw": draw_id, "groups": {g: sorted(ps) for g, ps in groups.items()}})


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _manager_context(session: Session, actor: Actor, section_id: str) -> tuple[Section, Project]:
    section = projects.get_section(session, section_id)
    project = projects.get_project(session, section.project_id)
    policy.ensure(actor, policy.EXPERT_DRAW_REQUEST, projects.subject_of(project))
    return section, project


def _opening_event(session: Session, section: Section) -> Event:
    stmt = (
        select(Event)
        .where(Event.type == SECTION_OPENED, Event.subject_type == "section", Event.subject_id == section.id)
        .order_by(Event.seq.desc())
        .limit(1)
    )
    ev = session.execute(stmt).scalar()
    if ev is None:
        raise RuleViolation("本标段尚无开标记录，不能抽取评标专家", code="no-opening-record")
    return ev


def _check_groups(session: Session, seats: Sequence[str]) -> None:
    if not seats:
        raise Invalid("请至少设置一个专家席位", code="draw-seats")
    if len(seats) > MAX_SEATS:
        raise Invalid(f"专家席位不得超过{MAX_SEATS}个", code="draw-seats")
    for g in set(seats):
        if g != ANY and session.get(Speciality, g) is None:
            raise Invalid(f"评标专业「{g}」不在专业分类中", code="draw-speciality")


def _regions(values: Iterable[str]) -> tuple[str, ...]:
    out = []
    for v in values:
        v = v.strip()
        if not v:
            continue
        if not REGION.match(v):
            raise Invalid(f"行政区划代码应为2至6位数字（可填前缀），收到「{v}」", code="draw-region")
        out.append(v)
    return tuple(out)


def shortfall(seats: Sequence[str], groups: dict[str, list[str]]) -> dict[str, int]:
    """Per speciality, how many seats the eligible list cannot fill (counting each expert once overall)."""
    need: dict[str, int] = {}
    for g in seats:
        need[g] = need.get(g, 0) + 1
    short = {g: n - len(groups.get(g, [])) for g, n in need.items() if len(groups.get(g, [])) < n}
    distinct = {p for g in need for p in groups.get(g, [])}
    if not short and len(distinct) < len(seats):
        short = {ANY: len(seats) - len(distinct)}
    return short


def describe_shortfall(short: dict[str, int], names: dict[str, str]) -> str:
    parts = [f"{'不限专业' if g == ANY else f'{names.get(g, g)}（{g}）'}缺{n}人" for g, n in sorted(short.items())]
    return "；".join(parts)


def request_draw(session: Session, actor: Actor, *, section_id: str, request: DrawRequest, clock: Clock) -> Draw:
    """申请抽取 — the tenderer or agency of an opened section asks for a committee; the platform commits."""
    section, project = _manager_context(session, actor, section_id)
    if SectionStatus(section.status) is not SectionStatus.OPENED:
        raise RuleViolation(
            f"标段当前状态为「{SectionStatus(section.status).label}」，开标后才能抽取评标专家", code="not-opened"
        )
    if queries.active_draw(session, section.id, section.round) is not None:
        raise Conflict("本标段已有进行中或已完成的专家抽取", code="draw-exists")
    seats = [s.strip().upper() if s.strip() != ANY else ANY for s in request.seats]
    _check_groups(session, seats)
    reps = list(dict.fromkeys(request.representatives))
    if len(reps) != len(request.representatives):
        raise Invalid("招标人代表不得重复", code="draw-representatives")
    managers = {project.tenderer_org_id, project.agency_org_id}
    for uid in reps:
        user = session.get(User, uid) if uid else None
        if user is None or user.org_id not in managers:
            raise Invalid("招标人代表须为本项目招标人（或代理机构）的在册人员", code="draw-representatives")
    proc = procedure(project.method)
    check_composition(proc.regime, Procedure(project.method) in NEGOTIATED, project.estimate, len(seats), len(reps))
    today = local_date(clock.now())
    if request.evaluation_on < today:
        raise Invalid("评标日期不得早于今天", code="draw-date")
    minutes = request.answer_minutes if request.answer_minutes is not None else int(rules.ANSWER_MINUTES.value)
    if not 1 <= minutes <= 24 * 60:
        raise Invalid("答复时限须在1分钟至24小时之间", code="draw-answer-minutes")
    tenderer = entities.get_org(session, project.tenderer_org_id)
    bidders = {b.bidder_org_id for b in bidding.opened_bids(session, section.id, section.round)}
    codes = frozenset({tenderer.credit_code} | {entities.get_org(session, o).credit_code for o in bidders})
    exclude = _regions(request.exclude_regions) + ((tenderer.region,) if request.exclude_tenderer_region else ())
    require = _regions(request.require_regions)
    avoid = queries.Avoid(
        credit_codes=codes,
        tenderer_org_id=tenderer.id,
        on=request.evaluation_on,
        former_years=int(rules.FORMER_EMPLOYER_YEARS.value),
        repeat_limit=int(rules.REPEAT_LIMIT.value),
        repeat_days=int(rules.REPEAT_WINDOW.value),
        exclude_regions=exclude,
        require_regions=require,
    )
    groups_needed = sorted(set(seats))
    found = queries.eligible(session, groups_needed, avoid)
    short = shortfall(seats, found.groups)
    if short:
        names = {s.code: s.name for s in queries.specialities(session)}
        raise RuleViolation(
            f"符合条件的评标专家不足，无法抽取：{describe_shortfall(short, names)}", code="draw-short", shortfall=short
        )
    opening = _opening_event(session, section)
    draw_id = new_id()
    salt = secrets.token_bytes(32)
    names = {uid: pseudonym(salt, uid) for uid in found.ids}
    published = {g: [names[uid] for uid in ids] for g, ids in found.groups.items()}
    doc = eligible_document(draw_id, published)
    d = Draw(
        id=draw_id,
        section_id=section.id,
        round=section.round,
        status=DrawStatus.COMMITTED.value,
        requested_by=actor.user_id or "",
        requested_at=clock.now(),
        evaluation_on=request.evaluation_on,
        answer_minutes=minutes,
        seats=json.dumps(seats),
        representatives=json.dumps(reps),
        region_rules=json.dumps({"exclude": list(exclude), "require": list(require)}),
        eligible=doc,
        eligible_sha256=sha256(doc),
        ids_sha256=sha256(canonical.dumps(found.ids)),
        salt=salt,
        commit_seq=0,
        opening_seq=opening.seq,
        opening_digest=opening.digest,
        next_index=0,
        shortfall="",
    )
    session.add(d)
    session.flush()
    logged = events.record(
        session,
        actor,
        DRAW_COMMITTED,
        clock=clock,
        subject=("expert_draw", d.id),
        scope=section.id,
        payload=commitment_payload(d, excluded=found.excluded),
    )
    assert logged.seq is not None
    d.commit_seq = logged.seq
    session.flush()
    return d


def commitment_payload(d: Draw, *, excluded: dict[str, int]) -> dict[str, object]:
    return {
        "algorithm": ALGORITHM,
        "eligible_sha256": d.eligible_sha256,
        "eligible_counts": {g: len(ps) for g, ps in json.loads(d.eligible)["groups"].items()},
        "seats": queries.seats_of(d),
        "representatives": len(queries.representatives_of(d)),
        "evaluation_on": d.evaluation_on,
        "region_rules": json.loads(d.region_rules),
        "excluded": excluded,
        "seed": {
            "opening_seq": d.opening_seq,
            "opening_digest": d.opening_digest,
            "checkpoint": "本事件之后签署的第一个签名树头（size > 本事件序号）",
        },
    }


def seed_key(opening_digest: str, checkpoint_size: int, checkpoint_root: str) -> str:
    """The RFC 3797 key string: three sources, each one decimal value (the digests read as integers)."""
    return rfc3797.key_string([int(opening_digest, 16), checkpoint_size, int(checkpoint_root, 16)])


def first_checkpoint_after(session: Session, seq: int) -> SignedTreeHead | None:
    stmt = select(SignedTreeHead).where(SignedTreeHead.size > seq).order_by(SignedTreeHead.size).limit(1)
    return session.execute(stmt).scalar()


def groups_of(d: Draw) -> dict[str, list[str]]:
    return groups_of_doc(d.eligible)


def groups_of_doc(doc: str) -> dict[str, list[str]]:
    return {g: list(ps) for g, ps in json.loads(doc)["groups"].items()}


def _by_pseudonym(session: Session, d: Draw, wanted: Iterable[str]) -> dict[str, str]:
    """Pseudonym -> expert id, for the pseudonyms drawn (recomputed from the eligible experts with the salt)."""
    wanted = set(wanted)
    out = {}
    for uid in session.execute(select(Expert.user_id)).scalars():
        p = pseudonym(d.salt, uid)
        if p in wanted:
            out[p] = uid
    return out


def perform_draw(session: Session, *, draw_id: str, clock: Clock, notifier: Notifier) -> Draw:
    """抽取 — once the checkpoint after the commitment exists, read the seed and draw every seat."""
    d = queries.get_draw(session, draw_id)
    if DrawStatus(d.status) is not DrawStatus.COMMITTED:
        raise Conflict(f"本次抽取当前状态为「{DrawStatus(d.status).label}」", code="draw-not-committed")
    sth = first_checkpoint_after(session, d.commit_seq)
    if sth is None:
        raise RuleViolation("承诺之后尚未签署新的签名树头，随机种子尚不可知，请稍候", code="draw-seed-pending")
    root = bytes(sth.root).hex()
    key = seed_key(d.opening_digest, sth.size, root)
    drawing = rfc3797.Drawing(key, groups_of(d))
    picks: list[tuple[int, int, str]] = []
    missing: dict[str, int] = {}
    for seat, group in enumerate(queries.seats_of(d), start=1):
        got = drawing.pick(group)
        if got is None:
            missing[group] = missing.get(group, 0) + 1
        else:
            picks.append((seat, got[0], got[1]))
    d.checkpoint_size, d.checkpoint_root, d.seed_key = sth.size, root, key
    d.drawn_at = clock.now()
    section = projects.get_section(session, d.section_id)
    if missing:
        d.status, d.shortfall = DrawStatus.SHORT.value, json.dumps(missing)
        events.record(
            session,
            _platform(),
            DRAW_SHORT,
            clock=clock,
            subject=("expert_draw", d.id),
            scope=d.section_id,
            payload={"key": key, "checkpoint_size": sth.size, "shortfall": missing},
        )
        return d
    ids = _by_pseudonym(session, d, (p for _, _, p in picks))
    d.status, d.next_index = DrawStatus.CALLING.value, drawing.index
    session.flush()
    for seat, index, p in picks:
        _invite(session, d, seat, index, p, ids[p], clock)
    events.record(
        session,
        _platform(),
        DRAW_MADE,
        clock=clock,
        subject=("expert_draw", d.id),
        scope=d.section_id,
        payload={
            "key": key,
            "checkpoint_size": sth.size,
            "checkpoint_root": root,
            "picks": [{"seat": s, "index": i, "pseudonym": p} for s, i, p in picks],
        },
    )
    for seat, _, p in picks:
        _call(session, notifier, d, section, ids[p], seat)
    return d


def _platform() -> Actor:
    return system()


def _invite(session: Session, d: Draw, seat: int, index: int, p: str, uid: str, clock: Clock) -> Invitation:
    now = clock.now()
    inv = Invitation(
        id=new_id(),
        draw_id=d.id,
        seat=seat,
        idx=index,
        pseudonym=p,
        expert_id=uid,
        status=InvitationStatus.INVITED.value,
        invited_at=now,
        answer_by=now + timedelta(minutes=d.answer_minutes),
    )
    session.add(inv)
    session.flush()
    return inv


def _call(session: Session, notifier: Notifier, d: Draw, section: Section, uid: str, seat: int) -> None:
    project = projects.get_project(session, section.project_id)
    subject = "评标专家抽取通知"
    body = (
        f"您被随机抽取为「{project.name}（{section.name}）」的评标专家（席位{seat}），"
        f"评标日期 {d.evaluation_on:%Y年%m月%d日}。"
        f"请在 {d.answer_minutes} 分钟内在工作台「评标邀请」中接受或拒绝；未答复视为不能参加。"
    )
    for channel in (Channel.VOICE, Channel.SMS, Channel.IN_APP):
        notifier.send(uid, channel, subject, body)


def answer(
    session: Session,
    actor: Actor,
    *,
    invitation_id: str,
    accept: bool,
    clock: Clock,
    notifier: Notifier,
) -> Invitation:
    """接受或拒绝 — by the expert called; a decline draws a replacement at once."""
    inv = queries.get_invitation(session, invitation_id)
    policy.ensure(actor, policy.EXPERT_ANSWER, policy.Subject("invitation", user_id=inv.expert_id))
    d = queries.get_draw(session, inv.draw_id)
    if InvitationStatus(inv.status) is not InvitationStatus.INVITED:
        raise Conflict(f"该邀请已{InvitationStatus(inv.status).label}，不能再答复", code="invitation-answered")
    if DrawStatus(d.status) is not DrawStatus.CALLING:
        raise RuleViolation(f"本次抽取当前状态为「{DrawStatus(d.status).label}」，不能答复", code="draw-not-calling")
    if clock.now() > inv.answer_by:
        raise RuleViolation("已超过答复时限，视为不能参加", code="invitation-expired")
    return _close(
        session, actor, d, inv, InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED, clock, notifier
    )


def expire(session: Session, *, invitation_id: str, clock: Clock, notifier: Notifier) -> bool:
    """No answer in time: the seat is drawn again (the tick calls this; idempotent)."""
    inv = queries.get_invitation(session, invitation_id)
    d = queries.get_draw(session, inv.draw_id)
    if inv.status != InvitationStatus.INVITED.value or d.status != DrawStatus.CALLING.value:
        return False
    if inv.answer_by > clock.now():
        return False
    _close(session, _platform(), d, inv, InvitationStatus.EXPIRED, clock, notifier)
    return True


def _close(
    session: Session,
    actor: Actor,
    d: Draw,
    inv: Invitation,
    outcome: InvitationStatus,
    clock: Clock,
    notifier: Notifier,
) -> Invitation:
    inv.status, inv.answered_at = outcome.value, clock.now()
    session.flush()
    events.record(
        session,
        actor,
        INVITATION_ANSWERED,
        clock=clock,
        subject=("expert_draw", d.id),
        scope=d.section_id,
        payload={"seat": inv.seat, "index": inv.idx, "pseudonym": inv.pseudonym, "answer": outcome.value},
    )
    if outcome is InvitationStatus.ACCEPTED:
        seats = len(queries.seats_of(d))
        accepted = [i for i in queries.invitations(session, d.id) if i.status == InvitationStatus.ACCEPTED.value]
        if len(accepted) == seats:
            d.status, d.completed_at = DrawStatus.COMPLETE.value, clock.now()
            events.record(
                session,
                _platform(),
                DRAW_COMPLETE,
                clock=clock,
                subject=("expert_draw", d.id),
                scope=d.section_id,
                payload={"seats": seats, "accepted": sorted(i.pseudonym for i in accepted)},
            )
        return inv
    _replace(session, d, inv.seat, clock, notifier)
    return inv


def _replace(session: Session, d: Draw, seat: int, clock: Clock, notifier: Notifier) -> None:
    assert d.seed_key is not None
    group = queries.seats_of(d)[seat - 1]
    taken = [i.pseudonym for i in queries.invitations(session, d.id)]
    drawing = rfc3797.Drawing(d.seed_key, groups_of(d), start=d.next_index, taken=taken)
    got = drawing.pick(group)
    if got is None:
        d.status, d.shortfall = DrawStatus.SHORT.value, json.dumps({group: 1})
        events.record(
            session,
            _platform(),
            DRAW_SHORT,
            clock=clock,
            subject=("expert_draw", d.id),
            scope=d.section_id,
            payload={"seat": seat, "shortfall": {group: 1}},
        )
        return
    index, p = got
    uid = _by_pseudonym(session, d, [p])[p]
    d.next_index = drawing.index
    _invite(session, d, seat, index, p, uid, clock)
    events.record(
        session,
        _platform(),
        DRAW_REPLACED,
        clock=clock,
        subject=("expert_draw", d.id),
        scope=d.section_id,
        payload={"seat": seat, "index": index, "pseudonym": p},
    )
    _call(session, notifier, d, projects.get_section(session, d.section_id), uid, seat)


# --- who may see what ---------------------------------------------------------------------------


def names_visible(session: Session, actor: Actor, d: Draw) -> bool:
    """S4: the operator running the evaluation sees the names; everyone else once the evaluation has ended."""
    if policy.can(actor, policy.EXPERT_DRAW_NAMES):
        return True
    return evaluation_ended(session, d)


def evaluation_ended(session: Session, d: Draw) -> bool:
    from ggzy.evaluation import queries as evaluation
    from ggzy.evaluation.states import EvaluationStatus

    e = evaluation.of_section(session, d.section_id)
    return e is not None and e.round == d.round and e.status == EvaluationStatus.REPORTED.value


def my_invitation(session: Session, actor: Actor, invitation_id: str) -> Invitation:
    inv = queries.get_invitation(session, invitation_id)
    if actor.user_id != inv.expert_id:
        raise Forbidden("这不是您的评标邀请", code="not-your-invitation")
    return inv


@dataclass(frozen=True)
class SeatView:
    seat: int
    group: str
    index: int
    pseudonym: str
    status: str
    name: str | None  # only for those who may see names (S4)


@dataclass(frozen=True)
class DrawView:
    draw: Draw
    section: Section
    project: Project
    seats: list[str]
    calls: list[SeatView]
    names_shown: bool
    counts: dict[str, int]
    representatives: int


def view(session: Session, actor: Actor, draw_id: str) -> DrawView:
    """A draw as this actor may see it: everyone sees seats and pseudonyms; names per `names_visible`."""
    policy.ensure(actor, policy.PORTAL_VIEW)
    d = queries.get_draw(session, draw_id)
    section = projects.get_section(session, d.section_id)
    project = projects.get_project(session, section.project_id)
    shown = names_visible(session, actor, d)
    seats = queries.seats_of(d)
    calls = []
    for i in queries.invitations(session, d.id):
        name = entities.get_user(session, i.expert_id).display_name if shown else None
        calls.append(SeatView(i.seat, seats[i.seat - 1], i.idx, i.pseudonym, i.status, name))
    counts = {g: len(ps) for g, ps in groups_of(d).items()}
    return DrawView(d, section, project, seats, calls, shown, counts, len(queries.representatives_of(d)))
