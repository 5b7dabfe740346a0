"""Live supervision: the platform compares each section's bids when they are opened and alerts the regulator;
history screening finds cover bidders, split purchases and approved projects that never entered."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy import demo_supervision
from ggzy.bidding import keys as opening_keys
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.roles import Sector
from ggzy.entities.service import Identity
from ggzy.entities.states import OrgKind
from ggzy.projects import timers as deadline
from ggzy.supervision import history, live, price_screen, timers
from ggzy.supervision.collusion.bids import read_bid_table
from ggzy.supervision.collusion.model import CollusionModel
from ggzy.supervision.collusion.store import save_model
from ggzy.supervision.flags.avoidance.approvals import read_approvals
from ggzy.supervision.models import Alert, ScanMark
from tests.builders import an_org
from tests.supervision.collusion import synth
from tests.trade import a_published_section, a_sealed_bid, a_world, hand_in


def alerts(session: Session) -> list[Alert]:
    return list(session.execute(select(Alert).order_by(Alert.flag_id, Alert.subject)).scalars())


def test_a_ring_on_one_machine_and_one_account_is_alerted_to_the_sector_regulator_once(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
) -> None:
    housing = an_org(
        session, clock, kind=OrgKind.GOVERNMENT, name="新乡市住房和城乡建设局（测试）", sector=Sector.HOUSING
    )
    world = a_world(session, clock, ident, opening_env, bidders=4)
    section = a_published_section(session, clock, world, files, opening_env)
    assert live.due(session, clock.now()) == [(section.id, live.PUBLISHED)]
    assert live.apply(session, (section.id, live.PUBLISHED), clock.now())
    assert not live.apply(session, (section.id, live.PUBLISHED), clock.now()), "a stage is compared once"
    assert live.due(session, clock.now()) == []
    assert alerts(session) == [], "a compliant notice raises nothing"

    ring, clean = world.bidders[:2], world.bidders[2:]
    prices = iter(("4800000.00", "4731000.00", "4902345.00", "4655432.10"))
    for bidder in ring:
        a_sealed_bid(
            session, clock, files, keys, section, bidder, price=next(prices), machine="fp-ring", deposit_account="6222"
        )
    for bidder in clean:
        a_sealed_bid(session, clock, files, keys, section, bidder, price=next(prices))
    assert section.bid_deadline is not None
    clock.set(section.bid_deadline)
    deadline.reach_deadline(session, section.id, clock.now())
    for holder in (world.supervisor, world.tenderer):
        hand_in(session, clock, holder, section, files, opening_env)
    assert section.status == "opened"

    assert live.due(session, clock.now()) == [(section.id, live.OPENED)]
    assert live.apply(session, (section.id, live.OPENED), clock.now())
    raised = {a.flag_id: a for a in alerts(session)}
    assert set(raised) == {"X01", "X06"}, "same machine (X01) and same deposit account (X06), nothing else"
    ring_orgs = " ".join(sorted(b.user.org_id for b in ring))
    for alert in raised.values():
        assert alert.regulator_org_id == housing.id and alert.section_id == section.id
        assert alert.org_ids == ring_orgs, "only the ring is named, not the bidders who merely bid"
        assert alert.source == "platform" and "第40条" in alert.legal_basis
    mark = session.get(ScanMark, (section.id, live.OPENED))
    assert mark is not None and mark.alerts == 2
    assert live.due(session, clock.now()) == []
    assert [s.name for s in timers.sources(None)] == ["supervision.live", "supervision.refunds_overdue"]


def test_history_screening_routes_cover_bidding_split_purchases_and_never_entered_projects(
    session: Session, clock: FixedClock, tmp_path: Path
) -> None:
    housing = an_org(session, clock, kind=OrgKind.GOVERNMENT, name="住建（测试）", sector=Sector.HOUSING)
    finance = an_org(session, clock, kind=OrgKind.GOVERNMENT, name="财政（测试）", sector=Sector.FINANCE)
    cover, a, b, other, supplier = (an_org(session, clock) for _ in range(5))
    buyer = an_org(session, clock, kind=OrgKind.TENDERER, name="测试城投有限公司")
    school = an_org(session, clock, kind=OrgKind.TENDERER, name="测试区教育局")
    releases = demo_supervision.planted_releases(
        cover=cover, winners=(a, b), other=other, buyer=buyer, school=school, supplier=supplier
    )
    data, approvals_file = demo_supervision.write_files(tmp_path, releases)
    approvals, _ = read_approvals(approvals_file)

    report = history.screen(
        session, clock=clock, external=history.external_releases([data]), approvals=approvals, source="县分中心"
    )
    raised = alerts(session)
    assert report.releases == len(releases) and report.new_alerts == len(raised) > 0
    by = {(x.flag_id, x.org_ids): x for x in raised}
    cover_alert = by[("B01", cover.id)]
    assert cover_alert.regulator_org_id == housing.id and cover.name in cover_alert.title
    split = by[("A01", school.id)]
    assert split.regulator_org_id == finance.id and "化整为零" in split.title
    parts = [x for x in raised if x.flag_id == "A01" and not x.org_ids]
    assert len(parts) == 5 and all("教学设备采购" in x.subject for x in parts)
    never = [x for x in raised if x.flag_id == "A03"]
    assert sorted(x.subject for x in never) == ["2026-410700-48-01-777777", "2026-410702-47-01-000123"], (
        "both approved projects are missing here (in the demo city the second one is traded)"
    )
    assert all(x.source == "县分中心" for x in raised)
    assert not any(x.flag_id == "B01" and x.org_ids in (a.id, b.id) for x in raised), "the winners are not cover"

    again = history.screen(
        session, clock=clock, external=history.external_releases([data]), approvals=approvals, source="县分中心"
    )
    assert again.new_alerts == 0 and len(alerts(session)) == len(raised), "screening twice merges"


def test_an_approved_project_registered_here_is_not_reported_as_never_entered(
    session: Session, clock: FixedClock, ident: Identity, opening_env: opening_keys.KeyEnv, tmp_path: Path
) -> None:
    from tests.trade import a_project

    world = a_world(session, clock, ident, opening_env, bidders=1)
    project = a_project(session, clock, world, estimate="50000000.00")
    path = tmp_path / "approvals.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(demo_supervision.NEVER_ENTERED))
        writer.writeheader()
        writer.writerow({**demo_supervision.NEVER_ENTERED, "项目代码": project.approval_code, "项目名称": project.name})
        writer.writerow(demo_supervision.NEVER_ENTERED)
    approvals, _ = read_approvals(path)
    history.screen(session, clock=clock, approvals=approvals)
    assert [x.subject for x in alerts(session) if x.flag_id == "A03"] == [demo_supervision.NEVER_ENTERED["项目代码"]]


def test_opened_prices_are_scored_against_the_platform_history_when_a_model_is_configured(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
    tmp_path: Path,
) -> None:
    model_path = tmp_path / "model.ggzy"
    save_model(
        CollusionModel.fit(
            [read_bid_table(synth.write(tmp_path / "train.csv", synth.market(7, 160)), require_labels=True)],
            n_trees=40,
        ),
        model_path,
    )
    an_org(session, clock, kind=OrgKind.GOVERNMENT, name="新乡市住房和城乡建设局（测试）", sector=Sector.HOUSING)
    world = a_world(session, clock, ident, opening_env, bidders=5)
    competitive = [
        ("4310000.00", "4795000.00", "4550000.00", "5020000.00", "4680000.00"),
        ("4452000.00", "4120000.00", "4890000.00", "4605000.00", "4975000.00"),
        ("4700000.00", "4388000.00", "4960000.00", "4215000.00", "4531000.00"),
    ]
    rigged = ("4400000.00", "4576000.00", "4580400.00", "4572300.00", "4583100.00")  # a winner, covers 4% above
    sections = []
    for prices in [*competitive, rigged]:
        section = a_published_section(session, clock, world, files, opening_env)
        for bidder, price in zip(world.bidders, prices, strict=True):
            a_sealed_bid(session, clock, files, keys, section, bidder, price=price)
        sections.append(section)
    assert sections[-1].bid_deadline is not None
    clock.set(sections[-1].bid_deadline)
    for section in sections:
        deadline.reach_deadline(session, section.id, clock.now())
        for holder in (world.supervisor, world.tenderer):
            hand_in(session, clock, holder, section, files, opening_env)
    scores = {s.id: price_screen.score_section(session, s, model_path) for s in sections}
    assert all(v is not None and v["market_sections"] == 4 for v in scores.values())
    assert max(scores.values(), key=lambda v: v["probability"] if v else 0.0) is scores[sections[-1].id]
    top = scores[sections[-1].id]
    assert top is not None and top["flagged"] and len(top["drivers"]) == price_screen.TOP

    for section in sections:
        live.apply(session, (section.id, live.OPENED), clock.now(), collusion_model=model_path)
    flagged = [a for a in alerts(session) if a.flag_id == price_screen.FLAG_ID]
    assert [a.section_id for a in flagged] == [sections[-1].id], "only the rigged section is alerted"
    assert "围标串标可能" in flagged[0].title and "第40条" in flagged[0].legal_basis
    assert "变异系数" in flagged[0].evidence or "价差" in flagged[0].evidence
