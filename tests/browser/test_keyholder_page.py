"""The key holder's page: a key pair is made in this browser, its backup downloaded, only its public key registered."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from ggzy.bidding import keys
from ggzy.entities import queries
from ggzy.sealing import p256
from tests.browser.conftest import Live, shot, sign_in

pytestmark = pytest.mark.browser


def test_a_holder_makes_a_key_in_the_browser_downloads_the_backup_and_registers_the_public_key(
    page: Page, live: Live
) -> None:
    sign_in(page, live, "supervisor", staff=True)
    page.goto("/keyholder")
    expect(page.locator("h1")).to_have_text("开标密钥")
    expect(page.get_by_text("平台只保存公钥")).to_be_visible()
    expect(page.get_by_test_id("local-key")).to_have_text("无")  # this browser has no key yet
    page.fill("#backup-pass", "Backup-Pass-2026")
    with page.expect_download() as download:
        page.click("#make-key")
    expect(page.get_by_test_id("key-status")).to_contain_text("已生成并登记公钥", timeout=30_000)
    backup = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert backup["format"] == "ggzy-keyholder-key/1" and backup["kdf"] == "pbkdf2-sha256"
    with live.ctx.db.unit_of_work(write=False) as db:
        user = queries.find_user(db, "supervisor")
        assert user is not None
        public = keys.holder_public(db, user.id)
    assert public is not None and p256.b64encode(public) == backup["public"]  # the server has the public key only
    expect(page.get_by_test_id("local-key")).to_contain_text(p256.key_id(public).hex()[:16])
    page.reload()
    expect(page.get_by_test_id("registered-key")).to_contain_text(p256.key_id(public).hex()[:16])
    shot(page, "keyholder")


def test_a_bidder_cannot_hold_an_opening_key(page: Page, live: Live) -> None:
    sign_in(page, live, "bidder01")
    response = page.goto("/keyholder")
    assert response is not None and response.status == 403
