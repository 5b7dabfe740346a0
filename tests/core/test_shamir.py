"""Threshold sharing of a bid's content key (B3): t shares rebuild it, t−1 say nothing."""

from __future__ import annotations

import itertools
import secrets
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ggzy.sealing import shamir
from ggzy.sealing.sensitive import Sensitive


def _key() -> Sensitive:
    return Sensitive(secrets.token_bytes(32))


@settings(max_examples=15)
@given(st.integers(1, 5).flatmap(lambda t: st.tuples(st.just(t), st.integers(t, 6))))
def test_every_t_subset_combines_to_the_same_key(tn: tuple[int, int]) -> None:
    t, n = tn
    key = _key()
    shares = dict(enumerate(shamir.split(key, threshold=t, count=n), start=1))
    for xs in itertools.combinations(shares, t):
        with shamir.combine({x: shares[x] for x in xs}, t) as rebuilt:
            assert rebuilt == key
    for xs in itertools.combinations(shares, t - 1):
        with pytest.raises(ValueError, match="not enough"):
            shamir.combine({x: shares[x] for x in xs}, t)


def test_shares_are_66_byte_field_elements_and_an_extreme_key_survives() -> None:
    for raw in (b"\x00" * 32, b"\xff" * 32):
        key = Sensitive(raw)
        shares = shamir.split(key, threshold=2, count=3)
        assert all(len(s) == shamir.Y_LEN and s.to_int() < shamir.PRIME for s in shares)
        assert shamir.combine({2: shares[1], 3: shares[2]}, 2) == key


def test_t_minus_1_shares_carry_no_information_exhaustively_over_gf11() -> None:
    """For t = 3 over GF(11): for every secret, the pairs (f(1), f(2)) over all polynomials are each seen once."""
    p = 11
    for secret in range(p):
        seen: Counter[tuple[int, int]] = Counter()
        for a1, a2 in itertools.product(range(p), repeat=2):
            coefficients = iter([a1, a2])
            y = shamir.split_int(secret, 3, 3, p, lambda _bound, c=coefficients: next(c))
            seen[(y[0], y[1])] += 1
        assert len(seen) == p * p and set(seen.values()) == {1}  # uniform, whatever the secret


def test_interpolation_recovers_the_secret_over_gf11_from_any_three() -> None:
    for secret in range(11):
        values = shamir.split_int(secret, 3, 5, 11, lambda _b: 7)
        for xs in itertools.combinations(range(1, 6), 3):
            assert shamir.interpolate_at_zero([(x, values[x - 1]) for x in xs], 11) == secret


def test_a_changed_share_rebuilds_another_key_never_the_right_one() -> None:
    key = _key()
    a, b, _ = shamir.split(key, threshold=2, count=3)
    changed = bytearray(b.buffer)
    changed[-1] ^= 1
    try:
        rebuilt = shamir.combine({1: a, 2: bytes(changed)}, 2)
    except ValueError:
        return  # out of the 32-byte range: refused
    assert rebuilt != key  # this is why the envelope carries commitments and a check value


def test_split_and_combine_refuse_silly_input() -> None:
    for t, n in [(0, 3), (4, 3), (2, 256)]:
        with pytest.raises(ValueError, match="threshold"):
            shamir.split(_key(), threshold=t, count=n)
    with pytest.raises(ValueError, match="32 bytes"):
        shamir.split(Sensitive(b"x" * 31), threshold=2, count=3)
    for bad in (
        {1: b"\x00" * 65, 2: b"\x00" * 66},
        {1: b"\xff" * 66, 2: b"\x00" * 66},
        {0: b"\x00" * 66, 1: b"1" * 66},
    ):
        with pytest.raises(ValueError, match="malformed"):
            shamir.combine(bad, 2)


def test_shares_never_show_their_value() -> None:
    s = shamir.split(_key(), threshold=2, count=3)[0]
    y_hex = bytes(s.buffer).hex()
    assert y_hex not in repr(s) and y_hex not in str([s])
