"""The demo city: who is in it, every role has a user, and loading it twice creates nothing twice."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy import demo
from ggzy.bidding.keys import KeyEnv
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.roles import GRANTABLE, Role
from ggzy.entities.models import Organisation, RoleGrant, User
from ggzy.entities.service import Identity
from ggzy.projects.models import Appointment
from ggzy.supervision.models import Alert


def test_the_demo_city_has_what_the_issue_asks_and_loads_once(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    assert demo.is_empty(session)
    report = demo.build(session, clock=clock, ident=ident, password_for=lambda u: "Demo-City-Pass-26")
    kinds = Counter(session.execute(select(Organisation.kind)).scalars())
    assert kinds["agency"] == 2 and kinds["tenderer"] == 6 and kinds["bidder"] == 24 and kinds["expert_employer"] == 30
    sectors = set(session.execute(select(Organisation.sector).where(Organisation.sector.is_not(None))).scalars())
    assert sectors == {"housing", "transport", "water", "finance"}
    roles = set(session.execute(select(RoleGrant.role)).scalars())
    assert roles == {r.value for r in GRANTABLE}
    staff = [lg for lg in report.logins if lg.role.is_staff]
    assert staff and all(lg.totp_secret for lg in staff)
    assert all(lg.totp_secret is None for lg in report.logins if not lg.role.is_staff)
    table = demo.format_logins(report.logins)
    assert "动态口令" in table
    # issue 13 item 6: the columns line up in a terminal, where a Chinese character is two columns wide
    rows = [line for line in table.splitlines() if any(line.startswith(lg.username + " ") for lg in report.logins)]
    assert len(rows) == len(report.logins)
    starts = {demo._width(row[: row.index(lg.password)]) for row, lg in zip(rows, report.logins, strict=True)}
    assert len(starts) == 1, starts
    counts = (
        session.execute(select(func.count()).select_from(Organisation)).scalar(),
        session.execute(select(func.count()).select_from(User)).scalar(),
    )
    again = demo.build(session, clock=clock, ident=ident)
    assert (again.created_orgs, again.created_users, again.logins) == (0, 0, [])
    assert counts == (
        session.execute(select(func.count()).select_from(Organisation)).scalar(),
        session.execute(select(func.count()).select_from(User)).scalar(),
    )
    assert not demo.is_empty(session)
    sector_users = session.execute(select(RoleGrant.sector).where(RoleGrant.role == Role.SECTOR_SUPERVISOR.value))
    assert set(sector_users.scalars()) == {"housing", "transport", "water", "finance"}


def test_the_demo_trades_plant_cases_that_supervision_finds_and_routes(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: KeyEnv,
    keys: Keys,
    tmp_path: Path,
) -> None:
    kit = demo.TradeKit(files=files, env=opening_env, signer=keys.log_private, var=tmp_path)
    report = demo.build(session, clock=clock, ident=ident, trades=kit)
    raised = list(session.execute(select(Alert)).scalars())
    assert report.alerts == len(raised)
    regulators = {o.id: o.sector for o in session.execute(select(Organisation)).scalars()}
    ring = {a.flag_id for a in raised if "G107" in a.subject}
    assert {"X01", "X02", "X03", "X06"} <= ring, "the ring on one machine, address, author and account"
    assert all(regulators[a.regulator_org_id or ""] == "transport" for a in raised if "G107" in a.subject)
    assert not [a for a in raised if a.flag_id.startswith("X") and "G107" not in a.subject], "honest trades are quiet"
    cover = [a for a in raised if a.flag_id == "B01"]
    assert [a.subject for a in cover] == ["新乡市长垣起重设备有限公司"]
    assert regulators[cover[0].regulator_org_id or ""] == "housing"
    split = [a for a in raised if a.flag_id == "A01" and a.subject == "新乡市红旗区教育局"]
    assert split and regulators[split[0].regulator_org_id or ""] == "finance"
    never = [a.subject for a in raised if a.flag_id == "A03"]
    assert never == ["2026-410700-48-01-777777"], "the school building is traded here, the hub never entered"
    assert (tmp_path / "demo-county-ocds.jsonl").exists() and (tmp_path / "demo-approvals.csv").exists()
    # 委托代理: the demo agencies act under yearly appointments of named tenderers
    appointed = session.execute(select(Appointment)).scalars().all()
    assert len(appointed) == len(demo.DELEGATIONS) and all(a.status == "active" and a.file_sha256 for a in appointed)
    agency1 = session.execute(select(User).where(User.username == "agency1")).scalar_one()
    named = {
        o.name
        for o in session.execute(select(Organisation)).scalars()
        if o.id in {a.tenderer_org_id for a in appointed if a.agency_org_id == agency1.org_id}
    }
    assert named == {"新乡市城市建设投资开发有限公司", "新乡市交通建设投资有限公司"}


def test_the_demo_city_has_evaluations_in_progress_and_signed_on_both_laws(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: KeyEnv,
    keys: Keys,
    tmp_path: Path,
) -> None:
    from ggzy.core import transparency
    from ggzy.evaluation import queries as evaluation
    from ggzy.experts import verify
    from ggzy.experts.models import Draw
    from ggzy.projects.models import Project, Section

    def checkpoint(s: Session, c: object) -> object:
        return transparency.sign_checkpoint(s, keys=keys, origin="demo.test/log", clock=c)  # type: ignore[arg-type]

    kit = demo.TradeKit(files=files, env=opening_env, signer=keys.log_private, var=tmp_path, checkpoint=checkpoint)
    report = demo.build(session, clock=clock, ident=ident, trades=kit)
    assert report.evaluations == 4
    seen = {}
    for section, project in session.execute(select(Section, Project).join(Project)).all():
        e = evaluation.of_section(session, section.id)
        if e is not None:
            done = sum(1 for m in evaluation.members(session, e.id) if m.submitted_at is not None)
            seen[(project.method, e.status)] = (done, len(evaluation.members(session, e.id)), e.report_sha256)
            ranked = evaluation.final_ranking(session, section.id)
            assert bool(ranked) == (e.status == "reported")  # candidates only from a signed report
    assert seen[("open_tender", "scoring")][:2] == (4, 5)
    assert seen[("open_tender", "reported")][2] and seen[("negotiation", "reported")][2]
    assert seen[("negotiation", "scoring")][:2] == (2, 3)
    for d in session.execute(select(Draw)).scalars():
        assert verify.verify_draw(session, d.id).ok
