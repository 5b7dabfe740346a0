"""The demo's road after the evaluation: evaluated sections taken to the archive, under contract, awarded and in
publicity; an archive exported from the demo verifies offline and fails after one byte is changed."""

from __future__ import annotations

import zipfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy import demo
from ggzy.award import archive, queries
from ggzy.award import demo as award_demo
from ggzy.award.verify import verify
from ggzy.bidding.keys import KeyEnv
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.notify import MemoryNotifier
from ggzy.core.roles import Role
from ggzy.entities import auth
from ggzy.entities import queries as entities
from ggzy.entities.service import Identity
from ggzy.evaluation import methods
from ggzy.evaluation import queries as evaluation
from ggzy.evaluation import service as evaluating
from ggzy.projects import queries as projects
from ggzy.projects.models import Section
from ggzy.projects.states import SectionStatus
from tests.evaluation.builders import a_sheet

LOWEST = methods.preset(methods.Kind.LOWEST_PRICE)


def _evaluate(session: Session, clock: FixedClock, files: FileStore, section: Section, first_expert: int) -> None:
    op = entities.find_user(session, "operator")
    assert op is not None
    experts = [u for i in range(first_expert, first_expert + 5) if (u := entities.find_user(session, f"expert{i:02d}"))]
    e = evaluating.open_evaluation(
        session,
        auth.actor_for(session, op, Role.OPERATOR, "127.0.0.1"),
        section_id=section.id,
        members=[u.id for u in experts],
        chair=experts[0].id,
        method=LOWEST,
        clock=clock,
    )
    orgs = [b.org_id for b in evaluation.in_review(session, e.id)]
    for u in experts:
        actor = auth.actor_for(session, u, Role.EXPERT, "10.9.9.9")
        evaluating.submit_sheet(session, actor, evaluation_id=e.id, sheet=a_sheet(LOWEST, orgs), clock=clock)
    chair = auth.actor_for(session, experts[0], Role.EXPERT, "10.9.9.9")
    evaluating.sign_report(session, chair, evaluation_id=e.id, clock=clock, files=files)


def test_evaluated_demo_sections_reach_the_archive_and_its_export_verifies_and_fails_after_one_changed_byte(
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
    opened = list(
        session.execute(select(Section).where(Section.status == SectionStatus.OPENED.value).order_by(Section.code))
    )
    assert len(opened) >= 2 and all(stage != "publicity" for _, stage in report.awards[:1])
    for i, (section,) in enumerate(opened):
        _evaluate(session, clock, files, section, 1 + 5 * i)
    users = {u: entities.find_user(session, u) for u in ("tenderer2", "tenderer5")}
    assert all(users.values())

    def actor_of(username: str) -> auth.Actor:
        user = entities.find_user(session, username)
        assert user is not None
        return auth.actor_for(session, user, entities.roles_of(session, user.id)[0], "10.1.1.1")

    done = award_demo.advance(session, actor_of, clock=clock, files=files, env=opening_env, notifier=MemoryNotifier())
    assert [stage for _, stage in done] == ["archived", "contracted"][: len(done)] and len(done) == 2
    statuses = [SectionStatus(projects.get_section(session, s.id).status) for (s,) in opened]
    assert statuses == [SectionStatus.ARCHIVED, SectionStatus.CONTRACTED]
    archived = opened[0][0]
    assert queries.dossier_of(session, archived.id) is not None

    out = tmp_path / "demo-dossier.zip"
    code = projects.get_project(session, archived.project_id).code
    archive.export(
        session, project_code=code, out=out, files=files, env=opening_env, keys=keys, origin="demo/log", clock=clock
    )
    assert verify(out).ok
    with zipfile.ZipFile(out) as z:
        bid = next(n for n in z.namelist() if "/files/bids/" in n and "form.json" not in n)
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(tampered, "w") as dst:
        for n in src.namelist():
            data = bytearray(src.read(n))
            if n == bid:
                data[len(data) // 2] ^= 0xFF
            dst.writestr(n, bytes(data))
    result = verify(tampered)
    assert not result.ok and any(bid in p for p in result.problems)
