"""委托代理 in the browser: a tenderer appoints an agency with its agreement, the agency's registration form offers
only the tenderers that appointed it, the tenderer sees what the agency did in its name and revokes it, and the
supervision office opens the agency-spread list."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from ggzy.core.clock import SHANGHAI
from tests.browser.conftest import Live, serve, shot, sign_in
from tests.dbserver import DbServer

pytestmark = pytest.mark.browser

WATER = "新乡市水务集团有限公司"  # tenderer3, appointed by nobody in the demo
AGENCY2 = "新乡市公诚工程咨询有限公司"


@pytest.fixture(scope="module")
def live(dbserver: DbServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A server of this module's own: the test appoints, registers and revokes in the demo city."""
    with serve(dbserver, tmp_path_factory) as server:
        yield server


def person(browser: Browser, live: Live, username: str, *, staff: bool = False) -> Page:
    page = browser.new_context(base_url=live.url, locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live, username, staff=staff)
    return page


def test_a_tenderer_appoints_an_agency_sees_its_acts_and_revokes_it(browser: Browser, live: Live) -> None:
    today = live.clock.now().astimezone(SHANGHAI).date()
    agency = person(browser, live, "agency2")
    agency.goto("/projects/new")
    options = agency.get_by_test_id("tenderer-choice").locator("option").all_inner_texts()
    assert WATER not in options and "新乡市城市建设投资开发有限公司" not in options  # only who appointed agency2

    tenderer = person(browser, live, "tenderer3")
    tenderer.goto("/projects")
    tenderer.get_by_test_id("delegations-link").click()
    tenderer.get_by_test_id("appoint-link").click()
    tenderer.select_option("select[name=agency_org_id]", label=AGENCY2)
    tenderer.fill("input[name=agreement_ref]", "XXDL-2026-WATER")
    tenderer.set_input_files(
        "input[name=agreement]",
        files=[{"name": "委托代理协议.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}],
    )
    tenderer.check("input[name=categories][value=construction]")
    tenderer.fill("input[name=valid_from]", today.isoformat())
    tenderer.fill("input[name=valid_until]", today.replace(year=today.year + 1).isoformat())
    tenderer.click("button:has-text('委托')")
    expect(tenderer.get_by_test_id("appointments")).to_contain_text("XXDL-2026-WATER")
    expect(tenderer.get_by_test_id("appointments")).to_contain_text("有效")
    shot(tenderer, "delegation-list")

    agency.goto("/projects/new")
    agency.select_option("select[name=tenderer_org_id]", label=WATER)
    agency.fill("input[name=name]", "新乡市供水管网改造工程")
    agency.fill("input[name=approval_code]", "2026-410700-46-01-000321")
    agency.select_option("select[name=category]", "construction")
    agency.select_option("select[name=sector]", "water")
    agency.select_option("select[name=method]", "open_tender")
    agency.fill("input[name=state_funds_share]", "100")
    agency.fill("input[name=state_funds_amount]", "6000000")
    agency.fill("input[aria-label='标段1名称']", "管网施工")
    agency.fill("input[aria-label='标段1估算价']", "6000000")
    agency.click("button:has-text('提交登记')")
    expect(agency.locator("h1")).to_contain_text("新乡市供水管网改造工程")

    tenderer.goto("/delegations")
    tenderer.get_by_test_id("acts-link").click()
    expect(tenderer.get_by_test_id("agency-acts")).to_contain_text("登记交易项目")
    expect(tenderer.get_by_test_id("agency-acts")).to_contain_text(AGENCY2)
    shot(tenderer, "delegation-acts")
    tenderer.goto("/delegations")
    row = tenderer.locator("tr", has_text="XXDL-2026-WATER")
    row.locator("input[name=reason]").fill("代理合同解除")
    row.locator("button:has-text('撤销委托')").click()
    expect(tenderer.locator("tr", has_text="XXDL-2026-WATER").get_by_test_id("appointment-status")).to_have_text(
        "已撤销"
    )

    agency.goto("/projects/new")
    assert WATER not in agency.get_by_test_id("tenderer-choice").locator("option").all_inner_texts()

    office = person(browser, live, "supervisor", staff=True)
    office.goto("/supervision")
    office.get_by_test_id("agency-spread-link").click()
    expect(office.get_by_test_id("agency-rule")).to_contain_text("同一代理机构在同一行业代理的不同招标人达到")
