"""The draw (T6): composition, avoidance, commitment before the seed, RFC 3797 order, calls and replacements,
verification from public data, and bad input that changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.bidding.models import Bid
from ggzy.core.actor import PUBLIC
from ggzy.core.clock import FixedClock
from ggzy.core.errors import Conflict, Forbidden, Invalid, RuleViolation
from ggzy.core.events import Event
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.notify import Channel, MemoryNotifier
from ggzy.core.roles import Role
from ggzy.entities import queries as entities
from ggzy.entities.service import Identity
from ggzy.evaluation.states import EvaluationStatus
from ggzy.experts import queries, rfc3797, service, verify
from ggzy.experts.models import Draw, Invitation
from ggzy.experts.states import DrawStatus, InvitationStatus, RelationKind
from tests.builders import a_user
from tests.experts.builders import Pool, a_drawn, a_pool, a_request, an_expert, sign


@pytest.fixture
def pool(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> Pool:
    return a_pool(session, clock, ident, files, opening_env, keys)


def _draws(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Draw)).scalar_one())


def test_commitment_comes_before_the_seed_and_the_draw_follows_rfc_3797(
    session: Session, clock: FixedClock, keys: Keys, pool: Pool
) -> None:
    tenderer = pool.room.world.tenderer
    d = service.request_draw(
        session, tenderer.actor, section_id=pool.room.section.id, request=a_request(clock), clock=clock
    )
    assert d.status == DrawStatus.COMMITTED.value
    commit = session.execute(select(Event).where(Event.seq == d.commit_seq)).scalar_one()
    payload = json.loads(commit.payload)
    assert commit.type == service.DRAW_COMMITTED
    assert payload["eligible_sha256"] == service.sha256(d.eligible) == d.eligible_sha256
    assert payload["eligible_counts"] == {"A08.01": 6, "B02": 4}
    assert payload["seed"]["opening_digest"] == d.opening_digest
    # Before a checkpoint covers the commitment, the seed is unknown and the draw refuses to run.
    with pytest.raises(RuleViolation, match="签名树头"):
        service.perform_draw(session, draw_id=d.id, clock=clock, notifier=MemoryNotifier())
    sign(session, clock, keys)
    notifier = MemoryNotifier()
    service.perform_draw(session, draw_id=d.id, clock=clock, notifier=notifier)
    assert d.status == DrawStatus.CALLING.value
    assert d.checkpoint_size is not None and d.checkpoint_size > d.commit_seq
    key = service.seed_key(d.opening_digest, d.checkpoint_size, d.checkpoint_root or "")
    assert d.seed_key == key
    groups = service.groups_of(d)
    first3 = rfc3797.select(key, groups["A08.01"], 3)
    invs = queries.invitations(session, d.id)
    assert [i.pseudonym for i in invs[:3]] == first3
    assert [i.seat for i in invs] == [1, 2, 3, 4, 5]
    assert [i.idx for i in invs] == [0, 1, 2, 3, 4]
    # Each expert drawn is called by voice, SMS and in-app message.
    for i in invs:
        assert {m.channel for m in notifier.to(i.expert_id)} == {Channel.VOICE, Channel.SMS, Channel.IN_APP}
    called = {i.expert_id for i in invs}
    civil = {p.user.id for p in pool.experts[:6]}
    assert len(called & civil) == 3 and len(called) == 5
    assert verify.verify_draw(session, d.id).ok


def test_decline_and_no_answer_draw_replacements_that_verify(
    session: Session, clock: FixedClock, keys: Keys, pool: Pool
) -> None:
    notifier = MemoryNotifier()
    d = a_drawn(session, clock, keys, pool, notifier)
    invs = queries.invitations(session, d.id)
    people = {p.user.id: p for p in pool.experts}
    first = invs[0]
    service.answer(
        session, people[first.expert_id].actor, invitation_id=first.id, accept=False, clock=clock, notifier=notifier
    )
    invs = queries.invitations(session, d.id)
    assert len(invs) == 6 and invs[-1].seat == 1 and invs[-1].idx == 5
    assert invs[-1].expert_id != first.expert_id
    assert invs[-1].expert_id in {p.user.id for p in pool.experts[:6]}
    # The second seat never answers: the tick's expiry draws again.
    clock.advance(timedelta(minutes=d.answer_minutes + 1))
    assert queries.due_answers(session, clock.now())
    second = invs[1]
    assert service.expire(session, invitation_id=second.id, clock=clock, notifier=notifier)
    assert not service.expire(session, invitation_id=second.id, clock=clock, notifier=notifier)
    v = verify.verify_draw(session, d.id)
    assert v.ok, [c for c in v.checks if not c.ok]
    assert [o["index"] for o in v.order] == [0, 1, 2, 3, 4, 5, 6]


def test_all_accept_completes_and_hands_the_committee_over(
    session: Session, clock: FixedClock, keys: Keys, pool: Pool
) -> None:
    notifier = MemoryNotifier()
    d = a_drawn(session, clock, keys, pool, notifier)
    people = {p.user.id: p for p in pool.experts}
    assert queries.committee_of(session, pool.room.section.id) == ([], None)
    for inv in queries.invitations(session, d.id):
        service.answer(
            session, people[inv.expert_id].actor, invitation_id=inv.id, accept=True, clock=clock, notifier=notifier
        )
    assert d.status == DrawStatus.COMPLETE.value
    members, chair = queries.committee_of(session, pool.room.section.id)
    assert len(members) == 5 and chair is None
    assert members == [i.expert_id for i in sorted(queries.invitations(session, d.id), key=lambda i: i.seat)]
    with pytest.raises(Conflict):
        inv = queries.invitations(session, d.id)[0]
        service.answer(
            session, people[inv.expert_id].actor, invitation_id=inv.id, accept=False, clock=clock, notifier=notifier
        )


def test_only_the_expert_called_may_answer(session: Session, clock: FixedClock, keys: Keys, pool: Pool) -> None:
    d = a_drawn(session, clock, keys, pool, MemoryNotifier())
    inv = queries.invitations(session, d.id)[0]
    other = next(p for p in pool.experts if p.user.id != inv.expert_id)
    with pytest.raises(Forbidden):
        service.answer(session, other.actor, invitation_id=inv.id, accept=True, clock=clock, notifier=MemoryNotifier())
    assert inv.status == InvitationStatus.INVITED.value


def test_a_tampered_draw_fails_verification(session: Session, clock: FixedClock, keys: Keys, pool: Pool) -> None:
    d = a_drawn(session, clock, keys, pool, MemoryNotifier())
    assert verify.verify_draw(session, d.id).ok
    inv = queries.invitations(session, d.id)[2]
    original = inv.pseudonym
    inv.pseudonym = queries.invitations(session, d.id)[0].pseudonym[::-1]
    session.flush()
    assert not verify.verify_draw(session, d.id).ok
    inv.pseudonym = original
    d.eligible = d.eligible.replace('"A08.01":["', '"A08.01":["0', 1)
    session.flush()
    failed = [c.name for c in verify.verify_draw(session, d.id).checks if not c.ok]
    assert "候选名单摘要与承诺一致" in failed


def test_avoidance_excludes_related_busy_and_suspended_experts(
    session: Session, clock: FixedClock, ident: Identity, keys: Keys, pool: Pool
) -> None:
    bidder_org = entities.get_org(session, pool.room.world.bidders[0].user.org_id)
    tenderer_org = entities.get_org(session, pool.room.world.tenderer.user.org_id)
    today = clock.now().date()
    employed = a_user(session, clock, ident, role=Role.EXPERT)
    service.save_expert(
        session,
        service.system(),
        service.Profile(
            username=employed.username, region="410700", specialities=["A08.01"], employer=bidder_org.credit_code
        ),
        clock=clock,
    )
    former = an_expert(
        session,
        clock,
        ident,
        specialities=["A08.01"],
        relations=[service.RelationIn(RelationKind.FORMER_EMPLOYER, tenderer_org.credit_code, until=today)],
    )
    long_ago = an_expert(
        session,
        clock,
        ident,
        specialities=["A08.01"],
        relations=[
            service.RelationIn(
                RelationKind.FORMER_EMPLOYER, tenderer_org.credit_code, until=today - timedelta(days=4 * 366)
            )
        ],
    )
    relative = an_expert(
        session,
        clock,
        ident,
        specialities=["A08.01"],
        relations=[service.RelationIn(RelationKind.RELATIVE_EMPLOYER, bidder_org.credit_code)],
    )
    busy = an_expert(session, clock, ident, specialities=["A08.01"], unavailable=[(today, today)])
    service.set_status(
        session, service.system(), user_id=pool.experts[0].user.id, status="suspended", reason="违规", clock=clock
    )
    d = service.request_draw(
        session, pool.room.world.tenderer.actor, section_id=pool.room.section.id, request=a_request(clock), clock=clock
    )
    payload = json.loads(session.execute(select(Event).where(Event.seq == d.commit_seq)).scalar_one().payload)
    assert payload["excluded"] == {"employer": 1, "relation": 2, "unavailable": 1}
    # 6 civil engineers − 1 suspended + the one who left the tenderer more than 3 years ago
    assert payload["eligible_counts"]["A08.01"] == 6
    drawable = {service.pseudonym(d.salt, p.user.id) for p in (employed, former, relative, busy, pool.experts[0])}
    assert not drawable & set(service.groups_of(d)["A08.01"])
    assert service.pseudonym(d.salt, long_ago.user.id) in service.groups_of(d)["A08.01"]


def test_repeat_limit_sets_aside_experts_who_sat_too_often_for_this_tenderer(
    session: Session, clock: FixedClock, keys: Keys, pool: Pool
) -> None:
    d = a_drawn(session, clock, keys, pool, MemoryNotifier())
    inv = queries.invitations(session, d.id)[0]
    for _ in range(int(service.rules.REPEAT_LIMIT.value)):
        session.add(
            Invitation(
                id=service.new_id(),
                draw_id=d.id,
                seat=9,
                idx=100 + _,
                pseudonym="x",
                expert_id=inv.expert_id,
                status=InvitationStatus.ACCEPTED.value,
                invited_at=clock.now(),
                answer_by=clock.now(),
            )
        )
    session.flush()
    tenderer = pool.room.world.tenderer.user.org_id
    avoid = queries.Avoid(frozenset(), tenderer, d.evaluation_on, 3, int(service.rules.REPEAT_LIMIT.value), 180)
    found = queries.eligible(session, ["A08.01"], avoid)
    assert found.excluded == {"repeat": 1}
    assert inv.expert_id not in found.groups["A08.01"]


def test_region_rules(session: Session, clock: FixedClock, ident: Identity, pool: Pool) -> None:
    an_expert(session, clock, ident, specialities=["A08.01"], region="410100")
    # One expert in 4101 only: five civil seats there cannot be filled; excluding 4107 leaves the same one.
    with pytest.raises(RuleViolation, match=r"土建（A08\.01）缺4人"):
        service.request_draw(
            session,
            pool.room.world.tenderer.actor,
            section_id=pool.room.section.id,
            request=a_request(clock, seats=["A08.01"] * 5, require_regions=["4101"]),
            clock=clock,
        )
    with pytest.raises(RuleViolation, match="缺4人"):
        service.request_draw(
            session,
            pool.room.world.tenderer.actor,
            section_id=pool.room.section.id,
            request=a_request(clock, seats=["A08.01"] * 5, exclude_regions=["4107"]),
            clock=clock,
        )
    d = service.request_draw(
        session,
        pool.room.world.tenderer.actor,
        section_id=pool.room.section.id,
        request=a_request(clock, seats=["A08.01", "A08.01", "A08.01", "*", "*"], exclude_regions=["4101"]),
        clock=clock,
    )
    assert len(service.groups_of(d)["A08.01"]) == 6 and len(service.groups_of(d)["*"]) == 10


def test_bad_requests_change_nothing(
    session: Session, clock: FixedClock, ident: Identity, keys: Keys, pool: Pool
) -> None:
    world = pool.room.world
    section = pool.room.section.id
    events_before = session.execute(select(func.count()).select_from(Event)).scalar_one()
    cases: list[tuple[object, type[Exception], str]] = [
        (a_request(clock, seats=["A08.01"] * 4), RuleViolation, "5人以上单数"),
        (a_request(clock, seats=["A08.01"] * 3 + ["B02"] * 3), RuleViolation, "单数"),
        (a_request(clock, seats=["A08.01"] * 7), RuleViolation, "缺1人"),
        (a_request(clock, seats=["Z99"] * 5), Invalid, "不在专业分类"),
        (
            a_request(
                clock,
                seats=["A08.01"] * 3,
                representatives=[world.tenderer.user.id, a_rep(session, clock, ident, pool)],
            ),
            RuleViolation,
            "2/3",
        ),
    ]
    for req, exc, msg in cases:
        with pytest.raises(exc, match=msg):
            service.request_draw(session, world.tenderer.actor, section_id=section, request=req, clock=clock)  # type: ignore[arg-type]
    with pytest.raises(Forbidden):
        service.request_draw(session, world.bidders[0].actor, section_id=section, request=a_request(clock), clock=clock)
    outsider = a_user(session, clock, ident, role=Role.TENDERER)
    with pytest.raises(Forbidden):
        service.request_draw(session, outsider.actor, section_id=section, request=a_request(clock), clock=clock)
    assert _draws(session) == 0
    assert (
        session.execute(select(func.count()).select_from(Event).where(Event.type.like("experts.draw%"))).scalar_one()
        == 0
    )
    assert session.execute(select(func.count()).select_from(Event)).scalar_one() >= events_before
    service.request_draw(session, world.tenderer.actor, section_id=section, request=a_request(clock), clock=clock)
    with pytest.raises(Conflict, match="已有"):
        service.request_draw(session, world.tenderer.actor, section_id=section, request=a_request(clock), clock=clock)
    assert _draws(session) == 1


def a_rep(session: Session, clock: FixedClock, ident: Identity, pool: Pool) -> str:
    org = entities.get_org(session, pool.room.world.tenderer.user.org_id)
    return a_user(session, clock, ident, role=Role.TENDERER, org=org).user.id


def test_a_section_not_yet_opened_cannot_draw(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv
) -> None:
    from tests.trade import a_published_section, a_world

    world = a_world(session, clock, ident, opening_env)
    section = a_published_section(session, clock, world, files, opening_env)
    with pytest.raises(RuleViolation, match="开标后"):
        service.request_draw(
            session, world.tenderer.actor, section_id=section.id, request=a_request(clock), clock=clock
        )


def test_bidders_are_read_from_the_opened_bids(session: Session, pool: Pool) -> None:
    n = session.execute(select(func.count()).select_from(Bid).where(Bid.section_id == pool.room.section.id)).scalar()
    assert n == 3


def test_a_complete_draw_opens_the_evaluation_room(
    session: Session, clock: FixedClock, keys: Keys, pool: Pool, files: FileStore, opening_env: opening_keys.KeyEnv
) -> None:
    from ggzy.evaluation import methods, opened
    from ggzy.evaluation import service as evaluation
    from tests.evaluation.builders import tender_bill

    notifier = MemoryNotifier()
    d = a_drawn(session, clock, keys, pool, notifier)
    people = {p.user.id: p for p in pool.experts}
    for inv in queries.invitations(session, d.id):
        service.answer(
            session, people[inv.expert_id].actor, invitation_id=inv.id, accept=True, clock=clock, notifier=notifier
        )
    members, chair = queries.committee_of(session, pool.room.section.id)
    e = evaluation.open_evaluation(
        session,
        pool.room.world.operator.actor,
        section_id=pool.room.section.id,
        members=members,
        chair=chair or members[0],
        method=methods.preset(methods.Kind.COMPREHENSIVE),
        clock=clock,
        ceiling=None,
        tender_bill=tender_bill(),
        read_file=opened.archive_reader(files, opening_env),
    )
    assert e.chair_id == members[0]
    assert not service.evaluation_ended(session, d)
    assert not service.names_visible(session, pool.room.world.tenderer.actor, d)
    assert not service.names_visible(session, PUBLIC, d)
    assert service.names_visible(session, pool.room.world.operator.actor, d)
    view = service.view(session, PUBLIC, d.id)
    assert not view.names_shown and all(c.name is None for c in view.calls)
    # Once the report is signed the evaluation has ended and the names are no longer withheld (S4).
    e.status = EvaluationStatus.REPORTED.value
    session.flush()
    assert service.names_visible(session, PUBLIC, d)
    assert {c.name for c in service.view(session, PUBLIC, d.id).calls} == {people[m].user.display_name for m in members}


def test_the_tick_draws_once_the_checkpoint_exists(session: Session, clock: FixedClock, keys: Keys, pool: Pool) -> None:
    from ggzy.experts import timers

    class Ctx:
        notifier = MemoryNotifier()

    draw_source, answer_source = timers.sources(Ctx())
    d = service.request_draw(
        session, pool.room.world.tenderer.actor, section_id=pool.room.section.id, request=a_request(clock), clock=clock
    )
    assert list(draw_source.due(session, clock.now())) == []
    sign(session, clock, keys)
    assert list(draw_source.due(session, clock.now())) == [d.id]
    assert draw_source.apply(session, d.id, clock.now())
    assert not draw_source.apply(session, d.id, clock.now())
    assert d.status == DrawStatus.CALLING.value and len(Ctx.notifier.sent) == 15
    later = clock.now() + timedelta(minutes=d.answer_minutes + 1)
    due = list(answer_source.due(session, later))
    assert len(due) == 5
    assert answer_source.apply(session, due[0], later)
    assert len(queries.invitations(session, d.id)) == 6
