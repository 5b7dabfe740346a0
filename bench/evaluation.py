"""Evaluation benchmark: clearing 100 priced bills, 7 experts scoring 100 bids on 30 criteria, the reveal,
and the chair's signed report PDF — target under 10 s in all.

python -m bench evaluation [--bids 100] [--experts 7] [--criteria 30] [--backend sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from bench.common import database
from ggzy.core.actor import system
from ggzy.core.clock import SystemClock
from ggzy.core.crypto import FieldCipher
from ggzy.core.files import FileStore
from ggzy.core.ids import new_id
from ggzy.core.roles import Role, Sector
from ggzy.entities import auth
from ggzy.entities import service as entities
from ggzy.entities.passwords import Hasher
from ggzy.entities.service import Identity
from ggzy.entities.states import OrgKind
from ggzy.evaluation import bills, clearing, service
from ggzy.evaluation.methods import Criterion, Kind, Method, PriceFormula
from ggzy.evaluation.models import EvaluatedBid, Evaluation, Member
from ggzy.evaluation.scoring import Sheet
from ggzy.evaluation.states import EvaluationStatus
from ggzy.projects import service as registration
from ggzy.rules.catalog import Category
from ggzy.rules.procedures import Method as Procedure

SYSTEM = system()


def a_method(criteria: int) -> Method:
    per = Decimal(60) / criteria
    scored = [Criterion(f"c{i}", f"评分因素{i}", max_score=per.quantize(Decimal("0.01"))) for i in range(criteria - 3)]
    rest = Decimal(60) - sum((c.max_score for c in scored), Decimal(0))
    scored.append(Criterion("c_last", "综合因素", max_score=rest))
    qual = [Criterion(f"q{i}", f"资格因素{i}", "qualification", group="资格") for i in range(2)]
    return Method(Kind.COMPREHENSIVE, tuple(qual + scored), PriceFormula(Decimal(40)))


def code(n: int) -> str:
    from ggzy.entities import credit_code

    return credit_code.make("91410700" + "".join(credit_code.ALPHABET[int(ch) * 3] for ch in f"{n:09d}"))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench evaluation")
    ap.add_argument("--bids", type=int, default=100)
    ap.add_argument("--experts", type=int, default=7)
    ap.add_argument("--criteria", type=int, default=30)
    ap.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    args = ap.parse_args(argv if argv is not None else sys.argv[2:] if sys.argv[1:2] == ["evaluation"] else [])
    rnd = random.Random(7)
    clock = SystemClock()
    with tempfile.TemporaryDirectory() as tmp, database(args.backend, Path(tmp)) as db:
        ident = Identity(hasher=Hasher(memory_kib=256, time_cost=1, parallelism=1), cipher=FieldCipher(bytes(32)))
        files = FileStore(Path(tmp) / "files")
        with db.unit_of_work() as s:

            def org(n: int, kind: OrgKind) -> str:
                return entities.register_organisation(
                    s, SYSTEM, name=f"基准{kind.label}{n}号有限公司", credit_code_text=code(n), kind=kind, clock=clock
                ).id

            tenderer_org = org(0, OrgKind.TENDERER)
            tenderer = entities.create_user(
                s,
                SYSTEM,
                org_id=tenderer_org,
                username="bench-tenderer",
                display_name="招标人",
                password="Bench-Password-2026",
                roles=[(Role.TENDERER, "")],
                clock=clock,
                ident=ident,
                must_change_password=False,
            )
            project = registration.register(
                s,
                auth.actor_for(s, tenderer, Role.TENDERER, "127.0.0.1"),
                name="基准测试工程",
                approval_code="2026-410700-48-01-000009",
                category=Category.CONSTRUCTION,
                sector=Sector.HOUSING,
                method=Procedure.OPEN_TENDER,
                state_funds_share=Decimal(100),
                state_funds_amount=Decimal(50_000_000),
                tenderer_org_id=tenderer_org,
                sections=[registration.SectionIn("第1标段", Decimal(50_000_000))],
                clock=clock,
            )
            from ggzy.projects import queries as projects

            section = projects.sections_of(s, project.id)[0]
            bidders = [org(i, OrgKind.BIDDER) for i in range(1, args.bids + 1)]
            expert_org = org(args.bids + 1, OrgKind.EXPERT_EMPLOYER)
            experts = [
                entities.create_user(
                    s,
                    SYSTEM,
                    org_id=expert_org,
                    username=f"bench-expert{i}",
                    display_name=f"专家{i}",
                    password="Bench-Password-2026",
                    roles=[(Role.EXPERT, "")],
                    clock=clock,
                    ident=ident,
                    must_change_password=False,
                )
                for i in range(args.experts)
            ]
            sids, eids = section.id, [u.id for u in experts]
            actors = {u.id: auth.actor_for(s, u, Role.EXPERT, "127.0.0.1") for u in experts}
        method = a_method(args.criteria)
        tender = bills.parse_items(
            [{"code": f"I{i:03d}", "name": f"清单项{i}", "unit": "m3", "quantity": str(10 + i)} for i in range(30)],
            priced=False,
        )
        t0, cpu0 = time.perf_counter(), time.process_time()
        inputs = []
        for o in bidders:
            items = []
            for item in tender.items:
                up = Decimal(rnd.randint(1000, 9000)) / 100
                items.append(
                    {
                        **item.__dict__,
                        "unit_price": str(up),
                        "total": str((item.quantity * up).quantize(Decimal("0.01"))),
                    }
                )
            bill = bills.parse_items(items)
            inputs.append(clearing.BidIn(o, o, bills.check(bill).corrected_total, bill))
        cleared = clearing.clear(inputs, tender=tender, ceiling=None)
        t_clear = time.perf_counter() - t0
        with db.unit_of_work() as s:
            e = Evaluation(
                id=new_id(),
                section_id=sids,
                round=1,
                kind=method.kind.value,
                method=json.dumps(method.to_json(), ensure_ascii=False),
                status=EvaluationStatus.SCORING.value,
                chair_id=eids[0],
                opened_by="bench",
                opened_at=clock.now(),
                signs="[]",
                quote_round=0,
                quote_final=False,
                quotes_done=True,
                negotiation_record="",
            )
            s.add(e)
            s.flush()
            for c in cleared.bids:
                s.add(
                    EvaluatedBid(
                        evaluation_id=e.id,
                        org_id=c.org_id,
                        name=c.name,
                        price=c.price,
                        evaluated=c.evaluated,
                        notes="[]",
                        excluded=False,
                        ground="",
                        reasons="[]",
                    )
                )
            for seat, uid in enumerate(eids, start=1):
                s.add(Member(evaluation_id=e.id, user_id=uid, seat=seat, is_chair=seat == 1))
            evaluation_id = e.id
        sheets = {}
        for uid in eids:
            sh = Sheet()
            for o in bidders:
                sh.scores[o] = {
                    c.id: (c.max_score * Decimal(rnd.randint(50, 100)) / 100).quantize(Decimal("0.01"))
                    for c in method.scored
                }
                sh.passes[o] = {c.id: (True, "") for c in method.qualification}
            sheets[uid] = sh.to_json()
        t1 = time.perf_counter()
        for uid in eids:
            with db.unit_of_work() as s:
                service.submit_sheet(s, actors[uid], evaluation_id=evaluation_id, sheet=sheets[uid], clock=clock)
        t_score = time.perf_counter() - t1
        t2 = time.perf_counter()
        with db.unit_of_work() as s:
            done = service.sign_report(s, actors[eids[0]], evaluation_id=evaluation_id, clock=clock, files=files)
            size = files.path(done.report_path or "").stat().st_size
        t_report = time.perf_counter() - t2
        total, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    print(
        f"evaluation ({args.backend}): {args.bids} bids × {args.experts} experts × {args.criteria} criteria — "
        f"clearing {t_clear:.2f} s, sheets + reveal {t_score:.2f} s, "
        f"report PDF {t_report:.2f} s ({size / 1024:.0f} KiB); "
        f"total {total:.2f} s wall, {cpu:.2f} s CPU (target < 10 s) {'OK' if total < 10 else 'SLOW'}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
