"""委托代理 on the pages: the form with its agreement file, bad input refused in Chinese storing nothing (not even
the file), the agency's registration form, the project page naming the agreement, and a refused act citing it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.bidding.keys import KeyEnv
from ggzy.core.clock import SHANGHAI, FixedClock
from ggzy.core.files import FileStore
from ggzy.core.roles import Role
from ggzy.entities.service import Identity
from ggzy.entities.states import OrgKind
from ggzy.projects.models import Appointment
from tests.builders import Person, a_user, an_org, csrf_from, signed_in
from tests.trade import World, a_published_section, a_world


@pytest.fixture
def world(session: Session, clock: FixedClock, ident: Identity, opening_env: KeyEnv) -> World:
    return a_world(session, clock, ident, opening_env, bidders=1)


@pytest.fixture
def agent(session: Session, clock: FixedClock, ident: Identity) -> Person:
    return a_user(session, clock, ident, role=Role.AGENCY, org=an_org(session, clock, kind=OrgKind.AGENCY))


def count(session: Session, model: type) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def stored_files(files: FileStore) -> list[Path]:
    area = files.root / "appointments"
    return sorted(area.iterdir()) if area.exists() else []


def test_the_tenderer_appoints_on_the_page_and_the_agency_is_refused_once_revoked(
    session: Session,
    clock: FixedClock,
    world: World,
    agent: Person,
    files: FileStore,
    opening_env: KeyEnv,
    client: TestClient,
    anon_client: TestClient,
) -> None:
    section = a_published_section(session, clock, world, files, opening_env)
    session.commit()
    signed_in(client, world.tenderer, clock)
    form = client.get("/delegations/new")
    assert form.status_code == 200 and "委托代理协议文件" in form.text
    today = clock.now().astimezone(SHANGHAI).date()
    fields = {
        "csrf_token": csrf_from(form.text),
        "agency_org_id": agent.user.org_id,
        "agreement_ref": "XXDL-PAGE-1",
        "project_id": section.project_id,
    }
    agreement = {"agreement": ("委托代理协议.pdf", b"%PDF-1.4 page", "application/pdf")}
    bad = client.post("/delegations/new", data={**fields, "agreement_ref": " "}, files=agreement)
    assert bad.status_code == 422 and "请填写委托代理协议编号" in bad.text
    assert count(session, Appointment) == 0 and stored_files(files) == []
    r = client.post("/delegations/new", data=fields, files=agreement)
    assert r.status_code == 303 and r.headers["location"] == "/delegations"
    listing = client.get("/delegations").text
    assert "XXDL-PAGE-1" in listing and "有效" in listing and len(stored_files(files)) == 1
    (a,) = session.execute(select(Appointment)).scalars()
    assert client.get(f"/delegations/{a.id}/agreement").content == b"%PDF-1.4 page"
    page = client.get(f"/projects/{section.project_id}").text
    assert "委托代理协议 XXDL-PAGE-1" in page
    # a period appointment too: the agency's registration form then offers this tenderer, and only it
    form = client.get("/delegations/new")
    period = {
        **fields,
        "csrf_token": csrf_from(form.text),
        "project_id": "",
        "agreement_ref": "XXDL-PAGE-2",
        "categories": ["gp_goods"],  # not the works project's class: it stays covered by its own appointment only
        "valid_from": today.isoformat(),
        "valid_until": today.isoformat(),
    }
    assert client.post("/delegations/new", data=period, files=agreement).status_code == 303
    agency = signed_in(anon_client, agent, clock)
    register = agency.get("/projects/new").text
    choices = register.split('data-testid="tenderer-choice"')[1].split("</select>")[0]
    assert world.tenderer.user.org_id in choices and choices.count("<option") == 2  # 请选择 and this tenderer
    # revoked on the page; the agency's clarification is refused in Chinese, citing the appointment
    listing = client.get("/delegations").text
    r = client.post(f"/delegations/{a.id}/revoke", data={"csrf_token": csrf_from(listing), "reason": "合同解除"})
    assert r.status_code == 303 and "已撤销委托" in client.get(r.headers["location"]).text
    clarify = agency.get(f"/sections/{section.id}/clarify")
    assert clarify.status_code == 403 and "没有招标人（采购人）有效的委托代理" in clarify.text
    assert "第15条" in clarify.text
    page = agency.get(f"/projects/{section.project_id}").text
    assert "无有效委托" in page
