"""一处失信，处处受限 at evaluation: every bidder checked when the room opens, the checks kept with the evaluation,
and a bidder a sanction binds rejected with the sanction cited (条例 art. 51 (三))."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.credit import queries as credit
from ggzy.entities.service import Identity
from ggzy.evaluation import methods, queries, service
from tests.credit.conftest import a_sanction
from tests.evaluation.builders import an_opened_section, direct_ground
from tests.evaluation.test_pages import THREE


def test_a_sanctioned_bidder_is_rejected_at_evaluation_with_the_check_kept(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    room = an_opened_section(session, clock, ident, files, opening_env, keys, THREE)
    barred = room.world.bidders[1]
    a_sanction(session, clock, room.world.supervisor, barred.user.org_id)  # decided after it bid
    e = service.open_evaluation(
        session,
        room.world.operator.actor,
        section_id=room.section.id,
        members=[p.user.id for p in room.experts],
        chair=room.experts[0].user.id,
        method=methods.preset(methods.Kind.LOWEST_PRICE),
        direct=direct_ground(session, room.section),
        clock=clock,
    )
    checks = credit.checks_of(session, room.section.id, ref=e.id)
    assert sorted(c.outcome for c in checks) == ["clear", "clear", "flagged"]
    flagged = next(c for c in checks if c.outcome == "flagged")
    assert flagged.org_id == barred.user.org_id
    assert json.loads(flagged.sanctions)[0]["citation"] == "《招标投标法》第53条"
    row = next(b for b in queries.bids(session, e.id) if b.org_id == barred.user.org_id)
    assert row.excluded and row.ground == "art51.三" and "受信用惩戒限制" in json.loads(row.reasons)[0]
    assert barred.user.org_id not in {b.org_id for b in queries.in_review(session, e.id)}
