"""推送端 — when this platform is accredited by another (GGZY_FEDERATION_UPSTREAM_URL …), its tick pushes every
published step of its own trades there, in log order, as signed OCDS release packages (docs/federation.md).

The cursor moves only when the other side has answered 200: a push that fails is retried at the next tick with the
same releases, which the other side takes as already there if they arrived (idempotent by release id).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2 as httpx
from sqlalchemy.orm import Session

from ggzy.core.clock import SHANGHAI
from ggzy.exchange import ocds, queries
from ggzy.federation import signing
from ggzy.federation.models import Outbox

BATCH = 200
PUSH_PATH = "/api/v1/federation/push"

Sender = Callable[[str, bytes, dict[str, str]], tuple[int, str]]


def http_sender(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    r = httpx.post(url, content=body, headers=headers, timeout=30)
    return r.status_code, r.text[:300]


class Pusher:
    def __init__(self, *, upstream: str, code: str, token: str, key_file: Path, prefix: str, send: Sender) -> None:
        self.url = upstream.rstrip("/") + PUSH_PATH
        self.code, self.token, self.prefix, self.send = code, token, prefix, send
        self.key = signing.load_private(key_file.read_text())

    @classmethod
    def from_settings(cls, settings: Any, send: Sender = http_sender) -> Pusher | None:
        if not (settings.federation_upstream_url and settings.federation_key_file):
            return None
        return cls(
            upstream=settings.federation_upstream_url,
            code=settings.federation_platform_code,
            token=settings.federation_token.get_secret_value(),
            key_file=Path(settings.federation_key_file),
            prefix=settings.ocds_prefix,
            send=send,
        )

    def headers(self, body: bytes, now: datetime) -> dict[str, str]:
        stamp = now.astimezone(UTC).isoformat(timespec="seconds")
        return {
            "content-type": "application/json",
            "x-platform": self.code,
            "x-platform-token": self.token,
            "x-timestamp": stamp,
            "x-signature": signing.sign(self.key, self.code, stamp, body),
        }

    def _outbox(self, session: Session) -> Outbox:
        box = session.get(Outbox, self.url, with_for_update=True)
        if box is None:
            box = Outbox(target=self.url, cursor="", pushed=0, last_error="")
            session.add(box)
            session.flush()
        return box

    def due(self, session: Session, now: datetime) -> list[str]:
        box = session.get(Outbox, self.url)
        after = queries.Cursor.decode(box.cursor if box else "")
        return [self.url] if next(iter(queries.steps(session, after, limit=1)), None) is not None else []

    def apply(self, session: Session, _key: str, now: datetime) -> bool:
        box = self._outbox(session)
        after = queries.Cursor.decode(box.cursor)
        found = list(queries.steps(session, after, limit=BATCH))
        if not found:
            return False
        rels = queries.releases(session, found, prefix=self.prefix)
        body = ocds.dumps(
            {
                "uri": self.url,
                "version": "1.1",
                "publishedDate": now.astimezone(SHANGHAI).isoformat(),
                "publisher": {"name": self.code},
                "extensions": list(ocds.EXTENSIONS),
                "releases": rels,
            }
        )
        status, text = self.send(self.url, body, self.headers(body, now))
        if status != 200:
            box.last_error = f"{status} {text}"[:300]
            return True
        box.cursor = queries.next_cursor(found, after).encode()
        box.pushed += len(rels)
        box.last_at, box.last_error = now, ""
        return True
