"""The whole journey in training mode (培训模式, issue 10 "Done when"): a tender taken in the browser from the
registration through the opening, the draw, the evaluation, the publicity, the award and the contract to the
archive, every role in its own browser, each step reached by clicking from that role's workbench.

The server is a training database (legal periods shortened 1/1440: the 20-day bid period is 20 minutes, the 3-day
publicity 3 minutes). The server's clock is the rig's clock, moved forward where a person would wait for a period
to pass; the tick (what `ggzy serve` runs every few seconds) is run at those moments. The wall time of each journey
is printed; the target is well under 15 minutes."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from ggzy.award import queries as award_queries
from ggzy.core import timers
from ggzy.core.clock import SHANGHAI
from ggzy.deposits import bank
from ggzy.deposits.api import callback_key
from ggzy.entities import queries as entities
from ggzy.experts import queries as experts
from ggzy.experts.models import Draw
from ggzy.web.app import due_sources
from tests.browser.conftest import Live, serve, shot, sign_in
from tests.dbserver import DbServer

pytestmark = pytest.mark.browser

FACTOR = 1440  # a day becomes a minute
WALL_LIMIT = 15 * 60  # seconds: "in under 15 minutes"
TIMEOUT = 30_000  # ms: a slow shared machine


@pytest.fixture(scope="module")
def live(dbserver: DbServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A training database of its own: the journeys move its clock by weeks."""
    with serve(dbserver, tmp_path_factory, training_factor=FACTOR) as server:
        yield server


@dataclass(frozen=True)
class Trade:
    """What differs between the two journeys."""

    project: str
    approval_code: str
    category: str
    sector: str
    method: str
    section: str
    estimate: str
    prices: tuple[str, ...]
    seats: str  # the committee's seats, as the tenderer types them
    kind: str  # the evaluation method chosen when the room is opened
    shots: bool  # save screenshots of this journey's pages (GGZY_SCREENSHOTS=1)
    quotes: tuple[tuple[str, ...], ...] = ()  # negotiation: each round's quotes, the last one final
    invited: bool = False  # the suppliers are invited before the notice
    security: str = "50000"  # the bid security asked in the notice (works ≤ 2 % of the estimate, 条例 art. 26)


WORKS = Trade(
    project="新乡市培训演示道路改造工程",
    approval_code="2026-410700-48-01-008801",
    category="construction",
    sector="transport",
    method="open_tender",
    section="道路改造施工",
    estimate="5000000.00",
    prices=("4868000.00", "4791350.50", "4935000.25"),
    seats="A08×3，B02×2",
    kind="comprehensive",
    shots=True,
)
NEGOTIATION = Trade(
    project="新乡市培训演示实验室设备采购",
    approval_code="2026-410700-48-01-008802",
    category="gp_goods",
    sector="finance",
    method="negotiation",
    section="理化生实验室设备",
    estimate="800000.00",
    prices=("786000.00", "779500.00", "792300.00"),
    seats="*×3",
    kind="negotiation",
    shots=False,
    invited=True,
    security="10000",  # ≤ 2 % of the budget (政府采购法实施条例 art. 33)
    quotes=(("771000.00", "768800.00", "775000.00"), ("759000.00", "761200.00", "748900.00")),
)


