"""What a calculation sheet (Berechnungsblatt) of the income scale says: frozen data handed to
`reports.income_sheet` (no database, no Qt), and `sheet_from`, which builds it from the domain objects.

The service only gathers data: the assessment, the configuration, names and addresses, and the
monthly fee of each income-dependent fee line of the child (from the billing data with the income
tier). Every figure comes from `domain.income.calculation`; the report only formats and places it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Mapping

from sollhaben.domain.income.calculation import IncomeCalculation, calculate
from sollhaben.domain.income.model import IncomeAssessment, IncomeScaleConfig, ItemSign
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.reports.letter_model import Sender


@dataclass(frozen=True)
class SheetItem:
    """One income item of a person: `entered` as typed (positive; monthly with the person's monthly
    entry), `annual` the yearly amount (positive; the sign says whether it is added or deducted)."""

    label: str
    sign: ItemSign
    entered: Money
    annual: Money
    monthly_entry: bool = False  # printed as "800,00 × 12 = 9.600,00"


@dataclass(frozen=True)
class SheetPerson:
    name: str
    monthly_entry: bool
    items: tuple[SheetItem, ...]
    annual_income: Money  # Σ sign × annual (may be negative)


@dataclass(frozen=True)
class SheetFeeLine:
    """An income-dependent fee line of the child and its monthly fee at the assessed tier.

    `amount` None: not computable (e.g. the tier is missing in the fee group; printed "–").
    `tier_label` "" prints "Staffel N". `detail` is an optional note under the line."""

    name: str
    tier: int | None
    amount: Money | None
    tier_label: str = ""
    detail: str = ""


@dataclass(frozen=True)
class IncomeSheet:
    """One calculation sheet: a house letter to the parents of one child for one assessment.

    The income figures are None with the option „höchste Staffel“ (no income proof) and where the
    calculation could not be completed (then the sheet prints "–")."""

    country: str  # DE or CH: layout of the letter, number format, ß/ss
    currency: str
    sender: Sender
    recipient: tuple[str, ...]  # address lines for the window: the first person, or the household
    salutation: str  # "Sehr geehrte Frau Gerber," ("" = "Sehr geehrte Damen und Herren")
    place: str
    date: dt.date
    child_name: str
    child_birth_date: dt.date | None
    facility_name: str
    valid_from: Month
    valid_to: Month | None
    persons: tuple[SheetPerson, ...]  # with the option: names only (no items)
    household_size: int | None
    highest_tier_option: bool
    tier: int | None
    annual_income: Money | None = None
    monthly_income: Money | None = None
    exemption_percent: Decimal = Decimal(0)
    exemption_percent_amount: Money | None = None  # monthly income × percent, rounded
    exemption_fixed: Money | None = None
    exemption: Money | None = None
    income_after_exemption: Money | None = None
    threshold: Money | None = None
    threshold_base: tuple[int, Money] | None = None  # (largest size given, its amount) when the size is above it
    increment_per_person: Money | None = None
    relevant_amount: Money | None = None
    bracket_above: Money | None = None  # the tier's bracket: over this amount (None: the lowest)
    bracket_up_to: Money | None = None  # … up to this amount (None: the highest, open upwards)
    fee_lines: tuple[SheetFeeLine, ...] = ()
    declaration_date: dt.date | None = None
    contact: str = ""  # the office to ask ("" = the sender's phone and e-mail)
    assessment_id: int | None = None

    @property
    def recipient_name(self) -> str:
        return self.recipient[0] if self.recipient else ""


def _bracket(calculation: IncomeCalculation) -> tuple[Money | None, Money | None]:
    """The bounds of the tier's bracket: (over, up to)."""
    version, relevant = calculation.version, calculation.relevant_amount
    if version is None or relevant is None or not version.brackets:
        return None, None
    brackets = sorted(version.brackets, key=lambda b: b.up_to.minor)
    if relevant.minor <= 0:  # the lowest tier: "up to 0" or up to its bracket when that is higher
        return None, max(brackets[0].up_to, Money.zero(relevant.currency))
    above = None
    for bracket in brackets:
        if relevant.minor <= bracket.up_to.minor:
            return above, bracket.up_to
        above = bracket.up_to
    return above, None


def sheet_from(assessment: IncomeAssessment, config: IncomeScaleConfig, calculation: IncomeCalculation | None = None,
               *, country: str, sender: Sender, recipient: tuple[str, ...], person_names: Mapping[int, str],
               child_name: str, child_birth_date: dt.date | None, facility_name: str, place: str,
               date: dt.date, salutation: str = "", fee_lines: tuple[SheetFeeLine, ...] = (),
               contact: str = "", show_zero_items: bool = False) -> IncomeSheet:
    """The sheet of an assessment. `calculation` defaults to `calculate(assessment, config)`.

    Items not entered (0) are left out unless `show_zero_items`; a person's layer lists every type,
    the parents need only what counts."""
    if assessment.valid_from is None:
        raise ValueError("the assessment has no valid_from")
    calc = calculation if calculation is not None else calculate(assessment, config)
    names = [person_names.get(p.person_id, "") for p in assessment.persons]
    persons: list[SheetPerson] = []
    if calc.highest_tier_option:
        persons = [SheetPerson(name, p.monthly_entry, (), Money.zero(config.currency))
                   for name, p in zip(names, assessment.persons)]
    else:
        for name, figures in zip(names, calc.persons):
            items = tuple(SheetItem(f.label, f.sign, f.entered, abs(f.annual), figures.monthly_entry)
                          for f in figures.items if show_zero_items or not f.entered.is_zero())
            persons.append(SheetPerson(name, figures.monthly_entry, items, figures.annual_income))
    percent_amount = None
    if calc.exemption is not None:
        percent_amount = calc.exemption - calc.exemption_fixed
    threshold_base = increment = None
    version, size = calc.version, calc.household_size
    if version is not None and version.thresholds and size is not None and calc.threshold is not None:
        largest = max(version.thresholds, key=lambda t: t.household_size)
        if size > largest.household_size:
            threshold_base, increment = (largest.household_size, largest.amount), version.increment_per_person
    above, up_to = (None, None) if calc.highest_tier_option else _bracket(calc)
    return IncomeSheet(
        country=country, currency=config.currency.value, sender=sender, recipient=recipient, salutation=salutation,
        place=place, date=date, child_name=child_name, child_birth_date=child_birth_date,
        facility_name=facility_name, valid_from=assessment.valid_from, valid_to=assessment.valid_to,
        persons=tuple(persons), household_size=size, highest_tier_option=calc.highest_tier_option, tier=calc.tier,
        annual_income=calc.annual_income, monthly_income=calc.monthly_income,
        exemption_percent=calc.exemption_percent, exemption_percent_amount=percent_amount,
        exemption_fixed=calc.exemption_fixed, exemption=calc.exemption,
        income_after_exemption=calc.income_after_exemption, threshold=calc.threshold, threshold_base=threshold_base,
        increment_per_person=increment, relevant_amount=calc.relevant_amount, bracket_above=above,
        bracket_up_to=up_to, fee_lines=tuple(fee_lines), declaration_date=assessment.declaration_date,
        contact=contact, assessment_id=assessment.id)
