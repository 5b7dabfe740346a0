"""Scoped assignment: a regulator assigns an alert only within its own body and the alert's sector, and an
assigned alert says who holds it and since when (service, page, API)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.core.errors import Forbidden
from ggzy.core.roles import Role, Sector
from ggzy.entities import auth
from ggzy.entities.service import Identity
from ggzy.entities.states import OrgKind
from ggzy.supervision import service
from tests.builders import Person, a_user, an_org, signed_in
from tests.supervision.test_alerts import finding

PROBLEM = "application/problem+json"


def bearer(session: Session, p: Person, clock: FixedClock, ident: Identity) -> dict[str, str]:
    raw, _ = auth.issue_token(session, p.actor, name="测试", clock=clock, ident=ident)
    return {"authorization": f"Bearer {raw}"}


@pytest.fixture
def bureau(session: Session, clock: FixedClock, ident: Identity) -> dict[str, Person]:
    """The water bureau: two water regulators and one for transport; another city's water regulator."""
    gov = an_org(session, clock, kind=OrgKind.GOVERNMENT, sector=Sector.WATER)
    other = an_org(session, clock, kind=OrgKind.GOVERNMENT, sector=Sector.WATER)
    return {
        "chief": a_user(session, clock, ident, role=Role.SECTOR_SUPERVISOR, org=gov, sector=Sector.WATER),
        "colleague": a_user(session, clock, ident, role=Role.SECTOR_SUPERVISOR, org=gov, sector=Sector.WATER),
        "roads": a_user(session, clock, ident, role=Role.SECTOR_SUPERVISOR, org=gov, sector=Sector.TRANSPORT),
        "elsewhere": a_user(session, clock, ident, role=Role.SECTOR_SUPERVISOR, org=other, sector=Sector.WATER),
    }


def test_an_alert_is_assigned_only_within_the_body_and_the_sector(
    session: Session, clock: FixedClock, bureau: dict[str, Person]
) -> None:
    alert, _ = service.raise_alert(session, finding(), clock=clock)
    chief = bureau["chief"].actor
    assert [u.id for u in service.handlers_for(session, chief, alert)] == sorted(
        [bureau["chief"].user.id, bureau["colleague"].user.id],
        key=lambda i: session.get(type(bureau["chief"].user), i).username,  # type: ignore[union-attr]
    )
    with pytest.raises(Forbidden, match="不属于本单位") as info:
        service.assign(session, chief, alert_id=alert.id, assignee_id=bureau["elsewhere"].user.id, clock=clock)
    assert info.value.code == "assignee-outside-body"
    with pytest.raises(Forbidden, match="不负责「水利」行业的监管"):
        service.assign(session, chief, alert_id=alert.id, assignee_id=bureau["roads"].user.id, clock=clock)
    assert (alert.status, alert.assignee_id, alert.assigned_at) == ("new", None, None)
    service.assign(session, chief, alert_id=alert.id, assignee_id=bureau["colleague"].user.id, clock=clock)
    assert (alert.assignee_id, alert.assigned_at, alert.assigned_by) == (
        bureau["colleague"].user.id,
        clock.now(),
        bureau["chief"].user.id,
    )
    clock.advance(timedelta(hours=2))  # reassigned: the new holder holds it from now
    service.assign(session, chief, alert_id=alert.id, assignee_id=bureau["chief"].user.id, clock=clock)
    assert (alert.assignee_id, alert.assigned_at) == (bureau["chief"].user.id, clock.now())


def test_the_api_refuses_an_assignment_out_of_scope_and_shows_the_holder(
    session: Session, clock: FixedClock, ident: Identity, bureau: dict[str, Person], client: TestClient
) -> None:
    alert, _ = service.raise_alert(session, finding(), clock=clock)
    auth_header = bearer(session, bureau["chief"], clock, ident)
    session.commit()
    url = f"/api/v1/supervision/alerts/{alert.id}"
    r = client.post(f"{url}/assign", json={"assignee_id": bureau["roads"].user.id}, headers=auth_header)
    assert r.status_code == 403 and r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["code"] == "assignee-outside-sector" and "水利" in r.json()["detail"]
    handlers = client.get(f"{url}/handlers", headers=auth_header).json()
    assert {h["user_id"] for h in handlers} == {bureau["chief"].user.id, bureau["colleague"].user.id}
    r = client.post(f"{url}/assign", json={"assignee_id": bureau["colleague"].user.id}, headers=auth_header)
    assert r.status_code == 200, r.text
    holder = r.json()["holder"]
    assert holder["user_id"] == bureau["colleague"].user.id and holder["since"].startswith("2026-11-26T01:00")
    listed = client.get("/api/v1/supervision/alerts?status=assigned", headers=auth_header).json()
    assert [a["id"] for a in listed["items"]] == [alert.id] and listed["next_cursor"] is None
    assert client.post(f"{url}/investigate", headers=auth_header).json()["status"] == "investigating"
    r = client.post(f"{url}/confirm", json={"sanction_ref": " "}, headers=auth_header)
    assert r.status_code == 422 and r.json()["code"] == "sanction-ref-required"
    r = client.post(f"{url}/confirm", json={"sanction_ref": "新水监罚〔2026〕9号"}, headers=auth_header)
    assert r.json()["status"] == "confirmed"
    elsewhere = bearer(session, bureau["roads"], clock, ident)
    session.commit()
    assert client.get(url, headers=elsewhere).status_code == 404  # another sector does not see it


def test_the_alert_page_offers_only_colleagues_of_the_sector_and_shows_the_holder(
    session: Session, clock: FixedClock, bureau: dict[str, Person], client: TestClient
) -> None:
    alert, _ = service.raise_alert(session, finding(), clock=clock)
    session.commit()
    signed_in(client, bureau["chief"], clock)
    page = client.get(f"/supervision/alerts/{alert.id}")
    assert bureau["colleague"].username in page.text and bureau["roads"].username not in page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post(
        f"/supervision/alerts/{alert.id}/assign",
        data={"assignee_id": bureau["elsewhere"].user.id, "csrf_token": token},
    )
    assert r.status_code == 303 and "error=" in r.headers["location"]
    assert "不属于本单位" in client.get(r.headers["location"]).text
    client.post(
        f"/supervision/alerts/{alert.id}/assign", data={"assignee_id": bureau["colleague"].user.id, "csrf_token": token}
    )
    page = client.get(f"/supervision/alerts/{alert.id}").text
    holder = page.split('data-testid="alert-holder">')[1].split("</dd>")[0]
    assert bureau["colleague"].username in holder and "2026-11-26 09:00" in holder and "起" in holder
