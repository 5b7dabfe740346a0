"""Pages and API: the tenderer asks on its section page, the public and the tenderer see pseudonyms only, the
operator sees names (S4), the expert answers on the workbench page; bad input gets Chinese / RFC 9457."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.notify import MemoryNotifier
from ggzy.entities.service import Identity
from ggzy.experts import queries, service, xlsx
from ggzy.experts.models import Draw, Expert
from ggzy.experts.states import DrawStatus
from tests.builders import a_user, csrf_from, signed_in
from tests.experts.builders import Pool, a_drawn, a_pool
from tests.web.test_api import token_for


@pytest.fixture
def pool(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> Pool:
    p = a_pool(session, clock, ident, files, opening_env, keys)
    session.commit()
    return p


def test_the_tenderer_requests_on_the_section_page_and_bad_input_changes_nothing(
    session: Session, clock: FixedClock, client: TestClient, pool: Pool
) -> None:
    t = signed_in(client, pool.room.world.tenderer, clock)
    url = f"/sections/{pool.room.section.id}/experts"
    form = t.get(url)
    assert form.status_code == 200 and "申请抽取评标专家" in form.text
    token = csrf_from(form.text)
    base = {"csrf_token": token, "evaluation_on": str(clock.now().date())}
    r = t.post(url, data={**base, "seats": "A08.01×4"})
    assert r.status_code == 303 and "5人以上单数" in t.get(r.headers["location"]).text
    r = t.post(url, data={**base, "seats": "A08.01×7"})
    assert "缺1人" in t.get(r.headers["location"]).text
    session.expire_all()
    assert session.execute(select(func.count()).select_from(Draw)).scalar_one() == 0
    r = t.post(url, data={**base, "seats": "A08.01×3，B02×2"})
    assert r.status_code == 303 and r.headers["location"].startswith("/expert-draws/")
    record = t.get(r.headers["location"])
    assert "候选名单摘要" in record.text and "等待承诺之后的第一个签名树头" in record.text
    r = t.post(url, data={**base, "seats": "A08.01×3，B02×2"})
    assert "已有进行中" in t.get(r.headers["location"]).text


def test_names_are_hidden_from_the_tenderer_and_the_public_but_not_the_operator(
    session: Session, clock: FixedClock, keys: Keys, client: TestClient, anon_client: TestClient, pool: Pool
) -> None:
    d = a_drawn(session, clock, keys, pool, MemoryNotifier())
    session.commit()
    names = [p.user.display_name for p in pool.experts]
    pseudonyms = [i.pseudonym for i in queries.invitations(session, d.id)]
    public = anon_client.get(f"/expert-draws/{d.id}")
    assert public.status_code == 200 and all(p in public.text for p in pseudonyms)
    assert 'data-testid="expert-name"' not in public.text
    api = anon_client.get(f"/api/v1/experts/draws/{d.id}").json()
    assert api["names_shown"] is False and all(c["name"] is None for c in api["calls"])
    listed = anon_client.get(f"/api/v1/experts/sections/{d.section_id}/draws").json()  # the section's list
    assert listed == [api]
    assert anon_client.get("/api/v1/experts/sections/no-such-section/draws").status_code == 404
    record = anon_client.get(f"/api/v1/experts/draws/{d.id}/record").json()
    text = str(record)
    assert all(i.expert_id not in text for i in queries.invitations(session, d.id))
    t = signed_in(client, pool.room.world.tenderer, clock)
    assert 'data-testid="expert-name"' not in t.get(f"/expert-draws/{d.id}").text
    assert all(c["name"] is None for c in t.get(f"/api/v1/experts/draws/{d.id}").json()["calls"])
    client.cookies.clear()
    op = signed_in(client, pool.room.world.operator, clock)
    shown = op.get(f"/expert-draws/{d.id}")
    assert shown.text.count('data-testid="expert-name"') == 5
    assert set(names) >= {c["name"] for c in op.get(f"/api/v1/experts/draws/{d.id}").json()["calls"]}


def test_the_expert_answers_on_the_invitations_page(
    session: Session, clock: FixedClock, keys: Keys, client: TestClient, pool: Pool
) -> None:
    d = a_drawn(session, clock, keys, pool, MemoryNotifier())
    session.commit()
    inv = queries.invitations(session, d.id)[0]
    person = next(p for p in pool.experts if p.user.id == inv.expert_id)
    e = signed_in(client, person, clock)
    bench = e.get("/workbench/expert")
    assert bench.status_code == 200 and "评标邀请：请接受或拒绝（席位1）" in bench.text
    page = e.get("/my/expert-invitations")
    assert page.status_code == 200 and "接受" in page.text
    r = e.post(f"/my/expert-invitations/{inv.id}", data={"csrf_token": csrf_from(page.text), "accept": "no"})
    assert r.status_code == 303 and "补抽" in e.get(r.headers["location"]).text
    session.expire_all()
    assert len(queries.invitations(session, d.id)) == 6
    r = e.post(f"/my/expert-invitations/{inv.id}", data={"csrf_token": csrf_from(page.text), "accept": "yes"})
    assert "不能再答复" in e.get(r.headers["location"]).text


def test_api_request_and_answer_with_problem_json(
    session: Session, clock: FixedClock, keys: Keys, client: TestClient, anon_client: TestClient, pool: Pool
) -> None:
    token = token_for
    auth = {"authorization": f"Bearer {token(client, pool.room.world.tenderer, clock)}"}
    url = f"/api/v1/experts/sections/{pool.room.section.id}/draws"
    body = {"counts": {"A08.01": 3, "B02": 1}, "evaluation_on": str(clock.now().date())}
    r = anon_client.post(url, json=body, headers=auth)
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "committee-size" and "单数" in r.json()["detail"]
    r = anon_client.post(url, json={**body, "seats": ["A08.01"] * 5}, headers=auth)
    assert r.status_code == 422 and r.json()["code"] == "draw-seats"
    bidder = {"authorization": f"Bearer {token(client, pool.room.world.bidders[0], clock)}"}
    r = anon_client.post(url, json={**body, "counts": {"A08.01": 3, "B02": 2}}, headers=bidder)
    assert r.status_code == 403
    r = anon_client.post(url, json={**body, "counts": {"A08.01": 3, "B02": 2}}, headers=auth)
    assert r.status_code == 201, r.text
    draw = r.json()
    assert draw["status"] == DrawStatus.COMMITTED.value and draw["calls"] == []
    session.expire_all()
    d = session.get(Draw, draw["id"])
    assert d is not None
    from tests.experts.builders import sign

    sign(session, clock, keys)
    service.perform_draw(session, draw_id=d.id, clock=clock, notifier=MemoryNotifier())
    session.commit()
    inv = queries.invitations(session, d.id)[0]
    person = next(p for p in pool.experts if p.user.id == inv.expert_id)
    ex = {"authorization": f"Bearer {token(client, person, clock)}"}
    mine = anon_client.get("/api/v1/experts/invitations", headers=ex).json()
    assert [m["id"] for m in mine] == [inv.id]
    r = anon_client.post(f"/api/v1/experts/invitations/{inv.id}/answer", json={"accept": True}, headers=ex)
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    r = anon_client.post(f"/api/v1/experts/invitations/{inv.id}/answer", json={"accept": True}, headers=ex)
    assert r.status_code == 409 and r.json()["code"] == "invitation-answered"


def test_the_supervision_office_imports_filters_suspends_and_exports(
    session: Session, clock: FixedClock, ident: Identity, client: TestClient, pool: Pool
) -> None:
    from ggzy.core.roles import Role

    newcomer = a_user(session, clock, ident, role=Role.EXPERT)
    session.commit()
    sup = signed_in(client, pool.room.world.supervisor, clock)
    page = sup.get("/experts")
    assert page.status_code == 200 and "正常 10 人" in page.text
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(xlsx.HEADER))
    ws.append([newcomer.username, "", "410702", "", "", "B02", "工程师"])
    ws.append(["nobody", "", "410702", "", "", "B02"])
    buf = io.BytesIO()
    wb.save(buf)
    r = sup.post(
        "/experts/import",
        data={"csrf_token": csrf_from(page.text)},
        files={
            "file": ("pool.xlsx", buf.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        },
    )
    assert r.status_code == 200 and "入库 1 人，有问题 1 行" in r.text and "第3行" in r.text
    assert "正常 11 人" in sup.get("/experts").text
    filtered = sup.get("/experts?speciality=B02")
    assert filtered.text.count('data-testid="expert-row"') == 5
    target = pool.experts[0].user.id
    r = sup.post(
        f"/experts/{target}/status", data={"csrf_token": csrf_from(page.text), "status": "suspended", "reason": ""}
    )
    assert "原因" in sup.get(r.headers["location"]).text
    r = sup.post(
        f"/experts/{target}/status",
        data={"csrf_token": csrf_from(page.text), "status": "suspended", "reason": "年度考核不合格"},
    )
    assert "暂停 1 人" in sup.get(r.headers["location"]).text
    session.expire_all()
    assert session.get(Expert, target).status == "suspended"  # type: ignore[union-attr]
    assert [h.reason for h in service.history(session, target)] == ["入库", "年度考核不合格"]
    x = sup.get("/experts/export.xlsx")
    assert x.status_code == 200 and x.content[:2] == b"PK"
    client.cookies.clear()
    bidder = signed_in(client, pool.room.world.bidders[0], clock)
    assert bidder.get("/experts").status_code == 403
