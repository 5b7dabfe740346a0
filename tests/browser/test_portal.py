"""What a member of the public sees: the portal, rules, the transparency log, the entity directory, API docs."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Live, shot


def test_the_home_page_shows_the_platform_and_the_latest_notices(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_title("首页 · 新乡市公共资源交易平台")
    expect(page.locator(".hero h1")).to_have_text("新乡市公共资源交易平台")
    # the latest notices, newest first (which ones depends on what the other browser tests published)
    expect(page.locator(".notice-list li").first).to_be_visible()
    dates = page.locator(".notice-list li .muted").all_inner_texts()
    assert dates == sorted(dates, reverse=True), dates
    page.goto("/notices?q=卫河新乡段堤防")
    page.click("text=卫河新乡段堤防加固工程（堤防加固施工）流标公告")
    expect(page.get_by_test_id("notice-body")).to_contain_text("少于3家")
    expect(page.get_by_role("link", name="透明日志").first).to_be_visible()
    shot(page, "portal-home")


def test_the_rules_page_lists_legal_numbers_with_their_articles(page: Page) -> None:
    page.goto("/rules")
    row = page.locator("tr", has_text="招标文件发出至投标截止的最短时间").first
    expect(row).to_contain_text("20日")
    expect(row).to_contain_text("《招标投标法》第24条")
    shot(page, "rules")


def test_the_transparency_page_shows_the_signed_head_and_checks_a_record(page: Page, live: Live) -> None:
    page.goto("/transparency")
    size = int(page.get_by_test_id("sth-size").inner_text())
    assert size > 100
    expect(page.get_by_test_id("sth-note")).to_contain_text("ggzy.localhost/log/v1")
    expect(page.get_by_test_id("verifier-key")).to_contain_text("ggzy.localhost/log/v1+")
    page.fill("input[name=index]", "5")
    page.click("text=生成包含证明")
    expect(page.get_by_test_id("lookup")).to_contain_text("通过：该记录包含在签名树头中")
    shot(page, "transparency")


def test_the_entity_directory_lists_and_searches_the_demo_city(page: Page) -> None:
    page.goto("/entities")
    total = page.locator("text=/共 \\d+ 个主体/").inner_text()
    assert int(total.split()[1]) >= 71
    page.fill("input[name=q]", "交易中心")
    page.click("text=查询")
    expect(page.get_by_test_id("orgs").locator("tbody tr")).to_have_count(1)
    page.click("text=新乡市公共资源交易中心")
    expect(page.get_by_test_id("org-name")).to_have_text("新乡市公共资源交易中心")
    expect(page.locator("body")).not_to_contain_text("法定代表人")  # contacts are not public
    shot(page, "entities")


def test_the_api_documentation_renders_without_internet(page: Page) -> None:
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("公共资源交易平台 API", timeout=15_000)
    expect(page.get_by_text("/api/v1/log/proof/inclusion").first).to_be_visible()


def test_a_missing_page_is_explained_in_chinese(page: Page) -> None:
    response = page.goto("/no/such/page")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("页面不存在")
