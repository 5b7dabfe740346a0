"""Issue #12's "done when", in the browser: an objection to the tender documents suspends the trade, a complaint
follows its answer, the regulator's decision orders a correction, and the trade resumes with its deadline moved by
the rule (条例 art. 21); a debarred bidder is refused at the bid with the sanction cited, and the attempt shows on the
supervision office's workbench; the public credit page, the overview and its register export."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from ggzy.core import holds
from ggzy.core.clock import SHANGHAI
from ggzy.entities import queries as entities
from ggzy.notices import queries as notices
from ggzy.projects import queries as projects
from tests.browser.conftest import Live, serve, shot, sign_in
from tests.browser.test_trade_pages import a_bidding_section
from tests.builders import a_credit_code
from tests.dbserver import DbServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(dbserver: DbServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A server of this module's own: these tests move the clock by days and publish decisions and clarifications,
    which must not reach the other browser tests' shared server (its home page lists the latest notices)."""
    with serve(dbserver, tmp_path_factory) as server:
        yield server


def person(browser: Browser, live: Live, username: str, *, staff: bool = False) -> Page:
    page = browser.new_context(base_url=live.url, locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live, username, staff=staff)
    return page


def test_an_objection_suspends_the_trade_and_a_decision_moves_the_deadline_by_the_rule(
    browser: Browser, live: Live
) -> None:
    section_id = a_bidding_section(live, "tenderer4", "新乡市异议投诉演示道路工程", "2026-410700-48-01-000888")
    bidder = person(browser, live, "bidder11")
    bidder.goto(f"/sections/{section_id}")
    with bidder.expect_download():
        bidder.get_by_test_id("download").first.click()
    bidder.get_by_test_id("go-object").click()
    bidder.select_option("select[name=matter]", "documents")
    bidder.fill("textarea[name=points]", "资格条件要求三年内同类业绩五项，排斥潜在投标人")
    bidder.fill("textarea[name=claims]", "招标文件第三章资格条件与项目规模不相称，请求修改。")
    bidder.click("button:has-text('提交')")
    expect(bidder.get_by_test_id("case-number")).to_contain_text("异议 YY-")
    expect(bidder.get_by_test_id("hold")).to_contain_text("投标截止、开标")
    expect(bidder.get_by_test_id("clocks")).to_contain_text("第22条")
    shot(bidder, "case-objection")
    case_url = bidder.url
    with live.ctx.db.unit_of_work(write=False) as s:
        assert holds.holding(s, section_id, holds.Step.OPENING) is not None  # the trade is suspended

    tenderer = person(browser, live, "tenderer4")
    tenderer.goto(case_url)
    tenderer.fill("textarea[name=answer]", "经复核，业绩要求符合项目需要，不予修改。")
    tenderer.click("button:has-text('提交答复')")
    expect(tenderer.get_by_test_id("case-status")).to_have_text("已答复")
    expect(tenderer.get_by_test_id("hold")).to_have_count(0)

    bidder.goto(case_url)
    bidder.get_by_test_id("go-complain").click()
    bidder.select_option("select[name=matter]", "documents")
    bidder.fill("textarea[name=points]", "资格条件要求三年内同类业绩五项，排斥潜在投标人")
    bidder.fill("textarea[name=claims]", "招标人的答复不成立，请求责令修改招标文件。")
    bidder.click("button:has-text('提交')")
    expect(bidder.get_by_test_id("case-number")).to_contain_text("投诉 TS-")
    expect(bidder.get_by_test_id("regulator")).to_contain_text("住房和城乡建设")
    complaint_url = bidder.url.split("?")[0]
    bidder.goto("/cases")
    expect(bidder.get_by_test_id("cases")).to_contain_text("TS-")
    expect(bidder.get_by_test_id("cases")).to_contain_text("行政监督部门审查并决定是否受理")

    for p in (bidder, tenderer):
        p.context.close()
    live.clock.advance(timedelta(days=2))
    regulator = person(browser, live, "housing", staff=True)
    regulator.goto(complaint_url)
    regulator.click("button:has-text('受理投诉')")
    expect(regulator.get_by_test_id("case-status")).to_have_text("已受理，处理中")
    expect(regulator.get_by_test_id("clocks")).to_contain_text("第61条")
    regulator.context.close()
    live.clock.advance(timedelta(days=7))  # twelve days are left before the deadline (signed-in sessions expire)
    regulator = person(browser, live, "housing", staff=True)
    regulator.goto(complaint_url)
    form = regulator.get_by_test_id("decision-form")
    form.locator("select[name=outcome]").select_option("upheld")
    form.locator("select[name=remedy]").select_option("correct_documents")
    form.locator("textarea[name=decision]").fill("业绩要求与项目规模不相称，责令招标人修改招标文件。")
    form.locator("button[type=submit]").click()
    expect(regulator.get_by_test_id("outcome")).to_have_text("投诉成立")
    expect(regulator.get_by_test_id("hold")).to_contain_text("须按投诉处理决定修改招标文件")
    shot(regulator, "case-decision")
    number = regulator.get_by_test_id("decision-notice").inner_text()
    assert number.startswith("TSJD")

    tenderer = person(browser, live, "tenderer4")
    tenderer.goto(complaint_url)
    tenderer.fill("textarea[name=body]", "资格条件中的同类业绩要求由五项改为两项。")
    tenderer.click("button:has-text('提交整改')")
    expect(tenderer.get_by_test_id("case-status")).to_have_text("已按决定整改")
    with live.ctx.db.unit_of_work(write=False) as s:
        section = projects.get_section(s, section_id)
        assert section.bid_deadline is not None and holds.open_holds(s, section_id) == []
        left = section.bid_deadline - live.clock.now()
        assert timedelta(days=14) <= left <= timedelta(days=16)  # moved to 15 days by 条例 art. 21
        clarification = notices.of_section(s, section_id, "clarification")[-1]
        assert "第21条" in clarification.body
        deadline_text = f"{section.bid_deadline.astimezone(SHANGHAI):%Y-%m-%d}"
    tenderer.goto(f"/sections/{section_id}")
    expect(tenderer.get_by_test_id("deadline")).to_contain_text(deadline_text)

    anonymous = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    anonymous.goto(f"/notices/{number}")
    expect(anonymous.locator("main")).to_contain_text("投诉成立")
    anonymous.context.close()

    office = person(browser, live, "supervisor", staff=True)
    office.goto("/supervision/cases")
    expect(office.get_by_test_id("by-sector")).to_contain_text("住房和城乡建设")
    with office.expect_download() as d:
        office.get_by_test_id("export").click()
    assert d.value.suggested_filename.endswith(".xlsx")
    for p in (tenderer, regulator, office):
        p.context.close()


