"""A bidder's deposit as people see it: basic account, sub-account, the bank's payment, the refund; another
bidder's electronic guarantee checked on upload."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, expect

from ggzy.deposits import bank, guarantees, refunds, service
from ggzy.deposits.api import callback_key
from ggzy.deposits.bank import FakeBank
from ggzy.deposits.guarantees import FakeIssuer
from ggzy.deposits.models import SubAccount
from ggzy.deposits.states import RefundReason
from ggzy.entities import auth, queries
from ggzy.projects import queries as projects
from tests.browser.conftest import Live, shot, sign_in
from tests.browser.test_trade_pages import a_bidding_section

pytestmark = pytest.mark.browser


def actor_of(s, username: str):  # type: ignore[no-untyped-def]
    user = queries.find_user(s, username)
    assert user is not None
    return auth.actor_for(s, user, queries.roles_of(s, user.id)[0], None)


def test_a_cash_deposit_from_notice_to_refund_and_a_guarantee_on_upload(
    browser: Browser, live: Live, tmp_path: Path
) -> None:
    section_id = a_bidding_section(live, "tenderer3", "新乡市第二实验小学运动场工程", "2026-410700-48-01-000777")
    with live.ctx.db.unit_of_work() as s:
        service.set_requirement(
            s,
            actor_of(s, "tenderer3"),
            section_id=section_id,
            amount="50000.00",
            bank_name="中国银行新乡分行",
            clock=live.clock,
        )
    page = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    sign_in(page, live, "bidder20")
    page.goto("/my/deposits")
    expect(page.locator("main")).to_contain_text("尚未登记基本账户")
    page.fill("input[name=account_no]", "4105 0100 2233 4455 66")
    page.fill("input[name=bank_name]", "中国建设银行新乡分行")
    page.click("button:has-text('登记基本账户')")
    expect(page.locator("main")).to_contain_text("基本账户已登记")
    page.goto(f"/sections/{section_id}/deposit")
    expect(page.get_by_test_id("required")).to_contain_text("¥50,000.00")
    page.click("button:has-text('获取保证金子账号')")
    number = page.get_by_test_id("sub-account").inner_text()
    assert number.isdigit() and len(number) == 19
    # The bank reports the payment by its signed callback.
    body = json.dumps(
        {
            "bank_txn_id": "BT-BROWSER-1",
            "sub_account": number,
            "payer_account": "410501002233445566",
            "payer_name": "投标人",
            "amount": "50000.00",
            "paid_at": live.clock.now().isoformat(),
        }
    ).encode()
    ts = str(int(live.clock.now().timestamp()))
    r = httpx.post(
        f"{live.url}/api/v1/deposits/bank/callback",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Bank-Timestamp": ts,
            "X-Bank-Signature": bank.sign_callback(callback_key(live.ctx), ts, body),
        },
    )
    assert r.status_code == 200, r.text
    page.goto("/my/deposits")
    row = page.get_by_test_id("my-deposits").locator("tbody tr").first
    expect(row).to_contain_text("现金保证金足额按时到账")
    # It withdraws before the deadline: the refund is prepared and the bank confirms it.
    with live.ctx.db.unit_of_work() as s:
        sub = s.get(SubAccount, number)
        assert sub is not None
        r_ = refunds.prepare(
            s,
            actor_of(s, "bidder20"),
            section_id=section_id,
            org_id=sub.org_id,
            reason=RefundReason.WITHDRAWN,
            start=live.clock.now(),
            annual_rate=Decimal("0.0035"),
            clock=live.clock,
        )
        assert r_ is not None
        refunds.send(s, r_.id, FakeBank(), clock=live.clock)
    page.reload()
    expect(page.get_by_test_id("my-deposits")).to_contain_text("已退还")
    shot(page, "deposits-mine")

    # Another bidder attaches a guarantee from a registered issuer.
    with live.ctx.db.unit_of_work() as s:
        issuer = FakeIssuer(
            credit_code="91410700MA000BH01X", platform_public=guarantees.platform_key(b"x" * 32).public_key()
        )
        guarantees.register_issuer(
            s,
            actor_of(s, "supervisor"),
            name="中原融资担保股份有限公司",
            credit_code=issuer.credit_code,
            kind="guarantor",
            public_key_hex=issuer.public_hex,
            integrated=False,
            clock=live.clock,
        )
        section = projects.get_section(s, section_id)
        project = projects.get_project(s, section.project_id)
        bidder = queries.find_user(s, "bidder06")
        assert bidder is not None and bidder.org_id is not None and section.bid_deadline is not None
        doc = {
            "format": guarantees.FORMAT,
            "number": "ZYDB-2026-0088",
            "issuer": issuer.credit_code,
            "principal": queries.get_org(s, bidder.org_id).credit_code,
            "beneficiary": queries.get_org(s, project.tenderer_org_id).credit_code,
            "section": section.code,
            "amount": "50000.00",
            "valid_until": (section.bid_deadline + timedelta(days=120)).date().isoformat(),
        }
    good = tmp_path / "baohan.json"
    good.write_bytes(guarantees.sign_document(issuer.key, doc))
    bad = tmp_path / "baohan-changed.json"
    changed = json.loads(good.read_bytes())
    changed["guarantee"]["amount"] = "500000.00"
    bad.write_text(json.dumps(changed))
    other = browser.new_context(base_url=live.url, locale="zh-CN").new_page()
    sign_in(other, live, "bidder06")
    other.goto(f"/sections/{section_id}/deposit")
    other.set_input_files("input[name=file]", str(bad))
    other.click("button:has-text('提交并校验')")
    expect(other.locator(".alert-error")).to_contain_text("签名无效")
    other.set_input_files("input[name=file]", str(good))
    other.click("button:has-text('提交并校验')")
    expect(other.get_by_test_id("guarantee")).to_contain_text("ZYDB-2026-0088")
