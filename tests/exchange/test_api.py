"""The open data routes as an outsider sees them: packages, records, the change feed, bad input, rate limits."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.cli import main
from ggzy.core.clock import SHANGHAI, FixedClock
from ggzy.core.config import Settings
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.exchange import service
from ggzy.exchange.queries import Cursor
from ggzy.projects import queries as projects
from ggzy.projects import timers as deadline
from ggzy.projects.models import Section
from ggzy.web.app import create_app
from ggzy.web.context import AppContext
from tests.dbserver import DbServer
from tests.trade import a_published_section, a_sealed_bid, a_world, hand_in

PROBLEM = "application/problem+json"


@pytest.fixture
def app_settings(tmp_path: Path) -> Settings:
    return Settings(var_dir=tmp_path / "var", tick_seconds=0, ocds_rate_burst=10_000, ocds_prefix="ocds-ab12cd")


def all_releases(client: TestClient, limit: int = 2) -> list[dict[str, Any]]:
    out, cursor = [], ""
    while True:
        r = client.get("/api/ocds/releases", params={"limit": limit, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        page = r.json()
        out += page["releases"]
        cursor = page["links"]["next"].split("cursor=")[1]
        if not page["releases"]:
            return out


def test_a_release_package_has_its_publisher_and_extension_and_pages_cover_every_release_once(
    anon_client: TestClient, trade: Callable[..., Section]
) -> None:
    trade(outcome="opened", bids=3)
    trade(outcome="failed")
    r = anon_client.get("/api/ocds/releases", params={"limit": 1000})
    page = r.json()
    assert r.headers["content-type"] == "application/json"
    assert page["version"] == "1.1" and page["publisher"]["name"] and page["publishedDate"] and page["uri"]
    assert page["extensions"] == [
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"
    ]
    assert len(page["releases"]) == 6  # planning, tender, opening; planning, tender, failed
    assert all(r["ocid"].startswith("ocds-ab12cd-") for r in page["releases"])
    assert [r["id"] for r in all_releases(anon_client, limit=1)] == [r["id"] for r in page["releases"]]
    assert isinstance(page["releases"][0]["tender"]["value"]["amount"], float)  # a JSON number, not a string
    assert b'"amount":5000000.00' in r.content  # with its exact digits


def test_before_the_opening_an_outsider_sees_no_bid_and_nothing_that_depends_on_how_many_there_are(
    session: Session,
    anon_client: TestClient,
    clock: FixedClock,
    ident: Any,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
) -> None:
    world = a_world(session, clock, ident, opening_env, bidders=3)
    section = a_published_section(session, clock, world, files, opening_env)

    def seen() -> list[bytes]:
        ocid = f"ocds-ab12cd-{section.code}"
        return [
            anon_client.get("/api/ocds/releases", params={"limit": 1000}).content,
            anon_client.get(f"/api/ocds/records/{ocid}").content,
            anon_client.get("/api/ocds/changes").content,
        ]

    none = seen()
    a_sealed_bid(session, clock, files, keys, section, world.bidders[0])
    one = seen()
    for b in world.bidders[1:]:
        a_sealed_bid(session, clock, files, keys, section, b)
    assert section.bid_deadline is not None
    clock.set(section.bid_deadline)
    deadline.reach_deadline(session, section.id, clock.now())
    three = seen()
    assert b'"bids"' not in none[0] and b"numberOfTenderers" not in none[1]
    assert none[1:] == one[1:] and len(none[0]) == len(one[0]) == len(three[0])
    # after the opening the new release has them; the earlier releases are what they were
    for holder in (world.operator, world.tenderer):
        hand_in(session, clock, holder, section, files, opening_env)
    after = anon_client.get("/api/ocds/releases", params={"limit": 1000}).json()["releases"]
    before = json.loads(three[0])["releases"]
    assert after[: len(before)] == before
    assert after[-1]["bids"]["statistics"][0] == {"id": "1", "measure": "bids", "value": 3}


def test_a_record_and_a_release_by_id_and_unknown_ones_are_rfc_9457(
    anon_client: TestClient, trade: Callable[..., Section]
) -> None:
    section = trade(outcome="opened", bids=3)
    ocid = f"ocds-ab12cd-{section.code}"
    rec = anon_client.get(f"/api/ocds/records/{ocid}").json()
    assert rec["version"] == "1.1" and rec["extensions"] and rec["publisher"]["name"]
    (record,) = rec["records"]
    assert record["ocid"] == ocid and len(record["releases"]) == 3
    assert record["compiledRelease"]["tag"] == ["compiled"] and len(record["compiledRelease"]["bids"]["details"]) == 3
    rid = record["releases"][1]["id"]
    one = anon_client.get(f"/api/ocds/releases/{rid}").json()
    assert one["releases"] == [record["releases"][1]]
    for path in (
        "/api/ocds/records/ocds-ab12cd-NOPE",
        "/api/ocds/records/unrelated",
        f"/api/ocds/releases/{ocid}-999999",
        "/api/ocds/releases/garbage",
    ):
        r = anon_client.get(path)
        assert r.status_code == 404 and r.headers["content-type"] == PROBLEM, path
        assert r.json()["code"] in ("unknown-ocid", "unknown-release") and r.json()["detail"]


@pytest.mark.parametrize(
    "query",
    [
        {"cursor": "garbage!!"},
        {"cursor": "djI6MTox"},  # "v2:1:1"
        {"cursor": "x" * 65},
        {"limit": "0"},
        {"limit": "1001"},
        {"limit": "99999999999999999999999"},
    ],
)
def test_bad_cursors_and_limits_are_refused_with_rfc_9457(anon_client: TestClient, query: dict[str, str]) -> None:
    for route in ("/api/ocds/releases", "/api/ocds/changes"):
        r = anon_client.get(route, params=query)
        assert r.status_code == 422 and r.headers["content-type"] == PROBLEM, (route, query)
        assert r.json()["status"] == 422 and r.json()["detail"]


def test_a_mirror_reads_every_page_then_gets_exactly_what_was_published_since(
    anon_client: TestClient, trade: Callable[..., Section]
) -> None:
    trade(outcome="opened", bids=3)
    trade(outcome="clarified")

    def read(cursor: str) -> tuple[list[dict[str, str]], str]:
        items = []
        while True:
            page = anon_client.get("/api/ocds/changes", params={"cursor": cursor, "limit": 2}).json()
            items += page["data"]
            if not page["data"]:
                return items, page["next_cursor"]
            cursor = page["next_cursor"]

    first, cursor = read("")
    assert len(first) == 6 and len({i["release"] for i in first}) == 6
    again, same = read(cursor)
    assert again == [] and same == cursor  # nothing new: the cursor stays
    trade(outcome="failed")
    trade(outcome="planning")
    new, _ = read(cursor)
    whole, _ = read("")
    assert whole == first + new and len(new) == 4  # planning, tender, failed; planning
    assert all(set(i) == {"id", "release", "modified"} for i in new)


def test_the_machine_routes_are_rate_limited_per_address_with_retry_after(
    app_ctx: AppContext, clock: FixedClock, tmp_path: Path
) -> None:
    settings = Settings(var_dir=tmp_path / "var2", tick_seconds=0, ocds_rate_burst=2, ocds_rate_per_minute=6)
    with TestClient(create_app(replace(app_ctx, settings=settings)), base_url="https://testserver") as c:
        assert [c.get("/api/ocds/changes").status_code for _ in range(2)] == [200, 200]
        r = c.get("/api/ocds/releases")
        assert r.status_code == 429 and r.headers["content-type"] == PROBLEM
        assert r.headers["retry-after"] == "10" and r.json()["code"] == "rate-limited"
        assert c.get("/notices").status_code == 200  # people's pages are not counted
        clock.advance(timedelta(seconds=10))
        assert c.get("/api/ocds/changes").status_code == 200
        assert c.get("/api/ocds/changes").status_code == 429
        other = c.get("/api/ocds/changes", headers={"x-forwarded-for": "203.0.113.9"})
        assert other.status_code == 429  # X-Forwarded-For from an untrusted peer is not believed


def test_bulk_files_are_daily_gzip_json_lines_with_an_index(
    session: Session, clock: FixedClock, trade: Callable[..., Section], tmp_path: Path
) -> None:
    opened = trade(outcome="opened", bids=3)
    ended = trade(outcome="terminated")
    out = tmp_path / "bulk"
    result = service.export_bulk(session, out, prefix="ocds-ab12cd", publisher="新乡市", clock=clock)
    assert result.releases == 6
    lines = []
    for name in sorted(result.files):
        with gzip.open(out / name, "rt", encoding="utf-8") as f:
            day = [json.loads(line) for line in f]
        assert {r["date"][:10] for r in day} <= {
            name[9:19],
            (datetime.fromisoformat(name[9:19]) - timedelta(days=1)).date().isoformat(),
        }
        lines += day
    assert sorted(r["ocid"] for r in lines).count(f"ocds-ab12cd-{opened.code}") == 3
    assert [r["tender"]["status"] for r in lines if r["ocid"].endswith(ended.code)][-1] == "cancelled"
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert sum(f["releases"] for f in index["files"]) == 6 and index["version"] == "1.1"
    assert not list(out.glob("*.part"))
    later = service.export_bulk(
        session,
        tmp_path / "later",
        prefix="ocds-ab12cd",
        publisher="新乡市",
        clock=clock,
        since=clock.now() + timedelta(days=400),
    )
    assert later.releases == 0


def test_the_command_refuses_a_bad_date_before_reading_anything(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["export", "ocds", "--since", "2026-13-01", "-o", str(tmp_path / "o")])
    assert r.exit_code == 2 and "YYYY-MM-DD" in r.output and not (tmp_path / "o").exists()


def test_a_cursor_round_trips_and_is_opaque() -> None:
    c = Cursor(123456, 2)
    assert Cursor.decode(c.encode()) == c and "123456" not in c.encode()
    assert Cursor.decode("") == Cursor() and Cursor.decode(None) == Cursor()
    assert projects is not None and SHANGHAI is not None


def test_the_command_writes_the_files_of_a_database(dbserver: DbServer, tmp_path: Path) -> None:
    url = dbserver.clone()
    env = {"GGZY_DATABASE_URL": url, "GGZY_VAR_DIR": str(tmp_path / "var"), "GGZY_OCDS_PREFIX": "ocds-ab12cd"}
    try:
        r = CliRunner().invoke(main, ["export", "ocds", "--since", "2026-01-01", "-o", str(tmp_path / "o")], env=env)
        assert r.exit_code == 0, r.output
        assert "导出 0 个发布" in r.output
        index = json.loads((tmp_path / "o" / "index.json").read_text(encoding="utf-8"))
        assert index["files"] == [] and index["since"].startswith("2026-01-01T00:00:00+08:00")
        bad = CliRunner().invoke(
            main, ["export", "ocds", "-o", str(tmp_path / "p")], env={**env, "GGZY_OCDS_PREFIX": "ocds-ggzy"}
        )
        assert bad.exit_code != 0 and not (tmp_path / "p").exists()  # a prefix of the wrong shape is refused
    finally:
        dbserver.drop(url)
