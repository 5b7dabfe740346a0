"""The other trade pages as people see them: notice search, the catalog, clarification, invitations,
a bidder's receipts, the auditors' view of who took part after the opening."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from ggzy.core.roles import Role, Sector
from ggzy.entities import auth, queries
from ggzy.projects import publication
from ggzy.projects import queries as projects
from ggzy.projects import service as registration
from ggzy.projects.models import Project, Section
from ggzy.rules.catalog import Category
from ggzy.rules.procedures import Method
from tests.browser.conftest import Live, shot, sign_in


def section_of(live: Live, approval: str) -> str:
    with live.ctx.db.unit_of_work(write=False) as s:
        pid = s.execute(select(Project.id).where(Project.approval_code == approval)).scalar_one()
        return s.execute(select(Section.id).where(Section.project_id == pid)).scalar_one()


def test_the_notice_search_finds_chinese_words_and_explains_short_queries(page: Page) -> None:
    page.goto("/notices")
    page.fill("input[name=q]", "堤防")
    page.click("button:has-text('检索')")
    rows = page.get_by_test_id("notices").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("流标公告")
    shot(page, "notices-search")
    page.fill("input[name=q]", "堤")
    page.click("button:has-text('检索')")
    expect(page.locator(".alert-error")).to_contain_text("至少输入两个汉字")


def test_the_catalog_is_public_and_the_supervision_office_publishes_a_new_version(
    page: Page, browser: Browser, live: Live
) -> None:
    page.goto("/catalog")
    expect(page.get_by_test_id("catalog")).to_contain_text("必须招标的工程项目规定")
    version = int(page.get_by_test_id("catalog-version").inner_text())
    office = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    sign_in(office, live, "supervisor", staff=True)
    office.goto("/catalog")
    office.fill("input[name='gp.must_trade_at']", "1200000")
    office.fill("input[name=note]", "依据省财政厅2026年限额标准调整")
    office.click("button:has-text('发布新版本')")
    expect(office.get_by_test_id("catalog-version")).to_have_text(str(version + 1))
    expect(office.locator("body")).to_contain_text("依据省财政厅2026年限额标准调整")
    shot(office, "catalog")


def a_bidding_section(live: Live, username: str, name: str, approval: str) -> str:
    """A section open for bids from now for 21 days, whatever other tests did to the shared clock."""
    with live.ctx.db.unit_of_work() as s:
        user = queries.find_user(s, username)
        assert user is not None
        actor = auth.actor_for(s, user, queries.roles_of(s, user.id)[0], None)
        project = registration.register(
            s,
            actor,
            name=name,
            approval_code=approval,
            category=Category.CONSTRUCTION,
            sector=Sector.HOUSING,
            method=Method.OPEN_TENDER,
            state_funds_share=Decimal(100),
            state_funds_amount=Decimal("6000000"),
            tenderer_org_id=user.org_id,
            sections=[registration.SectionIn("施工", Decimal("6000000.00"))],
            clock=live.clock,
        )
        operator = queries.find_user(s, "operator")
        assert operator is not None
        registration.accept(
            s, auth.actor_for(s, operator, Role.OPERATOR, None), project_id=project.id, clock=live.clock
        )
        section = projects.sections_of(s, project.id)[0]
        doc = live.ctx.files.save(f"documents/{section.id}", [b"%PDF-1.4 tender documents"], max_bytes=1 << 20)
        deadline = live.clock.now() + timedelta(days=21)
        publication.publish_tender(
            s,
            actor,
            section_id=section.id,
            title=f"{name}招标公告",
            body="欢迎投标。",
            deadline=deadline,
            documents_until=deadline - timedelta(days=1),
            documents=[("招标文件.pdf", doc)],
            clock=live.clock,
            keys_env=live.ctx.opening,
        )
        return section.id


def test_a_clarification_is_published_with_the_rule_on_deadlines(browser: Browser, live: Live) -> None:
    section_id = a_bidding_section(live, "tenderer2", "新乡市人民公园改造工程", "2026-410700-48-01-000555")
    page = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    sign_in(page, live, "tenderer2")
    page.goto(f"/sections/{section_id}/clarify")
    expect(page.locator("main")).to_contain_text("澄清或修改距投标截止不少于15日")
    page.fill("textarea[name=body]", "招标文件第三章工程量清单第12项数量更正为1200立方米。")
    page.click("button:has-text('发布澄清/修改公告')")
    expect(page.get_by_test_id("notice-title")).to_contain_text("澄清公告")
    expect(page.locator("main")).to_contain_text("澄清/更正的公告")
    shot(page, "clarification")


def test_an_invited_tender_invites_its_suppliers(browser: Browser, live: Live) -> None:
    with live.ctx.db.unit_of_work() as s:
        user = queries.find_user(s, "tenderer4")
        assert user is not None
        actor = auth.actor_for(s, user, queries.roles_of(s, user.id)[0], None)
        project = registration.register(
            s,
            actor,
            name="新乡市第一人民医院专用设备安装工程",
            approval_code="2026-410700-84-01-000321",
            category=Category.CONSTRUCTION,
            sector=Sector.HOUSING,
            method=Method.INVITED_TENDER,
            state_funds_share=Decimal(20),
            state_funds_amount=Decimal("900000"),
            tenderer_org_id=user.org_id,
            sections=[registration.SectionIn("设备安装", Decimal("4500000.00"))],
            clock=live.clock,
        )
        project_id = project.id
    operator = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    sign_in(operator, live, "operator", staff=True)
    operator.goto(f"/projects/{project_id}")
    operator.click("button:has-text('受理')")
    page = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    sign_in(page, live, "tenderer4")
    page.goto(f"/projects/{project_id}")
    page.click("text=邀请供应商")
    for n in ("新乡市豫北智能科技有限公司", "新乡市同盛市政工程有限公司", "新乡市鑫源钢结构有限公司"):
        page.locator("label", has_text=n).locator("input").check()
    page.click("button:has-text('邀请')")
    expect(page.get_by_test_id("invited-count")).to_have_text("3")
    shot(page, "invite")


def test_a_bidder_sees_only_its_own_receipts(browser: Browser, live: Live) -> None:
    page = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    sign_in(page, live, "bidder06")
    page.goto("/my/bids")
    rows = page.get_by_test_id("my-bids").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("已密封递交")
    shot(page, "my-bids")


def test_after_the_opening_only_auditors_see_who_downloaded(browser: Browser, live: Live) -> None:
    opened = section_of(live, "2026-410702-47-01-000123")
    page = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    sign_in(page, live, "auditor", staff=True)
    page.goto(f"/sections/{opened}/registrations")
    expect(page.get_by_test_id("accesses").locator("tbody tr")).to_have_count(5)
    other = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    sign_in(other, live, "housing", staff=True)
    response = other.goto(f"/sections/{opened}/registrations")
    assert response is not None and response.status == 403
    bidding = section_of(live, "2026-410700-48-01-000789")
    response = page.goto(f"/sections/{bidding}/registrations")
    assert response is not None and response.status == 403
    expect(page.locator(".lead")).to_contain_text("开标前任何人不得查看")


def test_a_tenderer_lists_its_own_projects_and_a_regulator_those_of_its_sector(browser: Browser, live: Live) -> None:
    page = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    sign_in(page, live, "tenderer2")
    page.goto("/projects")
    rows = page.get_by_test_id("projects")
    expect(rows).to_contain_text("新乡市G107线辅道改造工程")
    expect(rows).to_contain_text("新乡市S229线路面改造工程")
    expect(rows).not_to_contain_text("卫河新乡段堤防加固工程")  # another tenderer's
    expect(page.locator("a:has-text('登记新项目')")).to_be_visible()
    shot(page, "projects")
    water = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    sign_in(water, live, "water", staff=True)
    water.goto("/projects")
    expect(water.get_by_test_id("projects")).to_contain_text("卫河新乡段堤防加固工程")
    expect(water.get_by_test_id("projects")).not_to_contain_text("G107")
    expect(water.locator("a:has-text('登记新项目')")).to_have_count(0)
