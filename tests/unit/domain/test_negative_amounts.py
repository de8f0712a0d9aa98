"""One way to write a negative amount everywhere: the hyphen-minus of format_money („-598,60“,
„-1'234.50“), in tables, labels, letters, exports and the CLI alike — it is what users type, what
Excel and CSV read back, and what parse_amount reads; a typographic minus (U+2212) pasted from elsewhere
is read too."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sollhaben.domain.formatting import format_money, format_number_minor
from sollhaben.domain.money import Money, parse_amount


def test_negative_amounts_use_the_hyphen_minus_in_both_countries():
    assert format_money(Money(-59_860, "EUR"), "DE") == "-598,60"
    assert format_money(Money(-490, "EUR"), "DE", with_currency=True) == "-4,90 EUR"
    assert format_money(Money(-123_450, "CHF"), "CH") == "-1'234.50"
    assert "\u2212" not in format_number_minor(-1, "DE") + format_number_minor(-1, "CH")


def test_a_typographic_minus_is_read_as_a_minus():
    assert parse_amount("\u22124,90", "EUR") == Money(-490, "EUR")
    assert parse_amount("\u2212 1'234.50 CHF".replace(" 1", "1"), "CHF") == Money(-123_450, "CHF")


@given(st.integers(min_value=-10**11, max_value=10**11), st.sampled_from(["DE", "CH"]))
def test_formatted_amounts_read_back_unchanged(minor, country):
    currency = "EUR" if country == "DE" else "CHF"
    text = format_money(Money(minor, currency), country)
    assert parse_amount(text, currency) == Money(minor, currency)
    assert parse_amount(text.replace("-", "\u2212"), currency) == Money(minor, currency)