class Journey:
    """Each person in a browser context of their own, signed in through the real login (TOTP for staff)."""

    def __init__(self, browser: Browser, live: Live) -> None:
        self.browser, self.live = browser, live
        self.pages: dict[str, Page] = {}
        self.staff: dict[str, bool] = {}
        self.deadline = live.clock.now()  # the bid deadline, once the notice is out
        self.experts: list[str] = []  # the experts the draw called

    def person(self, username: str, *, staff: bool = False) -> Page:
        """The person's browser: opened and signed in once, kept (a key holder's key lives in its IndexedDB)."""
        if username not in self.pages:
            context = self.browser.new_context(
                base_url=self.live.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
            )
            context.set_default_timeout(TIMEOUT)
            page = context.new_page()
            sign_in(page, self.live, username, staff=staff)
            expect(page.get_by_test_id("workbench-title")).to_be_visible()
            self.pages[username] = page
            self.staff[username] = staff
        return self.pages[username]

    def home(self, username: str, *, staff: bool = False) -> Page:
        """The person's workbench; signed in again when the session lapsed while time passed."""
        page = self.person(username, staff=staff)
        page.goto("/workbench")
        if "/login" in page.url:
            sign_in(page, self.live, username, staff=self.staff[username])
            page.goto("/workbench")
        expect(page.get_by_test_id("workbench-title")).to_be_visible()
        return page

    def workbench(self, username: str, item: str, *, staff: bool = False) -> Page:
        """Start from the workbench and click the item that names the next step."""
        page = self.home(username, staff=staff)
        page.get_by_test_id("items").get_by_role("link", name=re.compile(item)).first.click()
        expect(page.get_by_test_id("workbench-title")).to_have_count(0)  # the click's page has come, not the old one
        return page

    def later(self, delta: timedelta) -> None:
        """Time passes (in training mode minutes stand for days): the server's clock moves, the tick runs."""
        self.live.clock.advance(delta)
        for _ in range(2):  # a checkpoint, then what waited for it (the draw)
            timers.tick(self.live.ctx.db, due_sources(self.live.ctx), self.live.clock.now())

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


def local(at: datetime) -> str:
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def _org_name(live: Live, username: str) -> str:
    with live.ctx.db.unit_of_work(write=False) as s:
        user = entities.find_user(s, username)
        assert user is not None and user.org_id is not None
        return entities.get_org(s, user.org_id).name


def _maybe_shot(trade: Trade, page: Page, name: str) -> None:
    if trade.shots:
        shot(page, f"journey-{name}")


def run(browser: Browser, live: Live, trade: Trade, tenderer: str, bidders: tuple[str, ...]) -> float:
    started = time.monotonic()
    j = Journey(browser, live)
    try:
        _tender(j, trade, tenderer, bidders)
        sid = _opening(j, trade)
        _draw(j, trade, tenderer, sid)
        _evaluation(j, trade, sid, bidders)
        _award(j, trade, tenderer, sid)
    finally:
        j.close()
    return time.monotonic() - started


