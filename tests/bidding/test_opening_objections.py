"""Objections raised at the opening and answered on the spot (条例 art. 44), recorded by the trading centre and shown
on the opening page beside the record of bids that could not be decrypted (电子办法 art. 31)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.bidding import opening
from ggzy.core.clock import FixedClock
from ggzy.core.errors import Forbidden, Invalid, RuleViolation
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.entities.service import Identity
from tests.builders import csrf_from, signed_in
from tests.evaluation.builders import a_bill, an_opened_section


def test_the_centre_records_an_objection_and_its_answer_and_the_page_shows_them(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
    client: TestClient,
) -> None:
    room = an_opened_section(session, clock, ident, files, opening_env, keys, [a_bill() for _ in range(3)])
    bidder = room.world.bidders[0]
    with pytest.raises(Forbidden):
        opening.record_objection(
            session,
            bidder.actor,
            section_id=room.section.id,
            org_id=bidder.user.org_id,
            text="x",
            answer="y",
            clock=clock,
        )
    with pytest.raises(Invalid, match="现场答复"):
        opening.record_objection(
            session,
            room.world.operator.actor,
            section_id=room.section.id,
            org_id=bidder.user.org_id,
            text="唱标价格有误",
            answer=" ",
            clock=clock,
        )
    with pytest.raises(Invalid, match="投标人"):
        opening.record_objection(
            session,
            room.world.operator.actor,
            section_id=room.section.id,
            org_id=room.world.tenderer.user.org_id,
            text="异议",
            answer="答复",
            clock=clock,
        )
    assert opening.opening_objections(session, room.section) == []
    opening.record_objection(
        session,
        room.world.operator.actor,
        section_id=room.section.id,
        org_id=bidder.user.org_id,
        text="唱标价格与投标文件不一致",
        answer="经核对解密结果，唱标无误",
        clock=clock,
    )
    session.commit()
    op = signed_in(client, room.world.operator, clock)
    page = op.get(f"/sections/{room.section.id}/opening")
    assert page.status_code == 200 and "唱标价格与投标文件不一致" in page.text and "经核对解密结果" in page.text
    r = op.post(
        f"/sections/{room.section.id}/opening/objections",
        data={"csrf_token": csrf_from(page.text), "org_id": bidder.user.org_id, "text": "第二个异议", "answer": ""},
    )
    assert r.status_code == 303 and "error=" in r.headers["location"]
    assert len(opening.opening_objections(session, room.section)) == 1


def test_no_objection_is_recorded_before_the_opening(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv
) -> None:
    from tests.trade import a_published_section, a_world

    world = a_world(session, clock, ident, opening_env)
    section = a_published_section(session, clock, world, files, opening_env)
    with pytest.raises(RuleViolation, match="开标后"):
        opening.record_objection(
            session,
            world.operator.actor,
            section_id=section.id,
            org_id=world.bidders[0].user.org_id,
            text="异议",
            answer="答复",
            clock=clock,
        )
