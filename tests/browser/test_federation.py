"""The accreditation register and a platform's figures as the supervision office uses them, and the portal's list
of pushed trades labelled with their source (issue #14, item 5)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, expect

from ggzy.federation import service
from ggzy.federation.models import Platform
from tests.browser.conftest import Live, serve, shot, sign_in
from tests.dbserver import DbServer
from tests.federation.kit import Market, package, whole_tender

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(dbserver: DbServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A server of this module's own: it accredits a platform and takes in its pushes."""
    with serve(dbserver, tmp_path_factory) as server:
        yield server


def test_the_office_accredits_a_platform_sees_its_figures_and_suspends_it(browser: Browser, live: Live) -> None:
    market = Market()
    page = browser.new_context(base_url=live.url, locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live, "supervisor", staff=True)
    page.goto("/workbench")
    page.get_by_test_id("role-menu").get_by_role("link", name="接入平台", exact=True).click()
    expect(page.locator("h1")).to_have_text("接入交易平台")
    form = page.get_by_test_id("accredit-form")
    form.locator("input[name=code]").fill(market.code)
    form.locator("input[name=name]").fill("某市场化交易平台")
    form.locator("select[name=kind]").select_option("market")
    form.locator("input[name=region]").fill("410700")
    form.locator("input[name=ocid_prefix]").fill(market.prefix)
    form.locator("input[name=public_key]").fill("不是公钥")
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert")).to_contain_text("签名公钥应为 Ed25519 公钥")
    form = page.get_by_test_id("accredit-form")
    form.locator("input[name=code]").fill(market.code)
    form.locator("input[name=name]").fill("某市场化交易平台")
    form.locator("input[name=region]").fill("410700")
    form.locator("input[name=ocid_prefix]").fill(market.prefix)
    form.locator("input[name=public_key]").fill(market.public)
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("new-token")).to_contain_text("gfp_")
    market.token = page.get_by_test_id("new-token").locator("code").inner_text().strip()
    expect(page.get_by_test_id("platforms")).to_contain_text("某市场化交易平台")
    shot(page, "federation-register")

    # its system pushes a whole tender (the server's clock is the test's); one more push arrives with a bad signature
    now = live.clock.now()
    body = package(whole_tender(market.prefix, "MKT-2026-0001", now - timedelta(days=4), bidders=[
        ("91410700MA00000A1X", "甲建设有限公司"), ("91410700MA00000B1X", "乙建设有限公司")]))  # fmt: skip
    with live.ctx.db.unit_of_work() as s:
        h = market.headers(body, now)
        got = service.ingest(
            s, service.Push(market.code, h["x-timestamp"], h["x-signature"], market.token, body), clock=live.clock
        )
    assert len(got.accepted) == 4
    h = market.headers(body, now, key=Market().key)
    forged = service.Push(market.code, h["x-timestamp"], h["x-signature"], market.token, body)
    with pytest.raises(service.PushRefused) as refused, live.ctx.db.unit_of_work() as s:
        service.ingest(s, forged, clock=live.clock)
    with live.ctx.db.unit_of_work() as s:  # what the web layer does with a refusal: kept in its own transaction
        refused.value.record(s)

    page.goto("/supervision/platforms")
    page.get_by_test_id("platforms").locator("a", has_text="某市场化交易平台").click()
    expect(page.locator("h1")).to_have_text("某市场化交易平台")
    figures = page.get_by_test_id("figures")
    expect(figures.locator("tr", has_text="已接收发布")).to_contain_text("4")
    expect(figures.locator("tr", has_text="到达延迟最大值")).to_contain_text(str(4 * 86_400))
    expect(page.get_by_test_id("reasons")).to_contain_text("签名无效")
    shot(page, "federation-figures")

    public = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    public.goto("/")
    public.click("a:has-text('接入平台交易')")
    expect(public.get_by_test_id("pushed-trades")).to_contain_text("市场化平台测试工程（MKT-2026-0001）")
    expect(public.get_by_test_id("source-platform").first).to_have_text("来源：某市场化交易平台")
    public.get_by_test_id("pushed-trades").locator("a").first.click()
    expect(public.get_by_test_id("pushed-releases").locator("tbody tr")).to_have_count(4)
    shot(public, "federation-trade")

    page.goto("/supervision/platforms")
    row = page.get_by_test_id("platforms").locator("tr", has_text="某市场化交易平台")
    row.locator("input[name=reason]").fill("未按时推送交易数据")
    row.locator("button:has-text('暂停')").click()
    expect(page.get_by_test_id("platforms")).to_contain_text("已暂停（未按时推送交易数据）")
    with live.ctx.db.unit_of_work(write=False) as s:
        assert s.query(Platform).one().status == "suspended"
