"""The award's objection during publicity is a case of the case workflow: a procurement 质疑 holds the award and the
signing; after its answer the bidder may complain to the regulator (条例 art. 60; 采购法 art. 55), on its point only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from ggzy.award import queries, service
from ggzy.bidding import keys as opening_keys
from ggzy.cases import complaints
from ggzy.cases import queries as cases
from ggzy.cases.states import CaseKind, Matter
from ggzy.core import holds
from ggzy.core.clock import FixedClock
from ggzy.core.errors import RuleViolation
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.notify import MemoryNotifier
from ggzy.core.roles import Sector
from ggzy.entities.service import Identity
from ggzy.rules.procedures import Method as Procedure
from tests.award.builders import a_reported_section, after_publicity, published


def test_a_procurement_challenge_holds_award_and_signing_and_a_complaint_follows_its_answer(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    trade = a_reported_section(session, clock, ident, files, opening_env, keys, procedure=Procedure.GP_OPEN_TENDER)
    a = published(session, clock, trade)
    second = trade.candidate(2)
    o = service.file_objection(
        session, second.actor, section_id=trade.section_id, text="第一名报价低于成本\n附计算", clock=clock
    )
    assert o.number.startswith("ZY-") and o.regime == "procurement" and cases.points_of(o) == ["第一名报价低于成本"]
    hold = holds.holding(session, trade.section_id, holds.Step.AWARD)
    assert hold is not None and hold.stops(holds.Step.SIGNING) and hold.case_number == o.number
    assert queries.objections(session, a) == [o]
    with pytest.raises(RuleViolation, match="答复或期满后方可投诉"):
        complaints.file_complaint(
            session,
            second.actor,
            section_id=trade.section_id,
            matter=Matter.RESULT,
            points=["第一名报价低于成本"],
            claims="请求重新评审",
            to_sector=Sector.FINANCE,
            objection_id=o.id,
            clock=clock,
        )
    clock.advance(timedelta(days=1))
    service.answer_objection(session, trade.tenderer.actor, objection_id=o.id, answer="报价经澄清合理", clock=clock)
    assert holds.holding(session, trade.section_id, holds.Step.AWARD) is None
    clock.advance(timedelta(days=1))
    with pytest.raises(RuleViolation, match="超出了已质疑事项的范围"):
        complaints.file_complaint(
            session,
            second.actor,
            section_id=trade.section_id,
            matter=Matter.RESULT,
            points=["评标专家未回避"],
            claims="请求重新评审",
            to_sector=Sector.FINANCE,
            objection_id=o.id,
            clock=clock,
        )
    complaint, told = complaints.file_complaint(
        session,
        second.actor,
        section_id=trade.section_id,
        matter=Matter.RESULT,
        points=["第一名报价低于成本"],
        claims="请求重新评审",
        to_sector=Sector.FINANCE,
        objection_id=o.id,
        clock=clock,
    )
    assert complaint.kind == CaseKind.COMPLAINT.value and complaint.objection_id == o.id
    assert complaint.regulator_sector == Sector.FINANCE.value and complaint.number in told


def test_after_the_award_a_result_objection_is_refused_as_out_of_publicity(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    trade = a_reported_section(session, clock, ident, files, opening_env, keys)
    a = published(session, clock, trade)
    after_publicity(clock, a)
    service.award(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        winner_org_id=trade.candidate(1).user.org_id,
        clock=clock,
        files=files,
        notifier=MemoryNotifier(),
    )
    with pytest.raises(RuleViolation, match=r"只能在中标候选人公示期间.*第54条"):
        service.file_objection(session, trade.candidate(2).actor, section_id=trade.section_id, text="迟到", clock=clock)
    assert queries.objections(session, a) == []
