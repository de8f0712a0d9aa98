"""The income-scale computation: every intermediate figure the form and the calculation sheet show.

1. annual income = Σ over the persons of sign × annual amount (monthly entry × 12);
2. monthly income = annual income / 12, rounded half up to the cent (`monthly_from_annual`);
3. exemption = monthly income × percent (rounded to the cent) + fixed amount; income after exemption;
4. relevant amount = income after exemption − threshold for the household size;
5. tier = bracket of the relevant amount, or the highest tier with the option „höchste Staffel“.

Integer and Decimal arithmetic only. Nothing here raises for incomplete input: a figure that cannot be
computed is None, and `validation` says why in German.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sollhaben.domain.income.model import (
    AssessmentPerson,
    IncomeAssessment,
    IncomeScaleConfig,
    IncomeScaleVersion,
    ItemSign,
)
from sollhaben.domain.money import Money, round_cents
from sollhaben.domain.months import Month

MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class ItemFigure:
    """One item of a person's layer: as entered and as a signed annual amount."""

    item_type_id: int
    label: str
    sign: ItemSign
    entered: Money  # as typed: annual, or monthly with the person's monthly entry
    annual: Money  # signed: sign × annual amount


@dataclass(frozen=True)
class PersonFigures:
    person_id: int
    monthly_entry: bool
    items: tuple[ItemFigure, ...]  # every offered type (0 when not entered), in the table's order
    annual_income: Money


@dataclass(frozen=True)
class IncomeCalculation:
    """The result. With the option „höchste Staffel“ the income figures are None (the calculation is off)."""

    highest_tier_option: bool
    persons: tuple[PersonFigures, ...]
    annual_income: Money | None
    monthly_income: Money | None
    exemption_percent: Decimal
    exemption_fixed: Money
    exemption: Money | None
    income_after_exemption: Money | None
    household_size: int | None
    threshold: Money | None
    relevant_amount: Money | None
    tier: int | None
    version: IncomeScaleVersion | None  # the configuration version valid in `valid_from`


def divide_half_up(minor: int, divisor: int) -> int:
    """minor / divisor rounded half away from zero, exactly (integers only)."""
    quotient, remainder = divmod(abs(minor), divisor)
    quotient += int(2 * remainder >= divisor)
    return quotient if minor >= 0 else -quotient


def monthly_from_annual(annual: Money) -> Money:
    """Annual / 12 rounded half up to the cent: 1 000.06 a year is 83.34 (83.338…) a month."""
    return Money(divide_half_up(annual.minor, MONTHS_PER_YEAR), annual.currency)


def annual_from_entered(amount: Money, monthly_entry: bool) -> Money:
    return amount * MONTHS_PER_YEAR if monthly_entry else amount


def exemption_amount(monthly_income: Money, percent: Decimal, fixed: Money) -> Money:
    """monthly × percent (rounded to the cent) + fixed. The percent part is 0 for a monthly income ≤ 0,
    so an exemption never raises a negative income."""
    if monthly_income.minor <= 0:
        return fixed
    return monthly_income.scale(Decimal(percent) / 100, round_cents) + fixed


def threshold_for(version: IncomeScaleVersion, household_size: int) -> Money | None:
    """The threshold of the household size; above the largest size given, + the increment per person.

    None for a size below the smallest size given, for a size missing between the sizes given, and for
    a size ≤ 0 (validation explains each)."""
    if household_size <= 0 or not version.thresholds:
        return None
    by_size = {t.household_size: t.amount for t in version.thresholds}
    largest = max(by_size)
    if household_size > largest:
        return by_size[largest] + version.increment_per_person * (household_size - largest)
    return by_size.get(household_size)


def tier_for(version: IncomeScaleVersion, relevant_amount: Money) -> int | None:
    """≤ 0 → the lowest tier; else the first bracket whose `up_to` is ≥ the amount; above all → highest tier."""
    if not version.brackets:
        return None
    if relevant_amount.minor <= 0:
        return version.lowest_tier
    for bracket in sorted(version.brackets, key=lambda b: b.up_to.minor):
        if relevant_amount.minor <= bracket.up_to.minor:
            return bracket.tier
    return version.highest_tier


def person_figures(person: AssessmentPerson, config: IncomeScaleConfig, month: Month | None) -> PersonFigures:
    """The person's items: every type offered in `month` in the table's order (0 when not entered), and
    entered items of a type no longer offered. Items of an unknown type or another currency are left
    out (validation refuses them)."""
    currency = config.currency
    entered: dict[int, Money] = {}
    for item in person.items:
        if config.item_type(item.item_type_id) is not None and item.amount.currency is currency:
            entered[item.item_type_id] = entered.get(item.item_type_id, Money.zero(currency)) + item.amount
    figures = []
    for item_type in sorted(config.item_types, key=lambda t: (t.position, t.label)):
        amount = entered.get(item_type.id) if item_type.id is not None else None
        if amount is None:
            if item_type.id is None or (month is not None and not item_type.offered_in(month)):
                continue
            amount = Money.zero(currency)
        annual = annual_from_entered(amount, person.monthly_entry) * item_type.sign.factor
        figures.append(ItemFigure(item_type.id, item_type.label, item_type.sign, amount, annual))
    total = Money(sum(f.annual.minor for f in figures), currency)
    return PersonFigures(person.person_id, person.monthly_entry, tuple(figures), total)


def calculate(assessment: IncomeAssessment, config: IncomeScaleConfig) -> IncomeCalculation:
    """Every figure of the assessment with the configuration version valid in its `valid_from`."""
    currency = config.currency
    version = config.version_for(assessment.valid_from) if assessment.valid_from is not None else None
    percent = assessment.exemption_percent
    if percent is None:
        percent = version.exemption_percent if version is not None else Decimal(0)
    fixed = assessment.exemption_fixed
    if fixed is None:
        fixed = (version.exemption_fixed if version is not None else None) or Money.zero(currency)
    size = assessment.household_size
    if assessment.highest_tier:
        return IncomeCalculation(True, (), None, None, percent, fixed, None, None, size, None, None,
                                 version.highest_tier if version is not None else None, version)
    persons = tuple(person_figures(p, config, assessment.valid_from) for p in assessment.persons)
    annual = Money(sum(p.annual_income.minor for p in persons), currency)
    monthly = monthly_from_annual(annual)
    exemption = exemption_amount(monthly, percent, fixed) if fixed.currency is currency else None
    after = monthly - exemption if exemption is not None else None
    threshold = threshold_for(version, size) if version is not None and size is not None else None
    if threshold is not None and threshold.currency is not currency:
        threshold = None
    relevant = after - threshold if after is not None and threshold is not None else None
    tier = tier_for(version, relevant) if relevant is not None and version is not None else None
    return IncomeCalculation(False, persons, annual, monthly, percent, fixed, exemption, after, size, threshold,
                             relevant, tier, version)
