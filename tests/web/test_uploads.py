"""Uploads (issue 8, finding 8): who may upload is decided before the body is read; limits by purpose; no leftovers."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.formparsers import MultiPartParser

from ggzy.bidding.keys import KeyEnv
from ggzy.core.clock import SHANGHAI, FixedClock
from ggzy.core.events import Event
from ggzy.core.files import FileStore
from ggzy.entities.service import Identity
from ggzy.notices.models import Notice
from ggzy.projects import queries
from ggzy.web.app import body_limits, create_app
from ggzy.web.context import AppContext
from tests.builders import Person, csrf_from, signed_in
from tests.trade import World, a_project, a_world

MB = 1_048_576


class BodyMeter:
    """Counts what reached the multipart parser and the file store (the test client hands the body over whole)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.parsed = 0
        self.saved = 0
        parse, save = MultiPartParser.parse, FileStore.save_async

        async def counted_parse(parser: MultiPartParser) -> Any:
            self.parsed += 1
            return await parse(parser)

        async def counted_save(store: FileStore, *args: Any, **kwargs: Any) -> Any:
            self.saved += 1
            return await save(store, *args, **kwargs)

        monkeypatch.setattr(MultiPartParser, "parse", counted_parse)
        monkeypatch.setattr(FileStore, "save_async", counted_save)

    @property
    def read(self) -> int:
        return self.parsed + self.saved


@pytest.fixture
def world(session: Session, clock: FixedClock, ident: Identity, opening_env: KeyEnv) -> World:
    return a_world(session, clock, ident, opening_env)


@pytest.fixture
def metered(app_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, BodyMeter]]:
    meter = BodyMeter(monkeypatch)
    with TestClient(create_app(app_ctx), base_url="https://testserver", follow_redirects=False) as c:
        yield c, meter


def _chunked(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]], boundary: str) -> Iterator[bytes]:
    """A multipart body sent in 64 KiB pieces, as a browser streams an upload."""
    for name, value in fields:
        yield f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    for name, filename, content in files:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        for i in range(0, len(content), 65536):
            yield content[i : i + 65536]
        yield b"\r\n"
    yield f"--{boundary}--\r\n".encode()


def _post_upload(
    client: TestClient, url: str, fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]]
) -> Any:
    boundary = "ggzyTestBoundary7MA4YWxkTrZu0gW"
    return client.post(
        url,
        content=_chunked(fields, files, boundary),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )


def _publish_fields(client: TestClient, section_id: str, clock: FixedClock, csrf: str | None = None) -> list[Any]:
    deadline = (clock.now().astimezone(SHANGHAI).replace(hour=9, minute=30) + _days(25)).strftime("%Y-%m-%dT%H:%M")
    until = (clock.now().astimezone(SHANGHAI) + _days(10)).strftime("%Y-%m-%dT%H:%M")
    return [
        ("csrf_token", csrf or ""),
        ("title", "测试工程招标公告"),
        ("body", "欢迎投标。"),
        ("deadline", deadline),
        ("documents_until", until),
    ]


def _days(n: int) -> Any:
    from datetime import timedelta

    return timedelta(days=n)


def _files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _csrf(client: TestClient, person: Person, clock: FixedClock) -> str:
    signed_in(client, person, clock)
    return csrf_from(client.get("/account").text)


def test_a_bidders_upload_to_publish_is_refused_before_its_body_is_read(
    metered: tuple[TestClient, BodyMeter],
    session: Session,
    clock: FixedClock,
    world: World,
    files: FileStore,
) -> None:
    client, meter = metered
    section = queries.sections_of(session, a_project(session, clock, world).id)[0]
    session.commit()
    csrf = _csrf(client, world.bidders[0], clock)
    big = os.urandom(3 * MB)
    r = _post_upload(
        client,
        f"/sections/{section.id}/publish",
        _publish_fields(client, section.id, clock, csrf),
        [("documents", "招标文件.pdf", big)],
    )
    assert r.status_code == 403, r.text
    assert "无权" in r.text or "不能" in r.text
    assert (meter.parsed, meter.saved) == (0, 0), "the refused upload was parsed or stored"
    assert _files_under(files.root) == []


