"""Issue 13 item 1: "a returned project cannot be edited" and "termination has routes and no button". The centre
returns a registration; the tenderer finds it on its workbench, corrects it on the filled form, resubmits; the
centre accepts; the tenderer terminates a section and then the project, each behind a disclosure with a reason."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.browser.conftest import Live, shot
from tests.browser.test_tender import as_user


def test_a_returned_registration_is_corrected_resubmitted_and_later_terminated(browser: Browser, live: Live) -> None:
    tenderer = as_user(browser, live, "tenderer1")
    tenderer.goto("/projects/new")
    tenderer.fill("input[name=name]", "新乡市退回修改演示排水工程")
    tenderer.fill("input[name=approval_code]", "2026-410700-48-01-007701")
    tenderer.select_option("select[name=category]", "construction")
    tenderer.select_option("select[name=sector]", "water")
    tenderer.select_option("select[name=method]", "open_tender")
    tenderer.fill("input[name=state_funds_share]", "100")
    tenderer.fill("input[name=state_funds_amount]", "4000000")
    tenderer.locator("input[name=section_name]").first.fill("排水管网施工")
    tenderer.locator("input[name=section_estimate]").first.fill("4000000.00")
    tenderer.click("button:has-text('提交登记')")
    expect(tenderer.get_by_test_id("project-status")).to_have_text("已登记待受理")
    project_url = tenderer.url.split("?")[0]
    expect(tenderer.get_by_test_id("edit-registration")).to_have_count(0)  # only a returned one is edited

    operator = as_user(browser, live, "operator", staff=True)
    operator.goto(project_url)
    operator.fill("input[name=reason]", "请将排水管网与泵站分为两个标段")
    operator.click("button:has-text('退回')")
    expect(operator.get_by_test_id("project-status")).to_have_text("已退回")

    tenderer.goto("/workbench")  # the tenderer's workbench names the returned registration
    tenderer.get_by_test_id("items").get_by_role(
        "link", name=re.compile("修改后重新提交登记：新乡市退回修改演示排水工程")
    ).click()
    expect(tenderer).to_have_url(project_url)
    tenderer.get_by_test_id("edit-registration").click()
    expect(tenderer.locator("h1")).to_contain_text("修改项目登记")
    expect(tenderer.get_by_test_id("return-reason")).to_contain_text("请将排水管网与泵站分为两个标段")
    expect(tenderer.locator("input[name=name]")).to_have_value("新乡市退回修改演示排水工程")  # filled as registered
    names, estimates = tenderer.locator("input[name=section_name]"), tenderer.locator("input[name=section_estimate]")
    expect(names.first).to_have_value("排水管网施工")
    expect(estimates.first).to_have_value("4000000.00")
    estimates.first.fill("3000000.00")
    names.nth(1).fill("泵站施工")
    estimates.nth(1).fill("1000000.00")
    shot(tenderer, "project-edit")
    tenderer.click("button:has-text('保存修改')")
    expect(tenderer.get_by_test_id("amended")).to_be_visible()
    expect(tenderer.get_by_test_id("sections")).to_contain_text("泵站施工")
    expect(tenderer.get_by_test_id("sections").locator("tbody tr")).to_have_count(2)
    tenderer.click("button:has-text('重新提交')")
    expect(tenderer.get_by_test_id("project-status")).to_have_text("已登记待受理")

    operator.goto(project_url)
    operator.click("button:has-text('受理')")
    expect(operator.get_by_test_id("project-status")).to_have_text("已受理")

    tenderer.goto(project_url)
    pump = tenderer.get_by_test_id("sections").locator("tr", has_text="泵站施工")
    pump.get_by_test_id("terminate-section").locator("summary").click()
    pump.locator("input[name=reason]").fill("泵站改由其他项目建设")
    pump.get_by_role("button", name="确认终止本标段").click()
    expect(tenderer.get_by_test_id("sections").locator("tr", has_text="泵站施工")).to_contain_text("已终止")
    zone = tenderer.get_by_test_id("terminate-project")
    zone.locator("summary").click()
    zone.get_by_role("button", name="确认终止项目").click()  # the reason is required: the browser keeps the form
    expect(tenderer.get_by_test_id("project-status")).to_have_text("已受理")
    zone.locator("input[name=reason]").fill("项目取消")
    zone.get_by_role("button", name="确认终止项目").click()
    expect(tenderer.get_by_test_id("project-status")).to_have_text("已终止")
    expect(tenderer.get_by_test_id("terminate-project")).to_have_count(0)
