"""The refused attempt survives the refused request: through the API the problem cites the sanction and the
attempt is kept by the web layer in a transaction of its own; the credit desk reports a bad import row by row."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.credit import queries
from ggzy.entities import auth
from ggzy.entities.service import Identity
from tests.builders import csrf_from, signed_in
from tests.credit.conftest import a_sanction
from tests.trade import a_published_section, a_world


def test_a_debarred_bid_through_the_api_is_a_problem_and_the_attempt_is_kept(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    client: TestClient,
) -> None:
    world = a_world(session, clock, ident, opening_env, bidders=1)
    section = a_published_section(session, clock, world, files, opening_env)
    barred = world.bidders[0]
    a_sanction(session, clock, world.supervisor, barred.user.org_id)
    raw, _ = auth.issue_token(session, barred.actor, name="投标工具", clock=clock, ident=ident)
    session.commit()
    r = client.put(
        f"/api/v1/sections/{section.id}/bid",
        content=b"not even an envelope",
        headers={"authorization": f"Bearer {raw}"},
    )
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == "credit-sanctioned" and "《招标投标法》第53条" in body["detail"]
    session.expire_all()
    refused = queries.refusals(session)
    assert [(c.org_id, c.step) for c in refused] == [(barred.user.org_id, "bid")]


def test_the_credit_desk_reports_bad_rows_and_keeps_good_ones(
    session: Session, clock: FixedClock, ident: Identity, opening_env: opening_keys.KeyEnv, client: TestClient
) -> None:
    world = a_world(session, clock, ident, opening_env, bidders=0)
    session.commit()
    office = signed_in(client, world.supervisor, clock)
    desk = office.get("/credit/manage")
    assert desk.status_code == 200 and "导入名单" in desk.text
    csv = "统一社会信用代码,名称,列入日期\n91410700MA44XXXXX1,甲,2026-01-01\n".encode()
    r = office.post(
        "/credit/manage/imports",
        data={"csrf_token": csrf_from(desk.text), "list_name": "tax_offenders"},
        files={"file": ("名单.csv", csv, "text/csv")},
    )
    assert r.status_code == 200 and "导入 0 行" in r.text and "第2行" in r.text


def test_a_debarred_bidder_asking_for_a_sub_account_on_the_page_is_kept_too(
    session: Session, clock: FixedClock, ident: Identity, client: TestClient
) -> None:
    from tests.builders import a_user
    from tests.deposits.builders import a_desk

    desk = a_desk(session, clock, ident, bidders=0)
    from ggzy.core.roles import Role

    office = a_user(session, clock, ident, role=Role.SUPERVISOR)
    barred = a_user(session, clock, ident, role=Role.BIDDER)
    a_sanction(session, clock, office, barred.user.org_id)
    session.commit()
    me = signed_in(client, barred, clock)
    form = me.get(f"/sections/{desk.section.id}/deposit")
    r = me.post(f"/sections/{desk.section.id}/deposit/sub-account", data={"csrf_token": csrf_from(form.text)})
    assert r.status_code == 200 and "受信用惩戒限制" in r.text
    session.expire_all()
    assert [c.step for c in queries.refusals(session)] == ["deposit"]
