"""The expert pool and the draw as people see them: the supervision office's pool, the tenderer's request on
its section, the public record (pseudonyms only), the expert accepting on the workbench, the operator's names."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from ggzy.core import transparency
from ggzy.entities import queries as entities
from ggzy.evaluation import queries as evaluation
from ggzy.experts import queries, service, verify
from ggzy.experts.models import Draw
from ggzy.experts.states import DrawStatus
from ggzy.projects import queries as projects
from ggzy.projects.models import Project, Section
from tests.browser.conftest import Live, serve, shot, sign_in
from tests.dbserver import DbServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(dbserver: DbServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A server of this module's own: the names a draw hides become public once another browser test signs the
    evaluation report of the same demo section, which the shared server's tests do."""
    with serve(dbserver, tmp_path_factory) as server:
        yield server


def _demo_draw(live: Live) -> tuple[str, str, str]:
    """The demo's first committed draw of a works tender whose evaluation has not ended (names are public once a
    report is signed): (draw id, section id, tenderer's username)."""
    with live.ctx.db.unit_of_work() as s:
        works = (
            select(Section.id).join(Project, Project.id == Section.project_id).where(Project.method == "open_tender")
        )
        draws = s.execute(select(Draw).where(Draw.section_id.in_(works)).order_by(Draw.requested_at)).scalars().all()
        d = next((x for x in draws if not evaluation.final_ranking(s, x.section_id)), None)
        assert d is not None
        project = projects.get_project(s, projects.get_section(s, d.section_id).project_id)
        users = [u for u in entities.list_users(s, limit=1000) if u.org_id == project.tenderer_org_id]
        return d.id, d.section_id, users[0].username


def _sign_and_draw(live: Live, draw_id: str) -> None:
    """What the tick does: a checkpoint after the commitment, then the draw."""
    with live.ctx.db.unit_of_work() as s:
        transparency.sign_checkpoint(s, keys=live.ctx.keys, origin=live.ctx.settings.log_origin, clock=live.clock)
    with live.ctx.db.unit_of_work() as s:
        service.perform_draw(s, draw_id=draw_id, clock=live.clock, notifier=live.ctx.notifier)


def test_request_draw_record_accept_and_the_pool(browser: Browser, live: Live) -> None:
    draw_id, section_id, tenderer = _demo_draw(live)
    with live.ctx.db.unit_of_work() as s:
        # the demo's draw is set aside as if it had run short, so the tenderer may ask again on the page
        d = s.get(Draw, draw_id)
        assert d is not None and d.status == DrawStatus.COMMITTED.value
        d.status, d.shortfall = DrawStatus.SHORT.value, '{"*": 1}'

    page = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    sign_in(page, live, tenderer)
    page.goto("/workbench/tenderer")
    expect(page.locator("main")).to_contain_text("申请抽取评标专家")
    page.goto(f"/sections/{section_id}/experts")
    expect(page.locator("main")).to_contain_text("专家不足，抽取未完成")
    page.fill("[data-testid=draw-seats]", "A08×2，B02×2")
    page.click("[data-testid=draw-form] button[type=submit]")
    expect(page.get_by_test_id("experts-error")).to_contain_text("5人以上单数")
    page.fill("[data-testid=draw-seats]", "A08×3，B02×2")
    page.click("[data-testid=draw-form] button[type=submit]")
    expect(page.locator("h1")).to_have_text("评标专家抽取记录")
    expect(page.get_by_test_id("seed-pending")).to_be_visible()
    new_id = page.get_by_test_id("draw-id").inner_text()
    shot(page, "experts-draw-committed")

    _sign_and_draw(live, new_id)
    page.reload()
    expect(page.get_by_test_id("seed-key")).to_be_visible()
    expect(page.get_by_test_id("call-row")).to_have_count(5)
    expect(page.get_by_test_id("expert-name")).to_have_count(0)  # the tenderer sees pseudonyms only

    public = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    public.goto(f"/expert-draws/{new_id}")
    expect(public.get_by_test_id("call-row")).to_have_count(5)
    expect(public.get_by_test_id("expert-name")).to_have_count(0)
    expect(public.locator("main")).to_contain_text("如何核验")
    with live.ctx.db.unit_of_work() as s:
        invs = queries.invitations(s, new_id)
        names = [entities.get_user(s, i.expert_id).display_name for i in invs]
        first = entities.get_user(s, invs[0].expert_id).username
        assert verify.verify_draw(s, new_id).ok
    for name in names:
        expect(public.locator("main")).not_to_contain_text(name)
    shot(public, "experts-draw-public")

    expert = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    sign_in(expert, live, first)
    expert.goto("/workbench/expert")
    expect(expert.locator("main")).to_contain_text("评标邀请：请接受或拒绝")
    expert.click("a[href='/my/expert-invitations']")
    expect(expert.get_by_test_id("invitation-row").first).to_contain_text("待答复")
    expert.get_by_test_id("accept").first.click()
    expect(expert.get_by_test_id("experts-done")).to_have_text("已接受邀请")
    expect(expert.get_by_test_id("invitation-row").first).to_contain_text("已接受")
    shot(expert, "experts-invitations")

    operator = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    sign_in(operator, live, "operator", staff=True)
    operator.goto(f"/expert-draws/{new_id}")
    expect(operator.get_by_test_id("expert-name")).to_have_count(5)
    expect(operator.locator("main")).to_contain_text(names[0])

    office = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    sign_in(office, live, "supervisor", staff=True)
    office.goto("/experts")
    expect(office.locator("h1")).to_have_text("评标专家库")
    expect(office.get_by_test_id("pool-counts")).to_contain_text("正常 30 人")
    office.select_option("select[name=speciality]", "B02")
    office.click("[data-testid=pool-filter] button[type=submit]")
    rows = office.get_by_test_id("expert-row")
    expect(rows.first).to_contain_text("B02")
    rows.first.locator("input[name=reason]").fill("年度考核不合格")
    rows.first.locator("button[type=submit]").click()
    expect(office.get_by_test_id("experts-done")).to_have_text("专家状态已变更")
    expect(office.get_by_test_id("pool-counts")).to_contain_text("暂停 1 人")
    expect(office.get_by_test_id("pool-export")).to_be_visible()
    shot(office, "experts-pool")
