"""Bad input gets a clear 4xx and stores nothing (issue 8, finding 7): huge integers, huge amounts, NUL, far dates."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.bidding.keys import KeyEnv
from ggzy.core.clock import FixedClock
from ggzy.core.errors import Invalid, RuleViolation
from ggzy.core.events import Event
from ggzy.core.files import FileStore
from ggzy.core.roles import Role
from ggzy.core.types import MONEY_MAX, Money, parse_money
from ggzy.entities.models import ApiToken, WebSession
from ggzy.entities.service import Identity
from ggzy.entities.states import OrgKind
from ggzy.projects import queries
from ggzy.projects.models import Project, Section
from ggzy.projects.sections import parse_local
from tests.builders import PASSWORD, a_user, an_org, csrf_from, signed_in
from tests.projects.test_publication import publish
from tests.trade import World, a_project, a_world
from tests.web.test_api import token_for

PROBLEM = "application/problem+json"
HUGE = str(2**63)


def count(session: Session, model: type) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/log/entries?before={HUGE}",
        f"/api/v1/log/entries/{HUGE}",
        f"/api/v1/log/proof/inclusion?index={HUGE}",
        f"/api/v1/log/proof/inclusion?index=0&size={HUGE}",
        f"/api/v1/log/proof/consistency?first={HUGE}",
        f"/api/v1/organisations?offset={HUGE}",
        f"/api/v1/users?offset={HUGE}",
    ],
)
def test_an_integer_beyond_64_bits_is_a_422_problem(
    client: TestClient, session: Session, clock: FixedClock, ident: Identity, path: str
) -> None:
    auditor = a_user(session, clock, ident, role=Role.AUDITOR)
    session.commit()
    r = client.get(path, headers={"authorization": f"Bearer {token_for(client, auditor, clock)}"})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["code"] == "validation"


@pytest.mark.parametrize("path", [f"/audit/events?before={HUGE}", f"/audit/events/{HUGE}", f"/notices?before={HUGE}"])
def test_an_integer_beyond_64_bits_on_a_page_is_a_chinese_422(
    client: TestClient, session: Session, clock: FixedClock, ident: Identity, path: str
) -> None:
    signed_in(client, a_user(session, clock, ident, role=Role.AUDITOR), clock)
    r = client.get(path)
    assert r.status_code == 422, r.text
    assert "输入不符合要求" in r.text and r.headers["content-type"].startswith("text/html")


def test_amounts_are_bounded_by_the_column(session: Session) -> None:
    assert parse_money("9999999999999999.99", "估算价") == MONEY_MAX
    for text in ("99999999999999999999999", "10000000000000000", "1e30", "-1", "1.001", "NaN", "Infinity", "x"):
        with pytest.raises(Invalid):
            parse_money(text, "估算价")
    with pytest.raises(ValueError, match="NUMERIC"):  # the column type itself refuses, whatever the caller
        Money().process_bind_param(Decimal("1e16"), session.get_bind().dialect)


def _register_form(client: TestClient, org_id: str, estimates: list[str]) -> dict[str, object]:
    page = client.get("/projects/new")
    assert page.status_code == 200, page.text
    return {
        "csrf_token": csrf_from(page.text),
        "name": "新乡市测试道路工程",
        "approval_code": "2026-410700-48-01-000001",
        "category": "construction",
        "sector": "housing",
        "method": "open_tender",
        "state_funds_share": "100",
        "state_funds_amount": "1000000.00",
        "tenderer_org_id": org_id,
        "section_name": [f"第{i + 1}标段" for i in range(len(estimates))],
        "section_estimate": estimates,
    }


@pytest.mark.parametrize(
    "estimates",
    [["99999999999999999999999"], ["9999999999999999.99", "9999999999999999.99"], ["1e400"]],
    ids=["beyond-the-column", "sum-beyond-the-column", "exponent"],
)
def test_a_huge_estimate_is_refused_on_the_page_and_nothing_is_stored(
    client: TestClient, session: Session, clock: FixedClock, ident: Identity, estimates: list[str]
) -> None:
    tenderer = a_user(session, clock, ident, role=Role.TENDERER, org=an_org(session, clock, kind=OrgKind.TENDERER))
    session.commit()
    signed_in(client, tenderer, clock)
    before = (count(session, Project), count(session, Event))
    assert tenderer.user.org_id is not None
    r = client.post("/projects/new", data=_register_form(client, tenderer.user.org_id, estimates))  # type: ignore[arg-type]
    assert r.status_code == 422, r.text
    assert "上限" in r.text or "格式不正确" in r.text or "非负金额" in r.text
    assert (count(session, Project), count(session, Event)) == before


@pytest.mark.parametrize("where", ["username", "password"])
def test_a_nul_byte_at_sign_in_is_refused_without_a_server_error(
    client: TestClient, session: Session, clock: FixedClock, ident: Identity, where: str
) -> None:
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    session.commit()
    before = (count(session, Event), count(session, WebSession), count(session, ApiToken))
    fields = {"username": bidder.username, "password": PASSWORD}
    fields[where] = fields[where] + "\x00"
    page = client.get("/login")
    r = client.post("/login", data={**fields, "csrf_token": csrf_from(page.text)})
    assert r.status_code == 422 and "空字符" in r.text
    r = client.post("/api/v1/auth/tokens", json={**fields, "name": "x"})
    assert r.status_code == 422 and r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["code"] == "nul-character"
    assert (count(session, Event), count(session, WebSession), count(session, ApiToken)) == before


@pytest.mark.parametrize(
    "path", ["/notices?q=%00", "/entities/%00", "/api/v1/sections/%00", "/api/v1/organisations?q=a%00b"]
)
def test_a_nul_byte_in_the_path_or_query_is_refused(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 422, r.text
    assert "空字符" in r.text


def test_a_nul_byte_in_a_cookie_is_refused(client: TestClient) -> None:
    client.cookies.set("ggzy_session", '"a\\000b"')
    r = client.get("/api/v1/me")
    assert r.status_code == 422 and r.json()["code"] == "nul-character"


@pytest.fixture
def world(session: Session, clock: FixedClock, ident: Identity, opening_env: KeyEnv) -> World:
    return a_world(session, clock, ident, opening_env)


def test_a_deadline_beyond_the_platforms_window_is_refused_citing_the_rule(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: KeyEnv
) -> None:
    section = queries.sections_of(session, a_project(session, clock, world).id)[0]
    far = parse_local("9999-12-30T09:00", "投标截止时间")
    with pytest.raises(RuleViolation, match="本平台交易规则") as exc:
        publish(session, clock, world, files, opening_env, section.id, deadline=far)
    assert exc.value.code == "deadline-too-far"
    assert session.get(Section, section.id).status == "preparing"  # type: ignore[union-attr]
    publish(session, clock, world, files, opening_env, section.id, deadline=clock.now() + timedelta(days=300))


@pytest.mark.parametrize("text", ["9999-12-31T23:59", "0001-01-01T00:00", "2026-13-01T00:00", "x" * 5000])
def test_a_date_without_an_instant_is_a_clear_refusal(text: str) -> None:
    if text.startswith("9999"):
        parse_local(text, "投标截止时间")  # a real instant; the window refuses it (above)
        return
    with pytest.raises(Invalid, match="投标截止时间"):
        parse_local(text, "投标截止时间")
