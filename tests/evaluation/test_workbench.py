"""The evaluation's workbench items: a supplier's open round until it quotes, each member's sheet until it is
submitted, the chair's report once all have; nothing for the others."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.entities.service import Identity
from ggzy.evaluation import methods, queries, service, workbench
from ggzy.rules.procedures import Method as Procedure
from tests.evaluation.builders import a_bill, a_sheet, an_opened_section

NEGOTIATION = methods.preset(methods.Kind.NEGOTIATION)


def titles(session: Session, actor: object, clock: FixedClock) -> list[str]:
    return [i.title for i in workbench.due_items(session, actor, clock.now())]  # type: ignore[arg-type]


def test_quotes_sheets_and_the_report_each_appear_for_whom_they_are_due_and_go_once_done(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    bids = [
        a_bill(("3.50", "420.00", "510.00")),
        a_bill(("3.60", "415.00", "505.00")),
        a_bill(("3.40", "430.00", "500.00")),
    ]
    room = an_opened_section(
        session, clock, ident, files, opening_env, keys, bids, procedure=Procedure.NEGOTIATION, experts=3
    )
    op = room.world.operator.actor
    e = service.open_evaluation(
        session,
        op,
        section_id=room.section.id,
        members=[p.user.id for p in room.experts],
        chair=room.experts[0].user.id,
        method=NEGOTIATION,
        clock=clock,
    )
    supplier = room.world.bidders[0]
    assert titles(session, supplier.actor, clock) == []  # no round open
    service.open_round(session, op, evaluation_id=e.id, final=True, clock=clock)
    assert [t.split("：")[0] for t in titles(session, supplier.actor, clock)] == ["第1轮最后报价"]
    for b in room.world.bidders:
        service.submit_quote(session, b.actor, evaluation_id=e.id, price="59000.00", clock=clock)
    assert titles(session, supplier.actor, clock) == []  # quoted
    service.close_round(session, op, evaluation_id=e.id, clock=clock)

    chair, other = room.experts[0], room.experts[1]
    assert [t.split("：")[0] for t in titles(session, other.actor, clock)] == ["独立评审打分"]
    orgs = [b.org_id for b in queries.in_review(session, e.id)]
    for p in room.experts:
        service.submit_sheet(session, p.actor, evaluation_id=e.id, sheet=a_sheet(NEGOTIATION, orgs), clock=clock)
    assert titles(session, other.actor, clock) == []  # submitted, and not the chair
    assert [t.split("：")[0] for t in titles(session, chair.actor, clock)] == ["汇总并签署评标报告"]
    assert titles(session, room.world.tenderer.actor, clock) == []
    assert titles(session, op, clock) == []  # the room is open already
