"""Notice search for Chinese on both databases: substring phrases through an index, filters, newest first."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ggzy.core.actor import system
from ggzy.core.clock import FixedClock
from ggzy.core.errors import Invalid
from ggzy.notices import search, service
from ggzy.notices.states import NoticeKind

TITLES = [
    ("新乡市第一中学综合楼建设工程招标公告", "新乡市第一中学", "410702", "construction", NoticeKind.TENDER),
    ("新乡市人民医院医疗设备采购公告", "新乡市人民医院", "410700", "gp_goods", NoticeKind.TENDER),
    ("卫河堤防加固工程流标公告", "新乡市水务集团有限公司", "410700", "construction", NoticeKind.FAILED),
    (
        "新乡市S229线路面改造工程澄清公告",
        "新乡市交通建设投资有限公司",
        "410703",
        "construction",
        NoticeKind.CLARIFICATION,
    ),
]


@pytest.fixture
def published(session: Session, clock: FixedClock) -> list[str]:
    numbers = []
    for title, buyer, region, category, kind in TITLES:
        clock.advance(timedelta(hours=1))
        n = service.publish(
            session,
            system(),
            kind=kind,
            title=title,
            body="正文",
            buyer=buyer,
            region=region,
            category=category,
            method="open_tender",
            clock=clock,
        )
        numbers.append(n.number)
    return numbers


def titles(rows: list) -> list[str]:
    return [r.title for r in rows]


def test_a_two_character_word_finds_every_notice_containing_it_newest_first(
    session: Session, published: list[str]
) -> None:
    assert titles(search.search(session, "工程", search.Filters())) == [TITLES[3][0], TITLES[2][0], TITLES[0][0]]


def test_a_phrase_matches_only_as_a_substring(session: Session, published: list[str]) -> None:
    assert titles(search.search(session, "第一中学", search.Filters())) == [TITLES[0][0]]
    assert search.search(session, '"新乡道路"', search.Filters()) == []  # in quotes: 新乡 … 道路 apart is no phrase
    # unquoted, 新乡道路 is cut into 新乡 and 道路 (or a synonym: 路面), both in the S229 road works
    assert titles(search.search(session, "新乡道路", search.Filters())) == [TITLES[3][0]]
    assert titles(search.search(session, "人民医院 设备", search.Filters())) == [TITLES[1][0]]


def test_buyer_number_and_filters_are_searchable(session: Session, published: list[str]) -> None:
    assert titles(search.search(session, "水务集团", search.Filters())) == [TITLES[2][0]]
    assert titles(search.search(session, published[1], search.Filters())) == [TITLES[1][0]]
    assert titles(search.search(session, "", search.Filters(region="410702"))) == [TITLES[0][0]]
    assert titles(search.search(session, "公告", search.Filters(kind="failed"))) == [TITLES[2][0]]
    assert len(search.search(session, "", search.Filters(category="construction"))) == 3


def test_paging_walks_backwards_in_publication_order(session: Session, published: list[str]) -> None:
    first = search.search(session, "新乡", search.Filters(), limit=2)
    pos = search.position(session, first[-1].id)
    rest = search.search(session, "新乡", search.Filters(), limit=2, before=pos)
    assert titles(first + rest) == [t[0] for t in TITLES if "新乡" in t[0] or "新乡" in t[1]][::-1][:4]


def test_a_single_character_is_refused_with_a_hint(session: Session) -> None:
    with pytest.raises(Invalid, match="至少输入两个汉字"):
        search.search(session, "水", search.Filters())


def test_the_portal_search_page_and_the_atom_feed(client: TestClient, session: Session, published: list[str]) -> None:
    session.commit()
    page = client.get("/notices", params={"q": "第一中学"})
    assert page.status_code == 200 and TITLES[0][0] in page.text and TITLES[1][0] not in page.text
    assert "至少输入两个汉字" in client.get("/notices", params={"q": "水"}).text
    feed = client.get("/notices/feed.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert len(root.findall("a:entry", ns)) == 4
    assert root.find("a:entry/a:title", ns).text == f"【澄清/修改公告】{TITLES[3][0]}"  # type: ignore[union-attr]
    detail = client.get(f"/notices/{published[0]}")
    assert detail.status_code == 200 and "新乡市第一中学" in detail.text
