"""Evaluation in the browser: an expert scores from wherever they are, the chair signs the report, a supervisor
follows it live without seeing any score before every member has submitted."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from ggzy.core.roles import Role
from ggzy.entities import auth
from ggzy.entities import queries as entities
from ggzy.entities.models import User
from ggzy.evaluation import methods, queries, service
from ggzy.projects.models import Project, Section
from tests.browser.conftest import Live, complete_draw, sign_in
from tests.evaluation.builders import a_sheet

pytestmark = pytest.mark.browser
COMPREHENSIVE = methods.preset(methods.Kind.COMPREHENSIVE)


def _room(live: Live) -> tuple[str, str, list[str]]:
    """Open the demo school section's evaluation for the committee of its draw; all but the last member submit."""
    with live.ctx.db.unit_of_work() as s:
        works = select(Project.id).where(Project.method == "open_tender")
        opened = select(Section).where(Section.status == "opened", Section.project_id.in_(works))
        section = s.execute(opened.order_by(Section.code)).scalars().first()
        assert section is not None
        section_id = section.id
        existing = queries.of_section(s, section.id)
        if existing is not None:
            ids = [m.user_id for m in queries.members(s, existing.id)]
            users = [s.get(User, uid) for uid in ids]
            return existing.id, section.id, [u.username for u in users if u is not None]
    names = complete_draw(live, section_id)  # the demo's draw, through to every expert's acceptance
    with live.ctx.db.unit_of_work() as s:
        section = s.get(Section, section_id)
        assert section is not None
        ids = service.seated(s, section)
        experts = [s.get(User, uid) for uid in ids]
        op = entities.find_user(s, "operator")
        assert op is not None
        e = service.open_evaluation(
            s,
            auth.actor_for(s, op, Role.OPERATOR, "127.0.0.1"),
            section_id=section.id,
            chair=ids[0],
            method=COMPREHENSIVE,
            clock=live.clock,
        )
        orgs = [b.org_id for b in queries.in_review(s, e.id)]
        for u in experts[:4]:
            assert u is not None
            service.submit_sheet(
                s,
                auth.actor_for(s, u, Role.EXPERT, "10.9.9.9"),
                evaluation_id=e.id,
                sheet=a_sheet(COMPREHENSIVE, orgs, "8"),
                clock=live.clock,
            )
        return e.id, section.id, names


def test_a_supervisor_follows_an_expert_who_scores_and_the_chair_who_signs_the_report(
    page: Page, live: Live, browser: object
) -> None:
    eid, sid, names = _room(live)
    watcher = page.context.browser.new_context(base_url=live.url, locale="zh-CN")  # type: ignore[union-attr]
    sup = watcher.new_page()
    sign_in(sup, live, "supervisor", staff=True)
    sup.goto(f"/sections/{sid}/evaluation/live")
    expect(sup.get_by_test_id("live-status")).to_have_text("评标中")
    expect(sup.get_by_test_id("live-submitted")).to_have_text("4")
    expect(sup.get_by_test_id("live-ranking")).to_have_count(0)

    sign_in(page, live, names[4])
    page.goto(f"/evaluations/{eid}")
    expect(page.get_by_test_id("members")).to_contain_text("专家5")
    expect(page.get_by_test_id("members")).not_to_contain_text("expert")
    page.get_by_test_id("score-link").click()
    fields = page.get_by_test_id("score")
    fields.first.fill("31")  # t1 is worth 30 at most
    for i in range(1, fields.count()):
        fields.nth(i).fill("7")
    page.get_by_test_id("submit-sheet").click()
    expect(page.get_by_test_id("evaluation-error")).to_contain_text("超出范围")
    fields = page.get_by_test_id("score")
    for i in range(fields.count()):
        fields.nth(i).fill("7")
    page.get_by_test_id("submit-sheet").click()
    expect(page.get_by_test_id("evaluation-status")).to_have_text("评分已全部提交")
    expect(page.get_by_test_id("ranking")).to_contain_text("1")

    expect(sup.get_by_test_id("live-submitted")).to_have_text("5")
    expect(sup.get_by_test_id("live-ranking")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, live, names[0])
    page.goto(f"/evaluations/{eid}")
    page.get_by_test_id("sign-report").click()
    expect(page.get_by_test_id("evaluation-status")).to_have_text("评标报告已签署")
    link = page.get_by_test_id("report-link")
    expect(link).to_be_visible()
    pdf = page.request.get(link.get_attribute("href") or "")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    expect(sup.get_by_test_id("live-report")).to_contain_text("SHA-256")
    expect(sup.get_by_test_id("live-timeline")).to_contain_text("评标报告签署")
    watcher.close()