def test_the_manager_publishes_through_the_upload_form(
    client: TestClient, session: Session, clock: FixedClock, world: World, files: FileStore
) -> None:
    section = queries.sections_of(session, a_project(session, clock, world).id)[0]
    session.commit()
    csrf = _csrf(client, world.tenderer, clock)
    r = _post_upload(
        client,
        f"/sections/{section.id}/publish",
        _publish_fields(client, section.id, clock, csrf),
        [("documents", "招标文件.pdf", b"%PDF-1.4 " + os.urandom(200_000))],
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith("/notices/")
    stored = _files_under(files.root)
    assert len(stored) == 1 and stored[0].stat().st_size == 200_009
    assert not any(p.suffix == ".part" for p in stored)


def test_an_upload_whose_first_field_is_not_the_csrf_token_is_refused_unread(
    metered: tuple[TestClient, BodyMeter], session: Session, clock: FixedClock, world: World, files: FileStore
) -> None:
    client, meter = metered
    section = queries.sections_of(session, a_project(session, clock, world).id)[0]
    session.commit()
    csrf = _csrf(client, world.tenderer, clock)
    fields = _publish_fields(client, section.id, clock, csrf)
    r = _post_upload(
        client, f"/sections/{section.id}/publish", fields[1:] + fields[:1], [("documents", "a.pdf", os.urandom(MB))]
    )
    assert r.status_code == 403 and "csrf_token" in r.text
    assert meter.read == 0
    assert _files_under(files.root) == []


def test_a_nul_byte_in_an_upload_forms_text_is_refused_and_nothing_is_stored(
    client: TestClient, session: Session, clock: FixedClock, world: World, files: FileStore
) -> None:
    section = queries.sections_of(session, a_project(session, clock, world).id)[0]
    session.commit()
    csrf = _csrf(client, world.tenderer, clock)
    before = session.execute(select(func.count()).select_from(Event)).scalar_one()
    fields = [(k, v + "\x00" if k == "title" else v) for k, v in _publish_fields(client, section.id, clock, csrf)]
    r = _post_upload(client, f"/sections/{section.id}/publish", fields, [("documents", "a.pdf", b"\x00binary\x00")])
    assert r.status_code == 422 and "空字符" in r.text
    assert session.execute(select(func.count()).select_from(Notice)).scalar_one() == 0
    assert session.execute(select(func.count()).select_from(Event)).scalar_one() == before
    assert [p for p in _files_under(files.root) if p.suffix != ".part"] == []


def test_each_route_has_a_limit_sized_by_its_purpose(app_ctx: AppContext, client: TestClient) -> None:
    s = app_ctx.settings
    limits = body_limits(s)
    assert limits[r"/sections/[^/]+/publish"] < 2 * s.max_document_bytes  # was 4 x 200 MB
    assert limits[r"/api/v1/sections/[^/]+/bid"] < s.max_bid_bytes + MB
    too_big = "x" * (s.max_sign_in_bytes + 1)
    for path in ("/login", "/login/otp"):
        r = client.post(path, data={"username": too_big, "password": "p"})
        assert r.status_code == 413, (path, r.status_code)
    r = client.post("/api/v1/auth/tokens", json={"username": too_big, "password": "p", "name": "x"})
    assert r.status_code == 413 and r.json()["code"] == "too-large"
    # an ordinary form keeps the general limit
    r = client.post("/logout", data={"csrf_token": "x", "pad": "y" * (s.max_sign_in_bytes + 1)})
    assert r.status_code != 413


def test_unfinished_uploads_left_by_a_killed_server_are_removed_when_it_starts(
    app_ctx: AppContext, files: FileStore
) -> None:
    stale = files.root / "bids" / "S1" / "01JABCDEF.part"
    live = files.root / "documents" / "S2" / "01JLIVE.part"
    kept = files.root / "documents" / "S2" / "01JDONE"
    for p in (stale, live, kept):
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"half a bid")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    with TestClient(create_app(app_ctx), base_url="https://testserver"):
        pass
    assert not stale.exists()
    assert live.exists(), "an upload still being written (another node) is left alone"
    assert kept.exists()
    assert files.sweep_partials(older_than=0, now=time.time() + 1) == 1
    assert not live.exists()
