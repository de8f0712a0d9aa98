"""Every named rounding rule at its half-way points, positive and negative, and against an exact
reference computed with fractions."""
from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sollhaben.domain.money import (
    ROUNDING_RULES,
    round_cents,
    round_down_to_franc,
    round_to_005,
    round_to_5_francs,
    round_to_10_francs,
    round_to_franc,
    round_up_to_franc,
    truncate_cents,
)

D = Decimal


def _cases(rule, pairs):
    """Expand (input, expected) to include the mirrored negative case."""
    out = []
    for value, expected in pairs:
        out.append((rule, D(value), expected))
        if D(value) != 0:
            out.append((rule, -D(value), -expected))
    return out


CASES = (
    _cases(round_cents, [
        ("0", 0), ("0.4", 0), ("0.49999", 0), ("0.5", 1), ("0.50001", 1), ("1.5", 2), ("2.5", 3),
        ("2.4999999", 2), ("1234.5", 1235), ("7", 7),
    ])
    + _cases(round_to_005, [
        ("0", 0), ("2.4", 0), ("2.49", 0), ("2.5", 5), ("2.51", 5), ("5", 5), ("7.4", 5),
        ("7.5", 10), ("102.5", 105), ("107.49", 105), ("107.5", 110), ("12.5", 15),
    ])
    + _cases(round_to_franc, [
        ("0", 0), ("49", 0), ("49.99", 0), ("50", 100), ("50.01", 100), ("149.99", 100),
        ("150", 200), ("250", 300), ("82443.35", 82400), ("100", 100),
    ])
    + _cases(round_down_to_franc, [
        ("0", 0), ("0.01", 0), ("99.99", 0), ("100", 100), ("150", 100), ("199.99", 100),
        ("200", 200),
    ])
    + _cases(round_up_to_franc, [
        ("0", 0), ("0.01", 100), ("1", 100), ("50", 100), ("100", 100), ("100.01", 200),
        ("199.99", 200),
    ])
    + _cases(round_to_5_francs, [
        ("0", 0), ("249", 0), ("249.99", 0), ("250", 500), ("250.01", 500), ("749.99", 500),
        ("750", 1000), ("1250", 1500), ("500", 500),
    ])
    + _cases(round_to_10_francs, [
        ("0", 0), ("499", 0), ("499.99", 0), ("500", 1000), ("500.01", 1000), ("1499.99", 1000),
        ("1500", 2000), ("2500", 3000), ("1000", 1000),
    ])
    + _cases(truncate_cents, [
        ("0", 0), ("0.5", 0), ("0.99999", 0), ("1", 1), ("1.5", 1), ("1.99", 1), ("2.5", 2),
    ])
)


@pytest.mark.parametrize(("rule", "value", "expected"), CASES,
                         ids=[f"{r.__name__}({v})" for r, v, _ in CASES])
def test_rule_at_half_way_points(rule, value, expected):
    result = rule(value)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize("rule", list(ROUNDING_RULES.values()) + [truncate_cents])
def test_rules_accept_int_and_decimal_minor_units(rule):
    assert rule(0) == 0
    assert rule(D(0)) == 0


def test_spec_example_800_times_index_ratio():
    exact = D(80000) * D("104.6") / D("101.5")  # minor units
    assert D("82443") < exact < D("82444")
    assert round_to_franc(exact) == 82400
    assert round_cents(exact) == 82443
    assert round_to_005(exact) == 82445
    assert round_down_to_franc(exact) == 82400
    assert round_up_to_franc(exact) == 82500
    assert round_to_5_francs(exact) == 82500
    assert round_to_10_francs(exact) == 82000


# --- exact reference ---------------------------------------------------------------------------

def _half_up(x: Fraction) -> int:
    """Round half away from zero."""
    n = math.floor(abs(x) + Fraction(1, 2))
    return n if x >= 0 else -n


def _toward_zero(x: Fraction) -> int:
    return math.trunc(x)


def _away_from_zero(x: Fraction) -> int:
    n = math.ceil(abs(x))
    return n if x >= 0 else -n


REFERENCE = {
    round_cents: lambda x: _half_up(x),
    truncate_cents: lambda x: _toward_zero(x),
    round_to_005: lambda x: _half_up(x / 5) * 5,
    round_to_franc: lambda x: _half_up(x / 100) * 100,
    round_down_to_franc: lambda x: _toward_zero(x / 100) * 100,
    round_up_to_franc: lambda x: _away_from_zero(x / 100) * 100,
    round_to_5_francs: lambda x: _half_up(x / 500) * 500,
    round_to_10_francs: lambda x: _half_up(x / 1000) * 1000,
}

decimals = st.decimals(min_value=-10**9, max_value=10**9, allow_nan=False, allow_infinity=False,
                       places=6)
long_decimals = st.builds(
    lambda whole, frac, neg: D(("-" if neg else "") + f"{whole}.{frac}"),
    st.integers(0, 10**6), st.from_regex(r"\A[0-9]{20,30}\Z"), st.booleans(),
)


@pytest.mark.parametrize("rule", list(REFERENCE), ids=lambda r: r.__name__)
@given(value=st.one_of(decimals, long_decimals, st.integers(-10**12, 10**12).map(D)))
def test_rules_agree_with_exact_reference(rule, value):
    assert rule(value) == REFERENCE[rule](Fraction(value))


@pytest.mark.parametrize("rule", list(REFERENCE), ids=lambda r: r.__name__)
@given(value=st.one_of(decimals, long_decimals))
def test_rules_are_sign_symmetric(rule, value):
    assert rule(-value) == -rule(value)


def test_rules_exact_just_below_half_with_many_digits():
    # 28 significant digits just below 747.5 Rappen: 745, not 750
    assert round_to_005(D("747.4999999999999999999999999")) == 745
    assert round_to_5_francs(D("74749.99999999999999999999999")) == 74500
    assert round_to_franc(D("149.9999999999999999999999999999")) == 100
    assert round_cents(D("0.49999999999999999999999999999999")) == 0


@pytest.mark.parametrize("rule", list(REFERENCE), ids=lambda r: r.__name__)
@given(minor=st.integers(-10**12, 10**12),
       factor=st.one_of(
           st.decimals(min_value=-10, max_value=10, places=8, allow_nan=False, allow_infinity=False),
           long_decimals))
def test_money_scale_rounds_the_exact_product_once(rule, minor, factor):
    from sollhaben.domain.money import Money

    assert Money(minor).scale(factor, rule).minor == REFERENCE[rule](Fraction(minor) * Fraction(factor))
