"""The demo's road after the evaluation: evaluated sections taken to the archive, under contract, awarded and in
publicity; an archive exported from the demo verifies offline and fails after one byte is changed."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy import demo
from ggzy.award import archive, queries
from ggzy.award.verify import verify
from ggzy.bidding.keys import KeyEnv
from ggzy.core import transparency
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.deposits.models import Guarantee, Payment, Refund
from ggzy.entities.service import Identity
from ggzy.evaluation import methods
from ggzy.experts import verify as expert_verify
from ggzy.projects import queries as projects
from ggzy.projects.models import Section
from ggzy.projects.states import SectionStatus

LOWEST = methods.preset(methods.Kind.LOWEST_PRICE)


def test_evaluated_demo_sections_reach_the_archive_and_its_export_verifies_and_fails_after_one_changed_byte(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: KeyEnv,
    keys: Keys,
    tmp_path: Path,
) -> None:
    def checkpoint(s: Session, c: object) -> object:
        return transparency.sign_checkpoint(s, keys=keys, origin="demo.test/log", clock=c)  # type: ignore[arg-type]

    kit = demo.TradeKit(files=files, env=opening_env, signer=keys.log_private, var=tmp_path, checkpoint=checkpoint)
    report = demo.build(session, clock=clock, ident=ident, trades=kit)
    # the demo's signed reports go one stage further each: the first to the archive, the next under contract
    assert [stage for _, stage in report.awards] == ["archived", "contracted"]
    by_code = {s.code: s for s in session.execute(select(Section)).scalars()}
    opened = [(by_code[c],) for c, _ in report.awards]
    statuses = [SectionStatus(projects.get_section(session, s.id).status) for (s,) in opened]
    assert statuses == [SectionStatus.ARCHIVED, SectionStatus.CONTRACTED]
    # issue 11: every security of the ended trades is on its way back with interest, the guarantee released
    released = 0
    for (section,) in opened:
        payers = set(  # accepted cash
            session.execute(
                select(Payment.org_id).where(Payment.section_id == section.id, Payment.status == "accepted")
            ).scalars()
        )
        returned = set(  # money from another account is never security: it went back to its payer at the end
            session.execute(
                select(Payment.bank_txn_id).where(Payment.section_id == section.id, Payment.status == "returned")
            ).scalars()
        )
        refunds_ = session.execute(select(Refund).where(Refund.section_id == section.id)).scalars().all()
        cash = [r for r in refunds_ if r.payment_txn is None]
        assert {r.org_id for r in cash} == payers  # every cash security (the tender's; negotiations took none)
        assert {r.payment_txn for r in refunds_ if r.payment_txn is not None} == returned
        assert all(r.reason == "concluded" for r in cash) and all(r.interest_fen > 0 for r in refunds_)
        kept = session.execute(select(Guarantee).where(Guarantee.section_id == section.id)).scalars().all()
        assert all(g.status == "released" for g in kept)  # open guarantees: released by the platform
        released += len(kept)
    assert released >= 1 and session.execute(select(Refund)).first() is not None
    archived = opened[0][0]
    assert queries.dossier_of(session, archived.id) is not None

    out = tmp_path / "demo-dossier.zip"
    code = projects.get_project(session, archived.project_id).code
    archive.export(
        session, project_code=code, out=out, files=files, env=opening_env, keys=keys, origin="demo/log", clock=clock
    )
    assert verify(out).ok
    with zipfile.ZipFile(out) as z:  # the dossier holds the draw's public record, which replays to the same draw
        (draw_file,) = [n for n in z.namelist() if "/experts/draw-" in n or n.startswith("experts/draw-")]
        record = json.loads(z.read(draw_file))
    assert expert_verify.verify_record(record).ok
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
