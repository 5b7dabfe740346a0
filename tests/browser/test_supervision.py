"""The supervision pages as a regulator sees them: the risk dashboard, an alert with its evidence and
workflow, a project's risk card; each regulator sees the cases of their own sector, bidders see none."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Live, shot, sign_in


def regulator(browser: Browser, live: Live, username: str) -> Page:
    page = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    sign_in(page, live, username, staff=True)
    return page


def test_the_transport_regulator_sees_the_ring_and_confirms_it(browser: Browser, live: Live) -> None:
    page = regulator(browser, live, "transport")
    page.goto("/workbench")
    expect(page.locator("main")).to_contain_text("处置预警（高）：同一网络地址上传投标文件")
    page.click("[data-testid=nav-supervision]")
    expect(page.locator("h1")).to_have_text("监管风险看板")
    expect(page.get_by_test_id("chart-flag")).to_contain_text("同一网络地址上传投标文件")
    expect(page.get_by_test_id("chart-sector")).to_contain_text("交通运输")
    expect(page.get_by_test_id("chart-region")).to_contain_text("新乡市")  # a name, not the code 410700
    assert "4107" not in page.get_by_test_id("chart-region").inner_text()
    expect(page.get_by_test_id("recent")).to_contain_text("新乡市G107线辅道改造工程")
    expect(page.get_by_test_id("recent")).not_to_contain_text("长垣起重设备")  # a housing case
    shot(page, "supervision-dashboard")

    page.get_by_test_id("recent").locator("a", has_text="同一网络地址上传投标文件").click()
    expect(page.get_by_test_id("alert-title")).to_contain_text("新乡市G107线辅道改造工程")
    expect(page.get_by_test_id("alert-basis")).to_contain_text("第40条")
    expect(page.get_by_test_id("alert-basis")).not_to_contain_text("network address")  # laws, not glosses
    expect(page.get_by_test_id("alert-evidence")).to_contain_text("10.9.9.9")
    expect(page.get_by_test_id("alert-status")).to_have_text("新预警")
    page.click("button:has-text('分派')")
    expect(page.get_by_test_id("alert-status")).to_have_text("已分派")
    page.click("button:has-text('开始核查')")
    expect(page.get_by_test_id("alert-status")).to_have_text("核查中")
    page.fill("input[name=sanction_ref]", "新交罚〔2026〕17号")
    page.click("button:has-text('查实')")
    expect(page.get_by_test_id("alert-status")).to_have_text("已查实")
    expect(page.locator("main")).to_contain_text("新交罚〔2026〕17号")
    shot(page, "supervision-alert")

    page.click("a:has-text('风险卡片')")
    expect(page.get_by_test_id("risk-title")).to_have_text("风险卡片：新乡市G107线辅道改造工程")
    expect(page.get_by_test_id("risk-alerts").locator("li")).to_have_count(7)
    expect(page.get_by_test_id("risk-alerts")).to_contain_text("投标保证金从同一账户转出")
    expect(page.get_by_test_id("risk-network").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("risk-network").locator("circle[data-flagged]")).to_have_count(3)  # the ring
    shot(page, "supervision-risk-card")


def test_each_regulator_sees_their_own_cases_and_a_bidder_sees_none(browser: Browser, live: Live) -> None:
    housing = regulator(browser, live, "housing")
    housing.goto("/supervision/alerts?flag=B01")
    expect(housing.locator("main")).to_contain_text("疑似陪标：新乡市长垣起重设备有限公司")
    housing.goto("/supervision")
    expect(housing.get_by_test_id("recent")).not_to_contain_text("G107")
    finance = regulator(browser, live, "finance")
    finance.goto("/supervision/alerts?flag=A01")
    expect(finance.locator("main")).to_contain_text("化整为零规避招标：新乡市红旗区教育局")
    shot(finance, "supervision-alerts")

    bidder = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    sign_in(bidder, live, "bidder10")
    expect(bidder.get_by_test_id("nav-supervision")).to_have_count(0)
    response = bidder.goto("/supervision")
    assert response is not None and response.status == 403
    expect(bidder.locator("main")).to_contain_text("无权")