def test_a_debarred_bidder_is_refused_at_the_bid_and_the_office_sees_the_attempt(browser: Browser, live: Live) -> None:
    section_id = a_bidding_section(live, "tenderer5", "新乡市失信惩戒演示排水工程", "2026-410700-48-01-000889")
    with live.ctx.db.unit_of_work(write=False) as s:
        user = entities.find_user(s, "bidder12")
        assert user is not None
        org = entities.get_org(s, user.org_id)
        org_id, org_name, code = org.id, org.name, org.credit_code
    office = person(browser, live, "supervisor", staff=True)
    office.goto("/credit/manage")
    form = office.get_by_test_id("sanction-form")
    form.locator("select[name=org_id]").select_option(org_id)
    form.locator("input[name=title]").fill("串通投标")
    form.locator("input[name=basis]").fill("《招标投标法》第53条")
    form.locator("input[name=source_ref]").fill("新建罚〔2026〕88号")
    form.locator("input[name=measure]").fill("取消依法必须进行招标的项目投标资格")
    form.locator("input[value=state_works]").check()
    today = live.clock.now().astimezone(SHANGHAI).date()
    form.locator("input[name=starts]").fill(f"{today - timedelta(days=1):%Y-%m-%d}")
    form.locator("input[name=ends]").fill(f"{today + timedelta(days=700):%Y-%m-%d}")
    form.locator("input[name=list_now]").check()
    form.locator("button[type=submit]").click()
    expect(office.get_by_test_id("record-status")).to_have_text("已列入")
    record_url = office.url
    office.goto("/credit/manage")
    good = a_credit_code("browser-import")
    office.set_input_files(
        "input[name=file]",
        files=[
            {
                "name": "名单.csv",
                "mimeType": "text/csv",
                "buffer": (
                    "统一社会信用代码,名称,失信行为,列入日期,限制领域\n"
                    f"{good},新乡市导入演示公司,提供虚假材料,2026-03-01,政府采购\n"
                    "91410700NOTACODE00,新乡市错误公司,x,2026-03-01,政府采购\n"
                ).encode(),
            }
        ],
    )
    office.click("button:has-text('导入')")
    expect(office.get_by_test_id("import-report")).to_contain_text("导入 1 行")
    expect(office.get_by_test_id("import-report")).to_contain_text("第3行")

    barred = person(browser, live, "bidder12")
    barred.goto(f"/sections/{section_id}/bid")
    expect(barred.locator("main")).to_contain_text("受信用惩戒限制")
    expect(barred.locator("main")).to_contain_text("《招标投标法》第53条")
    shot(barred, "credit-refused")

    office.goto("/workbench/supervisor")
    item = office.get_by_test_id("items").get_by_text(f"拦截：失信主体「{org_name}」试图递交投标文件")
    expect(item).to_have_count(1)
    item.click()
    expect(office.get_by_test_id("check")).to_contain_text("取消依法必须进行招标的项目投标资格")
    office.click("button:has-text('已核查')")
    expect(office.get_by_test_id("reviewed")).to_contain_text("已于")
    office.goto("/workbench/supervisor")
    expect(office.get_by_text(f"拦截：失信主体「{org_name}」")).to_have_count(0)  # reviewed: off the to-do list

    barred.goto(record_url)
    expect(barred.get_by_test_id("record-status")).to_have_text("已列入")
    expect(barred.locator("main")).to_contain_text("提出异议")

    public = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    public.goto("/credit")
    expect(public.get_by_test_id("listed")).to_contain_text(org_name)
    public.goto(f"/credit/entities/{code}")
    expect(public.get_by_test_id("credit-entry")).to_contain_text("串通投标")
    for p in (office, barred, public):
        p.context.close()
