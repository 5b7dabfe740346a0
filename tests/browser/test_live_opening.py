"""The live opening page follows the trade without a reload (issue 13 item 2): a tender that fails at its deadline
shows 流标 and why, in the panel and in the header, on a page opened while bids were still being taken."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, expect

from ggzy.projects import queries as projects
from ggzy.projects.timers import reach_deadline
from tests.browser.conftest import Live
from tests.browser.test_trade_pages import a_bidding_section

pytestmark = pytest.mark.browser


def test_a_failed_tender_reaches_an_open_live_page_without_a_reload(browser: Browser, live: Live) -> None:
    section_id = a_bidding_section(live, "tenderer1", "新乡市牧野区背街小巷整治工程", "2026-410711-48-01-000654")
    watcher = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    watcher.goto(f"/sections/{section_id}/live")
    expect(watcher.get_by_test_id("live-status")).to_have_text("投标中")
    expect(watcher.get_by_test_id("live-note")).to_be_hidden()
    before = live.clock.now()
    with live.ctx.db.unit_of_work() as s:
        deadline = projects.get_section(s, section_id).bid_deadline
    assert deadline is not None
    live.clock.set(deadline + timedelta(seconds=1))
    try:
        with live.ctx.db.unit_of_work() as s:
            assert reach_deadline(s, section_id, live.clock.now())  # no bid came: too few bidders
        expect(watcher.get_by_test_id("live-status")).to_have_text("流标", timeout=5_000)
        expect(watcher.get_by_test_id("section-status")).to_have_text("流标")
        expect(watcher.get_by_test_id("live-note")).to_contain_text("少于3家")
        expect(watcher.get_by_test_id("live-note")).to_be_visible()
    finally:
        live.clock.set(before)  # the shared server's other tests keep their day
