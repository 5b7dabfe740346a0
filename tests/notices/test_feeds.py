"""Atom feeds per catalog category, region and buyer (issue 14 item 6), each with its own id and self link."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.entities.states import OrgKind
from tests.builders import an_org
from tests.notices.test_search import TITLES, published  # noqa: F401 - the fixture

NS = {"a": "http://www.w3.org/2005/Atom"}


def entries(client: TestClient, **params: str) -> tuple[list[str], ET.Element]:
    r = client.get("/notices/feed.atom", params=params)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml"), r.text
    root = ET.fromstring(r.content)
    return [e.findtext("a:title", namespaces=NS) or "" for e in root.findall("a:entry", NS)], root


def test_a_feed_per_category_region_and_buyer(
    client: TestClient,
    session: Session,
    clock: FixedClock,
    published: list[str],  # noqa: F811
) -> None:
    code = an_org(session, clock, kind=OrgKind.TENDERER, name="新乡市水务集团有限公司").credit_code
    session.commit()
    goods, root = entries(client, category="gp_goods")
    assert goods == [f"【招标公告】{TITLES[1][0]}"]
    self_link = root.find("a:link[@rel='self']", NS)
    assert self_link is not None and self_link.get("href", "").endswith("/notices/feed.atom?category=gp_goods")
    assert (root.findtext("a:id", namespaces=NS) or "").endswith("?category=gp_goods")
    assert "政府采购货物" in (root.findtext("a:title", namespaces=NS) or "")
    city, _ = entries(client, region="410700")
    assert len(city) == 2 and all(TITLES[i][0] in " ".join(city) for i in (1, 2))
    water, root = entries(client, buyer=code)
    assert water == [f"【流标公告】{TITLES[2][0]}"] and "新乡市水务集团有限公司" in (
        root.findtext("a:title", namespaces=NS) or ""
    )
    both, _ = entries(client, category="construction", region="410700")
    assert both == [f"【流标公告】{TITLES[2][0]}"]
    assert len(entries(client)[0]) == 4


def test_a_feed_for_something_that_does_not_exist_says_so_in_chinese(client: TestClient) -> None:
    assert "没有「bogus」这一交易类别" in client.get("/notices/feed.atom", params={"category": "bogus"}).text
    r = client.get("/notices/feed.atom", params={"buyer": "91410700MA00000000"})
    assert r.status_code == 404 and "没有统一社会信用代码为" in r.text
    assert client.get("/notices/feed.atom", params={"region": "41x700"}).status_code == 422


def test_the_feed_honours_every_filter_of_the_list_page(
    client: TestClient,
    session: Session,
    published: list[str],  # noqa: F811
) -> None:
    """q, kind, category, region, since and until: the same notices as /notices, newest first."""
    session.commit()
    assert entries(client, q="工程")[0] == [
        f"【澄清/修改公告】{TITLES[3][0]}",
        f"【流标公告】{TITLES[2][0]}",
        f"【招标公告】{TITLES[0][0]}",
    ]
    assert entries(client, q="工程", kind="failed")[0] == [f"【流标公告】{TITLES[2][0]}"]
    assert entries(client, q="学校")[0] == [f"【招标公告】{TITLES[0][0]}"]  # a synonym: 中学
    assert entries(client, region="4107", category="construction", kind="tender")[0] == [f"【招标公告】{TITLES[0][0]}"]
    assert entries(client, since="2000-01-01", until="2000-01-02")[0] == []
    assert len(entries(client, since="2000-01-01")[0]) == 4
    page = client.get("/notices", params={"q": "工程", "kind": "failed"}).text
    assert 'href="/notices/feed.atom?q=%E5%B7%A5%E7%A8%8B&amp;kind=failed"' in page  # the page's own feed
    _, root = entries(client, q="工程", kind="failed")
    self_link = root.find("a:link[@rel='self']", NS)
    assert self_link is not None and self_link.get("href", "").endswith("feed.atom?q=%E5%B7%A5%E7%A8%8B&kind=failed")
    alternate = root.find("a:link[@rel='alternate']", NS)
    assert alternate is not None and alternate.get("href", "").endswith("/notices?q=%E5%B7%A5%E7%A8%8B&kind=failed")


def test_a_feed_with_a_bad_filter_says_so(client: TestClient) -> None:
    assert "没有「bogus」这一公告类型" in client.get("/notices/feed.atom", params={"kind": "bogus"}).text
    assert "至少输入两个汉字" in client.get("/notices/feed.atom", params={"q": "水"}).text
    assert client.get("/notices/feed.atom", params={"since": "2026-13-01"}).status_code == 422


def test_the_api_list_takes_the_same_filters(
    client: TestClient,
    session: Session,
    published: list[str],  # noqa: F811
) -> None:
    session.commit()
    items = client.get("/api/v1/notices", params={"q": "学校"}).json()["items"]
    assert [i["title"] for i in items] == [TITLES[0][0]]
    assert client.get("/api/v1/notices", params={"since": "2000-01-01", "until": "2000-01-02"}).json()["items"] == []
    assert len(client.get("/api/v1/notices", params={"since": "2000-01-01"}).json()["items"]) == 4
