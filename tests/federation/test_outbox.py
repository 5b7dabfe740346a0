"""The pushing side (ggzy/federation/outbox.py): our published steps go out in log order, signed so that the
receiving side's check passes; the cursor moves only on a 200, so a failed push is sent again with the same releases."""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.entities.service import Identity
from ggzy.federation import outbox, signing, validate
from ggzy.federation.models import Outbox
from tests.trade import a_published_section, a_world


def test_steps_are_pushed_signed_and_retried_until_accepted(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    tmp_path: Path,
) -> None:
    world = a_world(session, clock, ident, opening_env, bidders=0)
    a_published_section(session, clock, world, files, opening_env)
    key = Ed25519PrivateKey.generate()
    key_file = tmp_path / "k"
    key_file.write_text(key.private_bytes_raw().hex())
    sent: list[tuple[str, bytes, dict[str, str]]] = []
    answers = [(503, "维护中"), (200, "{}")]

    def send(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        sent.append((url, body, headers))
        return answers.pop(0)

    p = outbox.Pusher(upstream="http://up.example/", code="xx0001", token="gfp_t", key_file=key_file,
                      prefix="ocds-xx0001", send=send)  # fmt: skip
    assert p.due(session, clock.now()) == ["http://up.example/api/v1/federation/push"]
    assert p.apply(session, p.url, clock.now())
    box = session.get(Outbox, p.url)
    assert box is not None and box.cursor == "" and box.last_error.startswith("503")
    assert p.apply(session, p.url, clock.now())  # the same releases again
    assert sent[0][1] == sent[1][1]
    url, body, h = sent[1]
    assert url == p.url
    assert signing.verify(signing.public_hex(key), "xx0001", h["x-timestamp"], body, h["x-signature"])
    rels, errors = validate.package(json.loads(body), max_releases=500)
    assert errors == [] and rels and all(r["ocid"].startswith("ocds-xx0001-") for r in rels)
    assert box.cursor and box.pushed == len(rels) and box.last_error == ""
    assert p.due(session, clock.now()) == []  # nothing new
