"""Migration 0017: the award's publicity objections are copied into the case tables, then award_objection goes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, DateTime, Integer, MetaData, Numeric, String, Text, inspect, select, text

from ggzy.core.db import make_engine
from ggzy.migrations import runner
from tests.dbserver import DbServer

T0 = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)


def _row(meta: MetaData, table: str, **given: Any) -> dict[str, Any]:
    """Every NOT NULL column of the table filled with a plain value of its type, then the given ones."""
    out: dict[str, Any] = {}
    for c in meta.tables[table].columns:
        if c.nullable or c.name in given:
            continue
        t = c.type
        if isinstance(t, DateTime):
            out[c.name] = T0
        elif isinstance(t, Boolean):
            out[c.name] = False
        elif isinstance(t, (Integer, Numeric)):
            out[c.name] = 0
        elif isinstance(t, (String, Text)):
            length = getattr(t, "length", None) or 20
            out[c.name] = f"{table[:3]}{c.name}"[:length]
        else:  # pragma: no cover - a type this helper does not know: the test says so
            raise AssertionError(f"{table}.{c.name}: {t!r}")
    return {**out, **given}


def test_award_objections_become_cases_with_their_thread(dbserver: DbServer) -> None:
    url = dbserver.empty()
    engine = make_engine(url)
    try:
        runner.upgrade(engine, "0012")
        meta = MetaData()
        meta.reflect(engine)
        ids = {k: f"{k.upper():0<26}"[:26] for k in ("tenderer", "bidder", "project", "section", "award", "a", "b")}
        with engine.begin() as conn:
            for org in ("tenderer", "bidder"):
                conn.execute(
                    meta.tables["organisation"]
                    .insert()
                    .values(
                        **_row(meta, "organisation", id=ids[org], name=org, credit_code=f"91410100MA{org[:6]:0<8}"[:18])
                    )
                )
            conn.execute(
                meta.tables["project"]
                .insert()
                .values(
                    **_row(
                        meta,
                        "project",
                        id=ids["project"],
                        tenderer_org_id=ids["tenderer"],
                        sector="housing",
                        method="open",
                        agency_org_id=None,
                    )
                )
            )
            conn.execute(
                meta.tables["section"]
                .insert()
                .values(**_row(meta, "section", id=ids["section"], project_id=ids["project"], status="publicity"))
            )
            conn.execute(
                meta.tables["award"]
                .insert()
                .values(**_row(meta, "award", id=ids["award"], section_id=ids["section"], regime="works"))
            )
            common = {"award_id": ids["award"], "section_id": ids["section"], "org_id": ids["bidder"]}
            conn.execute(
                meta.tables["award_objection"]
                .insert()
                .values(
                    **_row(
                        meta,
                        "award_objection",
                        id=ids["a"],
                        number="YY2026000001",
                        text="第一名业绩不真实\n详见附件",
                        filed_at=T0,
                        due_at=T0 + dt.timedelta(days=3),
                        answer="经核实业绩真实",
                        answered_by="U1",
                        answered_at=T0 + dt.timedelta(days=4),
                        late=True,
                        **common,
                    )
                )
            )
            conn.execute(
                meta.tables["award_objection"]
                .insert()
                .values(
                    **_row(
                        meta,
                        "award_objection",
                        id=ids["b"],
                        number="YY2026000002",
                        text="评分有误",
                        filed_at=T0,
                        due_at=T0 + dt.timedelta(days=3),
                        late=False,
                        **common,
                    )
                )
            )
        runner.upgrade(engine)
        assert "award_objection" not in inspect(engine).get_table_names()
        assert runner.differences(engine) == []
        with engine.connect() as conn:
            cases = {
                r.number: r
                for r in conn.execute(
                    text(
                        "SELECT id, number, kind, matter, regime, status, points, claims, complainant_org_id,"
                        " respondent_org_id, answered_late, late_recorded, next_due_at, answer FROM case_file"
                    )
                )
            }
            entries = conn.execute(text("SELECT case_id, kind, text FROM case_entry ORDER BY at, kind")).fetchall()
        a, b = cases["YY2026000001"], cases["YY2026000002"]
        assert (a.id, a.kind, a.matter, a.regime, a.status) == (ids["a"], "objection", "result", "works", "answered")
        assert a.points == '["第一名业绩不真实"]' and a.claims.startswith("第一名业绩不真实")
        assert a.complainant_org_id == ids["bidder"] and a.respondent_org_id == ids["tenderer"]
        assert bool(a.answered_late) and a.late_recorded == "answer" and a.answer == "经核实业绩真实"
        assert a.next_due_at is None
        assert b.status == "filed" and not b.answered_late and b.late_recorded == "" and b.next_due_at is not None
        assert sorted((e.case_id, e.kind) for e in entries) == sorted(
            [(ids["a"], "statement"), (ids["a"], "answer"), (ids["b"], "statement")]
        )
        # the models read them
        from ggzy.cases.models import Case
        from ggzy.core.db import Database

        db = Database(engine)
        with db.unit_of_work(write=False) as s:
            assert s.scalar(select(Case).where(Case.number == "YY2026000002")).answered_at is None  # type: ignore[union-attr]
    finally:
        engine.dispose()
        dbserver.drop(url)
