"""The bid page as a bidder sees it (issue 13 item 3): a price far from the estimate is questioned before it is
sealed, the receipt reads in Beijing time and prints, and a withdrawal asks first and then says what it did."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Dialog, expect

from ggzy.core.clock import local
from tests.browser.conftest import Live, shot, sign_in
from tests.browser.test_trade_pages import a_bidding_section

pytestmark = pytest.mark.browser


def test_a_price_with_extra_zeros_is_questioned_the_receipt_is_readable_and_withdrawal_asks_first(
    browser: Browser, live: Live
) -> None:
    section_id = a_bidding_section(live, "tenderer2", "新乡市凤泉区农贸市场改造工程", "2026-410704-47-01-000321")
    page = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    sign_in(page, live, "bidder15")
    page.goto(f"/sections/{section_id}/bid")
    page.fill("input[name=price]", "99999999999")
    page.fill("input[name=duration_days]", "180")
    page.set_input_files(
        "input[name=files]",
        files=[{"name": "投标文件.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 bid"}],
    )
    page.click("button:has-text('加密并递交')")
    status = page.get_by_test_id("bid-status")
    expect(status).to_contain_text("请核对报价")
    expect(status).to_contain_text("6,000,000.00")  # the section's estimate, which the page states
    expect(page.locator("main")).to_contain_text("尚未递交投标。")  # nothing was sealed or sent
    # The bidder corrects the price: a plausible price is sealed at once.
    page.fill("input[name=price]", "5860000.00")
    page.click("button:has-text('加密并递交')")
    expect(status).to_contain_text("已递交第 1 版")
    receipt = page.get_by_test_id("receipt").first
    expect(receipt).to_contain_text("北京时间")
    expect(receipt).to_contain_text(local(live.clock.now()).strftime("%Y-%m-%d %H:%M"))
    expect(page.get_by_test_id("print-receipt")).to_be_visible()
    shot(page, "bid-receipt")

    # Withdrawal asks first; declining changes nothing.
    asked: list[str] = []

    def decline(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    page.get_by_role("button", name="撤回").click()
    expect(page.get_by_test_id("own-bids")).to_contain_text("已密封递交")
    assert asked and "确定撤回第 1 版投标" in asked[0]
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="撤回").click()
    expect(page.get_by_test_id("withdrawn")).to_contain_text("已撤回第 1 版投标")
    expect(page.get_by_test_id("own-bids")).not_to_contain_text("已密封递交")