def _tender(j: Journey, trade: Trade, tenderer: str, bidders: tuple[str, ...]) -> None:
    # The tenderer registers the project from its workbench.
    page = j.person(tenderer)
    expect(page.get_by_test_id("training-banner")).to_contain_text("培训模式")
    page.get_by_test_id("link-new-project").click()
    page.fill("input[name=name]", trade.project)
    if trade.approval_code:
        page.fill("input[name=approval_code]", trade.approval_code)
    page.select_option("select[name=category]", trade.category)
    page.select_option("select[name=sector]", trade.sector)
    page.select_option("select[name=method]", trade.method)
    page.fill("input[name=state_funds_share]", "100")
    page.fill("input[name=state_funds_amount]", trade.estimate)
    page.locator("input[name=section_name]").first.fill(trade.section)
    page.locator("input[name=section_estimate]").first.fill(trade.estimate)
    _maybe_shot(trade, page, "01-register")
    page.click("button:has-text('提交登记')")
    expect(page.get_by_test_id("project-status")).to_have_text("已登记待受理")

    # The centre's operator accepts it from the workbench.
    operator = j.workbench("operator", f"受理登记：{trade.project}", staff=True)
    operator.click("button:has-text('受理')")
    expect(operator.get_by_test_id("project-status")).to_have_text("已受理")

    # Two key holders make their keys in their own browsers (only the public key leaves).
    for holder in ("operator", "supervisor"):
        page = j.home(holder, staff=True)
        page.get_by_test_id("link-keyholder").click()
        expect(page.locator("h1")).to_have_text("开标密钥")
        page.fill("#backup-pass", "Backup-Pass-2026")
        with page.expect_download():
            page.click("#make-key")
        expect(page.get_by_test_id("key-status")).to_contain_text("已生成并登记公钥", timeout=60_000)

    # The tenderer publishes the notice with its documents and a bid security.
    page = j.workbench(tenderer, f"发布招标公告：{trade.project}")
    if trade.invited:  # 竞争性谈判: at least 3 suppliers invited first (政府采购法 art. 38)
        page.click("text=邀请供应商")
        for username in bidders:
            page.get_by_label(_org_name(j.live, username)).check()
        page.click("button:has-text('邀请')")
        expect(page.get_by_test_id("invited-count")).to_have_text(str(len(bidders)))
        page.click("text=返回项目")
    page.click("text=发布招标公告")
    expect(page.get_by_test_id("legal-dates")).to_contain_text("培训模式")
    page.fill("textarea[name=body]", "本工程已批准建设，现进行公开招标（培训演示）。")
    deadline = j.live.clock.now() + timedelta(minutes=40)  # training: 20 days are 20 minutes
    page.fill("input[name=deadline]", local(deadline))
    if page.locator("input[name=documents_until]").count():
        page.fill("input[name=documents_until]", local(deadline - timedelta(minutes=10)))
    page.fill("input[name=security]", trade.security)
    page.set_input_files(
        "input[name=documents]",
        files=[{"name": "招标文件.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 tender documents"}],
    )
    _maybe_shot(trade, page, "02-publish")
    page.click("button:has-text('发布')")
    expect(page.get_by_test_id("notice-title")).to_contain_text(trade.project)

    # Three bidders find the notice from the menu, download the documents, seal and submit their bids.
    for username, price in zip(bidders, trade.prices, strict=True):
        bidder = j.person(username)
        bidder.get_by_role("link", name="交易公告", exact=True).first.click()
        bidder.get_by_role("link", name=re.compile(trade.project)).first.click()
        bidder.click("text=查看标段与投标")
        with bidder.expect_download() as download:
            bidder.get_by_test_id("download").first.click()
        assert download.value.suggested_filename.endswith(".pdf")
        _security(j, bidder, trade, username)
        bidder = j.home(username)  # the bid is now on its workbench
        bidder.get_by_test_id("items").get_by_role("link", name=re.compile("尚未递交投标文件")).first.click()
        bidder.fill("input[name=price]", price)
        if bidder.locator("input[name=duration_days]").count():
            bidder.fill("input[name=duration_days]", "240")
        bidder.set_input_files(
            "input[name=files]",
            files=[{"name": "投标文件.pdf", "mimeType": "application/pdf", "buffer": f"%PDF-1.4 {username}".encode()}],
        )
        bidder.click("button:has-text('加密并递交')")
        expect(bidder.get_by_test_id("bid-status")).to_contain_text("已递交第 1 版", timeout=60_000)
        if username == bidders[0]:
            _maybe_shot(trade, bidder, "03-bid-sealed")
    j.deadline = deadline


