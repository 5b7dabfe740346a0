"""The award pages and API: each party sees its own actions; bad input gets a Chinese message (problem+json in the
API) and changes nothing; the workbench lists each next step."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.award import queries
from ggzy.award.models import Award
from ggzy.award.workbench import due_items
from ggzy.bidding import keys as opening_keys
from ggzy.cases.workbench import due_items as case_items
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.entities.service import Identity
from tests.award.builders import Trade, a_reported_section, after_publicity
from tests.builders import csrf_from, signed_in
from tests.web.test_api import token_for


def test_the_tenderer_publishes_on_its_page_a_bidder_objects_and_the_api_refuses_a_non_candidate(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
    client: TestClient,
    anon_client: TestClient,
) -> None:
    trade: Trade = a_reported_section(session, clock, ident, files, opening_env, keys)
    session.commit()
    assert [i.title.split("：")[0] for i in due_items(session, trade.tenderer.actor, clock.now())] == ["公示中标候选人"]
    t = signed_in(client, trade.tenderer, clock)
    url = f"/sections/{trade.section_id}/award"
    page = t.get(url)
    assert page.status_code == 200 and "公示中标候选人" in page.text
    r = t.post(f"{url}/publish", data={"csrf_token": csrf_from(page.text)})
    assert r.status_code == 303
    page = t.get(url)
    first = trade.candidate(1)
    assert "公示期" in page.text and 'data-testid="candidates"' in page.text
    r = t.post(f"{url}/publish", data={"csrf_token": csrf_from(page.text)})
    assert "error=" in r.headers["location"]
    assert "不能重复公示" in t.get(r.headers["location"]).text

    b = signed_in(anon_client, trade.candidate(2), clock)
    bpage = b.get(url)
    assert "提出异议" in bpage.text
    r = b.post(f"{url}/objections", data={"csrf_token": csrf_from(bpage.text), "text": "第一名资质存疑"})
    assert r.status_code == 303 and "error=" not in r.headers["location"]
    titles = [i.title for i in case_items(session, trade.tenderer.actor, clock.now())]
    assert any(x.startswith("答复异议") for x in titles)  # the objection is a case: the cases workbench lists it

    api = TestClient(client.app)  # a client without the pages' cookies: bearer tokens only
    token = {"authorization": f"Bearer {token_for(api, trade.tenderer, clock)}"}
    a = queries.get_award(session, trade.section_id)
    after_publicity(clock, a)
    got = api.post(
        f"/api/v1/sections/{trade.section_id}/award/winner",
        json={"winner_org_id": trade.loser.user.org_id},
        headers=token,
    )
    assert got.status_code == 409 and got.headers["content-type"].startswith("application/problem+json")
    assert got.json()["code"] in ("trade-suspended", "not-a-candidate")
    objection = queries.objections(session, a)[0]
    ok = api.post(f"/api/v1/award-objections/{objection.id}/answer", json={"answer": "已核实"}, headers=token)
    assert ok.status_code == 200, ok.text
    got = api.post(
        f"/api/v1/sections/{trade.section_id}/award/winner",
        json={"winner_org_id": trade.loser.user.org_id},
        headers=token,
    )
    assert got.status_code == 409 and got.json()["code"] == "not-a-candidate" and "候选人" in got.json()["detail"]
    ok = api.post(
        f"/api/v1/sections/{trade.section_id}/award/winner", json={"winner_org_id": first.user.org_id}, headers=token
    )
    assert ok.status_code == 200 and ok.json()["winner_rank"] == 1
    again = api.post(
        f"/api/v1/sections/{trade.section_id}/award/winner", json={"winner_org_id": first.user.org_id}, headers=token
    )
    assert again.status_code == 409 and again.json()["code"] == "already-awarded"
    high = api.post(
        f"/api/v1/sections/{trade.section_id}/award/contract",
        json={"amount": "100000.00", "security": "10000.01"},
        headers=token,
    )
    assert high.status_code == 409 and high.json()["code"] == "security-too-high"
    assert session.execute(select(func.count()).select_from(Award)).scalar_one() == 1
    assert queries.contract_of(session, a.id) is None


def test_a_contract_uploaded_by_the_winner_or_not_a_pdf_is_refused_on_the_page_and_the_tenderers_pdf_is_kept(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
    client: TestClient,
    anon_client: TestClient,
) -> None:
    from ggzy.award import service
    from ggzy.core.notify import MemoryNotifier

    trade = a_reported_section(session, clock, ident, files, opening_env, keys)
    a = service.publish_candidates(session, trade.tenderer.actor, section_id=trade.section_id, clock=clock)
    after_publicity(clock, a)
    winner = trade.candidate(1)
    service.award(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        winner_org_id=winner.user.org_id,
        clock=clock,
        files=files,
        notifier=MemoryNotifier(),
    )
    session.commit()
    url = f"/sections/{trade.section_id}/award"
    w = signed_in(anon_client, winner, clock)
    wpage = w.get(url)
    assert "等待招标人起草或上传合同" in wpage.text
    pdf = {"file": ("合同.pdf", b"%PDF-1.4 contract", "application/pdf")}
    fields = {"csrf_token": csrf_from(wpage.text), "amount": str(a.winner_price), "security": "0"}
    r = w.post(f"{url}/contract", data=fields, files=pdf)
    assert r.status_code == 303 and "error=" in r.headers["location"]
    assert "无权" in w.get(r.headers["location"]).text
    t = signed_in(client, trade.tenderer, clock)
    tpage = t.get(url)
    fields["csrf_token"] = csrf_from(tpage.text)
    r = t.post(f"{url}/contract", data=fields, files={"file": ("合同.pdf", b"not a pdf", "application/pdf")})
    assert "PDF" in t.get(r.headers["location"]).text
    r = t.post(f"{url}/contract", data={**fields, "amount": ""}, files=pdf)
    assert "error=" in r.headers["location"]
    assert queries.contract_of(session, a.id) is None
    r = t.post(f"{url}/contract", data=fields, files=pdf)
    assert r.status_code == 303 and "error=" not in r.headers["location"]
    c = queries.contract_of(session, a.id)
    assert c is not None and c.source == "upload" and files.path(c.path).read_bytes() == b"%PDF-1.4 contract"
    assert "招标人签署合同" in t.get(url).text and "中标人签署合同" in w.get(url).text


def test_the_whole_road_over_the_api_from_publicity_to_the_dossier(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
    client: TestClient,
) -> None:
    trade = a_reported_section(session, clock, ident, files, opening_env, keys)
    session.commit()
    base = f"/api/v1/sections/{trade.section_id}/award"
    t = {"authorization": f"Bearer {token_for(client, trade.tenderer, clock)}"}
    second = {"authorization": f"Bearer {token_for(client, trade.candidate(2), clock)}"}
    first = trade.candidate(1)
    w = {"authorization": f"Bearer {token_for(client, first, clock)}"}
    assert client.get(base, headers=t).status_code == 404
    r = client.post(f"{base}/publish", headers=t)
    assert r.status_code == 201 and len(r.json()["candidates"]) == 3
    assert client.post(f"{base}/publish", headers=t).json()["code"] == "already-published"
    o = client.post(f"{base}/objections", json={"text": "评分有误"}, headers=second)
    assert o.status_code == 201 and o.json()["number"].startswith("YY")
    refused = client.post(f"{base}/objections", json={"text": "招标人自己"}, headers=t)
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/problem+json")
    assert client.get(base, headers=second).json()["objections"][0]["text"] == "评分有误"
    assert client.get(base, headers=w).json()["objections"] == []  # a bidder reads only its own objections
    r = client.post(f"/api/v1/award-objections/{o.json()['id']}/answer", json={"answer": "评分无误"}, headers=t)
    assert r.status_code == 200 and r.json()["objections"][0]["answer"] == "评分无误"
    a = queries.get_award(session, trade.section_id)
    after_publicity(clock, a)
    r = client.post(f"{base}/winner", json={"winner_org_id": first.user.org_id}, headers=t)
    assert r.status_code == 200 and r.json()["notice_sha256"]
    assert client.post(f"{base}/report", json={"text": "情况报告"}, headers=t).status_code == 200
    price = r.json()["candidates"][0]["price"]
    r = client.post(f"{base}/contract", json={"amount": price, "security": "0", "duration_days": 300}, headers=t)
    assert r.status_code == 201 and r.json()["contract"]["source"] == "draft"
    assert client.post(f"{base}/sign", headers=second).json()["code"] == "not-a-party"
    assert client.post(f"{base}/sign", headers=w).status_code == 200
    r = client.post(f"{base}/sign", headers=t)
    assert r.status_code == 200 and r.json()["status"] == "archived" and r.json()["contract"]["signed_at"]
    d = client.get(f"/api/v1/archive/{trade.section_id}", headers=t)
    assert d.status_code == 200 and d.json()["retention_years"] >= 15 and d.json()["files"]
    assert client.get(f"/api/v1/archive/{trade.section_id}", headers=w).status_code == 403


def test_the_pdfs_and_the_archive_pages_open_for_the_parties_and_oversight_only(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
    client: TestClient,
) -> None:
    from ggzy.award import archive, contracts, service
    from ggzy.core.actor import system
    from ggzy.core.notify import MemoryNotifier
    from ggzy.core.roles import Role
    from tests.builders import a_user

    trade = a_reported_section(session, clock, ident, files, opening_env, keys)
    a = service.publish_candidates(session, trade.tenderer.actor, section_id=trade.section_id, clock=clock)
    bidder_items = [i.title for i in due_items(session, trade.candidate(2).actor, clock.now())]
    assert any("可提出异议" in t for t in bidder_items)
    after_publicity(clock, a)
    winner = trade.candidate(1)
    service.award(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        winner_org_id=winner.user.org_id,
        clock=clock,
        files=files,
        notifier=MemoryNotifier(),
    )
    titles = [i.title.split("：")[0] for i in due_items(session, trade.tenderer.actor, clock.now())]
    assert titles == ["起草或上传合同", "向监督部门提交书面报告"]
    contracts.create_contract(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        amount=str(a.winner_price),
        security="0",
        clock=clock,
        files=files,
    )
    assert "签署合同" in [i.title.split("：")[0] for i in due_items(session, trade.tenderer.actor, clock.now())]
    assert any(i.title.startswith("签署合同") for i in due_items(session, winner.actor, clock.now()))
    contracts.sign_contract(session, trade.tenderer.actor, section_id=trade.section_id, clock=clock)
    contracts.sign_contract(session, winner.actor, section_id=trade.section_id, clock=clock)
    archive.seal(session, system(), section_id=trade.section_id, clock=clock, files=files, env=opening_env)
    auditor = a_user(session, clock, ident, role=Role.AUDITOR)
    assert [i.url for i in due_items(session, auditor.actor, clock.now())] == ["/archive"]
    session.commit()

    def bearer(person: object) -> dict[str, str]:
        return {"authorization": f"Bearer {token_for(client, person, clock)}"}  # type: ignore[arg-type]

    base = f"/sections/{trade.section_id}/award"
    w, other, aud = bearer(winner), bearer(trade.candidate(2)), bearer(auditor)
    for path in (f"{base}/notice.pdf", f"{base}/contract.pdf"):
        got = client.get(path, headers=w)
        assert got.status_code == 200 and got.content.startswith(b"%PDF")
        assert client.get(path, headers=other).status_code == 403
    listing = client.get("/archive", headers=aud)
    assert listing.status_code == 200 and trade.room.section.name in listing.text
    page = client.get(f"/archive/{trade.section_id}", headers=aud)
    assert page.status_code == 200 and "中标通知书" in page.text and "投标文件" in page.text
    assert client.get(f"/archive/{trade.section_id}", headers=other).status_code == 403
    assert client.get("/archive", headers=other).status_code == 403
