"""From the workbench, by clicking only: the tenderer requests the draw, the experts accept, the operator opens
the room with the committee of the draw, an expert scores (T15)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from ggzy.core import transparency
from ggzy.entities.models import User
from ggzy.experts import queries as experts_queries
from ggzy.experts import service as experts
from ggzy.projects import queries as projects
from tests.browser.conftest import Live, shot, sign_in
from tests.evaluation.builders import a_bill, an_opened_section

pytestmark = pytest.mark.browser


def _opened(live: Live) -> tuple[str, str, str, str]:
    """A fresh opened works section with no draw yet: (section id, project name, tenderer, password)."""
    import itertools

    from tests import builders

    builders._n = itertools.count(9000)  # past the demo city's usernames (tenderer1…, bidder01…)
    with live.ctx.db.unit_of_work() as s:
        c = live.ctx
        room = an_opened_section(
            s, live.clock, c.ident, c.files, c.opening, c.keys, [a_bill() for _ in range(3)], experts=0
        )
        p = projects.get_project(s, room.section.project_id)
        return room.section.id, p.name, room.world.tenderer.username, room.world.tenderer.password


def _click(page: Page, role: str, text: str) -> None:
    page.goto(f"/workbench/{role}")
    page.get_by_test_id("items").get_by_role("link", name=re.compile(re.escape(text))).first.click()
    expect(page.get_by_test_id("workbench-title")).to_have_count(0)  # the click's page, not the workbench still


def _new_page(browser: Browser, live: Live) -> Page:
    return browser.new_context(base_url=live.url, locale="zh-CN").new_page()


def test_from_the_workbench_the_draw_the_room_and_a_sheet(browser: Browser, live: Live) -> None:
    section_id, name, tenderer, password = _opened(live)
    page = _new_page(browser, live)
    sign_in(page, live, tenderer, password)
    _click(page, "tenderer", f"申请抽取评标专家：{name}")
    expect(page).to_have_url(re.compile(f"/sections/{section_id}/experts$"))
    page.fill("[data-testid=draw-seats]", "A08×3，B02×2")
    page.click("[data-testid=draw-form] button[type=submit]")
    expect(page.locator("h1")).to_have_text("评标专家抽取记录")
    _click(page, "tenderer", f"个席位待专家答复（{name}")  # the draw is listed until every seat has accepted
    expect(page).to_have_url(re.compile(f"/sections/{section_id}/experts$"))

    with live.ctx.db.unit_of_work() as s:  # the tick: a checkpoint after the commitment, then the draw
        transparency.sign_checkpoint(s, keys=live.ctx.keys, origin=live.ctx.settings.log_origin, clock=live.clock)
    with live.ctx.db.unit_of_work() as s:
        d = experts_queries.active_draw(s, section_id, 1)
        assert d is not None
        experts.perform_draw(s, draw_id=d.id, clock=live.clock, notifier=live.ctx.notifier)
        called = []
        for inv in experts_queries.invitations(s, d.id):
            u = s.get(User, inv.expert_id)
            assert u is not None
            called.append(u.username)

    for username in called:
        p = _new_page(browser, live)
        sign_in(p, live, username)
        _click(p, "expert", "评标邀请：请接受或拒绝")
        p.get_by_test_id("accept").first.click()
        expect(p.get_by_test_id("experts-done")).to_be_visible()
        p.context.close()

    op = _new_page(browser, live)
    sign_in(op, live, "operator", staff=True)
    _click(op, "operator", f"组织评标：抽取已完成，开启评标室（{name}")
    expect(op.get_by_test_id("committee-seat")).to_have_count(5)
    expect(op.get_by_test_id("committee")).to_contain_text("评标专家（A08）")
    shot(op, "evaluation-start-from-draw")
    op.select_option("select[name=chair_seat]", "1")
    op.select_option("select[name=kind]", "comprehensive")
    op.get_by_role("button", name="开启评标").click()
    expect(op.get_by_test_id("evaluation-status")).to_have_text("评标中")
    expect(op.get_by_test_id("members")).to_contain_text("专家1（组长）")

    expert = _new_page(browser, live)
    sign_in(expert, live, called[1])
    _click(expert, "expert", f"评审打分：{name}")
    expect(expert.get_by_test_id("sheet")).to_be_visible()
    fields = expert.get_by_test_id("score")
    for i in range(fields.count()):
        fields.nth(i).fill("7")
    expert.get_by_test_id("submit-sheet").click()
    expect(expert.get_by_test_id("evaluation-status")).to_have_text("评标中")
    expect(expert.get_by_test_id("submitted")).to_have_count(1)
    expert.goto("/workbench/expert")
    expect(expert.locator("main")).not_to_contain_text(f"评审打分：{name}")

    watcher = _new_page(browser, live)  # the housing sector's supervisor follows it live, without scores
    sign_in(watcher, live, "housing", staff=True)
    _click(watcher, "sector_supervisor", f"监督评标：{name}")
    expect(watcher).to_have_url(re.compile(f"/sections/{section_id}/evaluation/live$"))
    expect(watcher.get_by_test_id("live-status")).to_have_text("评标中")
    expect(watcher.get_by_test_id("live-submitted")).to_have_text("1")
    expect(watcher.get_by_test_id("live-ranking")).to_have_count(0)
