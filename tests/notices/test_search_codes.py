"""Codes and numbers match exactly (issue 13 item 5): a project, section or approval code, or a notice number, is
found by the whole code — and a shorter or longer code finds nothing of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from ggzy.bidding.keys import KeyEnv
from ggzy.core.actor import system
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.entities.service import Identity
from ggzy.notices import search, service
from ggzy.notices.states import NoticeKind
from ggzy.projects import queries as projects
from tests.notices.test_search import TITLES, published  # noqa: F401 - the fixture
from tests.trade import a_project, a_published_section, a_world


def found(session: Session, q: str) -> list[str]:
    return [n.title for n in search.search(session, q, search.Filters())]


def test_a_tender_notice_is_found_by_its_project_section_and_approval_codes(
    session: Session, clock: FixedClock, ident: Identity, opening_env: KeyEnv, files: FileStore
) -> None:
    world = a_world(session, clock, ident, opening_env, bidders=1)
    project = a_project(session, clock, world)
    a_published_section(session, clock, world, files, opening_env, project=project)
    section = projects.sections_of(session, project.id)[0]
    title = "新乡市测试道路工程招标公告"
    assert project.code.startswith("XXZB-") and section.code == f"{project.code}-01"
    assert found(session, project.code) == [title]
    assert found(session, section.code) == [title]
    assert found(session, project.code.lower()) == [title]  # letters in any case
    assert found(session, project.code.replace("-", "")) == [title]  # and without the hyphens
    assert found(session, project.approval_code) == [title]
    assert found(session, project.code[:-1]) == []  # XXZB-2026-000: not a code of this notice
    assert found(session, section.code + "1") == []
    assert found(session, f"{project.code} 道路") == [title]


def test_a_notice_number_and_a_code_written_in_the_body_are_whole_terms(session: Session, clock: FixedClock) -> None:
    numbers = []
    for i, body in enumerate(["项目编号：XXCG-2026-0007　标段编号：XXCG-2026-0007-02", "项目编号：XXCG-2026-0070"]):
        clock.advance(timedelta(hours=1))
        n = service.publish(
            session,
            system(),
            kind=NoticeKind.TENDER,
            title=f"新乡市办公家具采购项目第{i + 1}包",
            body=body,
            buyer="新乡市教育局",
            region="410700",
            category="gp_goods",
            method="open_tender",
            clock=clock,
        )
        numbers.append(n.number)
    assert found(session, "XXCG-2026-0007") == ["新乡市办公家具采购项目第1包"]
    assert found(session, "XXCG-2026-0007-02") == ["新乡市办公家具采购项目第1包"]
    assert found(session, "XXCG-2026-0070") == ["新乡市办公家具采购项目第2包"]
    assert found(session, numbers[1]) == ["新乡市办公家具采购项目第2包"]
    assert found(session, numbers[1][:-1]) == []


@pytest.mark.parametrize("rare", [False, True], ids=["walk-newest-first", "index-then-sort"])
def test_both_ways_of_answering_give_the_same_pages(
    session: Session,
    published: list[str],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    rare: bool,
) -> None:
    """PostgreSQL answers a rare query from the GIN index and a common one by walking the newest rows: same result
    (SQLite always walks FTS5 in rowid order)."""
    monkeypatch.setattr(search, "_pg_rare", lambda *_: rare)
    first = search.search(session, "新乡", search.Filters(), limit=2)
    rest = search.search(session, "新乡", search.Filters(), limit=2, before=search.position(session, first[-1].id))
    assert [n.title for n in first + rest] == [t[0] for t in TITLES][::-1]
    assert found(session, "道路 工程") == [TITLES[3][0]]
    assert found(session, published[2]) == [TITLES[2][0]]
