"""Money: construction, arithmetic within one currency, ordering, scale, str/repr, parse_amount."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.money import (
    ROUNDING_LABELS,
    ROUNDING_RULES,
    Currency,
    CurrencyMismatch,
    Money,
    parse_amount,
    round_cents,
    round_down_to_franc,
    round_to_franc,
    rounding_rule,
    total,
    truncate_cents,
)

EUR = Currency.EUR
CHF = Currency.CHF
minor_units = st.integers(min_value=-10**13, max_value=10**13)
currencies = st.sampled_from(list(Currency))


# --- construction -----------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [1.5, 0.0, float("nan"), True, False])
def test_money_refuses_float_and_bool_minor(bad):
    with pytest.raises(TypeError):
        Money(bad)


@pytest.mark.parametrize("bad", [1.5, 0.1, True, False, 12])
def test_money_of_refuses_float_bool_and_int(bad):
    with pytest.raises(TypeError):
        Money.of(bad)


@pytest.mark.parametrize("bad", ["12", Decimal("12"), None, [1]])
def test_money_minor_must_be_int(bad):
    with pytest.raises(TypeError):
        Money(bad)


@pytest.mark.parametrize(
    ("value", "minor"),
    [
        ("12.50", 1250),
        ("12.5", 1250),
        ("12", 1200),
        ("0.01", 1),
        ("-0.05", -5),
        (" 7.00 ", 700),
        ("1'234.50", 123450),
        ("0", 0),
        (Decimal("12.34"), 1234),
        (Decimal("-3.1"), -310),
        (Decimal("1.2300"), 123),  # trailing zeros are not decimals that count
        (Decimal("1E+2"), 10000),
    ],
)
def test_money_of_from_str_and_decimal(value, minor):
    assert Money.of(value) == Money(minor, EUR)


def test_money_of_currency_as_str_or_enum():
    assert Money.of("1.00", "CHF") == Money(100, CHF)
    assert Money.of("1.00", CHF).currency is CHF
    assert Money(5, "CHF").currency is CHF
    assert Money(5).currency is EUR


def test_money_unknown_currency_refused():
    with pytest.raises(ValueError):
        Money(5, "USD")
    with pytest.raises(ValueError):
        Money.of("5", "XYZ")


@pytest.mark.parametrize("value", ["12.345", "0.001", Decimal("1.005"), Decimal("-0.125")])
def test_money_of_refuses_more_than_two_decimals_in_german(value):
    with pytest.raises(ValidationError) as info:
        Money.of(value)
    assert "höchstens zwei Nachkommastellen" in str(info.value)
    assert info.value.errors[0].field == "Betrag"


@pytest.mark.parametrize("value", ["abc", "", "1,5", Decimal("NaN"), Decimal("Infinity"), "inf"])
def test_money_of_refuses_non_amounts_in_german(value):
    with pytest.raises(ValidationError) as info:
        Money.of(value)
    assert "Betrag" in str(info.value)


def test_zero_and_predicates():
    zero = Money.zero("CHF")
    assert zero == Money(0, CHF)
    assert zero.is_zero() and not zero.is_negative() and not zero.is_positive()
    assert not zero
    assert Money(1).is_positive() and Money(1)
    assert Money(-1).is_negative() and Money(-1)


def test_amount_is_exact_decimal():
    assert Money(123456).amount == Decimal("1234.56")
    assert Money(-5).amount == Decimal("-0.05")
    assert isinstance(Money(1).amount, Decimal)


def test_money_is_immutable_and_hashable():
    m = Money(100)
    with pytest.raises(AttributeError):
        m.minor = 5  # type: ignore[misc]
    assert {Money(100), Money(100), Money(100, CHF)} == {Money(100), Money(100, CHF)}


# --- arithmetic ---------------------------------------------------------------------------------

def test_arithmetic_in_one_currency():
    a, b = Money.of("10.50"), Money.of("0.75")
    assert a + b == Money(1125)
    assert a - b == Money(975)
    assert b - a == Money(-975)
    assert -a == Money(-1050)
    assert abs(Money(-3)) == Money(3)
    assert a * 3 == Money(3150)
    assert 3 * a == Money(3150)
    assert a * 0 == Money(0)
    assert a * -2 == Money(-2100)


def test_multiplying_by_non_int_is_refused():
    for factor in (1.5, Decimal("1.5"), True, "2"):
        with pytest.raises(TypeError):
            Money(100) * factor


@pytest.mark.parametrize("op", ["add", "sub", "lt", "le", "gt", "ge"])
def test_mixing_currencies_raises_currency_mismatch(op):
    eur, chf = Money(100, EUR), Money(100, CHF)
    with pytest.raises(CurrencyMismatch):
        getattr(eur, f"__{op}__")(chf)


def test_combining_with_non_money_is_type_error():
    with pytest.raises(TypeError):
        Money(1) + 1  # type: ignore[operator]
    with pytest.raises(TypeError):
        Money(1) < 5  # type: ignore[operator]


def test_equality_respects_currency_and_type():
    assert Money(100, EUR) != Money(100, CHF)
    assert Money(100) != 100
    assert Money.of("1") == Money(100)


def test_ordering():
    small, big = Money(-500), Money(1200)
    assert small < big and small <= big and big > small and big >= small
    assert Money(5) <= Money(5) and Money(5) >= Money(5)
    assert not Money(5) < Money(5)
    assert sorted([Money(3), Money(-1), Money(2)]) == [Money(-1), Money(2), Money(3)]
    assert max([Money(3, CHF), Money(7, CHF)]) == Money(7, CHF)


def test_total():
    assert total([Money(1), Money(2), Money(-10)]) == Money(-7)
    assert total([], "CHF") == Money(0, CHF)
    assert total([Money(5, CHF)], CHF) == Money(5, CHF)
    with pytest.raises(CurrencyMismatch):
        total([Money(1, EUR), Money(1, CHF)])


@given(minor_units, minor_units, minor_units, currencies)
def test_addition_is_associative_and_commutative(a, b, c, currency):
    x, y, z = Money(a, currency), Money(b, currency), Money(c, currency)
    assert (x + y) + z == x + (y + z)
    assert x + y == y + x
    assert x - y == -(y - x)
    assert x + Money.zero(currency) == x
    assert x + (-x) == Money.zero(currency)


@given(minor_units, minor_units)
def test_ordering_matches_minor_units(a, b):
    assert (Money(a) < Money(b)) == (a < b)
    assert (Money(a) <= Money(b)) == (a <= b)
    assert (Money(a) == Money(b)) == (a == b)


@given(minor_units, currencies)
def test_str_amount_round_trip(minor, currency):
    money = Money(minor, currency)
    text, code = str(money).split(" ")
    assert code == currency.value
    assert Money.of(text, code) == money
    assert Money.of(money.amount, currency) == money


# --- scale ---------------------------------------------------------------------------------------

def test_scale_spec_example_indexation_to_franc():
    rent = Money.of("800", "CHF")
    ratio = Decimal("104.6") / Decimal("101.5")
    exact = rent.amount * Decimal("104.6") / Decimal("101.5")
    assert str(exact).startswith("824.43")
    assert rent.scale(ratio, round_to_franc) == Money(82400, CHF)
    assert rent.scale(ratio, round_cents) == Money(82443, CHF)


def test_scale_percent_and_rules():
    fee = Money.of("10.05")
    assert fee.scale(Decimal("0.5"), round_cents) == Money(503)  # 502.5 -> 503
    assert fee.scale(Decimal("0.5"), truncate_cents) == Money(502)
    assert (-fee).scale(Decimal("0.5"), round_cents) == Money(-503)
    assert fee.scale(Decimal("1"), round_cents) == fee
    assert fee.scale(Decimal("0"), round_cents) == Money(0)
    assert fee.scale(2, round_cents) == Money(2010)
    assert Money(1000, CHF).scale(Decimal("0.35"), round_down_to_franc) == Money(300, CHF)


def test_scale_refuses_float_factor():
    with pytest.raises(TypeError):
        Money(100).scale(0.5, round_cents)  # type: ignore[arg-type]


def test_scale_multiplies_exactly_before_rounding():
    # 300 × 0.333…3 (30 threes) is 99.999…9, just under one franc: rounding down gives 0,
    # a multiplication rounded to 28 digits first would give 100.
    factor = Decimal("0." + "3" * 30)
    assert Money(300).scale(factor, round_down_to_franc) == Money(0)
    assert Money(300).scale(factor, truncate_cents) == Money(99)


# --- str / repr ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("money", "text"),
    [
        (Money(123456), "1234.56 EUR"),
        (Money(5, CHF), "0.05 CHF"),
        (Money(-5, CHF), "-0.05 CHF"),
        (Money(0), "0.00 EUR"),
        (Money(-100000), "-1000.00 EUR"),
    ],
)
def test_str(money, text):
    assert str(money) == text


def test_repr():
    assert repr(Money(1250, CHF)) == "Money(1250, CHF)"
    assert repr(Money(-3)) == "Money(-3, EUR)"


# --- rounding rule registry ---------------------------------------------------------------------

def test_rounding_rule_lookup():
    assert rounding_rule("franc") is round_to_franc
    assert set(ROUNDING_RULES) == set(ROUNDING_LABELS)
    with pytest.raises(ValidationError) as info:
        rounding_rule("banker")
    assert "Rundungsregel" in str(info.value) and "banker" in str(info.value)


# --- parse_amount -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ("1.234,50", 123450),
        ("1.234.567,89", 123456789),
        ("1.234.567", 123456700),
        ("1'234.50", 123450),
        ("1'234'567.89", 123456789),
        ("1’234.50", 123450),
        ("1'234", 123400),
        ("12", 1200),
        ("-3,5", -350),
        ("-3.5", -350),
        ("3,05", 305),
        ("0,05", 5),
        ("  12,00  ", 1200),
        ("12.50", 1250),
        ("1234,5", 123450),
        ("1234.50", 123450),
        ("-1.234,56", -123456),
        ("-1'234.56", -123456),
        ("1 234,50", 123450),
        ("1\u00a0234,50", 123450),
        ("12 EUR", 1200),
        ("12,50 €", 1250),
        ("12.50 CHF", 1250),
        ("12.50 Fr.", 1250),
        ("12.50 SFr.", 1250),
        ("0", 0),
    ],
)
def test_parse_amount_german_and_swiss(text, minor):
    assert parse_amount(text, "EUR") == Money(minor, EUR)


def test_parse_amount_currency():
    assert parse_amount("1'000.00", "CHF") == Money(100000, CHF)
    assert parse_amount("1,00", CHF).currency is CHF


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "1.2.3",  # not a valid grouping
        "1.2,5",
        "12.34.5",
        "1'2'3",
        "1'23.50",
        "12,34,5",
        "1,234.50",  # English notation: refused rather than guessed
        "1.23'4",
        "--5",
        "5-",
        "1e5",
        "NaN",
        "inf",
        ",",
        ".",
        "-",
        "1_000",
    ],
)
def test_parse_amount_refuses_garbage_in_german(text):
    with pytest.raises(ValidationError) as info:
        parse_amount(text, "EUR", field="Miete")
    message = str(info.value)
    assert message.startswith("Miete:")
    assert info.value.errors[0].field == "Miete"


@pytest.mark.parametrize("text", ["1,234", "1.234", "1,230", "12.500", "0,001", "12.345"])
def test_parse_amount_refuses_three_decimals(text):
    # "1,234" is 1 Euro and 0.234 to a German user: too many decimals, not 1234 Euro.
    with pytest.raises(ValidationError) as info:
        parse_amount(text, "EUR")
    assert "höchstens zwei Nachkommastellen" in str(info.value)


@pytest.mark.parametrize("text", ["", "   "])
def test_parse_amount_empty_asks_for_amount(text):
    with pytest.raises(ValidationError) as info:
        parse_amount(text, "EUR")
    assert "Bitte einen Betrag eingeben" in str(info.value)
