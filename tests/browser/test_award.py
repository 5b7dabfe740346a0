"""From the signed report to the archive in the browser: the tenderer publishes the candidates and awards from its
workbench, both sides sign the contract on their pages, an auditor opens the sealed dossier."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from ggzy.award import queries as award_queries
from ggzy.core.roles import Role
from ggzy.entities import auth
from ggzy.entities import queries as entities
from ggzy.evaluation import methods, queries, service
from ggzy.projects.models import Section
from tests.browser.conftest import Live, complete_draw, shot, sign_in
from tests.evaluation.builders import a_sheet

pytestmark = pytest.mark.browser
LOWEST = methods.preset(methods.Kind.LOWEST_PRICE)


def _signed_report(live: Live) -> tuple[str, str]:
    """A demo works tender at 已开标 with no evaluation yet: its draw completed, its committee scores, the report
    signed; its tenderer."""
    with live.ctx.db.unit_of_work(write=False) as s:
        from ggzy.projects.models import Project

        section_id = next(
            sec.id
            for sec, _ in s.execute(
                select(Section, Project)
                .join(Project, Project.id == Section.project_id)
                .where(Section.status == "opened", Project.method == "open_tender")
                .order_by(Section.code.desc())
            )
            if queries.of_section(s, sec.id) is None
        )
    usernames = complete_draw(live, section_id)
    with live.ctx.db.unit_of_work() as s:
        section = s.get(Section, section_id)
        assert section is not None
        op = entities.find_user(s, "operator")
        assert op is not None
        experts = [
            u
            for n in usernames
            if (u := entities.find_user(s, n)) is not None and Role.EXPERT in entities.roles_of(s, u.id)
        ]
        e = service.open_evaluation(
            s,
            auth.actor_for(s, op, Role.OPERATOR, "127.0.0.1"),
            section_id=section.id,
            chair=experts[0].id,
            method=LOWEST,
            clock=live.clock,
        )
        orgs = [b.org_id for b in queries.in_review(s, e.id)]
        members = [u for n in usernames if (u := entities.find_user(s, n)) is not None]
        for u in members:  # the experts and any representative of the tenderer
            service.submit_sheet(
                s,
                auth.actor_for(s, u, entities.roles_of(s, u.id)[0], "10.9.9.9"),
                evaluation_id=e.id,
                sheet=a_sheet(LOWEST, orgs),
                clock=live.clock,
            )
        service.sign_report(
            s,
            auth.actor_for(s, experts[0], Role.EXPERT, "10.9.9.9"),
            evaluation_id=e.id,
            clock=live.clock,
            files=live.ctx.files,
        )
        from ggzy.projects import queries as projects

        tenderer_org = projects.get_project(s, section.project_id).tenderer_org_id
        tenderer = entities.get_user(s, award_queries.users_of(s, tenderer_org)[0]).username
        return section.id, tenderer


def _bidder(live: Live, section_id: str, *, rank: int) -> str:
    with live.ctx.db.unit_of_work(write=False) as s:
        org = next(c.org_id for c in queries.final_ranking(s, section_id) if c.rank == rank)
        return entities.get_user(s, award_queries.users_of(s, org)[0]).username


def _winner(live: Live, section_id: str) -> str:
    with live.ctx.db.unit_of_work(write=False) as s:
        a = award_queries.get_award(s, section_id)
        assert a.winner_org_id is not None
        return entities.get_user(s, award_queries.users_of(s, a.winner_org_id)[0]).username


def test_publish_award_both_sign_and_the_auditor_opens_the_dossier(page: Page, live: Live) -> None:
    sid, tenderer = _signed_report(live)
    sign_in(page, live, tenderer)
    page.goto("/workbench")
    page.get_by_role("link", name="公示中标候选人").first.click()
    expect(page).to_have_url(f"{live.url}/sections/{sid}/award")
    page.get_by_test_id("publish-candidates").click()
    expect(page.get_by_test_id("section-status")).to_have_text("中标候选人公示中")
    expect(page.get_by_test_id("candidates")).to_contain_text("1")
    page.get_by_test_id("award").click()
    expect(page.get_by_test_id("award-error")).to_contain_text("公示期满后才能定标")

    bidder = page.context.browser.new_context(base_url=live.url, locale="zh-CN")  # type: ignore[union-attr]
    other = bidder.new_page()
    sign_in(other, live, _bidder(live, sid, rank=2))
    other.goto(f"/sections/{sid}/award")
    other.fill("textarea[name=text]", "第一名的类似业绩证明不真实")
    other.get_by_test_id("file-objection").click()
    expect(other.get_by_test_id("objection")).to_contain_text("第一名的类似业绩证明不真实")
    bidder.close()
    page.reload()
    expect(page.get_by_test_id("award-hold")).to_contain_text("案件编号")
    page.fill("form[action^='/award-objections'] textarea[name=answer]", "经核实，业绩证明真实有效")
    page.get_by_role("button", name="答复异议").click()
    expect(page.get_by_test_id("objection-answer")).to_contain_text("业绩证明真实有效")
    expect(page.get_by_test_id("award-hold")).to_have_count(0)

    with live.ctx.db.unit_of_work(write=False) as s:
        ends = award_queries.get_award(s, sid).publicity_ends_at
    live.clock.set(ends + timedelta(hours=1))
    page.context.clear_cookies()  # three days later: a new session
    sign_in(page, live, tenderer)
    page.goto("/workbench")
    page.get_by_role("link", name="确定中标人").first.click()
    page.get_by_test_id("award").click()
    expect(page.get_by_test_id("section-status")).to_have_text("已定标")
    expect(page.get_by_test_id("winner")).to_contain_text("排名第1")
    page.get_by_test_id("create-contract").click()
    page.get_by_test_id("sign-contract").click()
    expect(page.get_by_test_id("signatures")).not_to_contain_text("招标人：未签署")
    expect(page.get_by_test_id("sign-contract")).to_have_count(0)  # its side is signed
    shot(page, "award-tenderer")

    page.context.clear_cookies()
    sign_in(page, live, _winner(live, sid))
    page.goto("/workbench")
    page.get_by_role("link", name="签署合同").first.click()
    page.get_by_test_id("sign-contract").click()
    expect(page.get_by_test_id("contract-signed")).to_contain_text("签订并公告")
    expect(page.get_by_test_id("section-status")).to_have_text("已归档")

    page.context.clear_cookies()
    sign_in(page, live, "auditor", staff=True)
    page.goto("/workbench")
    page.get_by_role("link", name="查阅交易档案").click()
    page.get_by_test_id("dossiers").get_by_role("link").first.click()
    expect(page.get_by_test_id("dossier-title")).to_contain_text("交易档案")
    expect(page.get_by_test_id("dossier-files")).to_contain_text("合同.pdf")
    expect(page.get_by_test_id("dossier-files")).to_contain_text("中标通知书.pdf")
    expect(page.get_by_test_id("dossier-files")).to_contain_text("objection-")
    shot(page, "archive-dossier")

    page.context.clear_cookies()
    sign_in(page, live, "operator", staff=True)
    page.goto(f"/sections/{sid}/opening")
    expect(page.get_by_test_id("no-opening-objections")).to_be_visible()
    page.fill("form[action$='/opening/objections'] textarea[name=text]", "唱标时报价读错")
    page.fill("form[action$='/opening/objections'] textarea[name=answer]", "当场复核解密结果，报价无误")
    page.get_by_role("button", name="记录开标异议").click()
    expect(page.get_by_test_id("opening-objections")).to_contain_text("当场复核解密结果")
