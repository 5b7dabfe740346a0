"""Accounts end to end: an administrator opens one; the person sets a password and a second factor."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from ggzy.core.notify import MemoryNotifier
from ggzy.entities import totp
from tests.browser.conftest import Live, shot, sign_in

pytestmark = pytest.mark.browser


def test_a_new_staff_account_waits_for_review_then_the_person_sets_a_password_and_enrols_totp(
    page: Page, browser: Browser, live: Live
) -> None:
    sign_in(page, live, "admin", staff=True)
    page.goto("/admin/users")
    # the demo city has more users than one page holds (issue 13 item 6): paged, and searchable
    expect(page.get_by_test_id("user-total")).to_contain_text("第 1 页")
    expect(page.get_by_test_id("users").locator("tbody tr")).to_have_count(25)
    shot(page, "admin-users")
    page.click("text=下一页")
    expect(page.get_by_test_id("user-total")).to_contain_text("第 2 页")
    page.fill("[data-testid=user-search]", "交易中心")  # an organisation's name finds its people
    page.click("button:has-text('查询')")
    expect(page.get_by_test_id("users")).to_contain_text("operator")
    expect(page.get_by_test_id("users")).not_to_contain_text("bidder01")
    page.select_option("select[name=role]", value="bidder")
    page.fill("[data-testid=user-search]", "bidder0")
    page.click("button:has-text('查询')")
    expect(page.get_by_test_id("users").locator("tbody tr")).to_have_count(9)
    page.fill("[data-testid=user-search]", "operator")
    page.select_option("select[name=role]", value="")
    page.click("button:has-text('查询')")
    expect(page.get_by_test_id("users")).to_contain_text("operator")
    page.click("text=新建用户")
    centre = page.locator("select[name=org_id] option", has_text="新乡市公共资源交易中心").get_attribute("value")
    page.select_option("select[name=org_id]", value=centre)
    page.fill("input[name=username]", "clerk7")
    page.fill("input[name=display_name]", "窗口工作人员")
    page.check("input[name=roles][value=operator]")
    page.click("button:has-text('创建')")
    expect(page.get_by_test_id("pending-review")).to_contain_text("须经综合监管（公管办）复核同意后才生效")
    expect(page.get_by_test_id("temp-password")).to_have_count(0)
    shot(page, "admin-user-pending")

    office = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    sign_in(office, live, "supervisor", staff=True)
    office.goto("/workbench/supervisor")
    office.click("text=复核：开设工作人员账户（clerk7，窗口工作人员）")
    expect(office.locator("h1")).to_have_text("账户变更复核（双人复核）")
    row = office.get_by_test_id("reviews").locator("tr", has_text="clerk7")
    shot(office, "account-reviews")
    row.get_by_role("button", name="同意", exact=True).click()
    expect(office.locator(".alert-ok")).to_have_text("已同意，变更已生效。")
    office.context.close()

    notifier = live.ctx.notifier
    assert isinstance(notifier, MemoryNotifier)
    clerk = next(m for m in reversed(notifier.sent) if "clerk7" in m.body)
    code = clerk.body.split("一次性验证码 ")[1][:8]
    newcomer = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    newcomer.goto("/login")
    newcomer.click("text=凭短信验证码设置口令")
    newcomer.fill("input[name=username]", "clerk7")
    newcomer.fill("input[name=code]", code)
    newcomer.fill("input[name=new]", "Clerk-Seven-Pass-9")
    newcomer.fill("input[name=confirm]", "Clerk-Seven-Pass-9")
    shot(newcomer, "password-with-code")
    newcomer.click("button:has-text('设置口令')")
    expect(newcomer.locator(".alert-ok")).to_have_text("新口令已设置，请用它登录。")
    sign_in(newcomer, live, "clerk7", password="Clerk-Seven-Pass-9")
    expect(newcomer.locator("h1")).to_have_text("绑定动态口令")
    expect(newcomer.get_by_test_id("totp-qr").locator("svg")).to_be_visible()
    shot(newcomer, "totp-enrol")
    secret = newcomer.get_by_test_id("totp-secret").inner_text()
    newcomer.fill("input[name=code]", totp.code_at(secret, live.clock.now()))
    newcomer.click("button:has-text('绑定')")
    expect(newcomer.get_by_test_id("account-history")).to_contain_text("绑定动态口令")
    expect(newcomer.get_by_test_id("account-requests")).to_contain_text("已同意并生效")
    newcomer.goto("/workbench")
    expect(newcomer.get_by_test_id("workbench-title")).to_have_text("交易中心工作人员工作台")
    newcomer.context.close()


def test_replacing_the_second_factor_asks_for_the_current_code(page: Page, live: Live) -> None:
    sign_in(page, live, "operator", staff=True)
    page.goto("/account")
    page.click("text=更换")
    expect(page.locator("h1")).to_have_text("更换动态口令")
    new = page.get_by_test_id("totp-secret").inner_text()
    page.fill("input[name=current_code]", "000000")
    page.fill("input[name=code]", totp.code_at(new, live.clock.now()))
    page.click("button:has-text('更换')")
    expect(page.locator(".alert-error")).to_contain_text("当前动态口令不正确")
    shot(page, "totp-replace-refused")


def test_an_api_token_is_shown_once_and_can_be_revoked(page: Page, live: Live) -> None:
    sign_in(page, live, "agency2")
    page.goto("/account")
    page.fill("input[name=name]", "代理系统对接")
    page.click("button:has-text('签发新令牌')")
    token = page.get_by_test_id("new-token").inner_text()
    assert token.startswith("ggzy_")
    shot(page, "account")
    page.click("button:has-text('吊销')")
    expect(page.locator("text=已吊销")).to_be_visible()


def test_the_operator_registers_an_entity_and_a_bad_code_is_explained(page: Page, live: Live) -> None:
    sign_in(page, live, "operator", staff=True)
    page.goto("/entities/new")
    page.fill("input[name=name]", "新乡市浏览器测试有限公司")
    page.fill("input[name=credit_code]", "91350100M000100Y44")
    page.select_option("select[name=kind]", "bidder")
    page.click("button:has-text('登记')")
    expect(page.locator(".alert-error")).to_contain_text("统一社会信用代码")
    shot(page, "entity-refused")
    page.fill("input[name=credit_code]", "91350100M000100Y43")
    page.click("button:has-text('登记')")
    expect(page.locator(".alert-ok")).to_have_text("登记成功。")
    expect(page.locator("text=法定代表人")).to_be_visible()
