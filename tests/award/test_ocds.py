"""The award and the signed contract are published as OCDS releases through the export's one hook (issue 14 item 1:
every published step is a release): tag award with the winner and its value, tag contract with the contract."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from ggzy.award import contracts, service
from ggzy.award import queries as award_queries
from ggzy.bidding import keys as opening_keys
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.notify import MemoryNotifier
from ggzy.entities import queries as entities
from ggzy.entities.service import Identity
from ggzy.exchange import queries as export
from tests.award.builders import a_reported_section, after_publicity, published


def test_the_award_and_the_contract_are_releases_of_their_own(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    trade = a_reported_section(session, clock, ident, files, opening_env, keys)
    after_publicity(clock, published(session, clock, trade))
    winner = trade.candidate(1)
    service.award(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        winner_org_id=winner.user.org_id or "",
        clock=clock,
        files=files,
        notifier=MemoryNotifier(),
    )
    a = award_queries.award_of(session, trade.section_id, 1)
    assert a is not None and a.winner_price is not None
    contracts.create_contract(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        amount=str(a.winner_price),
        security=str(a.winner_price / 10),
        clock=clock,
        files=files,
    )
    contracts.sign_contract(session, winner.actor, section_id=trade.section_id, clock=clock)
    contracts.sign_contract(session, trade.tenderer.actor, section_id=trade.section_id, clock=clock)
    rels = export.releases(session, export.steps_of_section(session, trade.room.section), prefix="ocds-test00")
    by_tag = {tuple(r["tag"]): r for r in rels}  # type: ignore[arg-type]
    award_rel, contract_rel = by_tag[("award",)], by_tag[("contract",)]
    code = entities.get_org(session, winner.user.org_id or "").credit_code
    for r in (award_rel, contract_rel):
        (aw,) = r["awards"]  # type: ignore[misc]
        assert aw["suppliers"][0]["id"] == f"CN-USCC-{code}" and aw["value"] == {
            "amount": a.winner_price,
            "currency": "CNY",
        }
        assert isinstance(aw["value"]["amount"], Decimal) and r["tender"]["status"] == "complete"  # type: ignore[index]
        assert any("supplier" in p["roles"] for p in r["parties"])  # type: ignore[union-attr]
    assert "contracts" not in award_rel
    (c,) = contract_rel["contracts"]  # type: ignore[misc]
    assert c["awardID"] == aw["id"] and c["value"]["amount"] == a.winner_price and c["dateSigned"]
