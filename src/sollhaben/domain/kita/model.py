"""The value objects of Kita fee billing — the contract between domain, persistence, services and UI.

Everything here is frozen and pure. Amounts are `Money`; months are `Month`, ranges `Validity`.
Ids are database ids (int) or None for records not yet stored. Persons and institutions that pay
are `person` rows (PersonKind NATURAL or INSTITUTION); a child is a `person` with a `Child` record.

Limits of the billing data (seed 001): 10 fee lines and 10 extra-cost lines per period, 4 discounts
per fee line, 3 payers per line.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from sollhaben.domain.money import Money
from sollhaben.domain.months import Month, Validity

MAX_FEE_LINES = 10
MAX_EXTRA_LINES = 10
MAX_DISCOUNTS_PER_LINE = 4
MAX_PAYERS_PER_LINE = 3


class BillingMode(str, Enum):
    MONTHLY = "MONTHLY"  # Monatsbetrag
    DAILY = "DAILY"  # Monatstage: amount per calendar day with an active contract
    PER_UNIT = "PER_UNIT"  # Einzelbetrag (Anzahl): count × unit price, count reset by the run
    INDIVIDUAL = "INDIVIDUAL"  # individuell: amount entered per child, optionally reset by the run

    @property
    def label(self) -> str:
        return {"MONTHLY": "Monatsbetrag", "DAILY": "Monatstage", "PER_UNIT": "Einzelbetrag (Anzahl)",
                "INDIVIDUAL": "individuell"}[self.value]


#: Extra costs know no DAILY mode.
EXTRA_COST_MODES = (BillingMode.MONTHLY, BillingMode.PER_UNIT, BillingMode.INDIVIDUAL)


class TierSource(str, Enum):
    CHOSEN = "CHOSEN"  # the clerk picks the tier in the fee line
    INCOME = "INCOME"  # from the child's income-scale calculation (income-scale.md)
    WUERTTEMBERG = "WUERTTEMBERG"  # children under 18 in the household: 1, 2, 3, 4 (= four or more)

    @property
    def label(self) -> str:
        return {"CHOSEN": "Staffel wählbar", "INCOME": "einkommensabhängig",
                "WUERTTEMBERG": "Württemberger Modell"}[self.value]


class DiscountKind(str, Enum):
    FIXED = "FIXED"  # fixed amount per month (per day for DAILY lines, per unit for PER_UNIT lines)
    PERCENT = "PERCENT"  # percent of the undiscounted fee (of the unit price / daily amount)
    SIBLING_LADDER = "SIBLING_LADDER"  # percent by position among siblings in care: 2nd, 3rd, 4th+

    @property
    def label(self) -> str:
        return {"FIXED": "fester Betrag", "PERCENT": "Prozent", "SIBLING_LADDER": "Geschwisterstaffel"}[self.value]


class PartialMonth(str, Enum):
    FULL = "FULL"  # "jeder angefangene Monat": a month with any contract day is billed in full
    PRO_RATA = "PRO_RATA"  # MONTHLY lines by calendar days under contract


class MealCoverage(str, Enum):
    NONE = "NONE"
    HARDSHIP_FUND = "HARDSHIP_FUND"  # aus dem Härtefallfonds
    FROM_SECOND_SIBLING = "FROM_SECOND_SIBLING"  # ab 2. Geschwisterkind

    @property
    def label(self) -> str:
        return {"NONE": "keine", "HARDSHIP_FUND": "aus dem Härtefallfonds",
                "FROM_SECOND_SIBLING": "ab 2. Geschwisterkind"}[self.value]


class ContractStatus(str, Enum):
    REGISTERED = "REGISTERED"  # angemeldet
    ACTIVE = "ACTIVE"  # laufender Vertrag (from the first care day)
    DEREGISTERED = "DEREGISTERED"  # abgemeldet (after the last care day)

    @property
    def label(self) -> str:
        return {"REGISTERED": "angemeldet", "ACTIVE": "lfd. Vertrag", "DEREGISTERED": "abgemeldet"}[self.value]


class LineKind(str, Enum):
    FEE = "FEE"
    EXTRA = "EXTRA"


# --- catalogue ("Standard") ------------------------------------------------------------------------

@dataclass(frozen=True)
class Tier:
    number: int  # 1, 2, 3 … (Württemberg: children in household, 4 = four or more)
    label: str
    amount: Money | None  # None only for INDIVIDUAL groups


@dataclass(frozen=True)
class FeeGroupVersion:
    valid: Validity
    tiers: tuple[Tier, ...]
    id: int | None = None

    def tier(self, number: int) -> Tier | None:
        return next((t for t in self.tiers if t.number == number), None)


@dataclass(frozen=True)
class FeeGroup:
    name: str
    mode: BillingMode
    tier_source: TierSource
    versions: tuple[FeeGroupVersion, ...]
    id: int | None = None
    code: str = ""  # short name for lists and the general-ledger export

    def version_for(self, month: Month) -> FeeGroupVersion | None:
        return next((v for v in self.versions if v.valid.contains(month)), None)


@dataclass(frozen=True)
class DiscountVersion:
    valid: Validity
    fixed: Money | None = None  # FIXED
    percent: Decimal | None = None  # PERCENT, e.g. Decimal("25") for 25 %
    ladder: tuple[Decimal, ...] = ()  # SIBLING_LADDER: percent for the 2nd, 3rd, 4th and later child
    id: int | None = None


@dataclass(frozen=True)
class Discount:
    name: str
    kind: DiscountKind
    versions: tuple[DiscountVersion, ...]
    id: int | None = None

    def version_for(self, month: Month) -> DiscountVersion | None:
        return next((v for v in self.versions if v.valid.contains(month)), None)


@dataclass(frozen=True)
class ExtraCostVersion:
    valid: Validity
    amount: Money | None  # monthly amount (MONTHLY) or unit price (PER_UNIT); None for INDIVIDUAL
    id: int | None = None


@dataclass(frozen=True)
class ExtraCost:
    name: str
    mode: BillingMode  # one of EXTRA_COST_MODES
    is_meal: bool  # meal costs: the standard-rate option bills them to an institution when covered
    versions: tuple[ExtraCostVersion, ...]
    id: int | None = None

    def version_for(self, month: Month) -> ExtraCostVersion | None:
        return next((v for v in self.versions if v.valid.contains(month)), None)


@dataclass(frozen=True)
class Catalogue:
    """What an organization (or one facility, restricted) offers."""

    currency: str
    fee_groups: dict[int, FeeGroup] = field(default_factory=dict)
    discounts: dict[int, Discount] = field(default_factory=dict)
    extra_costs: dict[int, ExtraCost] = field(default_factory=dict)


@dataclass(frozen=True)
class FacilitySettings:
    facility_id: int
    fee_free_months: frozenset[int] = frozenset()  # calendar months 1–12 without fees (e.g. {8})
    partial_month: PartialMonth = PartialMonth.FULL
    due_day: int = 15  # day of the month the receivables are due (1–28)
    lock_billed: bool = False  # "Abrechnungsdaten nach Sollstellung sperren"
    wuerttemberg: bool = False
    standard_rate_meals: bool = False  # Richtsatzabrechnung
    hardship_fund_payer_id: int | None = None  # institution paying meals covered by the hardship fund
    sibling_meal_payer_id: int | None = None  # institution paying meals covered from the 2nd sibling
    first_billing_month: Month | None = None  # the first month the facility bills
    version: int = 1


# --- child, contract, payers ----------------------------------------------------------------------

@dataclass(frozen=True)
class Contract:
    child_id: int
    facility_id: int
    status: ContractStatus
    registered_on: date | None = None
    first_day: date | None = None  # first care day (status ACTIVE from then)
    last_day: date | None = None  # last care day (DEREGISTERED after it)
    id: int | None = None
    version: int = 1

    def care_days(self, month: Month) -> int:
        """Calendar days of `month` within [first_day, last_day]."""
        if self.first_day is None:
            return 0
        start = max(self.first_day, month.first_day)
        end = min(self.last_day or month.last_day, month.last_day)
        return max(0, (end - start).days + 1)

    def active_in(self, month: Month) -> bool:
        return self.care_days(month) > 0

    @property
    def last_month(self) -> Month | None:
        return Month.of(self.last_day) if self.last_day else None


# --- billing data ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PayerShare:
    payer_id: int  # a person or institution on the child's payer list
    share: Money | None = None  # per month (per day for DAILY lines); None with takes_remainder
    takes_remainder: bool = False  # Restbeitrag: pays what the others leave


@dataclass(frozen=True)
class FeeLine:
    fee_group_id: int
    tier: int | None = None  # chosen tier (CHOSEN); None = automatic (INCOME, WUERTTEMBERG)
    count: int = 0  # PER_UNIT: units since the last run
    amount: Money | None = None  # INDIVIDUAL: the month's amount
    reset: bool = False  # INDIVIDUAL: the run sets the amount back to 0 after billing it
    discount_ids: tuple[int, ...] = ()  # up to 4
    special_discount: Money | None = None  # Sonderermäßigung (not for PER_UNIT)
    payers: tuple[PayerShare, ...] = ()  # up to 3; empty when the period's fees payer takes all


@dataclass(frozen=True)
class ExtraLine:
    extra_cost_id: int
    count: int = 0  # PER_UNIT
    amount: Money | None = None  # INDIVIDUAL
    reset: bool = False  # INDIVIDUAL
    payers: tuple[PayerShare, ...] = ()


@dataclass(frozen=True)
class BillingPeriod:
    child_id: int
    valid: Validity
    fee_lines: tuple[FeeLine, ...] = ()
    extra_lines: tuple[ExtraLine, ...] = ()
    siblings_manual: int | None = None  # display override (a sibling in another facility)
    extra_siblings: tuple[int, ...] = ()  # children named manually for the sibling ladder (child ids)
    fees_payer_id: int | None = None  # "Zahler übernimmt den gesamten Beitrag"
    extras_payer_id: int | None = None  # "Zahler übernimmt die gesamten Zusatzkosten"
    meal_coverage: MealCoverage = MealCoverage.NONE
    billed_through: Month | None = None  # last month of this period posted by a run
    id: int | None = None
    version: int = 1


# --- what the month calculation produces ----------------------------------------------------------

@dataclass(frozen=True)
class ChildMonthFacts:
    """What the calculation needs to know about a child in a month besides its billing data."""

    child_id: int
    month: Month
    care_days: int  # calendar days with an active contract
    sibling_position: int = 1  # 1 = the oldest of the siblings in care (sibling ladder)
    children_in_household: int = 1  # persons under 18 in the child's household on the 1st (Württemberg)
    income_tier: int | None = None  # from the income-scale calculation, None if there is none


@dataclass(frozen=True)
class LineDeduction:
    name: str  # discount name or "Sonderermäßigung"
    amount: Money  # deducted for the month (positive)
    discount_id: int | None = None  # None: special discount


@dataclass(frozen=True)
class PayerAmount:
    payer_id: int
    amount: Money


@dataclass(frozen=True)
class ComputedLine:
    """One fee or extra-cost line of a child for one month, with its split over the payers."""

    key: str  # stable across periods: "FEE:<fee_group_id>", "EXTRA:<extra_cost_id>" (+ "#2" … for repeats)
    kind: LineKind
    catalogue_id: int
    version_id: int | None
    name: str
    mode: BillingMode
    tier: int | None
    quantity: Decimal  # days (DAILY), count (PER_UNIT), 1 otherwise (a pro-rata fraction for PRO_RATA)
    unit_amount: Money  # monthly amount, daily amount, unit price or individual amount
    gross: Money
    deductions: tuple[LineDeduction, ...]
    net: Money
    payers: tuple[PayerAmount, ...]
    is_meal: bool = False
    resets: bool = False  # PER_UNIT, or INDIVIDUAL with reset: billed once more after leaving


@dataclass(frozen=True)
class Problem:
    """Something that stops a child's line from being billed (shown in the run preview)."""

    child_id: int
    month: Month
    message: str  # German, names the field and the rule
    line_key: str = ""


def due_date(month: Month, due_day: int) -> date:
    return month.first_day + timedelta(days=min(due_day, month.days) - 1)
