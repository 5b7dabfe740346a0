"""中文 / English: the switch on every page, and a signed-in person's choice that follows them to the next sign-in."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Live, shot, sign_in

CJK = re.compile(r"[\u4e00-\u9fff]")


def switch(page: Page, name: str) -> None:
    """Press 中文 or English in the header and wait for the page it brings."""
    with page.expect_navigation():
        page.get_by_test_id("lang-switch").get_by_role("button", name=name).click()


def test_the_switch_turns_the_home_page_english_and_back(page: Page) -> None:
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="最新公告")).to_be_visible()
    switch(page, "English")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_title("Home · 新乡市 Public Resource Trading Platform")
    expect(page.get_by_role("heading", name="Latest notices")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main navigation")).to_contain_text("Notices")
    chrome = page.locator("header").inner_text() + page.locator("footer").inner_text()
    assert not CJK.search(chrome.replace("新乡市", "").replace("中文", "").replace("公", "")), chrome
    shot(page, "home-en")
    page.goto("/rules")  # the choice stays for the next page, and the laws keep their Chinese titles
    expect(page.locator("tr", has_text="Bidding Law (招标投标法) art. 24").first).to_be_visible()
    shot(page, "rules-en")
    switch(page, "中文")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="法规规则", exact=True)).to_be_visible()


def test_a_signed_in_choice_persists_across_sign_in(page: Page, live: Live, browser: Browser) -> None:
    sign_in(page, live, "bidder23")
    expect(page.get_by_test_id("workbench-title")).to_contain_text("工作台")
    switch(page, "English")
    expect(page.get_by_test_id("workbench-title")).to_contain_text("workbench")
    expect(page.get_by_test_id("role-menu")).to_contain_text("My bids")
    shot(page, "workbench-en")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    # another browser, which never pressed the switch: Chinese until this person signs in
    other = browser.new_context(base_url=live.url, locale="zh-CN")
    fresh = other.new_page()
    try:
        fresh.goto("/login")
        expect(fresh.locator("html")).to_have_attribute("lang", "zh-CN")
        sign_in(fresh, live, "bidder23")
        expect(fresh.locator("html")).to_have_attribute("lang", "en")
        expect(fresh.get_by_test_id("workbench-title")).to_contain_text("workbench")
        fresh.goto("/account")
        expect(fresh.get_by_role("heading", name="Account security", exact=True)).to_be_visible()
        with fresh.expect_navigation():
            fresh.get_by_test_id("account-locale").locator("select").select_option("zh")
            fresh.get_by_test_id("account-locale").get_by_role("button").click()
        expect(fresh.get_by_role("heading", name="账户安全", exact=True)).to_be_visible()
    finally:
        other.close()
