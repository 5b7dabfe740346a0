"""待办 by deadline (issue 13 item 1): a dated item says how long is left; an item that only waits says since when,
never "overdue"; dated items come first, soonest first."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ggzy.bidding.keys import KeyEnv
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.entities.service import Identity
from tests.builders import signed_in
from tests.trade import a_project, a_published_section, a_world


def _rows(html: str) -> list[str]:
    body = html[html.index('data-testid="items"') :]
    return [re.sub(r"<[^>]+>", " ", r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)[1:]]


def test_a_deadline_says_how_long_is_left_and_a_waiting_item_says_since_when(
    client: TestClient,
    session: Session,
    clock: FixedClock,
    ident: Identity,
    opening_env: KeyEnv,
    files: FileStore,
) -> None:
    world = a_world(session, clock, ident, opening_env, bidders=1)
    a_published_section(session, clock, world, files, opening_env, days=21)
    later = a_project(session, clock, world, accept=False)  # waits for the centre: no deadline of its own
    session.commit()
    clock.advance(timedelta(hours=5))

    tenderer = signed_in(client, world.tenderer, clock)
    rows = _rows(tenderer.get("/workbench/tenderer").text)
    (bidding,) = [r for r in rows if "投标截止" in r]
    assert "还剩20天19小时" in bidding and "已逾期" not in bidding
    client.cookies.clear()

    operator = signed_in(client, world.operator, clock)
    rows = _rows(operator.get("/workbench/operator").text)
    (waiting,) = [r for r in rows if f"受理登记：{later.name}" in r]
    assert "自 " in waiting and " 起" in waiting and "已逾期" not in waiting and "还剩" not in waiting
