"""Contract performance (履约评价) in the browser: the tenderer records a breach with its evidence on the contract's
page, the supplier sees it and objects once, the supervision office dismisses the objection and confirms the record,
which then shows as a credit record; an objection to the result filed on the award page is a case of its own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from ggzy.award import contracts
from ggzy.award import queries as award_queries
from ggzy.award import service as award
from ggzy.core.notify import MemoryNotifier
from ggzy.entities import auth
from ggzy.entities import queries as entities
from ggzy.projects import queries as projects
from tests.browser.conftest import Live, serve, shot, sign_in
from tests.browser.test_award import _bidder, _signed_report
from tests.dbserver import DbServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(dbserver: DbServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """Its own server: the test moves the clock past publicity and records credit."""
    with serve(dbserver, tmp_path_factory) as server:
        yield server


def person(browser: Browser, live: Live, username: str, *, staff: bool = False) -> Page:
    page = browser.new_context(base_url=live.url, locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live, username, staff=staff)
    return page


def _actor(live: Live, s: object, username: str) -> object:
    u = entities.find_user(s, username)  # type: ignore[arg-type]
    assert u is not None
    return auth.actor_for(s, u, entities.roles_of(s, u.id)[0], "127.0.0.1")  # type: ignore[arg-type]


def test_performance_recorded_objected_and_confirmed(browser: Browser, live: Live, tmp_path: Path) -> None:
    sid, tenderer = _signed_report(live)
    with live.ctx.db.unit_of_work() as s:
        award.publish_candidates(s, _actor(live, s, tenderer), section_id=sid, clock=live.clock)  # type: ignore[arg-type]

    # an objection to the result filed on the award page is a case: it holds the award and has its own page
    second = person(browser, live, _bidder(live, sid, rank=2))
    second.goto(f"/sections/{sid}/award")
    second.fill("textarea[name=text]", "第一名的项目经理证书已过期")
    second.get_by_test_id("file-objection").click()
    expect(second.get_by_test_id("objection")).to_contain_text("第一名的项目经理证书已过期")
    second.get_by_test_id("objection").get_by_role("link", name="案件页面").click()
    expect(second.get_by_test_id("case-number")).to_contain_text("异议 YY-")
    expect(second.get_by_test_id("hold")).to_contain_text("定标并发出中标通知书")
    expect(second.get_by_test_id("clocks")).to_contain_text("第54条")
    second.context.close()

    with live.ctx.db.unit_of_work() as s:
        me = _actor(live, s, tenderer)
        a = award_queries.get_award(s, sid)
        for o in award_queries.objections(s, a):
            award.answer_objection(s, me, objection_id=o.id, answer="证书在有效期内", clock=live.clock)  # type: ignore[arg-type]
        live.clock.set(a.publicity_ends_at + timedelta(hours=1))
        first = next(c for c in award_queries.candidates(a) if c["rank"] == 1)
        award.award(
            s,
            me,  # type: ignore[arg-type]
            section_id=sid,
            winner_org_id=first["org_id"],
            clock=live.clock,
            files=live.ctx.files,
            notifier=MemoryNotifier(),
        )
        contracts.create_contract(
            s,
            me,
            section_id=sid,
            amount=str(first["price"]),
            security="0",
            clock=live.clock,
            files=live.ctx.files,  # type: ignore[arg-type]
        )
        contracts.sign_contract(s, me, section_id=sid, clock=live.clock)  # type: ignore[arg-type]
        winner = entities.get_user(s, award_queries.users_of(s, first["org_id"])[0]).username
        contracts.sign_contract(s, _actor(live, s, winner), section_id=sid, clock=live.clock)  # type: ignore[arg-type]
        project = projects.get_project(s, projects.get_section(s, sid).project_id)
        supplier_name = entities.get_org(s, first["org_id"]).name
    live.clock.advance(timedelta(days=60))

    t = person(browser, live, tenderer)
    t.goto(f"/sections/{sid}/award")
    t.get_by_test_id("performance-link").click()
    expect(t.get_by_test_id("performance-contract")).to_contain_text(supplier_name)
    expect(t.get_by_test_id("no-performance")).to_be_visible()
    t.select_option("select[name=outcome]", "breach")
    t.fill("textarea[name=text]", "项目经理未按合同约定到岗45日")
    t.get_by_test_id("record-performance").click()
    expect(t.get_by_test_id("performance-error")).to_contain_text("请上传证明材料")  # refused, nothing stored
    expect(t.get_by_test_id("no-performance")).to_be_visible()
    evidence = tmp_path / "考勤记录.pdf"
    evidence.write_bytes(b"%PDF-1.4 attendance")
    t.select_option("select[name=outcome]", "breach")
    t.fill("textarea[name=text]", "项目经理未按合同约定到岗45日")
    t.set_input_files("input[name=evidence]", str(evidence))
    t.get_by_test_id("record-performance").click()
    expect(t.get_by_test_id("performance-outcome")).to_have_text("违约")
    expect(t.get_by_test_id("performance-status")).to_have_text("已记录")
    expect(t.get_by_test_id("performance")).to_contain_text("考勤记录.pdf")
    expect(t.get_by_test_id("object-performance")).to_have_count(0)  # the tenderer does not object to itself
    shot(t, "performance-tenderer")

    w = person(browser, live, winner)
    w.goto(f"/sections/{sid}/award/performance")
    expect(w.get_by_test_id("performance")).to_contain_text("项目经理未按合同约定到岗45日")
    expect(w.get_by_test_id("record-performance")).to_have_count(0)
    w.fill("form[action$='/objection'] textarea[name=text]", "项目经理变更已经招标人书面同意")
    w.get_by_test_id("object-performance").click()
    expect(w.get_by_test_id("performance-status")).to_have_text("供应商已提出异议，待处理")
    expect(w.get_by_test_id("performance-objection")).to_contain_text("书面同意")
    expect(w.get_by_test_id("object-performance")).to_have_count(0)  # once only
    shot(w, "performance-supplier")

    office = person(browser, live, "supervisor", staff=True)
    office.goto(f"/sections/{sid}/award/performance")
    expect(office.get_by_test_id("confirm-performance")).to_have_count(0)  # not while the objection waits
    office.select_option("select[name=upheld]", "0")
    office.fill("textarea[name=note]", "未见书面同意文件")
    office.get_by_test_id("handle-performance").click()
    expect(office.get_by_test_id("performance-handling")).to_contain_text("异议不成立")
    office.get_by_test_id("confirm-performance").click()
    expect(office.get_by_test_id("performance-status")).to_have_text("已确认，形成信用记录")
    office.get_by_test_id("performance-credit").get_by_role("link").click()
    expect(office.locator("body")).to_contain_text("合同履约")
    expect(office.locator("body")).to_contain_text(supplier_name)
    shot(office, "performance-credit-record")
    assert project.name  # the trade the record names
    for p in (t, w, office):
        p.context.close()
