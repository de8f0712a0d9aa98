"""The spec's example configuration and assessment, and a small Kita statute for transfers."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sollhaben.domain.income.model import (
    AssessmentPerson,
    IncomeAssessment,
    IncomeItem,
    IncomeItemType,
    IncomeScaleConfig,
    IncomeScaleVersion,
    IncomeThreshold,
    ItemSign,
    TierBracket,
)
from sollhaben.domain.kita.model import (
    BillingMode,
    BillingPeriod,
    Catalogue,
    Contract,
    ContractStatus,
    FacilitySettings,
    FeeGroup,
    FeeGroupVersion,
    FeeLine,
    PayerShare,
    Tier,
    TierSource,
)
from sollhaben.domain.kita.run_types import ChildRun, PostedAmount, RunRequest
from sollhaben.domain.money import Currency, Money
from sollhaben.domain.months import Month, Validity

CHILD, FACILITY = 100, 7
MOTHER, FATHER, GRANDMA = 1, 2, 3
LINKED = frozenset({MOTHER, FATHER})
SALARY, PENSION, MAINTENANCE_RECEIVED, PARENTAL_ALLOWANCE, EXPENSES, MAINTENANCE_PAID = 11, 12, 13, 14, 15, 16
INCOME_GROUP, CHOSEN_GROUP = 4, 1


def eur(text: str) -> Money:
    return Money.of(text)


def m(text: str) -> Month:
    return Month.parse(text)


ITEM_TYPES = (
    IncomeItemType("Lohn/Gehalt", ItemSign.PLUS, 1, SALARY),
    IncomeItemType("Rente", ItemSign.PLUS, 2, PENSION),
    IncomeItemType("Unterhalt erhalten", ItemSign.PLUS, 3, MAINTENANCE_RECEIVED),
    IncomeItemType("Elterngeld", ItemSign.PLUS, 4, PARENTAL_ALLOWANCE),
    IncomeItemType("Werbungskosten", ItemSign.MINUS, 5, EXPENSES),
    IncomeItemType("Unterhalt gezahlt", ItemSign.MINUS, 6, MAINTENANCE_PAID),
)


def version(start: str = "01.2020", end: str | None = None, **overrides) -> IncomeScaleVersion:
    values = dict(
        valid=Validity(m(start), m(end) if end else None),
        thresholds=(IncomeThreshold(2, eur("1800.00")), IncomeThreshold(3, eur("2100.00")),
                    IncomeThreshold(4, eur("2400.00"))),
        increment_per_person=eur("300.00"),
        brackets=(TierBracket(eur("0.00"), 1), TierBracket(eur("250.00"), 2), TierBracket(eur("500.00"), 3),
                  TierBracket(eur("750.00"), 4), TierBracket(eur("1000.00"), 5)),
        highest_tier=6,
        exemption_percent=Decimal("5"),
        exemption_fixed=eur("50.00"),
        id=900,
    )
    values.update(overrides)
    return IncomeScaleVersion(**values)


def config(*versions: IncomeScaleVersion) -> IncomeScaleConfig:
    return IncomeScaleConfig(Currency.EUR, ITEM_TYPES, versions or (version(),))


def item(type_id: int, amount: str) -> IncomeItem:
    return IncomeItem(type_id, eur(amount))


def example_persons() -> tuple[AssessmentPerson, ...]:
    """Person 1 annual: salary 30 000, expenses 1 200, maintenance paid 2 400; person 2 monthly salary 800."""
    return (
        AssessmentPerson(MOTHER, False, (item(SALARY, "30000.00"), item(EXPENSES, "1200.00"),
                                         item(MAINTENANCE_PAID, "2400.00"))),
        AssessmentPerson(FATHER, True, (item(SALARY, "800.00"),)),
    )


def assessment(start: str | None = "01.2026", end: str | None = None, **overrides) -> IncomeAssessment:
    values = dict(child_id=CHILD, facility_id=FACILITY, valid_from=m(start) if start else None,
                  valid_to=m(end) if end else None, persons=example_persons(), household_size=4,
                  declaration_date=date(2026, 3, 20))
    values.update(overrides)
    return IncomeAssessment(**values)


# --- Kita side ------------------------------------------------------------------------------------

def tiers(*amounts: str) -> tuple[Tier, ...]:
    return tuple(Tier(n, f"Staffel {n}", eur(a)) for n, a in enumerate(amounts, start=1))


def catalogue() -> Catalogue:
    income = FeeGroup("Kindergarten einkommensabhängig", BillingMode.MONTHLY, TierSource.INCOME,
                      (FeeGroupVersion(Validity(m("01.2020")),
                                       tiers("100.00", "140.00", "180.00", "215.00", "250.00", "290.00"), id=400),),
                      id=INCOME_GROUP)
    chosen = FeeGroup("Krippe Ganztag", BillingMode.MONTHLY, TierSource.CHOSEN,
                      (FeeGroupVersion(Validity(m("01.2020")), tiers("291.20", "250.00"), id=100),), id=CHOSEN_GROUP)
    return Catalogue("EUR", {INCOME_GROUP: income, CHOSEN_GROUP: chosen})


def settings(**kwargs) -> FacilitySettings:
    kwargs.setdefault("first_billing_month", m("09.2025"))
    return FacilitySettings(facility_id=FACILITY, **kwargs)


def income_line(tier: int | None = 5, group: int = INCOME_GROUP) -> FeeLine:
    return FeeLine(group, tier, payers=(PayerShare(MOTHER, None, True),))


def period(start: str, end: str | None = None, lines=None, **kwargs) -> BillingPeriod:
    lines = (income_line(),) if lines is None else tuple(lines)
    return BillingPeriod(CHILD, Validity(m(start), m(end) if end else None), lines, **kwargs)


def posted(first: str, last: str, amount: str, key: str = f"FEE:{INCOME_GROUP}",
           payer: int = MOTHER) -> tuple[PostedAmount, ...]:
    months = Validity(m(first), m(last)).months()
    return tuple(PostedAmount(month, key, payer, eur(amount), Decimal(1), eur(amount)) for month in months)


def child(periods, posted_rows=(), contract_from: date = date(2025, 9, 1)) -> ChildRun:
    contract = Contract(CHILD, FACILITY, ContractStatus.ACTIVE, first_day=contract_from, id=1)
    return ChildRun(CHILD, tuple(periods), (contract,), None, tuple(posted_rows))


def next_run(month: str = "04.2026", **settings_kwargs) -> RunRequest:
    return RunRequest(FACILITY, m(month), settings(**settings_kwargs), catalogue())
