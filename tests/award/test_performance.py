"""Contract performance (履约评价): recorded by the tenderer after signature, seen by the supplier who may object
once (handled in 3 working days), an adverse one confirmed by the supervisor becomes a credit record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.award import performance
from ggzy.award.models import Performance
from ggzy.bidding import keys as opening_keys
from ggzy.core.clock import FixedClock
from ggzy.core.errors import Conflict, Forbidden, Invalid, RuleViolation
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.roles import Role
from ggzy.credit import queries as credit
from ggzy.credit import service as credit_service
from ggzy.credit.models import CreditRecord
from ggzy.credit.states import RecordSource, RecordStatus
from ggzy.entities.service import Identity
from tests.award.builders import Trade, a_reported_section
from tests.award.test_archive import signed
from tests.builders import Person, a_user, csrf_from, signed_in
from tests.web.test_api import token_for

EVIDENCE = ("验收记录.pdf", b"%PDF-1.4 acceptance record: 3 defects")


@pytest.fixture
def trade(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> Trade:
    return a_reported_section(session, clock, ident, files, opening_env, keys, bidders=3)


@pytest.fixture
def supervisor(session: Session, clock: FixedClock, ident: Identity) -> Person:
    return a_user(session, clock, ident, role=Role.SUPERVISOR)


def evidence(files: FileStore) -> tuple[str, object]:
    return EVIDENCE[0], files.save("award/performance", [EVIDENCE[1]], max_bytes=1 << 20)


def records(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(CreditRecord)) or 0


def test_before_signature_nothing_can_be_recorded(
    session: Session, clock: FixedClock, trade: Trade, files: FileStore
) -> None:
    with pytest.raises(RuleViolation, match="合同签订后"):
        performance.record(
            session,
            trade.tenderer.actor,
            section_id=trade.section_id,
            outcome=performance.Outcome.COMPLETED,
            text="按期完工",
            clock=clock,
        )
    assert session.scalar(select(func.count()).select_from(Performance)) == 0


def test_an_adverse_record_objected_dismissed_and_confirmed_becomes_a_credit_record(
    session: Session, clock: FixedClock, trade: Trade, files: FileStore, supervisor: Person
) -> None:
    signed(session, clock, trade, files)
    winner, other = trade.candidate(1), trade.candidate(2)
    with pytest.raises(Invalid, match="请上传证明材料"):
        performance.record(
            session,
            trade.tenderer.actor,
            section_id=trade.section_id,
            outcome=performance.Outcome.DEFECTS,
            text="路面三处开裂",
            clock=clock,
        )
    with pytest.raises(Forbidden):
        performance.record(
            session,
            winner.actor,
            section_id=trade.section_id,
            outcome=performance.Outcome.COMPLETED,
            text="自评",
            clock=clock,
        )
    p = performance.record(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        outcome=performance.Outcome.DEFECTS,
        text="路面三处开裂，经检测不合格",
        evidence=evidence(files),  # type: ignore[arg-type]
        clock=clock,
    )
    assert p.supplier_org_id == winner.user.org_id and p.file_sha256 and p.status == "recorded"
    with pytest.raises(Forbidden):  # another bidder is not the supplier
        performance.object_to(session, other.actor, performance_id=p.id, text="不是我", clock=clock)
    performance.object_to(session, winner.actor, performance_id=p.id, text="开裂系设计原因", clock=clock)
    assert p.status == "objected" and p.objection_due_at is not None
    with pytest.raises(Conflict, match="只能提出一次"):
        performance.object_to(session, winner.actor, performance_id=p.id, text="再次", clock=clock)
    with pytest.raises(RuleViolation, match="异议尚未处理"):
        performance.confirm(session, supervisor.actor, performance_id=p.id, clock=clock)
    with pytest.raises(Forbidden):  # the tenderer does not judge the objection to its own record
        performance.handle_objection(
            session, trade.tenderer.actor, performance_id=p.id, upheld=False, note="x", clock=clock
        )
    clock.set(p.objection_due_at + timedelta(hours=1))
    performance.handle_objection(
        session, supervisor.actor, performance_id=p.id, upheld=False, note="检测报告表明属施工质量问题", clock=clock
    )
    assert p.status == "recorded" and p.handled_late  # handled after its 3 working days: recorded late
    assert records(session) == 0
    performance.confirm(session, supervisor.actor, performance_id=p.id, clock=clock)
    assert p.status == "confirmed" and p.credit_record_id
    r = credit.get_record(session, p.credit_record_id)
    assert r.source == RecordSource.PERFORMANCE.value and r.org_id == winner.user.org_id
    assert r.status == RecordStatus.NOTIFIED.value and "可以提出异议" in r.notice_text  # notice before listing
    assert p.file_sha256[:16] in r.basis and "合同 SHA-256" in r.basis and "存在质量缺陷" in r.title
    credit_service.list_record(session, supervisor.actor, record_id=r.id, clock=clock)  # listed like any record
    assert r.status == RecordStatus.LISTED.value
    with pytest.raises(RuleViolation):
        performance.confirm(session, supervisor.actor, performance_id=p.id, clock=clock)


def test_an_upheld_objection_revokes_and_a_completed_record_never_becomes_credit(
    session: Session, clock: FixedClock, trade: Trade, files: FileStore, supervisor: Person
) -> None:
    signed(session, clock, trade, files)
    winner = trade.candidate(1)
    bad = performance.record(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        outcome=performance.Outcome.DELAYED,
        text="逾期20日交付",
        evidence=evidence(files),  # type: ignore[arg-type]
        clock=clock,
    )
    performance.object_to(session, winner.actor, performance_id=bad.id, text="工期顺延经招标人书面同意", clock=clock)
    performance.handle_objection(
        session, supervisor.actor, performance_id=bad.id, upheld=True, note="顺延有书面同意", clock=clock
    )
    assert bad.status == "revoked" and not bad.handled_late
    with pytest.raises(RuleViolation):
        performance.confirm(session, supervisor.actor, performance_id=bad.id, clock=clock)
    good = performance.record(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        outcome=performance.Outcome.COMPLETED,
        text="按期保质完成",
        clock=clock,
    )
    with pytest.raises(RuleViolation, match="不形成不良信用记录"):
        performance.confirm(session, supervisor.actor, performance_id=good.id, clock=clock)
    assert records(session) == 0


def test_the_page_and_the_api(
    session: Session,
    clock: FixedClock,
    trade: Trade,
    files: FileStore,
    supervisor: Person,
    client: TestClient,
    anon_client: TestClient,
) -> None:
    signed(session, clock, trade, files)
    session.commit()
    url = f"/sections/{trade.section_id}/award/performance"
    t = signed_in(client, trade.tenderer, clock)
    page = t.get(url)
    assert page.status_code == 200 and "合同履约评价" in page.text and "尚无履约评价" in page.text
    r = t.post(url, data={"csrf_token": csrf_from(page.text), "outcome": "breach", "text": "未按约投入项目经理"})
    assert r.status_code == 303 and "error=" in r.headers["location"]  # no evidence: refused, nothing stored
    assert "请上传证明材料" in t.get(r.headers["location"]).text
    assert session.scalar(select(func.count()).select_from(Performance)) == 0
    r = t.post(
        url,
        data={"csrf_token": csrf_from(page.text), "outcome": "breach", "text": "未按约投入项目经理"},
        files={"evidence": EVIDENCE},
    )
    assert r.status_code == 303 and "error=" not in r.headers["location"]
    assert "违约" in t.get(url).text
    [p] = list(session.scalars(select(Performance)))
    loser = signed_in(anon_client, trade.candidate(2), clock)
    assert loser.get(url).status_code == 403 and loser.get(f"/performance/{p.id}/file").status_code == 403
    assert t.get(f"/performance/{p.id}/file").content == EVIDENCE[1]

    api = TestClient(client.app)
    winner = {"authorization": f"Bearer {token_for(api, trade.candidate(1), clock)}"}
    sup = {"authorization": f"Bearer {token_for(api, supervisor, clock)}"}
    got = api.get(f"/api/v1{url}", headers=winner)
    assert got.status_code == 200 and got.json()[0]["outcome_label"] == "违约"
    o = api.post(f"/api/v1/performance/{p.id}/objection", json={"text": "项目经理已到岗"}, headers=winner)
    assert o.status_code == 200 and o.json()["status"] == "objected"
    again = api.post(f"/api/v1/performance/{p.id}/objection", json={"text": "再次"}, headers=winner)
    assert again.status_code == 409 and again.headers["content-type"].startswith("application/problem+json")
    assert "一次" in again.json()["detail"]
    h = api.post(f"/api/v1/performance/{p.id}/handling", json={"upheld": False, "note": "考勤记录不符"}, headers=sup)
    assert h.status_code == 200 and h.json()["status"] == "recorded"
    c = api.post(f"/api/v1/performance/{p.id}/confirmation", headers=sup)
    assert c.status_code == 200 and c.json()["credit_record_id"]
    tok = {"authorization": f"Bearer {token_for(api, trade.tenderer, clock)}"}
    rec = api.post(
        f"/api/v1{url}",
        data={"outcome": "completed", "text": "整改后按约完成"},
        headers=tok,
    )
    assert rec.status_code == 201 and rec.json()["status"] == "recorded"
    bad = api.post(f"/api/v1{url}", data={"outcome": "nonsense", "text": "x"}, headers=tok)
    assert bad.status_code == 422


def test_the_workbenches_show_who_must_act(
    session: Session, clock: FixedClock, trade: Trade, files: FileStore, supervisor: Person
) -> None:
    from ggzy.award.workbench import due_items

    signed(session, clock, trade, files)
    winner = trade.candidate(1)
    p = performance.record(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        outcome=performance.Outcome.DELAYED,
        text="逾期交付",
        evidence=evidence(files),  # type: ignore[arg-type]
        clock=clock,
    )
    assert any("可提出一次异议" in i.title for i in due_items(session, winner.actor, clock.now()))
    assert any(i.title.startswith("确认不良履约评价") for i in due_items(session, supervisor.actor, clock.now()))
    performance.object_to(session, winner.actor, performance_id=p.id, text="已顺延", clock=clock)
    assert not any("可提出一次异议" in i.title for i in due_items(session, winner.actor, clock.now()))
    [item] = [i for i in due_items(session, supervisor.actor, clock.now()) if "履约评价" in i.title]
    assert item.title.startswith("处理供应商对履约评价的异议") and item.due_at == p.objection_due_at
