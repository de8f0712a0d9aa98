"""The computation of the income scale: the spec's example and every rule, figure by figure."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from sollhaben.domain.income.calculation import (
    calculate,
    divide_half_up,
    exemption_amount,
    monthly_from_annual,
    threshold_for,
    tier_for,
)
from sollhaben.domain.income.model import AssessmentPerson, IncomeItemType, ItemSign
from sollhaben.domain.money import Money
from sollhaben.domain.months import Validity
from tests.unit.domain.income.builders import (
    EXPENSES,
    FATHER,
    MOTHER,
    SALARY,
    assessment,
    config,
    eur,
    item,
    m,
    version,
)


def test_the_spec_example_figure_by_figure():
    result = calculate(assessment(), config())
    first, second = result.persons
    assert first.person_id == MOTHER and not first.monthly_entry
    assert first.annual_income == eur("26400.00")  # 30 000 − 1 200 − 2 400
    assert second.person_id == FATHER and second.monthly_entry
    assert second.annual_income == eur("9600.00")  # 800 × 12
    assert result.annual_income == eur("36000.00")
    assert result.monthly_income == eur("3000.00")
    assert (result.exemption_percent, result.exemption_fixed) == (Decimal("5"), eur("50.00"))
    assert result.exemption == eur("200.00")  # 5 % of 3 000 + 50
    assert result.income_after_exemption == eur("2800.00")
    assert (result.household_size, result.threshold) == (4, eur("2400.00"))
    assert result.relevant_amount == eur("400.00")
    assert result.tier == 3
    assert result.version == version()


def test_every_offered_item_type_is_listed_per_person_with_its_sign():
    first = calculate(assessment(), config()).persons[0]
    assert [(f.label, f.sign.value, f.entered, f.annual) for f in first.items] == [
        ("Lohn/Gehalt", "+", eur("30000.00"), eur("30000.00")),
        ("Rente", "+", eur("0.00"), eur("0.00")),
        ("Unterhalt erhalten", "+", eur("0.00"), eur("0.00")),
        ("Elterngeld", "+", eur("0.00"), eur("0.00")),
        ("Werbungskosten", "-", eur("1200.00"), eur("-1200.00")),
        ("Unterhalt gezahlt", "-", eur("2400.00"), eur("-2400.00")),
    ]
    second = calculate(assessment(), config()).persons[1]
    assert (second.items[0].entered, second.items[0].annual) == (eur("800.00"), eur("9600.00"))


def test_an_item_type_no_longer_offered_is_listed_only_where_it_was_entered():
    retired = IncomeItemType("Kindergeld (alt)", ItemSign.PLUS, 9, 99, Validity(m("01.2020"), m("12.2025")))
    cfg = replace(config(), item_types=config().item_types + (retired,))
    with_it = assessment(persons=(AssessmentPerson(MOTHER, False, (item(99, "1200.00"),)),))
    assert [f.label for f in calculate(with_it, cfg).persons[0].items][-1] == "Kindergeld (alt)"
    assert calculate(with_it, cfg).annual_income == eur("1200.00")
    assert "Kindergeld (alt)" not in [f.label for f in calculate(assessment(), cfg).persons[0].items]


def test_highest_tier_option_needs_no_items_and_switches_the_calculation_off():
    result = calculate(assessment(persons=(), household_size=None, highest_tier=True), config())
    assert result.tier == 6 and result.highest_tier_option
    assert (result.annual_income, result.monthly_income, result.relevant_amount) == (None, None, None)


def test_relevant_amount_at_or_below_zero_gives_the_lowest_tier():
    low = (AssessmentPerson(MOTHER, True, (item(SALARY, "2000.00"),)),)
    result = calculate(assessment(persons=low), config())
    assert result.relevant_amount == eur("-550.00")  # 2 000 − 150 (5 % + 50) − 2 400
    assert result.tier == 1
    no_income = calculate(assessment(persons=(AssessmentPerson(MOTHER),)), config())
    assert no_income.monthly_income == eur("0.00")
    assert no_income.exemption == eur("50.00")  # no percent of a zero income, the fixed part stays
    assert no_income.tier == 1


def test_bracket_bounds_are_inclusive_and_above_the_last_bracket_is_the_highest_tier():
    v = version()
    assert [tier_for(v, eur(a)) for a in ("0.00", "0.01", "250.00", "250.01", "1000.00", "1000.01", "99999.00")] == [
        1, 2, 2, 3, 5, 6, 6]
    assert tier_for(v, eur("-0.01")) == 1
    rich = (AssessmentPerson(MOTHER, False, (item(SALARY, "60000.00"),)),)
    assert calculate(assessment(persons=rich), config()).tier == 6  # 5 000 − 300 − 2 400 = 2 300


def test_lowest_tier_is_the_lowest_brackets_tier_even_without_a_zero_row():
    from sollhaben.domain.income.model import TierBracket
    v = version(brackets=(TierBracket(eur("500.00"), 2), TierBracket(eur("900.00"), 3)), highest_tier=4)
    assert [tier_for(v, eur(a)) for a in ("-10.00", "0.00", "500.00", "900.01")] == [2, 2, 2, 4]


def test_threshold_increment_per_further_person_above_the_largest_size():
    v = version()
    assert threshold_for(v, 4) == eur("2400.00")
    assert threshold_for(v, 5) == eur("2700.00")
    assert threshold_for(v, 7) == eur("3300.00")
    assert threshold_for(v, 1) is None and threshold_for(v, 0) is None
    six = calculate(assessment(household_size=6), config())
    assert (six.threshold, six.relevant_amount, six.tier) == (eur("3000.00"), eur("-200.00"), 1)


def test_monthly_entry_counts_twelve_times():
    monthly = (AssessmentPerson(MOTHER, True, (item(SALARY, "2500.00"), item(EXPENSES, "100.00"))),)
    result = calculate(assessment(persons=monthly), config())
    assert result.persons[0].annual_income == eur("28800.00")  # (2 500 − 100) × 12
    assert result.monthly_income == eur("2400.00")


def test_monthly_income_is_rounded_half_up_to_the_cent():
    assert monthly_from_annual(eur("1000.06")) == eur("83.34")  # 83.338…
    assert monthly_from_annual(eur("1000.02")) == eur("83.34")  # 83.335 exactly: half up
    assert monthly_from_annual(eur("1000.01")) == eur("83.33")  # 83.334…
    assert monthly_from_annual(eur("-1000.02")) == eur("-83.34")  # half away from zero
    assert divide_half_up(6, 12) == 1 and divide_half_up(5, 12) == 0 and divide_half_up(-6, 12) == -1


def test_exemption_percent_is_rounded_to_the_cent_before_the_fixed_part_is_added():
    assert exemption_amount(eur("1000.10"), Decimal("5"), eur("0.00")) == eur("50.01")  # 50.005 → 50.01
    assert exemption_amount(eur("1000.09"), Decimal("5"), eur("0.00")) == eur("50.00")  # 50.0045
    assert exemption_amount(eur("333.33"), Decimal("12.5"), eur("10.00")) == eur("51.67")  # 41.66625 + 10
    assert exemption_amount(eur("-100.00"), Decimal("5"), eur("10.00")) == eur("10.00")


def test_the_assessment_may_change_the_exemption_default():
    result = calculate(assessment(exemption_percent=Decimal("10"), exemption_fixed=Money.zero()), config())
    assert result.exemption == eur("300.00")
    assert result.relevant_amount == eur("300.00") and result.tier == 3
    only_percent = calculate(assessment(exemption_percent=Decimal("0")), config())
    assert only_percent.exemption == eur("50.00")  # the default fixed amount stays


def test_the_version_valid_in_valid_from_is_used():
    later = version("01.2026", thresholds=version().thresholds[:2] + (
        replace(version().thresholds[2], amount=eur("2700.00")),), id=901)
    cfg = config(version("01.2020", "12.2025"), later)
    assert calculate(assessment("12.2025"), cfg).tier == 3
    result = calculate(assessment("01.2026"), cfg)
    assert (result.threshold, result.relevant_amount, result.tier) == (eur("2700.00"), eur("100.00"), 2)


def test_incomplete_input_leaves_the_figures_that_cannot_be_computed_empty():
    no_size = calculate(assessment(household_size=None), config())
    assert no_size.monthly_income == eur("3000.00") and no_size.threshold is None and no_size.tier is None
    no_version = calculate(assessment("01.2019"), config())
    assert no_version.version is None and no_version.tier is None and no_version.exemption == eur("0.00")
    no_start = calculate(assessment(None), config())
    assert no_start.annual_income == eur("36000.00") and no_start.tier is None


@given(st.integers(min_value=-5_000_000, max_value=20_000_000), st.integers(min_value=0, max_value=2_000_000),
       st.integers(min_value=2, max_value=8), st.booleans())
def test_the_tier_is_monotonic_in_the_income(salary_minor, raise_minor, household_size, monthly_entry):
    """More income never gives a lower tier (also across the exemption's rounding and the ≤ 0 rule)."""
    def tier_of(amount_minor: int) -> int:
        persons = (AssessmentPerson(MOTHER, monthly_entry, (
            item(SALARY, "0.00") if amount_minor < 0 else replace(item(SALARY, "0.00"), amount=Money(amount_minor)),
            replace(item(EXPENSES, "0.00"), amount=Money(max(-amount_minor, 0))))),)
        return calculate(assessment(persons=persons, household_size=household_size), config()).tier

    assert tier_of(salary_minor) <= tier_of(salary_minor + raise_minor)
