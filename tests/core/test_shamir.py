"""Threshold sharing of the opening key (B3): t shares open, t−1 say nothing, bad shares are named."""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ggzy.sealing import p256, shamir
from ggzy.sealing.shamir import (
    BadShares,
    DuplicateShares,
    KeyMismatch,
    MalformedShare,
    MixedShares,
    NotEnoughShares,
    Share,
)

KEY = p256.generate()
SECTION = "XX-2026-0042-01"


def _split(t: int = 3, n: int = 5, key: p256.KeyPair = KEY) -> list[Share]:
    return shamir.split(key.private, public=key.public, threshold=t, count=n)


@settings(max_examples=15)
@given(st.integers(2, 5).flatmap(lambda t: st.tuples(st.just(t), st.integers(t, 6))))
def test_every_t_subset_combines_to_the_same_key(tn: tuple[int, int]) -> None:
    t, n = tn
    shares = _split(t, n)
    for subset in itertools.combinations(shares, t):
        with shamir.combine(list(subset), public=KEY.public) as private:
            assert private == KEY.private
    for subset in itertools.combinations(shares, t - 1):
        with pytest.raises(NotEnoughShares):
            shamir.combine(list(subset), public=KEY.public)


def test_more_than_t_shares_in_any_order_give_the_same_key() -> None:
    shares = _split(3, 5)
    assert shamir.combine(shares[::-1], public=KEY.public) == KEY.private


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


def test_duplicate_shares_are_refused_not_counted_twice() -> None:
    s = _split(3, 5)
    with pytest.raises(DuplicateShares):
        shamir.combine([s[0], s[1], Share.decode(s[1].buffer)], public=KEY.public)


def test_shares_of_another_key_or_threshold_are_refused() -> None:
    other = p256.generate()
    mine, theirs = _split(3, 5), _split(3, 5, other)
    with pytest.raises(MixedShares):
        shamir.combine([mine[0], mine[1], theirs[2]], public=KEY.public)
    with pytest.raises(MixedShares):
        shamir.combine(theirs[:3], public=KEY.public)
    with pytest.raises(MixedShares):
        shamir.combine([mine[0], mine[1], _split(2, 5)[2]], public=KEY.public)


def test_commitments_follow_the_documented_formula() -> None:
    s = _split(2, 2)[1]
    section = SECTION.encode()
    expected = hashlib.sha256(
        b"ggzy/share-commitment/v1\x00" + bytes(s.buffer) + len(section).to_bytes(2, "big") + section + b"\x02"
    ).digest()
    assert shamir.commitment(s, SECTION) == expected


def test_a_corrupted_share_is_named_by_its_commitment_before_combining() -> None:
    shares = _split(3, 5)
    logged = shamir.commitments(shares, SECTION)
    corrupted = Share(shares[3].buffer)
    corrupted.buffer[-1] ^= 1
    with pytest.raises(BadShares) as err:
        shamir.check_shares([shares[0], corrupted, shares[4]], SECTION, logged)
    assert err.value.indices == [4] and "4" in err.value.message
    with pytest.raises(KeyMismatch):  # without the commitment check, the public-key check still catches it
        shamir.combine([shares[0], corrupted, shares[4]], public=KEY.public)


def test_a_share_reused_from_another_section_or_forged_is_named() -> None:
    shares = _split(3, 5)
    logged = shamir.commitments(shares, SECTION)
    other_section = _split(3, 5)  # same key, split again for another section: same index, other value
    with pytest.raises(BadShares) as err:
        shamir.check_shares([shares[0], other_section[1], shares[2]], SECTION, logged)
    assert err.value.indices == [2]
    with pytest.raises(BadShares):
        shamir.check_shares(shares[:3], "XX-2026-0042-02", logged)  # the log of this section, shares of another
    forged = shamir._encode(6, 3, KEY.key_id, 12345)
    with pytest.raises(BadShares) as err:
        shamir.check_shares([forged], SECTION, logged)
    assert err.value.indices == [6]


def test_split_refuses_a_key_that_does_not_match_and_silly_thresholds() -> None:
    with pytest.raises(KeyMismatch):
        shamir.split(KEY.private, public=p256.generate().public, threshold=2, count=3)
    for t, n in [(1, 3), (4, 3), (2, 256), (0, 0)]:
        with pytest.raises(ValueError, match="threshold"):
            shamir.split(KEY.private, public=KEY.public, threshold=t, count=n)


def test_share_encoding_is_strict() -> None:
    good = bytes(_split(2, 3)[0].buffer)
    assert len(good) == shamir.SHARE_LEN == 108
    assert Share.decode(good).index == 1
    for bad in (
        good[:-1],
        good + b"\x00",
        b"X" + good[1:],
        good[:7] + b"\x02" + good[8:],
        good[:8] + b"\x00" + good[9:],  # index 0 is the secret itself
        good[:9] + b"\x01" + good[10:],  # threshold 1
        good[:-66] + b"\x01" + b"\xff" * 65,  # y >= p
    ):
        with pytest.raises(MalformedShare):
            Share.decode(bad)


def test_shares_never_show_their_value() -> None:
    s = _split(2, 3)[0]
    y_hex = bytes(s.buffer[-66:]).hex()
    assert y_hex not in repr(s) and y_hex not in str([s]) and "index=1" in repr(s)
    s.wipe()
    assert repr(s) == "Share(<wiped>)"
