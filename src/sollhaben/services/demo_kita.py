"""Demo part "Kita": the German demo Träger becomes a Kita operator.

1. The statute (`demo_kita_data`) through the catalogue and facility services (validated, audited):
   fee groups with versions and tiers, discounts, extra costs, each facility's settings and offer;
   the income scale's configuration through its services (`demo_kita_income`).
2. Child records for the demo's Kita-age children (`demo_kita_children`): guardians, payers,
   contracts and billing periods, each period checked by the domain's `validate_period`; in Kita
   Regenbogen an income assessment per child, transferred into its periods (`demo_kita_income`);
   all bulk-inserted like the demo persons (no audit history).
3. Quick entry and the billing runs of August to October 2026 through the real services, a
   retroactive change, the November counts (`demo_kita_runs`), a newer income assessment not yet
   transferred and a follow-up (`demo_kita_income`), and the parents' payments (`demo_kita_ledger`).

All of it runs inside the demo's one transaction (`demo.load_demo`): every service call joins it
through a SAVEPOINT, so nothing is committed before the whole demo is done, and a failure or a
cancel anywhere rolls everything back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sollhaben.domain.income import model as im
from sollhaben.domain.kita import model as m
from sollhaben.domain.money import Money
from sollhaben.domain.months import Validity
from sollhaben.services.demo import DemoContext, register_demo_part
from sollhaben.services.demo_kita_data import (
    CRAFTS,
    CRAFTS_AMOUNT,
    DISCOUNT_SINCE,
    DRINKS,
    DRINKS_AMOUNT,
    EXTRA_SINCE,
    FACILITIES,
    FAMILY_PASS,
    FAMILY_PASS_PERCENT,
    FIRST_BILLING_MONTH,
    HARDSHIP_FUND,
    INCOME,
    INCOME_LABELS,
    INCOME_YEARS,
    LADDER,
    MEAL_PRICES,
    MEALS,
    SIBLINGS,
    SUBSIDY,
    SUBSIDY_AMOUNT,
    TRIP,
    WUERTTEMBERG,
    WUERTTEMBERG_LABELS,
    WUERTTEMBERG_YEARS,
    YOUTH_OFFICE,
    FacilityPlan,
)
from sollhaben.services.kita import catalogue, facility
from sollhaben.services.kita.dto import FacilityOfferDTO


@dataclass
class KitaSetup:
    """What the statute step created: ids by code and name, the domain values for validation."""

    organization_id: int
    currency: str
    facilities: dict[str, FacilityPlan]  # by key SON / REG / PARK
    facility_ids: dict[str, int]
    settings: dict[str, m.FacilitySettings] = field(default_factory=dict)
    catalogues: dict[str, m.Catalogue] = field(default_factory=dict)  # what each facility offers
    groups: dict[str, m.FeeGroup] = field(default_factory=dict)  # by code
    discounts: dict[str, int] = field(default_factory=dict)  # by name
    extras: dict[str, int] = field(default_factory=dict)  # by name
    youth_office: int = 0
    hardship_fund: int = 0
    income: im.IncomeScaleConfig | None = None  # the income scale's configuration as stored (with ids)
    income_types: dict[str, int] = field(default_factory=dict)  # income item type ids by label

    def money(self, text: str) -> Money:
        return Money.of(text, self.currency)


def _versions(starts, tables, labels, money) -> tuple[m.FeeGroupVersion, ...]:
    versions = []
    for i, (start, amounts) in enumerate(zip(starts, tables)):
        end = starts[i + 1] - 1 if i + 1 < len(starts) else None
        tiers = tuple(m.Tier(n + 1, labels[n], money(a)) for n, a in enumerate(amounts))
        versions.append(m.FeeGroupVersion(Validity(start, end), tiers))
    return tuple(versions)


def create_statute(ctx: DemoContext) -> KitaSetup:
    """Catalogue, settings and offers through the services."""
    org = ctx.organizations["kita"]
    units = {u.name: u.id for u in ctx.units["kita"]}
    institutions = dict(zip((name for name, _a, _r in _institution_names()), ctx.institutions["kita"]))
    setup = KitaSetup(org.id, org.currency, {f.key: f for f in FACILITIES},
                      {f.key: units[f.name] for f in FACILITIES}, youth_office=institutions[YOUTH_OFFICE],
                      hardship_fund=institutions[HARDSHIP_FUND])
    money = setup.money
    for source, table, starts, labels in ((m.TierSource.WUERTTEMBERG, WUERTTEMBERG, WUERTTEMBERG_YEARS,
                                           WUERTTEMBERG_LABELS),
                                          (m.TierSource.INCOME, INCOME, INCOME_YEARS, INCOME_LABELS)):
        for (name, code), tables in table.items():
            group = m.FeeGroup(name, m.BillingMode.MONTHLY, source, _versions(starts, tables, labels, money),
                               code=code)
            setup.groups[code] = catalogue.save_fee_group(ctx.db, org.id, group).group
    discounts = (
        m.Discount(SIBLINGS, m.DiscountKind.SIBLING_LADDER, (m.DiscountVersion(
            Validity(DISCOUNT_SINCE), ladder=tuple(Decimal(p) for p in LADDER)),)),
        m.Discount(SUBSIDY, m.DiscountKind.FIXED, (m.DiscountVersion(
            Validity(DISCOUNT_SINCE), fixed=money(SUBSIDY_AMOUNT)),)),
        m.Discount(FAMILY_PASS, m.DiscountKind.PERCENT, (m.DiscountVersion(
            Validity(DISCOUNT_SINCE), percent=Decimal(FAMILY_PASS_PERCENT)),)))
    stored_discounts = {}
    for discount in discounts:
        saved = catalogue.save_discount(ctx.db, org.id, discount).discount
        setup.discounts[saved.name], stored_discounts[saved.id] = saved.id, saved
    meal_versions = tuple(m.ExtraCostVersion(Validity(start, MEAL_PRICES[i + 1][0] - 1 if i + 1 < len(MEAL_PRICES)
                                                      else None), money(price))
                          for i, (start, price) in enumerate(MEAL_PRICES))
    extras = ((m.ExtraCost(MEALS, m.BillingMode.PER_UNIT, True, meal_versions), "ME"),
              (m.ExtraCost(DRINKS, m.BillingMode.MONTHLY, True, (
                  m.ExtraCostVersion(Validity(EXTRA_SINCE), money(DRINKS_AMOUNT)),)), "GP"),
              (m.ExtraCost(CRAFTS, m.BillingMode.MONTHLY, False, (
                  m.ExtraCostVersion(Validity(EXTRA_SINCE), money(CRAFTS_AMOUNT)),)), "BG"),
              (m.ExtraCost(TRIP, m.BillingMode.INDIVIDUAL, False, (m.ExtraCostVersion(Validity(EXTRA_SINCE), None),)),
               "AF"))
    stored_extras = {}
    for cost, code in extras:
        saved = catalogue.save_extra_cost(ctx.db, org.id, cost, code=code).extra_cost
        setup.extras[saved.name], stored_extras[saved.id] = saved.id, saved
    whole = m.Catalogue(setup.currency, {g.id: g for g in setup.groups.values()}, stored_discounts, stored_extras)
    for plan in FACILITIES:
        facility_id = setup.facility_ids[plan.key]
        settings = m.FacilitySettings(
            facility_id, fee_free_months=plan.fee_free_months,
            partial_month=m.PartialMonth.PRO_RATA if plan.pro_rata else m.PartialMonth.FULL, due_day=plan.due_day,
            lock_billed=plan.lock_billed, wuerttemberg=plan.statute == "WUERTTEMBERG",
            standard_rate_meals=plan.standard_rate_meals,
            hardship_fund_payer_id=setup.hardship_fund if plan.standard_rate_meals else None,
            sibling_meal_payer_id=setup.youth_office if plan.standard_rate_meals else None,
            first_billing_month=FIRST_BILLING_MONTH, version=0)
        groups = frozenset(g.id for g in setup.groups.values()
                           if (g.tier_source is m.TierSource.WUERTTEMBERG) == (plan.statute == "WUERTTEMBERG"))
        offered = frozenset(setup.discounts[n] for n in (SUBSIDY, FAMILY_PASS)) | (
            frozenset({setup.discounts[SIBLINGS]}) if plan.statute == "INCOME" else frozenset())
        extras_offered = frozenset(i for n, i in setup.extras.items() if plan.crafts or n != CRAFTS)
        stored, _offer = facility.save_facility_setup(ctx.db, settings, FacilityOfferDTO(
            facility_id, groups, offered, extras_offered))
        setup.settings[plan.key] = stored
        setup.catalogues[plan.key] = m.Catalogue(
            whole.currency, {i: g for i, g in whole.fee_groups.items() if i in groups},
            {i: d for i, d in whole.discounts.items() if i in offered},
            {i: e for i, e in whole.extra_costs.items() if i in extras_offered})
    ctx.counts["fee_groups"] += len(setup.groups)
    return setup


def _institution_names():
    from sollhaben.services.demo_parts import INSTITUTIONS

    return INSTITUTIONS["kita"]


def create_kita(ctx: DemoContext) -> None:
    from sollhaben.services import demo_kita_children, demo_kita_income, demo_kita_ledger, demo_kita_runs

    steps = demo_kita_runs.STEPS + 3
    ctx.report(0, steps, "Kita: Beitragsordnung")
    setup = create_statute(ctx)
    demo_kita_income.create_configuration(ctx, setup)
    ctx.report(1, steps, "Kita: Kinder, Verträge, Abrechnungsdaten und Staffelberechnungen")
    children = demo_kita_children.plan_children(ctx, setup)
    line_ids = demo_kita_children.insert_children(ctx, setup, children)
    demo_kita_income.insert_assessments(ctx, setup, children)
    ctx.report(2, steps, "Kita: Sollstellungen")
    demo_kita_runs.run_months(ctx, setup, children, line_ids, first_step=2, steps=steps)
    demo_kita_income.after_runs(ctx, setup, children)
    demo_kita_ledger.book_payments(ctx, setup)
    ctx.report(steps, steps, "Kita: Zahlungen")


register_demo_part("Kita: Einrichtungen, Kinder und Sollstellungen", create_kita, weight=20,
                   after="Personen und Haushalte")
