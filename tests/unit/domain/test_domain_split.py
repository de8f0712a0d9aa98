"""Splitting an amount over payers or months never loses or creates a cent."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sollhaben.domain.money import Currency, Money, split_by_weights, split_evenly

amounts = st.builds(Money, st.integers(-10**11, 10**11), st.sampled_from(list(Currency)))
int_weights = st.lists(st.integers(0, 1000), min_size=1, max_size=12).filter(any)
big_weights = st.lists(st.integers(0, 10**40), min_size=1, max_size=8).filter(any)
decimal_weights = st.lists(
    st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False, allow_infinity=False),
    min_size=1, max_size=10,
).filter(lambda ws: any(w > 0 for w in ws))
weights_strategy = st.one_of(int_weights, big_weights, decimal_weights)


def _exact_shares(amount: Money, weights) -> list[Fraction]:
    fw = [Fraction(w) for w in weights]
    s = sum(fw)
    return [Fraction(amount.minor) * w / s for w in fw]


@given(amounts, weights_strategy)
def test_parts_sum_to_the_whole(amount, weights):
    parts = split_by_weights(amount, weights)
    assert len(parts) == len(weights)
    assert sum(p.minor for p in parts) == amount.minor
    assert all(p.currency is amount.currency for p in parts)


@given(amounts, weights_strategy)
def test_each_part_within_one_cent_of_exact_share(amount, weights):
    parts = split_by_weights(amount, weights)
    for part, share in zip(parts, _exact_shares(amount, weights)):
        assert abs(part.minor - share) < 1


@given(amounts, weights_strategy)
def test_deterministic(amount, weights):
    assert split_by_weights(amount, weights) == split_by_weights(amount, list(weights))


@given(amounts, weights_strategy)
def test_sign_symmetric(amount, weights):
    assert split_by_weights(-amount, weights) == [-p for p in split_by_weights(amount, weights)]


@given(amounts, weights_strategy)
def test_zero_weights_get_zero(amount, weights):
    for weight, part in zip(weights, split_by_weights(amount, weights)):
        if weight == 0:
            assert part.minor == 0


@given(amounts, weights_strategy)
def test_equal_weights_get_parts_differing_by_at_most_one_cent(amount, weights):
    parts = split_by_weights(amount, weights)
    by_weight: dict = {}
    for weight, part in zip(weights, parts):
        by_weight.setdefault(Fraction(weight), []).append(part.minor)
    for minors in by_weight.values():
        assert max(minors) - min(minors) <= 1


@given(amounts, st.integers(1, 50))
def test_split_evenly(amount, n):
    parts = split_evenly(amount, n)
    assert len(parts) == n
    assert sum(p.minor for p in parts) == amount.minor
    minors = [p.minor for p in parts]
    assert max(minors) - min(minors) <= 1
    # the leftover cents go to the earlier parts
    magnitudes = [abs(m) for m in minors]
    assert magnitudes == sorted(magnitudes, reverse=True)


def test_examples():
    assert split_evenly(Money(100), 3) == [Money(34), Money(33), Money(33)]
    assert split_evenly(Money(-100), 3) == [Money(-34), Money(-33), Money(-33)]
    assert split_evenly(Money(2), 3) == [Money(1), Money(1), Money(0)]
    assert split_by_weights(Money(1000), [1, 0, 1]) == [Money(500), Money(0), Money(500)]
    assert split_by_weights(Money(1000), [2, 1]) == [Money(667), Money(333)]
    assert split_by_weights(Money(101), [Decimal("0.5"), Decimal("0.5")]) == [Money(51), Money(50)]
    # largest remainder wins, not position: 30 over 31/30 days … 0.98 vs 0.02
    assert split_by_weights(Money(1), [2, 98]) == [Money(0), Money(1)]
    assert split_by_weights(Money(0), [1, 2]) == [Money(0), Money(0)]
    assert split_by_weights(Money(7, "CHF"), [5]) == [Money(7, "CHF")]


def test_split_refuses_bad_weights():
    with pytest.raises(ValueError):
        split_by_weights(Money(100), [])
    with pytest.raises(ValueError):
        split_by_weights(Money(100), [0, 0])
    with pytest.raises(ValueError):
        split_by_weights(Money(100), [1, -1, 3])
    with pytest.raises(TypeError):
        split_by_weights(Money(100), [0.5, 0.5])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        split_evenly(Money(100), 0)
    with pytest.raises(ValueError):
        split_evenly(Money(100), -2)
