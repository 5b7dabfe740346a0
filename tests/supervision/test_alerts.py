"""Alerts: routed to the responsible regulator, duplicates merged, a workflow where every step is an event."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.core.errors import Invalid, NotFound, RuleViolation
from ggzy.core.events import Event
from ggzy.core.roles import Role, Sector
from ggzy.entities.service import Identity
from ggzy.entities.states import OrgKind
from ggzy.supervision import queries, service
from ggzy.supervision.states import Severity
from tests.builders import a_user, an_org, signed_in


def finding(**kw: object) -> service.Finding:
    base = {
        "flag_id": "X01",
        "title": "同一机器特征码编制投标文件",
        "severity": Severity.HIGH,
        "legal_basis": "《招标投标法实施条例》第40条",
        "subject": "新乡市某工程（一标段）",
        "source": "platform",
        "evidence": {"machineFingerprint": "abc", "bidders": ["甲", "乙"]},
        "org_ids": ("o1", "o2"),
        "sector": "water",
        "region": "410700",
        "section_id": "s1",
    }
    return service.Finding(**{**base, **kw})  # type: ignore[arg-type]


def test_an_alert_goes_to_the_regulator_of_its_sector_and_duplicates_merge(session: Session, clock: FixedClock) -> None:
    water = an_org(session, clock, kind=OrgKind.GOVERNMENT, name="新乡市水利局（测试）", sector=Sector.WATER)
    alert, new = service.raise_alert(session, finding(), clock=clock)
    assert new and alert.regulator_org_id == water.id and alert.status == "new"
    again, new_again = service.raise_alert(session, finding(), clock=clock)
    assert (again.id, new_again, again.occurrences) == (alert.id, False, 2)
    other, _ = service.raise_alert(session, finding(org_ids=("o1", "o3")), clock=clock)
    assert other.id != alert.id
    kinds = [e.type for e in session.execute(select(Event).where(Event.subject_id == alert.id)).scalars()]
    assert kinds == ["supervision.alert_raised", "supervision.alert_merged"]


def test_the_workflow_assigns_investigates_and_confirms_with_a_sanction_reference(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    gov = an_org(session, clock, kind=OrgKind.GOVERNMENT, sector=Sector.WATER)
    regulator = a_user(session, clock, ident, role=Role.SECTOR_SUPERVISOR, org=gov, sector=Sector.WATER)
    alert, _ = service.raise_alert(session, finding(), clock=clock)
    with pytest.raises(RuleViolation, match="不能执行「查实」"):
        service.confirm(session, regulator.actor, alert_id=alert.id, sanction_ref="x", clock=clock)
    service.assign(session, regulator.actor, alert_id=alert.id, assignee_id=regulator.user.id, clock=clock)
    service.investigate(session, regulator.actor, alert_id=alert.id, clock=clock)
    with pytest.raises(Invalid, match="文号"):
        service.confirm(session, regulator.actor, alert_id=alert.id, sanction_ref=" ", clock=clock)
    service.confirm(session, regulator.actor, alert_id=alert.id, sanction_ref="新水监罚〔2026〕3号", clock=clock)
    assert (alert.status, alert.sanction_ref) == ("confirmed", "新水监罚〔2026〕3号")


def test_a_sector_supervisor_sees_and_handles_only_its_sector(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    housing = a_user(session, clock, ident, role=Role.SECTOR_SUPERVISOR, sector=Sector.HOUSING)
    auditor = a_user(session, clock, ident, role=Role.AUDITOR)
    water_alert, _ = service.raise_alert(session, finding(), clock=clock)
    house_alert, _ = service.raise_alert(session, finding(sector="housing", section_id="s2"), clock=clock)
    assert [a.id for a in queries.list_alerts(session, housing.actor)] == [house_alert.id]
    with pytest.raises(NotFound):
        service.dismiss(session, housing.actor, alert_id=water_alert.id, reason="不属实", clock=clock)
    assert {a.id for a in queries.list_alerts(session, auditor.actor)} == {water_alert.id, house_alert.id}
    from ggzy.core.errors import Forbidden

    with pytest.raises(Forbidden):
        service.dismiss(session, auditor.actor, alert_id=water_alert.id, reason="审计不能处置", clock=clock)
    service.dismiss(session, housing.actor, alert_id=house_alert.id, reason="经核查为正常竞争", clock=clock)
    assert house_alert.status == "dismissed"


def test_the_dashboard_counts_by_type_sector_and_entity(
    client: TestClient, session: Session, clock: FixedClock, ident: Identity
) -> None:
    supervisor = a_user(session, clock, ident, role=Role.SUPERVISOR)
    for i in range(3):
        service.raise_alert(session, finding(section_id=f"s{i}"), clock=clock)
    service.raise_alert(
        session, finding(flag_id="A01", sector="finance", section_id="x", severity=Severity.MEDIUM), clock=clock
    )
    d = queries.dashboard(session, supervisor.actor)
    assert (d.total, d.open) == (4, 4)
    assert dict(d.by_flag) == {"X01": 3, "A01": 1} and dict(d.by_sector) == {"water": 3, "finance": 1}
    session.commit()
    signed_in(client, supervisor, clock)
    page = client.get("/supervision")
    assert page.status_code == 200 and 'data-testid="alerts-total">4<' in page.text and "<svg" in page.text


def test_the_workbench_lists_new_alerts_of_ones_body_and_those_assigned_to_oneself(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    from ggzy.supervision import workbench

    gov = an_org(session, clock, kind=OrgKind.GOVERNMENT, sector=Sector.WATER)
    regulator = a_user(session, clock, ident, role=Role.SECTOR_SUPERVISOR, org=gov, sector=Sector.WATER)
    colleague = a_user(session, clock, ident, role=Role.SECTOR_SUPERVISOR, org=gov, sector=Sector.WATER)
    office = a_user(session, clock, ident, role=Role.SUPERVISOR)
    alert, _ = service.raise_alert(session, finding(), clock=clock)
    unrouted, _ = service.raise_alert(session, finding(sector="", section_id=None, subject="某外地项目"), clock=clock)
    titles = [i.title for i in workbench.due_items(session, regulator.actor, clock.now())]
    assert titles == [f"处置预警（高）：{alert.title}"]
    assert [i.url for i in workbench.due_items(session, office.actor, clock.now())] == [
        f"/supervision/alerts/{unrouted.id}"
    ], "what no regulator owns stays with the supervision office"
    service.assign(session, regulator.actor, alert_id=alert.id, assignee_id=colleague.user.id, clock=clock)
    assert workbench.due_items(session, regulator.actor, clock.now()) == []
    assert [i.title for i in workbench.due_items(session, colleague.actor, clock.now())] == [
        f"已分派（高）：{alert.title}"
    ]
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    assert workbench.due_items(session, bidder.actor, clock.now()) == []