def _security(j: Journey, bidder: Page, trade: Trade, username: str) -> None:
    """The bid security in cash: the bidder's basic account, its sub-account for this section, the bank's payment."""
    bidder.get_by_test_id("go-deposit").click()
    expect(bidder.get_by_test_id("required")).to_contain_text(f"¥{float(trade.security):,.2f}")
    section_url = bidder.url
    account = f"41050100{sum(map(ord, username)):010d}"
    bidder.get_by_role("link", name="我的保证金").click()  # the basic account first: the money must come from it
    expect(bidder.locator("main")).to_contain_text("尚未登记基本账户")
    bidder.fill("input[name=account_no]", account)
    bidder.fill("input[name=bank_name]", "中国建设银行新乡分行")
    bidder.click("button:has-text('登记基本账户')")
    expect(bidder.locator("main")).to_contain_text("基本账户已登记")
    bidder.goto(section_url)
    bidder.click("button:has-text('获取保证金子账号')")
    number = bidder.get_by_test_id("sub-account").inner_text()
    body = json.dumps(  # the bank reports the transfer by its signed callback
        {
            "bank_txn_id": f"BT-JOURNEY-{number}",
            "sub_account": number,
            "payer_account": account,
            "payer_name": _org_name(j.live, username),
            "amount": trade.security,
            "paid_at": j.live.clock.now().isoformat(),
        }
    ).encode()
    ts = str(int(j.live.clock.now().timestamp()))
    r = httpx.post(
        f"{j.live.url}/api/v1/deposits/bank/callback",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Bank-Timestamp": ts,
            "X-Bank-Signature": bank.sign_callback(callback_key(j.live.ctx), ts, body),
        },
    )
    assert r.status_code == 200, r.text
    bidder.get_by_role("link", name="我的保证金").click()
    expect(bidder.get_by_test_id("my-deposits").locator("tr", has_text=number)).to_contain_text("足额按时到账")


def _opening(j: Journey, trade: Trade) -> str:
    deadline = j.deadline
    j.later(deadline - j.live.clock.now() + timedelta(seconds=1))  # the deadline passes: the section closes
    sid = ""
    for holder in ("operator", "supervisor"):
        page = j.person(holder, staff=True)
        page.clock.set_fixed_time(deadline + timedelta(seconds=5))  # the holder's own clock is past the deadline
        page = j.home(holder, staff=True)
        page.get_by_test_id("items").get_by_role(
            "link", name=re.compile(f"开标：提交密钥分片（{trade.project}")
        ).click()
        sid = page.url.rstrip("/").split("/")[-2]
        page.click("#share-button")
        expect(page.get_by_test_id("share-status")).to_contain_text("已提交", timeout=60_000)
        expect(page.get_by_test_id("share-status")).not_to_contain_text("失败")
    page.reload()
    record = page.get_by_test_id("opening-record")
    for price in trade.prices:
        expect(record).to_contain_text(f"{float(price):,.2f}", timeout=TIMEOUT)
    _maybe_shot(trade, page, "04-opening-record")
    return sid


def _draw(j: Journey, trade: Trade, tenderer: str, sid: str) -> None:
    page = j.workbench(tenderer, f"申请抽取评标专家：{trade.project}")
    page.fill("[data-testid=draw-seats]", trade.seats)
    page.click("[data-testid=draw-form] button[type=submit]")
    expect(page.locator("h1")).to_have_text("评标专家抽取记录")
    expect(page.get_by_test_id("seed-pending")).to_be_visible()
    j.later(timedelta(minutes=11))  # the next signed checkpoint gives the seed; the tick draws
    page.reload()
    expect(page.get_by_test_id("seed-key")).to_be_visible()
    _maybe_shot(trade, page, "05-draw-record")
    with j.live.ctx.db.unit_of_work(write=False) as s:  # whom the platform called (by phone / SMS)
        d = s.execute(select(Draw).where(Draw.section_id == sid).order_by(Draw.requested_at.desc())).scalars().first()
        assert d is not None
        called = [entities.get_user(s, i.expert_id).username for i in experts.invitations(s, d.id)]
    for username in called:
        if username == called[0]:
            _maybe_shot(trade, j.home(username), "05-workbench-expert")
        expert = j.workbench(username, "评标邀请：请接受或拒绝")
        row = expert.get_by_test_id("invitation-row").filter(has_text=trade.project)  # an expert may sit in both
        expect(row).to_contain_text("待答复")
        row.get_by_test_id("accept").click()
        expect(expert.get_by_test_id("experts-done")).to_have_text("已接受邀请")
    j.experts = called


