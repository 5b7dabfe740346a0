"""Wipeable secrets: zeroed after use, never shown, never pickled, compared in constant time."""

from __future__ import annotations

import copy
import pickle

import pytest

from ggzy.sealing.sensitive import Sensitive


def test_leaving_a_with_block_wipes_the_buffer() -> None:
    with Sensitive(b"top secret") as s:
        live = s.buffer
        assert live == bytearray(b"top secret")
    assert s.wiped and live == bytearray()
    with pytest.raises(ValueError, match="wiped"):
        _ = s.buffer


def test_a_buffer_with_a_live_view_is_still_zeroed() -> None:
    s = Sensitive(b"abc")
    view = memoryview(s.buffer)
    s.wipe()
    assert bytes(view) == b"\x00\x00\x00" and s.wiped
    view.release()


def test_an_empty_secret_is_not_a_wiped_one() -> None:
    assert not Sensitive(b"").wiped


def test_the_bytes_never_show_and_never_travel() -> None:
    s = Sensitive(b"\x13\x37" * 16)
    assert "1337" not in repr(s) and "1337" not in str(s) and "32 bytes" in repr(s)
    with pytest.raises(TypeError):
        pickle.dumps(s)
    with pytest.raises(TypeError):
        copy.deepcopy(s)
    with pytest.raises(TypeError):
        hash(s)


def test_equality_is_by_value() -> None:
    assert Sensitive(b"a") == Sensitive(b"a") and Sensitive(b"a") != Sensitive(b"b")
    assert Sensitive(b"a") != b"a"  # never equal to bare bytes: no accidental comparison with plaintext
