"""The monitoring board (实时监测, issue 13 item 7) as a regulator sees it: its own sector's trades with their stage and
time left, and the board follows the event stream without a reload — a new alert, then the bid deadline passing
(the clock moves, the tick runs) and the tender failing. Another sector's trade never shows, on the open board or by
changing the filter in the address."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from ggzy.projects.models import Project, Section
from ggzy.projects.timers import reach_deadline
from ggzy.supervision import service
from ggzy.supervision.states import Severity
from tests.browser.conftest import Live, serve, shot, sign_in
from tests.dbserver import DbServer

S229 = "新乡市S229线路面改造工程"  # transport, still taking bids in the demo city (one bid: it fails at the deadline)
HOUSING = "新乡市第一中学综合教学楼建设工程"  # housing


@pytest.fixture(scope="module")
def live(dbserver: DbServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A server of its own: this module raises alerts and moves the clock past a deadline."""
    with serve(dbserver, tmp_path_factory) as server:
        yield server


def _regulator(browser: Browser, live: Live, username: str) -> Page:
    page = browser.new_context(base_url=live.url, locale="zh-CN", viewport={"width": 1280, "height": 860}).new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live, username, staff=True)
    return page


def _raise(live: Live, sector: str, title: str) -> None:
    with live.ctx.db.unit_of_work() as s:
        p = s.execute(select(Project).where(Project.sector == sector).order_by(Project.code).limit(1)).scalar_one()
        service.raise_alert(
            s,
            service.Finding(
                flag_id="X02",
                title=title,
                severity=Severity.HIGH,
                legal_basis="《招标投标法实施条例》第40条",
                subject=p.name,
                source="platform",
                project_id=p.id,
                sector=sector,
                region=p.region,
                dedup=title,
            ),
            clock=live.clock,
        )


def test_the_regulator_s_board_follows_the_event_stream_without_a_reload(browser: Browser, live: Live) -> None:
    page = _regulator(browser, live, "transport")
    page.get_by_test_id("role-menu").get_by_role("link", name="实时监测", exact=True).click()
    expect(page.locator("h1")).to_have_text("实时监测")
    trades = page.get_by_test_id("board-trades")
    row = trades.locator("tr[data-testid=trade]", has_text=S229)
    expect(row.get_by_test_id("stage")).to_have_text("投标中")
    expect(row.get_by_test_id("left")).to_contain_text("剩余")
    expect(row).to_contain_text("投标截止")
    expect(trades).not_to_contain_text(HOUSING)
    expect(page.get_by_test_id("chart-stage")).to_contain_text("投标中")
    expect(page.get_by_test_id("chart-board-sector")).to_contain_text("交通运输")
    assert "住房和城乡建设" not in page.get_by_test_id("chart-board-sector").inner_text()
    before = int(page.get_by_test_id("count-new-alerts").inner_text())
    page.evaluate("window.__sameDocument = true")  # gone if the page were reloaded

    _raise(live, "housing", "测试：另一行业的预警")  # another sector's alert wakes the board but shows nothing
    _raise(live, "transport", "测试：同一网络地址递交投标文件（实时）")
    expect(page.get_by_test_id("board-alerts")).to_contain_text("测试：同一网络地址递交投标文件（实时）", timeout=3_000)
    expect(page.get_by_test_id("count-new-alerts")).to_have_text(str(before + 1))
    expect(page.get_by_test_id("board-alerts")).not_to_contain_text("另一行业")

    with live.ctx.db.unit_of_work() as s:
        section = s.execute(
            select(Section).join(Project, Project.id == Section.project_id).where(Project.name == S229)
        ).scalar_one()
        section_id, deadline = section.id, section.bid_deadline
    assert deadline is not None
    before = live.clock.now()
    live.clock.set(deadline + timedelta(seconds=1))
    with live.ctx.db.unit_of_work() as s:
        assert reach_deadline(s, section_id, live.clock.now())  # what the tick does at the deadline: one bid fails
    row = page.get_by_test_id("board-trades").locator("tr[data-testid=trade]", has_text=S229)
    expect(row.get_by_test_id("stage")).to_have_text("流标", timeout=3_000)
    expect(row).to_contain_text("待重新招标或终止")
    expect(page.get_by_test_id("today-openings")).to_contain_text(S229)  # the opening was due today, at the deadline
    assert page.evaluate("window.__sameDocument === true"), "the board changed without a reload"
    shot(page, "supervision-board")

    live.clock.set(before)  # weeks later the regulator's session would have expired: back to the day of the test
    row.get_by_role("link", name=S229).click()
    expect(page.get_by_test_id("timeline")).to_contain_text("流标")


def test_a_regulator_cannot_see_another_sector_by_changing_the_filter(browser: Browser, live: Live) -> None:
    page = _regulator(browser, live, "transport")
    response = page.goto("/supervision/board?sector=housing")
    assert response is not None and response.status == 403
    expect(page.locator("main")).to_contain_text("本行业")
    expect(page.locator("main")).not_to_contain_text(HOUSING)
    api = page.request.get("/api/v1/supervision/board?sector=housing")
    assert api.status == 403 and HOUSING not in api.text()
    own = page.request.get("/api/v1/supervision/board")
    assert own.ok and HOUSING not in own.text() and S229 in own.text()

    housing = _regulator(browser, live, "housing")
    housing.goto("/supervision/board")
    expect(housing.get_by_test_id("board-trades")).to_contain_text(HOUSING)
    expect(housing.get_by_test_id("board-trades")).not_to_contain_text(S229)
    office = _regulator(browser, live, "supervisor")
    office.goto("/supervision/board?sector=housing")
    expect(office.get_by_test_id("board-trades")).to_contain_text(HOUSING)
    expect(office.get_by_test_id("board-trades")).not_to_contain_text(S229)
