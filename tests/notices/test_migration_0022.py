"""Migration 0022: the synonym table is seeded, and notices published before it are found by their codes whole."""

from __future__ import annotations

from sqlalchemy import MetaData, select, text

from ggzy.core.db import Database, make_engine
from ggzy.migrations import runner
from ggzy.notices import search
from tests.cases.test_migration_0017 import T0, _row
from tests.dbserver import DbServer


def test_old_notices_are_reindexed_with_their_project_section_and_body_codes(dbserver: DbServer) -> None:
    url = dbserver.empty()
    engine = make_engine(url)
    try:
        runner.upgrade(engine, "0016")
        meta = MetaData()
        meta.reflect(engine)
        with engine.begin() as conn:
            org = _row(meta, "organisation", id="O" * 26, name="新乡市交通运输局", credit_code="11410700MA00000000")
            conn.execute(meta.tables["organisation"].insert().values(**org))
            project = _row(meta, "project", id="P" * 26, code="XXZB-2025-0042", approval_code="2025-410700-48")
            conn.execute(meta.tables["project"].insert().values(**{**project, "tenderer_org_id": "O" * 26}))
            conn.execute(
                meta.tables["section"]
                .insert()
                .values(**_row(meta, "section", id="S" * 26, project_id="P" * 26, code="XXZB-2025-0042-01"))
            )
            for i, (title, body, project) in enumerate(
                [
                    ("新乡市某道路改造工程招标公告", "项目编号：XXZB-2025-0042", "P" * 26),
                    ("新乡市某学校维修工程开标记录", "见附件，备案号 HN-2025-77", None),
                ]
            ):
                nid = f"N{i:025d}"
                conn.execute(
                    meta.tables["notice"]
                    .insert()
                    .values(
                        **_row(
                            meta,
                            "notice",
                            id=nid,
                            number=f"ZB2025{i:06d}",
                            kind="tender",
                            title=title,
                            body=body,
                            project_id=project,
                            section_id="S" * 26 if project else None,
                            published_at=T0,
                        )
                    )
                )
                conn.execute(
                    text(
                        "INSERT INTO notice_terms (notice_id, terms, kind, region, category, published_at) "
                        "VALUES (:n, :t, 'tender', '410700', 'construction', :at)"
                    ),
                    {"n": nid, "t": " ".join(search.tokens(title)), "at": T0},
                )
        runner.upgrade(engine)
        db = Database(engine, url)
        with db.unit_of_work(write=False) as s:

            def found(q: str) -> list[str]:
                return [n.title for n in search.search(s, q, search.Filters())]

            assert found("XXZB-2025-0042") == ["新乡市某道路改造工程招标公告"]
            assert found("XXZB-2025-0042-01") == ["新乡市某道路改造工程招标公告"]
            assert found("2025-410700-48") == ["新乡市某道路改造工程招标公告"]
            assert found("HN-2025-77") == ["新乡市某学校维修工程开标记录"]
            assert found("学校") == ["新乡市某学校维修工程开标记录"]  # the seeded table is there
            words = set(s.execute(text("SELECT word FROM search_synonym")).scalars())
            assert {"道路", "学校"} <= words
            assert s.execute(select(text("count(*)")).select_from(text("notice_terms"))).scalar() == 2
    finally:
        engine.dispose()
        dbserver.drop(url)
