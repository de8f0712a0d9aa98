"""Validation and calculation agree: a period that validates computes its first month without problems."""
from __future__ import annotations

from hypothesis import event, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.kita.calculation import compute_child_month
from sollhaben.domain.kita.model import BillingPeriod, ExtraLine, FeeLine, PayerShare
from sollhaben.domain.kita.validation import validate_period
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month, Validity
from tests.unit.domain.kita.builders import (
    CHILD,
    CRAFT,
    DRINKS,
    EXTRA_HOURS,
    FATHER,
    FIXED_20,
    INDIVIDUAL,
    KRIPPE,
    LUNCH,
    MEAL_SUBSIDY,
    MEALS_FEE,
    MOTHER,
    PAYERS,
    PERCENT_10,
    PERCENT_25,
    PERCENT_120,
    SIBLINGS,
    TAGESPLATZ,
    TRIP,
    YOUTH_OFFICE,
    catalogue,
    facts,
    settings,
)

amounts = st.builds(Money, st.integers(-500, 40_000))
payer_ids = st.sampled_from([MOTHER, FATHER, YOUTH_OFFICE, 99])
payer = st.builds(PayerShare, payer_ids, st.none() | amounts, st.booleans())
valid_payer = st.sampled_from([MOTHER, FATHER, YOUTH_OFFICE])
payers = st.one_of(
    st.builds(lambda p: (PayerShare(p, None, True),), valid_payer),
    st.builds(lambda a, b, share: (PayerShare(a, Money(share)), PayerShare(b, None, True)), valid_payer, valid_payer,
              st.integers(0, 400)),
    st.lists(payer, max_size=4).map(tuple))

fee_lines = st.builds(
    FeeLine, st.sampled_from([KRIPPE, TAGESPLATZ, EXTRA_HOURS, INDIVIDUAL, MEALS_FEE, 404]),
    st.just(1) | st.none() | st.integers(0, 3), st.integers(0, 30) | st.integers(-2, 30), st.none() | amounts,
    st.booleans(),
    st.lists(st.sampled_from([FIXED_20, PERCENT_10, PERCENT_25, SIBLINGS, MEAL_SUBSIDY]), max_size=2, unique=True).map(
        tuple) | st.lists(st.sampled_from([FIXED_20, PERCENT_10, SIBLINGS, MEAL_SUBSIDY, PERCENT_120]), max_size=5).map(
        tuple),
    st.none() | st.none() | amounts, payers)
extra_lines = st.builds(ExtraLine, st.sampled_from([LUNCH, CRAFT, TRIP, DRINKS, 505]), st.integers(0, 30),
                        st.none() | amounts, st.booleans(), payers)
periods = st.builds(
    lambda fees, extras, fees_payer, extras_payer, start: BillingPeriod(
        CHILD, Validity(Month(2026, start)), tuple(fees), tuple(extras), fees_payer_id=fees_payer,
        extras_payer_id=extras_payer),
    st.lists(fee_lines, max_size=3), st.lists(extra_lines, max_size=2), st.none() | st.none() | payer_ids,
    st.none() | st.none() | payer_ids,
    st.integers(1, 12))


@given(periods, st.integers(1, 31))
@hsettings(max_examples=600, deadline=None)
def test_a_valid_period_computes_without_problems(period, care_days):
    try:
        valid = validate_period(period, catalogue(), PAYERS, [])
    except ValidationError as exc:
        assert exc.errors and all(e.message for e in exc.errors)
        event("refused")
        return
    event(f"valid with {len(period.fee_lines) + len(period.extra_lines)} lines")
    month = valid.valid.valid_from
    lines, problems = compute_child_month(valid, catalogue(), settings(), facts(str(month), min(care_days, month.days)),
                                          "EUR")
    assert problems == []
    assert len(lines) == len(valid.fee_lines) + len(valid.extra_lines)
    assert validate_period(valid, catalogue(), PAYERS, []) == valid  # normalizing twice changes nothing
