"""Two bidders' guarantees as they see them on their deposit page, from the notice to the surrender (issue 11, "Done
when"): one attaches an open guarantee on the page, the other applied for an integrated one through the platform;
pledged → valid at the opening → released (open) / surrendered to the issuer on the tick (integrated)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from ggzy.core import timers
from ggzy.deposits import guarantees, refunds, service
from ggzy.deposits import timers as deposit_timers
from ggzy.deposits.guarantees import FakeIssuer
from ggzy.deposits.models import Guarantee
from ggzy.entities import auth, queries
from ggzy.projects import queries as projects
from ggzy.projects.models import Section
from ggzy.web.app import due_sources
from tests.browser.conftest import Live, serve, shot, sign_in
from tests.browser.test_trade_pages import a_bidding_section
from tests.dbserver import DbServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(dbserver: DbServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A server of its own: this test moves its clock past the deadline and ends the trade."""
    with serve(dbserver, tmp_path_factory) as server:
        yield server


def actor_of(s, username: str):  # type: ignore[no-untyped-def]
    user = queries.find_user(s, username)
    assert user is not None
    return auth.actor_for(s, user, queries.roles_of(s, user.id)[0], None)


def guarantees_of(s, section_id: str, username: str) -> str:  # type: ignore[no-untyped-def]
    user = queries.find_user(s, username)
    assert user is not None
    g = s.query(Guarantee).filter_by(section_id=section_id, org_id=user.org_id).one()
    return str(g.number)


def _status(page: Page) -> str:
    page.goto("/my/deposits")
    expect(page.get_by_test_id("my-deposits")).to_be_visible(timeout=5000)
    return page.get_by_test_id("my-deposits").locator("tbody tr").first.get_by_test_id("deposit-status").inner_text()


def test_a_guarantee_from_the_notice_to_its_surrender_as_the_bidder_sees_it(
    browser: Browser, live: Live, tmp_path: Path
) -> None:
    section_id = a_bidding_section(live, "tenderer3", "新乡市牧野区文化中心建设工程", "2026-410700-48-01-000778")
    fake = FakeIssuer(
        credit_code="91410700MA000BH02X",
        platform_public=deposit_timers.platform_key(live.ctx).public_key(),
    )
    deposit_timers.issuers_of(live.ctx)[fake.credit_code] = fake
    with live.ctx.db.unit_of_work() as s:
        service.set_requirement(
            s,
            actor_of(s, "tenderer3"),
            section_id=section_id,
            amount="60000.00",
            bank_name="中国银行",
            clock=live.clock,
        )
        guarantees.register_issuer(
            s,
            actor_of(s, "supervisor"),
            name="河南省中原融资担保有限公司",
            credit_code=fake.credit_code,
            kind="guarantor",
            public_key_hex=fake.public_hex,
            integrated=True,
            clock=live.clock,
        )
        section = projects.get_section(s, section_id)
        project = projects.get_project(s, section.project_id)
        bidder = queries.find_user(s, "bidder21")
        assert bidder is not None and bidder.org_id is not None and section.bid_deadline is not None
        doc = {
            "format": guarantees.FORMAT,
            "number": "ZYDB-2026-0778",
            "issuer": fake.credit_code,
            "principal": queries.get_org(s, bidder.org_id).credit_code,
            "beneficiary": queries.get_org(s, project.tenderer_org_id).credit_code,
            "section": section.code,
            "amount": "60000.00",
            "valid_until": (section.bid_deadline + timedelta(days=120)).date().isoformat(),
        }
    file = tmp_path / "baohan.json"
    file.write_bytes(guarantees.sign_document(fake.key, doc))

    # The notice asks for the security; the bidder pledges its guarantee on its page.
    page = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    sign_in(page, live, "bidder21")
    page.goto(f"/sections/{section_id}/deposit")
    expect(page.get_by_test_id("required")).to_contain_text("¥60,000.00")
    page.set_input_files("input[name=file]", str(file))
    page.click("button:has-text('提交并校验')")
    expect(page.get_by_test_id("guarantee")).to_contain_text("ZYDB-2026-0778")
    assert "已提交电子保函（ZYDB-2026-0778），校验通过，开标时确认" in _status(page)
    # The other bidder applies on its page through the platform (sealed terms) for an integrated guarantee.
    other = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    sign_in(other, live, "bidder22")
    other.goto(f"/sections/{section_id}/deposit")
    other.get_by_test_id("apply-guarantee").locator("select").select_option(label="河南省中原融资担保有限公司")
    other.click("button:has-text('经平台申请电子保函')")
    expect(other.get_by_test_id("guarantee")).to_contain_text("已提交电子保函")
    assert len(fake.issued) == 1 and section.code not in json.dumps(fake.seen_terms, ensure_ascii=False)
    with live.ctx.db.unit_of_work() as s:
        number = guarantees_of(s, section_id, "bidder22")
    assert f"已提交电子保函（{number}）" in _status(other)

    # The deadline passes and the bids are opened: the opening record takes both guarantees as valid.
    with live.ctx.db.unit_of_work() as s:
        live.clock.advance(timedelta(days=22))
        row = s.get(Section, section_id)
        assert row is not None
        row.opened_at = live.clock.now()
    sign_in(page, live, "bidder21")  # three weeks later: a new sign-in
    sign_in(other, live, "bidder22")
    assert "电子保函有效（ZYDB-2026-0778" in _status(page)
    assert f"电子保函有效（{number}" in _status(other)
    shot(page, "deposits-guarantee-valid")

    # The contract is signed: the open guarantee is released, the integrated one's surrender goes to its issuer.
    with live.ctx.db.unit_of_work() as s:
        refunds.on_contract(s, section_id=section_id, winner_org_id="", clock=live.clock)
    assert "已解除担保责任" in _status(page)
    assert "退保通知已发往出具机构，待机构确认" in _status(other)
    fake.timeout = 1  # the issuer does not answer the first time; the next tick asks again
    timers.tick(live.ctx.db, due_sources(live.ctx), live.clock.now())
    assert "待机构确认" in _status(other) and fake.received == []
    live.clock.advance(timedelta(minutes=1))
    timers.tick(live.ctx.db, due_sources(live.ctx), live.clock.now())
    assert "已退保（出具机构已确认）" in _status(other)
    assert [m.number for m in fake.received] == [number] and number in fake.surrendered
    page.goto(f"/sections/{section_id}/deposit")
    expect(page.get_by_test_id("guarantee")).to_contain_text("已解除担保责任")
    shot(other, "deposits-guarantee-surrendered")
    told = live.ctx.notifier
    with live.ctx.db.unit_of_work(write=False) as s:
        b21, b22 = queries.find_user(s, "bidder21"), queries.find_user(s, "bidder22")
        assert b21 is not None and b22 is not None
        assert "已解除" in told.to(b21.id)[-1].body  # type: ignore[attr-defined]
        assert "已退保" in told.to(b22.id)[-1].body  # type: ignore[attr-defined]