def _evaluation(j: Journey, trade: Trade, sid: str, bidders: tuple[str, ...]) -> None:
    called = j.experts
    operator = j.workbench("operator", f"开启评标室（{trade.project}", staff=True)
    expect(operator.get_by_test_id("committee-seat")).to_have_count(len(called))  # filled from the draw
    with j.live.ctx.db.unit_of_work(write=False) as s:  # the seats in order (the operator sees their names)
        seated, _ = experts.committee_of(s, sid)
        members = [entities.get_user(s, uid).username for uid in seated]
    assert sorted(members) == sorted(called)
    operator.select_option("select[name=chair_seat]", "1")  # the members chose the expert in seat 1
    operator.select_option("select[name=kind]", trade.kind)
    operator.click("button:has-text('开启评标')")
    expect(operator.get_by_test_id("clearing")).to_be_visible()
    expect(operator.get_by_test_id("members")).to_contain_text("专家1（组长）")

    # The supervisor watches from its workbench's links.
    sup = j.home("supervisor", staff=True)
    sup.get_by_test_id("link-evaluations").click()
    sup.get_by_test_id("evaluations").locator("tr", has_text=trade.project).get_by_role("link", name="在线监督").click()
    expect(sup.get_by_test_id("live-status")).to_have_text("评标中")
    expect(sup.get_by_test_id("live-ranking")).to_have_count(0)

    if trade.quotes:
        _rounds(j, trade, bidders)

    for n, username in enumerate(members):
        expert = j.workbench(username, f"评审打分：{trade.project}")
        expect(expert.get_by_test_id("score-link").or_(expert.get_by_test_id("sheet")).first).to_be_visible()
        if expert.get_by_test_id("score-link").count():  # the item may lead to the room rather than the sheet
            expert.get_by_test_id("score-link").click()
        expect(expert.get_by_test_id("sheet")).to_be_visible()  # fields counted on the sheet, not before it
        fields = expert.get_by_test_id("score")
        for i in range(fields.count()):
            fields.nth(i).fill(str(6 + (i + n) % 3))
        if n == 0:
            _maybe_shot(trade, expert, "06-score-sheet")
        expert.get_by_test_id("submit-sheet").click()
        expect(expert.get_by_test_id("members")).to_contain_text("已提交")
    expect(sup.get_by_test_id("live-submitted")).to_have_text(str(len(members)), timeout=TIMEOUT)

    chair = j.workbench(members[0], f"汇总并签署评标报告：{trade.project}")
    expect(chair.get_by_test_id("ranking")).to_be_visible()
    chair.get_by_test_id("sign-report").click()
    expect(chair.get_by_test_id("evaluation-status")).to_have_text("评标报告已签署")
    pdf = chair.request.get(chair.get_by_test_id("report-link").get_attribute("href") or "")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    _maybe_shot(trade, chair, "07-report-signed")
    expect(sup.get_by_test_id("live-report")).to_contain_text("SHA-256", timeout=TIMEOUT)
    _maybe_shot(trade, sup, "08-supervision-live")


def _room(j: Journey, trade: Trade) -> Page:
    """The operator back in the room from the workbench's links."""
    operator = j.home("operator", staff=True)
    operator.get_by_test_id("link-evaluations").click()
    row = operator.get_by_test_id("evaluations").locator("tr", has_text=trade.project)
    row.get_by_role("link", name="进入评标室").click()
    return operator


def _rounds(j: Journey, trade: Trade, bidders: tuple[str, ...]) -> None:
    """竞争性谈判: the operator opens each round of quotes, the suppliers quote from their workbenches, the last
    round takes the final quotes (最后报价), which become the prices the committee reviews."""
    for n, prices in enumerate(trade.quotes, start=1):
        final = n == len(trade.quotes)
        operator = _room(j, trade)
        if final:
            operator.check("input[name=final]")
        operator.click("button:has-text('开始新一轮报价')")
        label = f"第{n}轮{'最后' if final else ''}报价"
        expect(operator.get_by_role("button", name=re.compile(f"结束第{n}轮"))).to_be_visible()
        for username, price in zip(bidders, prices, strict=True):
            bidder = j.workbench(username, f"{label}：{trade.project}")
            bidder.fill("input[name=price]", price)
            bidder.click("button:has-text('提交报价')")
            expect(bidder.locator("main")).to_contain_text(
                f"第{n}轮{'（最后报价）' if final else ''}：¥{float(price):,.2f}"
            )
        if final:
            shot(bidder, "journey-negotiation-final-quote")
        operator.reload()
        expect(operator.locator("main")).to_contain_text(f"第{n}轮")
        operator.get_by_role("button", name=re.compile(f"结束第{n}轮")).click()
        expect(operator.locator("main")).to_contain_text(f"¥{float(prices[0]):,.2f}")  # shown once the round ends
    shot(operator, "journey-negotiation-rounds")


