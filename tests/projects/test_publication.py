"""Publishing the tender notice: legal periods, documents, invitations, the opening key; clarifications."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.bidding.keys import KeyEnv
from ggzy.bidding.models import OpeningRecipient
from ggzy.core.clock import SHANGHAI, FixedClock
from ggzy.core.errors import Invalid, RuleViolation
from ggzy.core.events import Event
from ggzy.core.files import FileStore
from ggzy.entities.service import Identity
from ggzy.notices import queries as notices
from ggzy.notices.states import NoticeKind
from ggzy.projects import publication, queries
from ggzy.rules.procedures import Method
from tests.trade import World, a_project, a_published_section, a_world


@pytest.fixture
def world(session: Session, clock: FixedClock, ident: Identity, opening_env: KeyEnv) -> World:
    return a_world(session, clock, ident, opening_env)


def publish(
    session: Session,
    clock: FixedClock,
    world: World,
    files: FileStore,
    env: KeyEnv,
    section_id: str,
    *,
    deadline: object,
    docs_until: object = None,
) -> object:
    doc = files.save("documents/x", [b"doc"], max_bytes=100)
    return publication.publish_tender(
        session,
        world.tenderer.actor,
        section_id=section_id,
        title="测试工程招标公告",
        body="正文",
        deadline=deadline,  # type: ignore[arg-type]
        documents_until=docs_until or deadline,
        documents=[("招标文件.pdf", doc)],
        clock=clock,
        keys_env=env,  # type: ignore[arg-type]
    )


def test_a_deadline_shorter_than_twenty_days_is_refused_naming_the_earliest_lawful_date(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: KeyEnv
) -> None:
    p = a_project(session, clock, world)
    section = queries.sections_of(session, p.id)[0]
    too_soon = clock.now() + timedelta(days=19, hours=14)  # 2026-12-15 23:00, one day short
    with pytest.raises(RuleViolation, match=r"不得早于 2026年12月16日.*《招标投标法》第24条"):
        publish(session, clock, world, files, opening_env, section.id, deadline=too_soon)
    assert section.status == "preparing" and not notices.of_section(session, section.id)
    on_time = clock.now().astimezone(SHANGHAI).replace(day=16, month=12, hour=9, minute=0)
    publish(session, clock, world, files, opening_env, section.id, deadline=on_time)
    assert section.status == "bidding" and section.next_due_at == on_time


def test_documents_must_stay_available_five_days(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: KeyEnv
) -> None:
    section = queries.sections_of(session, a_project(session, clock, world).id)[0]
    deadline = clock.now() + timedelta(days=25)
    with pytest.raises(RuleViolation, match=r"招标文件提供截止.*实施条例》第16条"):
        publish(
            session,
            clock,
            world,
            files,
            opening_env,
            section.id,
            deadline=deadline,
            docs_until=clock.now() + timedelta(days=3),
        )


def test_an_unaccepted_project_cannot_publish(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: KeyEnv
) -> None:
    section = queries.sections_of(session, a_project(session, clock, world, accept=False).id)[0]
    with pytest.raises(RuleViolation, match="受理后"):
        publish(session, clock, world, files, opening_env, section.id, deadline=clock.now() + timedelta(days=30))


def test_publication_publishes_the_three_holders_public_keys_and_makes_no_secret(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: KeyEnv
) -> None:
    section = a_published_section(session, clock, world, files, opening_env)
    assert section.opening_public_key is None  # no opening key pair exists any more: the bidders share their own
    shares = session.execute(select(OpeningRecipient).where(OpeningRecipient.section_id == section.id)).scalars().all()
    assert {s.holder for s in shares} == {"centre", "supervision", "tenderer"}
    assert {s.share_index for s in shares} == {1, 2, 3}
    assert all(len(s.public_key) == 65 for s in shares)
    ev = session.execute(select(Event).where(Event.type == "bidding.opening_key_prepared")).scalar_one()
    assert '"threshold":2' in ev.payload and all(s.key_id in ev.payload for s in shares)


def test_without_a_key_holder_at_the_centre_nothing_is_published(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: KeyEnv
) -> None:
    world = a_world(session, clock, ident, opening_env)
    from ggzy.bidding.models import HolderKey

    session.execute(HolderKey.__table__.delete().where(HolderKey.user_id == world.operator.user.id))
    with pytest.raises(RuleViolation, match="交易中心还没有人登记开标密钥"):
        a_published_section(session, clock, world, files, opening_env)


def test_invited_procedures_need_enough_invitations(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: KeyEnv
) -> None:
    p = a_project(session, clock, world, method=Method.INVITED_TENDER, estimate="3000000.00")
    section = queries.sections_of(session, p.id)[0]
    publication.invite(
        session, world.tenderer.actor, section_id=section.id, org_ids=[world.bidders[0].user.org_id], clock=clock
    )
    with pytest.raises(RuleViolation, match="不少于3家"):
        publish(session, clock, world, files, opening_env, section.id, deadline=clock.now() + timedelta(days=30))
    with pytest.raises(Invalid, match="不是投标人"):
        publication.invite(
            session, world.tenderer.actor, section_id=section.id, org_ids=[world.tenderer.user.org_id], clock=clock
        )
    publication.invite(
        session,
        world.tenderer.actor,
        section_id=section.id,
        org_ids=[b.user.org_id for b in world.bidders],
        clock=clock,
    )
    publish(session, clock, world, files, opening_env, section.id, deadline=clock.now() + timedelta(days=30))


def test_a_late_clarification_moves_the_deadline_by_rule_and_links_to_the_notice(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: KeyEnv
) -> None:
    section = a_published_section(session, clock, world, files, opening_env, days=21)
    old = section.bid_deadline
    assert old is not None
    clock.advance(timedelta(days=10))  # 11 days before the deadline: less than 15
    n = publication.clarify(
        session, world.tenderer.actor, section_id=section.id, title="关于招标文件的澄清", body="澄清内容", clock=clock
    )
    assert section.bid_deadline is not None and section.bid_deadline > old
    assert (section.bid_deadline - clock.now()) >= timedelta(days=14)
    assert "顺延" in n.body and "第21条" in n.body
    tender = notices.of_section(session, section.id, NoticeKind.TENDER.value)[0]
    assert n.corrects_id == tender.id and n.kind == "clarification"
    with pytest.raises(RuleViolation, match="提前"):
        publication.clarify(
            session,
            world.tenderer.actor,
            section_id=section.id,
            title="再次澄清公告",
            body="x",
            clock=clock,
            new_deadline=old,
        )


def test_an_early_clarification_keeps_the_deadline(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: KeyEnv
) -> None:
    section = a_published_section(session, clock, world, files, opening_env, days=30)
    old = section.bid_deadline
    n = publication.clarify(
        session, world.tenderer.actor, section_id=section.id, title="关于招标文件的澄清", body="澄清内容", clock=clock
    )
    assert section.bid_deadline == old and "顺延" not in n.body
