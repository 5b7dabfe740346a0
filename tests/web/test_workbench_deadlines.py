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


def test_the_api_gives_the_same_items_as_the_workbench(
    client: TestClient,
    session: Session,
    clock: FixedClock,
    ident: Identity,
    opening_env: KeyEnv,
    files: FileStore,
) -> None:
    from tests.projects.test_api import bearer

    world = a_world(session, clock, ident, opening_env, bidders=1)
    a_published_section(session, clock, world, files, opening_env, days=21)
    a_project(session, clock, world, accept=False)
    token = bearer(session, world.tenderer, clock, ident)
    session.commit()
    clock.advance(timedelta(hours=5))
    got = client.get("/api/v1/me/due", headers=token).json()
    assert got["role"] == "tenderer"
    (bidding,) = [i for i in got["items"] if i["title"].startswith("投标截止")]
    assert bidding["time_left"] == "还剩20天19小时" and bidding["overdue"] is False and bidding["due_at"]
    page_rows = _rows(signed_in(client, world.tenderer, clock).get("/workbench/tenderer").text)
    assert len(page_rows) == len(got["items"])
    assert all(i["title"] in row for i, row in zip(got["items"], page_rows, strict=True))  # same order
    client.cookies.clear()
    assert client.get("/api/v1/me/due").status_code == 401


def test_in_english_the_time_left_and_the_waiting_read_in_english(
    client: TestClient,
    session: Session,
    clock: FixedClock,
    ident: Identity,
    opening_env: KeyEnv,
    files: FileStore,
) -> None:
    world = a_world(session, clock, ident, opening_env, bidders=1)
    a_published_section(session, clock, world, files, opening_env, days=21)
    session.commit()
    clock.advance(timedelta(hours=5))
    page = signed_in(client, world.tenderer, clock)
    page.cookies.set("lang", "en")
    html = page.get("/workbench/tenderer").text
    (row,) = [r for r in _rows(html) if "20 d 19 h left" in r]
    assert "还剩" not in row and "Time left" in html