def _award(j: Journey, trade: Trade, tenderer: str, sid: str) -> None:
    _maybe_shot(trade, j.home(tenderer), "09-workbench-tenderer")  # what is due next, as the tenderer sees it
    page = j.workbench(tenderer, f"公示中标候选人：{trade.project}")
    page.get_by_test_id("publish-candidates").click()
    expect(page.get_by_test_id("section-status")).to_have_text("中标候选人公示中")
    _maybe_shot(trade, page, "10-publicity")
    with j.live.ctx.db.unit_of_work(write=False) as s:
        ends = award_queries.get_award(s, sid).publicity_ends_at
    j.later(ends - j.live.clock.now() + timedelta(minutes=1))  # training: the 3 days are 3 minutes

    page = j.workbench(tenderer, f"^确定中标人：{trade.project}")
    page.get_by_test_id("award").click()
    expect(page.get_by_test_id("section-status")).to_have_text("已定标")
    expect(page.get_by_test_id("winner")).to_contain_text("排名第1")
    page = j.workbench(tenderer, f"起草或上传合同：{trade.project}")
    page.get_by_test_id("create-contract").click()
    page.get_by_test_id("sign-contract").click()
    expect(page.get_by_test_id("signatures")).not_to_contain_text("招标人：未签署")

    with j.live.ctx.db.unit_of_work(write=False) as s:  # the winner learns it from the award notice
        a = award_queries.get_award(s, sid)
        assert a.winner_org_id is not None
        winner = entities.get_user(s, award_queries.users_of(s, a.winner_org_id)[0]).username
    page = j.workbench(winner, f"签署合同：{trade.project}")
    page.get_by_test_id("sign-contract").click()
    expect(page.get_by_test_id("contract-signed")).to_contain_text("签订并公告")
    expect(page.get_by_test_id("section-status")).to_have_text("已归档")
    _maybe_shot(trade, page, "11-contract-signed")

    auditor = j.workbench("auditor", "查阅交易档案", staff=True)
    auditor.get_by_test_id("dossiers").locator("tr", has_text=trade.project).get_by_role("link").first.click()
    expect(auditor.get_by_test_id("dossier-title")).to_contain_text(trade.project)
    expect(auditor.get_by_test_id("dossier-files")).to_contain_text("合同.pdf")
    expect(auditor.get_by_test_id("dossier-files")).to_contain_text("中标通知书.pdf")
    _maybe_shot(trade, auditor, "12-archive-dossier")


def test_an_open_tender_from_registration_to_the_archive_in_training_mode(browser: Browser, live: Live) -> None:
    wall = run(browser, live, WORKS, "tenderer1", ("bidder21", "bidder22", "bidder23"))
    print(f"\njourney (open tender, every role, training 1/{FACTOR}): {wall:.1f} s wall time")
    assert wall < WALL_LIMIT


def test_a_competitive_negotiation_with_rounds_and_final_quotes_to_the_archive(browser: Browser, live: Live) -> None:
    wall = run(browser, live, NEGOTIATION, "tenderer2", ("bidder04", "bidder15", "bidder20"))
    print(f"\njourney (competitive negotiation, every role, training 1/{FACTOR}): {wall:.1f} s wall time")
    assert wall < WALL_LIMIT
