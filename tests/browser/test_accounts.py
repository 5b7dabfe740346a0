"""Accounts end to end: an administrator opens one; the person sets a password and a second factor."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from ggzy.entities import totp
from tests.browser.conftest import Live, shot, sign_in


def test_a_new_staff_member_is_created_changes_the_password_and_enrols_totp(
    page: Page, browser: Browser, live: Live
) -> None:
    sign_in(page, live, "admin", staff=True)
    page.goto("/admin/users")
    expect(page.get_by_test_id("users")).to_contain_text("operator")
    shot(page, "admin-users")
    page.click("text=新建用户")
    centre = page.locator("select[name=org_id] option", has_text="新乡市公共资源交易中心").get_attribute("value")
    page.select_option("select[name=org_id]", value=centre)
    page.fill("input[name=username]", "clerk7")
    page.fill("input[name=display_name]", "窗口工作人员")
    page.check("input[name=roles][value=operator]")
    page.click("button:has-text('创建')")
    temp = page.get_by_test_id("temp-password").inner_text()
    assert len(temp) == 19

    newcomer = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    sign_in(newcomer, live, "clerk7", password=temp)
    expect(newcomer.locator("h1")).to_have_text("绑定动态口令")
    expect(newcomer.get_by_test_id("totp-qr").locator("svg")).to_be_visible()
    shot(newcomer, "totp-enrol")
    secret = newcomer.get_by_test_id("totp-secret").inner_text()
    newcomer.fill("input[name=code]", totp.code_at(secret, live.clock.now()))
    newcomer.click("button:has-text('绑定')")
    expect(newcomer.locator(".alert-warn")).to_contain_text("请先设置您自己的口令")
    newcomer.fill("input[name=old]", temp)
    newcomer.fill("input[name=new]", "Clerk-Seven-Pass-9")
    newcomer.fill("input[name=confirm]", "Clerk-Seven-Pass-9")
    newcomer.click("button:has-text('修改口令')")
    expect(newcomer.locator(".alert-ok")).to_contain_text("口令已修改")
    newcomer.goto("/workbench")
    expect(newcomer.get_by_test_id("workbench-title")).to_have_text("交易中心工作人员工作台")
    newcomer.context.close()


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
