"""Issue 13 item 9: accessibility basics. axe-core runs in Chromium on every public page, on every page of every demo
role's menu and on the main forms, and finds no serious or critical violation; a person with only a keyboard signs in
and submits a form, and sees where the focus is."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect

from ggzy.core.roles import Role, Sector
from ggzy.entities import auth, queries
from ggzy.projects import queries as projects
from ggzy.projects import service as registration
from ggzy.rules.catalog import Category
from ggzy.rules.procedures import Method
from tests.browser.conftest import DEMO_PASSWORD, Live, check_a11y, sign_in
from tests.browser.test_roles import DEMO_USERS
from tests.browser.test_trade_pages import a_bidding_section

pytestmark = pytest.mark.browser

PUBLIC = ["/", "/notices", "/federation", "/catalog", "/entities", "/credit", "/rules", "/transparency", "/login"]


class Audit:
    """Checks page after page and reports every page's violations at the end, not only the first page's."""

    def __init__(self, page: Page) -> None:
        self.page, self.problems, self.seen = page, list[str](), list[str]()

    def check(self) -> None:
        self.seen.append(self.page.url)
        try:
            check_a11y(self.page)
        except AssertionError as e:
            self.problems.append(str(e))

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.ok, (url, response and response.status)
        expect(self.page.locator("h1").first).to_be_visible()
        self.check()

    def done(self, at_least: int) -> None:
        assert not self.problems, "\n".join(self.problems)
        assert len(self.seen) >= at_least, self.seen


def first_link(page: Page, scope: str) -> str:
    href = page.locator(f"{scope} a[href]").first.get_attribute("href")
    assert href, scope
    return href


def test_the_check_fails_on_an_unlabelled_field_and_pale_text(page: Page) -> None:
    """The check can fail: it names the rule, its impact, how many elements and which."""
    page.set_content(
        '<html lang="zh-CN"><head><title>测试</title></head><body><main><h1>测试</h1><input name="x">'
        '<p style="color:#c0c0c0;background:#fff">浅色文字</p></main></body></html>'
    )
    with pytest.raises(AssertionError) as failed:
        check_a11y(page)
    message = str(failed.value)
    assert "label (critical, 1): Form elements must have labels — input" in message, message
    assert "color-contrast (serious, 1)" in message, message
    page.set_content(
        '<html lang="zh-CN"><head><title>测试</title></head><body><main><h1>测试</h1>'
        '<label>名称<input name="x"></label></main></body></html>'
    )
    check_a11y(page)


def test_every_public_page_has_no_serious_accessibility_violation(page: Page, live: Live) -> None:
    audit = Audit(page)
    for url in PUBLIC:
        audit.visit(url)
    audit.visit("/notices")
    audit.visit(first_link(page, "main table tbody"))  # a notice
    audit.visit("/entities")
    audit.visit(first_link(page, "main table tbody"))  # a market entity
    page.goto("/no/such/page")  # the error page
    audit.check()
    sign_in(page, live, "bidder03", password="Not-The-" + DEMO_PASSWORD, refused=True)  # the form with its error
    expect(page.locator(".alert-error")).to_be_visible()
    audit.check()
    # /docs is left out: it is Swagger UI as its wheel ships it (its own colours and nested buttons), for developers
    audit.done(at_least=len(PUBLIC) + 6)


@pytest.mark.parametrize(("username", "role"), DEMO_USERS, ids=[u for u, _ in DEMO_USERS])
def test_every_page_of_a_role_s_menu_has_no_serious_accessibility_violation(
    page: Page, live: Live, username: str, role: Role
) -> None:
    """Signed in once per role: the workbench, each entry of the role's menu (opened by clicking) and the account."""
    audit = Audit(page)
    if role.is_staff:  # the one-time code step, on the way
        page.goto("/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("输入动态口令")
        audit.check()
    sign_in(page, live, username, staff=role.is_staff)
    audit.check()
    menu = page.get_by_test_id("role-menu")
    labels = [a.inner_text() for a in menu.locator("a").all()]
    for label in labels[1:]:
        page.get_by_test_id("role-menu").get_by_role("link", name=label, exact=True).click()
        expect(page.get_by_test_id("role-menu").locator("[aria-current=page]")).to_have_text(label)
        audit.check()
    if page.get_by_test_id("nav-supervision").count():  # the regulators' dashboard, an alert and its risk card
        for url in ("/supervision", "/supervision/alerts", "/supervision/agencies"):
            audit.visit(url)
        page.goto("/supervision")
        audit.visit(first_link(page, "[data-testid=recent]"))
        card = page.get_by_role("link", name="风险卡片")
        if card.count():
            audit.visit(str(card.get_attribute("href")))
    audit.visit("/account")
    audit.done(at_least=len(labels) + 1)


def _accepted_project(live: Live, name: str, approval: str) -> str:
    """A registered and accepted project of tenderer1 whose one section waits for its tender notice."""
    with live.ctx.db.unit_of_work() as s:
        user = queries.find_user(s, "tenderer1")
        operator = queries.find_user(s, "operator")
        assert user is not None and operator is not None
        actor = auth.actor_for(s, user, Role.TENDERER, None)
        project = registration.register(
            s,
            actor,
            name=name,
            approval_code=approval,
            category=Category.CONSTRUCTION,
            sector=Sector.HOUSING,
            method=Method.OPEN_TENDER,
            state_funds_share=Decimal(100),
            state_funds_amount=Decimal("3000000"),
            tenderer_org_id=user.org_id,
            sections=[registration.SectionIn("施工", Decimal("3000000.00"))],
            clock=live.clock,
        )
        registration.accept(
            s, auth.actor_for(s, operator, Role.OPERATOR, None), project_id=project.id, clock=live.clock
        )
        return projects.sections_of(s, project.id)[0].id


def test_the_main_forms_have_no_serious_accessibility_violation(browser: Browser, live: Live) -> None:
    """The forms a person fills most: publishing a tender notice, the section page, the bid and deposit pages, a
    complaint, registering a project and an entity, creating a user."""
    waiting = _accepted_project(live, "新乡市无障碍检查道路工程", "2026-410700-48-01-007701")
    bidding = a_bidding_section(live, "tenderer2", "新乡市无障碍检查绿化工程", "2026-410700-48-01-007702")
    context = browser.new_context(base_url=live.url, locale="zh-CN", viewport={"width": 1280, "height": 860})
    try:
        tenderer = Audit(context.new_page())
        sign_in(tenderer.page, live, "tenderer1")
        tenderer.visit(f"/sections/{waiting}/publish")
        tenderer.visit("/projects/new")
        context.clear_cookies()
        bidder = Audit(tenderer.page)
        sign_in(bidder.page, live, "bidder04")
        for url in ("", "/bid", "/deposit", "/cases/new"):
            bidder.visit(f"/sections/{bidding}{url}")
        context.clear_cookies()
        admin = Audit(tenderer.page)
        sign_in(admin.page, live, "admin", staff=True)
        admin.visit("/admin/users/new")
        admin.visit("/entities/new")
        for audit in (tenderer, bidder, admin):
            audit.done(at_least=1)
    finally:
        context.close()


def focused(page: Page) -> dict[str, str]:
    """What has the keyboard focus, and how it is drawn."""
    return dict(
        page.evaluate(
            """(() => { const e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();
            return {tag: e.tagName, name: e.name || "", text: e.innerText || "", outline: s.outlineStyle,
                    width: s.outlineWidth, color: s.outlineColor, top: String(r.top), height: String(r.height)}; })()"""
        )
    )


def assert_focus_visible(page: Page) -> dict[str, str]:
    f = focused(page)
    assert f["outline"] not in ("none", "") and f["width"] not in ("0px", ""), f  # a ring is drawn …
    assert float(f["top"]) >= 0 and float(f["height"]) > 0, f  # … around something on the screen
    return f


def tab_to(page: Page, name: str, *, most: int = 40) -> None:
    for _ in range(most):
        page.keyboard.press("Tab")
        if focused(page)["name"] == name:
            assert_focus_visible(page)
            return
    pytest.fail(f"Tab never reached the field {name!r}")


def test_a_person_signs_in_and_submits_a_form_with_the_keyboard_only(page: Page, live: Live) -> None:
    """The first Tab shows 跳到正文 (skip to the content), Enter on it passes the menus; Tab moves through the
    fields with a visible ring; Enter submits: the sign-in, then the account page's token form."""
    page.goto("/login")
    page.keyboard.press("Tab")
    skip = assert_focus_visible(page)
    assert skip["tag"] == "A" and skip["text"] == "跳到正文", skip
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    f = assert_focus_visible(page)
    assert f["name"] == "username", f  # the menus were passed: the first field of the content has the focus
    page.keyboard.type("bidder05")
    page.keyboard.press("Tab")
    assert assert_focus_visible(page)["name"] == "password"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Tab")
    button = assert_focus_visible(page)
    assert button["tag"] == "BUTTON" and button["text"] == "登录", button
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("who")).to_contain_text("投标人")
    check_a11y(page)

    page.goto("/account")
    tab_to(page, "name")  # the token form, past the password form's fields and buttons
    page.keyboard.type("键盘签发的令牌")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("new-token")).to_be_visible()
    expect(page.locator("main")).to_contain_text("键盘签发的令牌")
    check_a11y(page)
