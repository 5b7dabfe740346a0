"""A pushed trade is compiled as OCDS merges releases (issue 14: "pushed trade compile last-wins, not OCDS merge"):
arrays of objects by id — two lots' awards pushed in two releases are both in the compiled release, which a
last-wins compile lost; an award amended later keeps its id and takes the new fields."""

from __future__ import annotations

import copy
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.core.clock import FixedClock
from ggzy.entities.service import Identity
from ggzy.federation import screening
from tests.federation.kit import package, whole_tender
from tests.federation.test_push import bidders_of, push, setup


def test_awards_of_two_releases_are_merged_by_id_not_replaced(
    session: Session, clock: FixedClock, ident: Identity, opening_env: opening_keys.KeyEnv, client: TestClient
) -> None:
    world, market, _ = setup(session, clock, ident, opening_env, client)
    tenderers = bidders_of(session, world)
    rels = whole_tender(market.prefix, "MKT-2026-0101", clock.now() - timedelta(days=6), bidders=tenderers)
    tender, opened, award, _contract = rels
    second = copy.deepcopy(award)  # a second lot's award, a day later, naming only itself
    second["id"] = award["id"].replace("-2", "-4")
    second["date"] = (clock.now() - timedelta(days=2)).isoformat()
    second["awards"] = [{"id": "a2", "status": "active", "value": {"amount": 123456, "currency": "CNY"}}]
    amended = copy.deepcopy(award)  # the first award amended: same id, new value
    amended["id"] = award["id"].replace("-2", "-5")
    amended["date"] = (clock.now() - timedelta(days=1)).isoformat()
    amended["awards"] = [{"id": "a1", "value": {"amount": 880000, "currency": "CNY"}}]
    r = push(client, market, package([tender, opened, award, second, amended]), clock)
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]

    release = screening.compiled(session, f"{market.prefix}-MKT-2026-0101")
    by_id = {a["id"]: a for a in release["awards"]}
    assert sorted(by_id) == ["a1", "a2"]  # last-wins kept only the amendment's a1
    assert by_id["a1"]["value"]["amount"] == 880000 and by_id["a1"]["status"] == "active"  # merged field by field
    assert by_id["a1"]["suppliers"][0]["name"] == tenderers[0][1]  # what the amendment did not restate stays
    assert len(release["bids"]["details"]) == len(tenderers)
    assert release["tag"] == ["compiled"] and release["tender"]["status"] == "complete"
