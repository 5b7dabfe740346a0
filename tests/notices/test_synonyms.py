"""The officials' synonym table (issue 13 item 5): seeded, edited on a page and through the API, in force at once
(queries are expanded when they run, nothing is re-indexed), kept by the supervision office and the administrator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ggzy.core.actor import system
from ggzy.core.clock import FixedClock
from ggzy.core.errors import Forbidden, Invalid
from ggzy.core.roles import Role
from ggzy.entities import auth
from ggzy.entities.service import Identity
from ggzy.notices import search, service, synonyms
from ggzy.notices.states import NoticeKind
from tests.builders import Person, a_user, csrf_from, signed_in


def publish(session: Session, clock: FixedClock, title: str) -> None:
    clock.advance(timedelta(hours=1))
    service.publish(
        session,
        system(),
        kind=NoticeKind.TENDER,
        title=title,
        body="正文",
        buyer="新乡市交通运输局",
        region="410700",
        category="construction",
        method="open_tender",
        clock=clock,
    )


def titles(session: Session, q: str) -> list[str]:
    return [n.title for n in search.search(session, q, search.Filters())]


def test_the_seeded_table_finds_road_works_and_a_school(session: Session, clock: FixedClock) -> None:
    publish(session, clock, "新乡市G107线辅道改造工程招标公告")
    publish(session, clock, "新乡市第一中学综合教学楼建设工程招标公告")
    words = {r.word for r in synonyms.all_entries(session)}
    assert {"道路", "学校"} <= words
    assert titles(session, "道路") == ["新乡市G107线辅道改造工程招标公告"]
    assert titles(session, "学校") == ["新乡市第一中学综合教学楼建设工程招标公告"]
    assert titles(session, "道路 学校") == []


def test_a_change_takes_effect_at_once_without_reindexing(session: Session, clock: FixedClock, ident: Identity) -> None:
    publish(session, clock, "新乡市人民公园亮化提升工程招标公告")
    office = a_user(session, clock, ident, role=Role.SUPERVISOR)
    assert titles(session, "夜景") == []
    row = synonyms.add(session, office.actor, word="夜景", alternatives="亮化、景观照明", clock=clock)
    assert row.alternatives == "亮化 景观照明"
    assert titles(session, "夜景") == ["新乡市人民公园亮化提升工程招标公告"]
    synonyms.add(session, office.actor, word="夜景", alternatives="灯光秀", clock=clock)  # replaces
    assert titles(session, "夜景") == []
    synonyms.remove(session, office.actor, synonym_id=row.id, clock=clock)
    assert "夜景" not in {r.word for r in synonyms.all_entries(session)}


def test_only_the_supervision_office_and_the_administrator_edit_it_and_bad_input_is_named(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    with pytest.raises(Forbidden):
        synonyms.add(session, bidder.actor, word="夜景", alternatives="亮化", clock=clock)
    admin = a_user(session, clock, ident, role=Role.ADMIN)
    with pytest.raises(Invalid, match="2至20个"):
        synonyms.add(session, admin.actor, word="夜", alternatives="亮化", clock=clock)
    with pytest.raises(Invalid, match="至少填写一个近义词"):
        synonyms.add(session, admin.actor, word="夜景", alternatives=" 、 ", clock=clock)
    with pytest.raises(Invalid, match="近义词「灯」"):
        synonyms.add(session, admin.actor, word="夜景", alternatives="亮化 灯", clock=clock)


def bearer(session: Session, p: Person, clock: FixedClock, ident: Identity) -> dict[str, str]:
    raw, _ = auth.issue_token(session, p.actor, name="测试", clock=clock, ident=ident)
    return {"authorization": f"Bearer {raw}"}


def test_the_page_and_its_api_twin(client: TestClient, session: Session, clock: FixedClock, ident: Identity) -> None:
    office = a_user(session, clock, ident, role=Role.SUPERVISOR)
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    headers = bearer(session, office, clock, ident)
    session.commit()
    r = client.post("/api/v1/notices/synonyms", json={"word": "夜景", "alternatives": ["亮化"]}, headers=headers)
    assert r.status_code == 201 and r.json()["alternatives"] == ["亮化"], r.text
    listed = client.get("/api/v1/notices/synonyms", headers=headers).json()
    assert {"道路", "夜景"} <= {s["word"] for s in listed}
    assert client.get("/api/v1/notices/synonyms", headers=bearer(session, bidder, clock, ident)).status_code == 403
    session.commit()
    r = client.post("/api/v1/notices/synonyms", json={"word": "夜", "alternatives": ["亮化"]}, headers=headers)
    assert r.status_code == 422 and "2至20个" in r.text
    assert client.delete(f"/api/v1/notices/synonyms/{listed[0]['id']}", headers=headers).status_code == 204

    signed_in(client, office, clock)
    page = client.get("/notices/synonyms")
    assert page.status_code == 200 and "夜景" in page.text and "检索近义词" in page.text
    r = client.post(
        "/notices/synonyms",
        data={"csrf_token": csrf_from(page.text), "word": "绿地", "alternatives": "公园 游园", "note": "试"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get("/notices/synonyms")
    assert "公园、游园" in page.text
    r = client.post("/notices/synonyms", data={"csrf_token": csrf_from(page.text), "word": "绿", "alternatives": "x"})
    assert r.status_code == 422 and "2至20个" in r.text
