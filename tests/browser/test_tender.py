"""A whole open tender in the browser, as its users do it: register, accept, publish, download, seal and
submit three bids, the deadline passes, two key holders unwrap their shares in their own browsers (keys made
there, never sent) and hand them in, the record shows the prices."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Browser, Page, expect

from ggzy.core import timers
from ggzy.core.clock import SHANGHAI
from ggzy.web.app import due_sources
from tests.browser.conftest import Live, shot, sign_in

PRICES = ("4868000.00", "4791350.50", "4935000.25")


def as_user(browser: Browser, live: Live, username: str, *, staff: bool = False) -> Page:
    page = browser.new_context(base_url=live.url, locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live, username, staff=staff)
    return page


def local(dt: object) -> str:
    return dt.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")  # type: ignore[attr-defined]


def test_an_open_tender_from_registration_to_the_opening_record(browser: Browser, live: Live) -> None:
    tenderer = as_user(browser, live, "tenderer1")
    tenderer.goto("/projects/new")
    tenderer.fill("input[name=name]", "新乡市浏览器演示道路改造工程")
    tenderer.fill("input[name=approval_code]", "2026-410700-48-01-009999")
    tenderer.select_option("select[name=category]", "construction")
    tenderer.select_option("select[name=sector]", "transport")
    tenderer.select_option("select[name=method]", "open_tender")
    tenderer.fill("input[name=state_funds_share]", "100")
    tenderer.fill("input[name=state_funds_amount]", "5000000")
    tenderer.locator("input[name=section_name]").first.fill("道路改造施工")
    tenderer.locator("input[name=section_estimate]").first.fill("5000000.00")
    shot(tenderer, "project-new")
    tenderer.click("button:has-text('提交登记')")
    expect(tenderer.get_by_test_id("project-status")).to_have_text("已登记待受理")
    project_url = tenderer.url.split("?")[0]

    operator = as_user(browser, live, "operator", staff=True)
    operator.goto("/centre/registrations")
    operator.click("text=新乡市浏览器演示道路改造工程")
    operator.click("button:has-text('受理')")
    expect(operator.get_by_test_id("project-status")).to_have_text("已受理")

    holders = {"operator": operator, "supervisor": as_user(browser, live, "supervisor", staff=True)}
    for page in holders.values():  # each holder makes a key in their own browser before the notice goes out
        page.goto("/keyholder")
        page.fill("#backup-pass", "Backup-Pass-2026")
        with page.expect_download():
            page.click("#make-key")
        expect(page.get_by_test_id("key-status")).to_contain_text("已生成并登记公钥", timeout=60_000)

    tenderer.goto(project_url)
    tenderer.click("text=发布招标公告")
    tenderer.fill("textarea[name=body]", "本工程已由新乡市发展和改革委员会批准建设，现进行公开招标。")
    deadline = live.clock.now() + timedelta(days=21)
    tenderer.fill("input[name=deadline]", local(deadline))
    tenderer.fill("input[name=documents_until]", local(deadline - timedelta(days=5)))
    tenderer.set_input_files(
        "input[name=documents]",
        files=[{"name": "招标文件.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 tender documents"}],
    )
    shot(tenderer, "publish")
    tenderer.click("button:has-text('发布')")
    expect(tenderer.get_by_test_id("notice-title")).to_contain_text("招标公告")
    tenderer.click("text=查看标段与投标")
    section_url = tenderer.url
    section_id = section_url.rstrip("/").split("/")[-1]

    for n, price in zip(("bidder07", "bidder08", "bidder09"), PRICES, strict=True):
        bidder = as_user(browser, live, n)
        bidder.goto(f"/sections/{section_id}")
        with bidder.expect_download() as download:
            bidder.get_by_test_id("download").first.click()
        assert download.value.suggested_filename.endswith(".pdf")
        bidder.get_by_test_id("go-bid").click()
        bidder.fill("input[name=price]", price)
        bidder.fill("input[name=duration_days]", "240")
        bidder.set_input_files(
            "input[name=files]",
            files=[{"name": "投标文件.pdf", "mimeType": "application/pdf", "buffer": f"%PDF-1.4 {n} 技术标".encode()}],
        )
        bidder.click("button:has-text('加密并递交')")
        expect(bidder.get_by_test_id("bid-status")).to_contain_text("已递交第 1 版")
        expect(bidder.get_by_test_id("own-bids")).to_contain_text("已密封递交")
        if n == "bidder07":
            shot(bidder, "bid-sealed")
        bidder.context.close()

    watcher = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    watcher.goto(f"/sections/{section_id}/live")
    expect(watcher.get_by_test_id("live-shares")).to_have_text("0")
    expect(watcher.get_by_test_id("live-status")).to_have_text("投标中")

    live.clock.set(deadline + timedelta(seconds=1))
    timers.tick(live.ctx.db, due_sources(live.ctx), live.clock.now())
    # the deadline reaches the open page without a reload, in the panel and in the header
    expect(watcher.get_by_test_id("live-status")).to_have_text("投标截止，待开标")
    expect(watcher.get_by_test_id("section-status")).to_have_text("投标截止，待开标")
    for holder in ("operator", "supervisor"):
        page = holders[holder]  # the same browser, whose IndexedDB holds the key
        page.clock.set_fixed_time(deadline + timedelta(seconds=5))  # the holder's own clock is past the deadline
        sign_in(page, live, holder, staff=True)
        page.goto(f"/sections/{section_id}/opening")
        page.click("#share-button")
        expect(page.get_by_test_id("share-status")).to_contain_text("已提交", timeout=60_000)
        expect(page.get_by_test_id("share-status")).not_to_contain_text("失败")
        if holder == "operator":
            expect(page.get_by_test_id("shares")).to_have_text("1", timeout=30_000)
            expect(watcher.get_by_test_id("live-shares")).to_have_text("1", timeout=30_000)
    page.reload()
    record = page.get_by_test_id("opening-record")
    for price in PRICES:
        expect(record).to_contain_text(f"{float(price):,.2f}", timeout=30_000)
    shot(page, "opening-record")
    live_record = watcher.get_by_test_id("opening-record")  # arrived without a reload
    expect(live_record).to_contain_text(f"{float(PRICES[1]):,.2f}")
    expect(watcher.get_by_test_id("live-status")).to_have_text("已开标")
    expect(watcher.get_by_test_id("section-status")).to_have_text("已开标")
    expect(watcher.get_by_test_id("live-shares-line")).to_contain_text("已开标")  # not 「已提交分片：0 / 2」
    shot(watcher, "opening-live")
    public = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    public.goto(f"/sections/{section_id}")
    expect(public.get_by_test_id("section-status")).to_have_text("已开标")
    assert len(re.findall(r"已解密", public.get_by_test_id("opening-record").inner_text())) == 3
