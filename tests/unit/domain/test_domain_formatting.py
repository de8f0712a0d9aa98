"""Number and date formats for DE and CH, and the parse/format round trip."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.formatting import (
    Country,
    format_date,
    format_money,
    format_number_minor,
    parse_date,
    parse_optional_date,
)
from sollhaben.domain.money import Currency, Money, parse_amount


@pytest.mark.parametrize(
    ("minor", "de", "ch"),
    [
        (123456789, "1.234.567,89", "1'234'567.89"),
        (-123456789, "-1.234.567,89", "-1'234'567.89"),
        (0, "0,00", "0'00".replace("'", "."),),
        (5, "0,05", "0.05"),
        (-5, "-0,05", "-0.05"),
        (100, "1,00", "1.00"),
        (99999, "999,99", "999.99"),
        (100000, "1.000,00", "1'000.00"),
        (-100000, "-1.000,00", "-1'000.00"),
        (99999999999, "999.999.999,99", "999'999'999.99"),
    ],
)
def test_format_number_minor(minor, de, ch):
    assert format_number_minor(minor, Country.DE) == de
    assert format_number_minor(minor, "DE") == de
    assert format_number_minor(minor, Country.CH) == ch
    assert format_number_minor(minor, "CH") == ch


def test_format_number_unknown_country():
    with pytest.raises(ValueError):
        format_number_minor(1, "FR")


def test_format_money():
    assert format_money(Money(123450, "CHF"), "CH") == "1'234.50"
    assert format_money(Money(123450, "CHF"), "CH", with_currency=True) == "1'234.50 CHF"
    assert format_money(Money(-5), "DE", with_currency=True) == "-0,05 EUR"


@given(st.integers(-10**14, 10**14), st.sampled_from(list(Country)), st.sampled_from(list(Currency)))
def test_format_then_parse_round_trip(minor, country, currency):
    text = format_number_minor(minor, country)
    assert parse_amount(text, currency) == Money(minor, currency)
    assert parse_amount(format_money(Money(minor, currency), country, True), currency).minor == minor


# --- dates ----------------------------------------------------------------------------------

def test_format_date():
    assert format_date(date(2026, 1, 5)) == "05.01.2026"
    assert format_date(None) == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31.12.2026", date(2026, 12, 31)),
        ("1.2.26", date(2026, 2, 1)),
        ("01.02.2026", date(2026, 2, 1)),
        (" 29.02.2024 ", date(2024, 2, 29)),
        ("2026-12-31", date(2026, 12, 31)),
        ("1.1.00", date(2000, 1, 1)),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31.02.2026", "32.01.2026", "29.02.2026", "00.01.2026", "01.13.2026",
                                  "2026-02-30"])
def test_parse_date_refuses_impossible_dates(text):
    with pytest.raises(ValidationError) as info:
        parse_date(text, "Fälligkeit")
    message = str(info.value)
    assert message.startswith("Fälligkeit:")
    assert "gibt es nicht im Kalender" in message
    assert info.value.errors[0].field == "Fälligkeit"


@pytest.mark.parametrize("text", ["abc", "", "31.12", "31.12.026", "31/12/2026", "2026-1-1", "31.12.2026x"])
def test_parse_date_refuses_garbage_with_format_hint(text):
    with pytest.raises(ValidationError) as info:
        parse_date(text)
    message = str(info.value)
    assert message.startswith("Datum:")
    assert "TT.MM.JJJJ" in message


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)))
def test_date_round_trip(day):
    assert parse_date(format_date(day)) == day
    assert parse_date(day.isoformat()) == day


def test_parse_optional_date():
    assert parse_optional_date("") is None
    assert parse_optional_date("   ") is None
    assert parse_optional_date(None) is None  # type: ignore[arg-type]
    assert parse_optional_date("1.2.26") == date(2026, 2, 1)
    with pytest.raises(ValidationError):
        parse_optional_date("abc")
