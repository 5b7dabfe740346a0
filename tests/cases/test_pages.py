"""The case pages: a filing with evidence shows it in the thread; a refused filing shows the Chinese message with
the article and stores nothing (not even the evidence file); others are refused."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.cases.models import Case, CaseEntry
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from tests.builders import csrf_from, signed_in
from tests.cases.conftest import CaseWorld

EVIDENCE = {"evidence": ("证据.pdf", b"%PDF-1.4 evidence", "application/pdf")}


def stored_files(files: FileStore) -> int:
    root = files.root / "cases"
    return sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0


def test_filing_on_the_page_with_evidence_and_a_refusal_that_changes_nothing(
    session: Session, clock: FixedClock, cw: CaseWorld, client: TestClient, anon_client: TestClient, files: FileStore
) -> None:
    session.commit()
    me = signed_in(client, cw.bidder, clock)
    form = me.get(f"/sections/{cw.section.id}/cases/new?kind=objection")
    assert form.status_code == 200 and "第22条" in form.text
    data = {
        "csrf_token": csrf_from(form.text),
        "matter": "documents",
        "points": "业绩要求过高\n评分不合理",
        "claims": "请求修改招标文件。",
    }
    r = me.post(f"/sections/{cw.section.id}/objections", data=data, files=EVIDENCE)
    assert r.status_code == 303
    url = r.headers["location"]
    page = me.get(url)
    assert page.status_code == 200 and "证据.pdf" in page.text and "投标截止、开标" in page.text
    entry = session.scalars(select(CaseEntry).where(CaseEntry.kind == "evidence")).one()
    got = me.get(f"{url}/entries/{entry.id}/file")
    assert got.status_code == 200 and got.content == b"%PDF-1.4 evidence"
    other = signed_in(anon_client, cw.world.bidders[1], clock)
    assert other.get(url).status_code == 403
    assert other.get(f"{url}/entries/{entry.id}/file").status_code == 403
    assert stored_files(files) == 1

    clock.advance(timedelta(days=16))  # nine days before the deadline
    client.cookies.clear()
    me = signed_in(client, cw.bidder, clock)
    form = me.get(f"/sections/{cw.section.id}/cases/new?kind=objection")
    r = me.post(
        f"/sections/{cw.section.id}/objections", data={**data, "csrf_token": csrf_from(form.text)}, files=EVIDENCE
    )
    assert r.status_code == 422 and "已超过异议期限" in r.text and "第22条" in r.text
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Case)) == 1
    assert stored_files(files) == 1  # the refused filing's evidence is not kept
