"""A reset-flagged INDIVIDUAL line after the run (amount 0) with a fixed discount and fixed shares:
the period stays valid and the month bills nothing — the discount applies once an amount is entered."""
from __future__ import annotations

from sollhaben.domain.kita.calculation import compute_child_month
from sollhaben.domain.kita.validation import validate_period
from sollhaben.domain.money import Money
from tests.unit.domain.kita.builders import (
    FATHER, FIXED_20, INDIVIDUAL, MOTHER, PAYERS, catalogue, eur, facts, fee, pays, period, settings,
)


def line(amount: str):
    return fee(INDIVIDUAL, tier=None, amount=eur(amount), reset=True, discount_ids=(FIXED_20,),
               payers=(pays(MOTHER, "30.00"), pays(FATHER, rest=True)))


def test_a_reset_individual_line_with_a_discount_stays_valid_at_zero():
    reset_period = period("01.2026", fee_lines=(line("0.00"),))
    assert validate_period(reset_period, catalogue(), PAYERS, ()) is not None  # no "discounts exceed" error
    lines, problems = compute_child_month(reset_period, catalogue(), settings(), facts("02.2026"), "EUR")
    assert problems == []
    assert [(c.net, [p.amount for p in c.payers]) for c in lines] == [
        (Money.zero("EUR"), [Money.zero("EUR"), Money.zero("EUR")])]


def test_with_an_amount_the_discount_and_shares_apply_again():
    entered = period("01.2026", fee_lines=(line("80.00"),))
    validate_period(entered, catalogue(), PAYERS, ())
    lines, problems = compute_child_month(entered, catalogue(), settings(), facts("02.2026"), "EUR")
    assert problems == [] and lines[0].net == eur("60.00")
    assert [p.amount for p in lines[0].payers] == [eur("30.00"), eur("30.00")]
