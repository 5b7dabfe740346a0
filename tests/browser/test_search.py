"""Portal search as a person uses it (issue 13 item 5): 道路 finds the road works, a project code finds its notice,
and the supervision office keeps the synonym table on its own page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Live, shot, sign_in


def test_typing_a_word_or_a_code_in_the_search_box_finds_the_notice(page: Page) -> None:
    page.goto("/notices")
    page.fill("input[name=q]", "道路")
    page.click("text=检索")
    rows = page.get_by_test_id("notices")
    expect(rows).to_contain_text("新乡市G107线辅道改造工程")  # 道路 → 辅道, a synonym
    expect(rows).to_contain_text("新乡市S229线路面改造工程")  # 道路 → 路面
    expect(page.get_by_test_id("feed-link")).to_have_attribute("href", "/notices/feed.atom?q=%E9%81%93%E8%B7%AF")
    shot(page, "notices-search-road")
    page.fill("input[name=q]", "XXZB-2026-0004")
    page.click("text=检索")
    page.get_by_test_id("notices").locator("tbody tr a").first.click()
    expect(page.get_by_test_id("notice-body")).to_contain_text("XXZB-2026-0004")


def test_the_supervision_office_adds_a_synonym_from_its_menu(page: Page, live: Live) -> None:
    sign_in(page, live, "supervisor", staff=True)
    page.get_by_test_id("role-menu").get_by_role("link", name="检索近义词", exact=True).click()
    expect(page.locator("h1")).to_have_text("检索近义词")
    expect(page.get_by_test_id("synonyms")).to_contain_text("道路")
    page.fill("input[name=word]", "夜景")
    page.fill("input[name=alternatives]", "亮化、景观照明")
    page.click("text=保存")
    expect(page.get_by_test_id("synonyms").locator("tr", has_text="夜景")).to_contain_text("亮化、景观照明")
    shot(page, "search-synonyms")
