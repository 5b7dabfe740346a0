"""The published known-answer envelope (tests/vectors/sealed_envelope_v2.json): reproducible, and it opens."""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import json
from pathlib import Path

from ggzy import sealing
from ggzy.sealing import SealContext
from ggzy.sealing.sensitive import Sensitive
from tests.vectors import make_sealed_envelope_v2 as generator

VECTOR = json.loads(Path(generator.PATH).read_text(encoding="utf-8"))


def test_the_vector_file_is_exactly_what_its_committed_generator_writes() -> None:
    assert generator.build() == VECTOR


def test_any_two_holders_of_the_vector_open_it_to_the_published_plaintext() -> None:
    envelope = base64.b64decode(VECTOR["envelope_b64"])
    assert hashlib.sha256(envelope).hexdigest() == VECTOR["envelope_sha256"]
    ctx = SealContext(**VECTOR["context"])
    header = sealing.read_header(io.BytesIO(envelope))
    assert header.deadline == VECTOR["key_set"]["deadline"] and header.segment_size == VECTOR["segment_size"]
    holders = {h["index"]: Sensitive(bytes.fromhex(h["private_hex"])) for h in VECTOR["holders"]}
    for pair in itertools.combinations(holders, 2):
        shares = dict(sealing.unwrap_share(header, holders[i]) for i in pair)  # cryptography's HPKE opens them
        assert {str(i): bytes(y.buffer).hex() for i, y in shares.items()} == {
            str(i): VECTOR["shares_hex"][str(i)] for i in pair
        }
        with sealing.recover_key(header, shares) as key:
            assert bytes(key.buffer).hex() == VECTOR["content_key_hex"]
            manifest, files = sealing.open_all(key, envelope, ctx)
        assert manifest["form"] == VECTOR["form"] and manifest["supervision"] == VECTOR["supervision"]
        assert files == [(f["name"], base64.b64decode(f["b64"])) for f in VECTOR["files"]]
