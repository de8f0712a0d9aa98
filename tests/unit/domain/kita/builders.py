"""A small statute (catalogue), settings and billing data to build test cases from."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sollhaben.domain.kita.model import (
    BillingMode,
    BillingPeriod,
    Catalogue,
    ChildMonthFacts,
    Contract,
    ContractStatus,
    Discount,
    DiscountKind,
    DiscountVersion,
    ExtraCost,
    ExtraCostVersion,
    ExtraLine,
    FacilitySettings,
    FeeGroup,
    FeeGroupVersion,
    FeeLine,
    PayerShare,
    Tier,
    TierSource,
)
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month, Validity

CHILD = 100
MOTHER, FATHER, YOUTH_OFFICE, HARDSHIP_FUND, SIBLING_FUND = 1, 2, 3, 4, 5
PAYERS = frozenset({MOTHER, FATHER, YOUTH_OFFICE})

# fee groups
KRIPPE, TAGESPLATZ, KIGA_30H, INCOME_GROUP, EXTRA_HOURS, INDIVIDUAL, MEALS_FEE = 1, 2, 3, 4, 5, 6, 7
# discounts
FIXED_20, PERCENT_10, PERCENT_25, SIBLINGS, MEAL_SUBSIDY, PERCENT_120 = 10, 11, 12, 13, 14, 15
# extra costs
LUNCH, CRAFT, TRIP, DRINKS = 20, 21, 22, 23


def eur(text: str) -> Money:
    return Money.of(text)


def m(text: str) -> Month:
    return Month.parse(text)


def always(start: str = "01.2020", end: str | None = None) -> Validity:
    return Validity(m(start), m(end) if end else None)


def tiers(*amounts: str) -> tuple[Tier, ...]:
    return tuple(Tier(n, f"Staffel {n}", eur(a)) for n, a in enumerate(amounts, start=1))


def fee_group(gid: int, name: str, mode: BillingMode, *amounts: str, source: TierSource = TierSource.CHOSEN,
              versions: tuple[FeeGroupVersion, ...] | None = None) -> FeeGroup:
    if versions is None:
        versions = (FeeGroupVersion(always(), tiers(*amounts), id=gid * 100),)
    return FeeGroup(name, mode, source, versions, id=gid)


def catalogue(**overrides) -> Catalogue:
    fee_groups = {
        KRIPPE: fee_group(KRIPPE, "Krippe Ganztag", BillingMode.MONTHLY, "291.20", "250.00"),
        TAGESPLATZ: fee_group(TAGESPLATZ, "Tagesplatz", BillingMode.DAILY, "12.40"),
        KIGA_30H: fee_group(KIGA_30H, "Kindergarten 30 h", BillingMode.MONTHLY, "162.00", "126.00", "85.00",
                            "28.00", source=TierSource.WUERTTEMBERG),
        INCOME_GROUP: fee_group(INCOME_GROUP, "Kindergarten einkommensabhängig", BillingMode.MONTHLY, "100.00",
                                "200.00", "300.00", source=TierSource.INCOME),
        EXTRA_HOURS: fee_group(EXTRA_HOURS, "Zusatzstunden", BillingMode.PER_UNIT, "5.00"),
        INDIVIDUAL: FeeGroup("Individueller Beitrag", BillingMode.INDIVIDUAL, TierSource.CHOSEN,
                             (FeeGroupVersion(always(), (), id=600),), id=INDIVIDUAL),
        MEALS_FEE: fee_group(MEALS_FEE, "Mittagessen (Beitrag)", BillingMode.PER_UNIT, "3.80"),
    }
    discounts = {
        FIXED_20: Discount("Zuschuss Gemeinde", DiscountKind.FIXED,
                           (DiscountVersion(always(), fixed=eur("20.00"), id=1000),), id=FIXED_20),
        PERCENT_10: Discount("Familienpass", DiscountKind.PERCENT,
                             (DiscountVersion(always(), percent=Decimal("10"), id=1100),), id=PERCENT_10),
        PERCENT_25: Discount("Landeszuschuss", DiscountKind.PERCENT,
                             (DiscountVersion(always(), percent=Decimal("25"), id=1200),), id=PERCENT_25),
        SIBLINGS: Discount("Geschwisterermäßigung", DiscountKind.SIBLING_LADDER,
                           (DiscountVersion(always(), ladder=(Decimal("25"), Decimal("50"), Decimal("75")),
                                            id=1300),), id=SIBLINGS),
        MEAL_SUBSIDY: Discount("Essenszuschuss", DiscountKind.FIXED,
                               (DiscountVersion(always(), fixed=eur("0.80"), id=1400),), id=MEAL_SUBSIDY),
        PERCENT_120: Discount("Falsch erfasst", DiscountKind.PERCENT,
                              (DiscountVersion(always(), percent=Decimal("120"), id=1500),), id=PERCENT_120),
    }
    extra_costs = {
        LUNCH: ExtraCost("Mittagessen", BillingMode.PER_UNIT, True,
                         (ExtraCostVersion(always(), eur("3.80"), id=2000),), id=LUNCH),
        CRAFT: ExtraCost("Bastelgeld", BillingMode.MONTHLY, False,
                         (ExtraCostVersion(always(), eur("5.00"), id=2100),), id=CRAFT),
        TRIP: ExtraCost("Ausflug", BillingMode.INDIVIDUAL, False, (ExtraCostVersion(always(), None, id=2200),),
                        id=TRIP),
        DRINKS: ExtraCost("Getränke", BillingMode.MONTHLY, True,
                          (ExtraCostVersion(always(), eur("4.50"), id=2300),), id=DRINKS),
    }
    fee_groups.update(overrides.pop("fee_groups", {}))
    discounts.update(overrides.pop("discounts", {}))
    extra_costs.update(overrides.pop("extra_costs", {}))
    return Catalogue("EUR", fee_groups, discounts, extra_costs)


def settings(**kwargs) -> FacilitySettings:
    return FacilitySettings(facility_id=kwargs.pop("facility_id", 7), **kwargs)


def pays(payer_id: int, share: str | None = None, rest: bool = False) -> PayerShare:
    return PayerShare(payer_id, eur(share) if share is not None else None, rest)


def mother_pays_all() -> tuple[PayerShare, ...]:
    return (pays(MOTHER, rest=True),)


def fee(group: int, tier: int | None = 1, payers=None, **kwargs) -> FeeLine:
    return FeeLine(group, tier, payers=mother_pays_all() if payers is None else payers, **kwargs)


def extra(cost: int, payers=None, **kwargs) -> ExtraLine:
    return ExtraLine(cost, payers=mother_pays_all() if payers is None else payers, **kwargs)


def period(start: str = "01.2026", end: str | None = None, fee_lines=(), extra_lines=(), **kwargs) -> BillingPeriod:
    return BillingPeriod(kwargs.pop("child_id", CHILD), Validity(m(start), m(end) if end else None),
                         tuple(fee_lines), tuple(extra_lines), **kwargs)


def facts(month: str, care_days: int | None = None, **kwargs) -> ChildMonthFacts:
    month_value = m(month)
    return ChildMonthFacts(kwargs.pop("child_id", CHILD), month_value,
                           month_value.days if care_days is None else care_days, **kwargs)


def contract(first: date, last: date | None = None, child_id: int = CHILD, facility_id: int = 7) -> Contract:
    status = ContractStatus.DEREGISTERED if last else ContractStatus.ACTIVE
    return Contract(child_id, facility_id, status, first_day=first, last_day=last, id=child_id * 10)


# --- runs -------------------------------------------------------------------------------------------

def request(month: str, st=None, cat=None, **kwargs):
    from sollhaben.domain.kita.run_types import RunRequest
    st = st or settings()
    return RunRequest(st.facility_id, m(month), st, cat or catalogue(), **kwargs)


def child_run(periods, contracts, posted=(), facts_source=None, child_id: int = CHILD, **kwargs):
    from sollhaben.domain.kita.run_types import ChildRun
    return ChildRun(child_id, tuple(periods), tuple(contracts), facts_source, tuple(posted), **kwargs)


def applied(child, plan):
    """The child after the plan was posted and its resets done."""
    from dataclasses import replace as _replace

    from sollhaben.domain.kita.run_plan import reset_period
    mine = [p for p in plan.postings if p.child_id == child.child_id]
    return _replace(child, periods=tuple(reset_period(p, plan.resets) for p in child.periods),
                    posted=tuple(child.posted) + tuple(p.as_posted() for p in mine))


def summary(plan) -> list[tuple[str, str, int, str, str]]:
    """(value month, line key, payer, amount, kind) of every planned posting."""
    return [(str(p.value_month), p.line_key, p.payer_id, plain(p.amount), "N" if p.is_recalculation else "R")
            for p in plan.postings]


def plain(amount: Money) -> str:
    """-41.20 for Money(-4120)."""
    sign = "-" if amount.minor < 0 else ""
    return f"{sign}{abs(amount.minor) // 100}.{abs(amount.minor) % 100:02d}"
