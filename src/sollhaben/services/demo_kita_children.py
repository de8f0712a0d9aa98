"""Kita children of the demo: who is in care where, since when, in which care scope, with which
discounts and payers — planned from the demo families, checked by the domain, bulk-inserted.

Which children: the children of the demo's Kita families (`demo_data.plan_kita`) of Kita age in
the demo window — from their first birthday (care starts the month after it, not before 11.2024)
until the summer they start school (they turn 6 by 30 September; the last care day is 31 August).
Older siblings get no child record; they still count for the Württemberg model, because they live
in the household. Per family: one facility, the income tier it aims at (Kita Regenbogen, see
`demo_kita_income`), and a few family traits (Jugendamt as second payer, the other parent paying
a fixed part, Familienpass, municipal subsidy, meals from the hardship fund). Per child: the
contract (active; left for school on 31.08.2026; moved away in September; registered for a first
care day after the demo's today), one period, or two when a Krippe child turns 3 (new care scope
from the month after the birthday); in Kita Regenbogen an income assessment.

Every period goes through `validate_period` with the facts of its first month before it is
inserted; fixed payer shares are half of the smallest monthly net the line has in the billed
months (computed by the domain), so the runs have no problems to report. A Regenbogen child's
periods are planned as the clerk enters them (the income-dependent line without a tier; nets with
the tier of the child's assessment) and then get the tier by the assessment's transfer, which
splits a period that starts before the assessment.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy import insert, select

from sollhaben.domain.income import model as im
from sollhaben.domain.kita import model as m
from sollhaben.domain.kita.calculation import compute_child_month
from sollhaben.domain.kita.validation import validate_period
from sollhaben.domain.months import Month, Validity
from sollhaben.persistence.base import utcnow
from sollhaben.persistence.models import (
    BillingPeriod,
    Child,
    ChildGuardian,
    ChildPayer,
    Contract,
    ExtraLine,
    FeeLine,
    FeeLineDiscount,
    LinePayer,
    Person,
)
from sollhaben.services import demo_kita_income
from sollhaben.services.demo import CHUNK, DemoContext, reserve_ids
from sollhaben.services.demo_kita import KitaSetup
from sollhaben.services.demo_kita_data import (
    CRAFTS,
    DRINKS,
    EARLIEST_START,
    FACILITIES,
    FAMILY_PASS,
    FIRST_BILLING_MONTH,
    INCOME_SCOPES,
    INCOME_WEIGHTS,
    KRIPPE,
    MEALS,
    NEXT_MONTH,
    SIBLINGS,
    SUBSIDY,
    TRIP,
    WUERTTEMBERG_SCOPES,
)

LATEST_START = NEXT_MONTH  # a first care day in November: registered, billed from the next run
LATEST_REGISTERED = date(2027, 4, 1)  # children under one: registered when care starts by then
LAST_PLANNED_PERIOD = Month(2026, 12)  # a Krippe child turning 3 by then gets its next period now


@dataclass
class KitaChild:
    person_id: int
    first_name: str
    birth: date
    family: int  # index into ctx.families["kita"]
    facility: str  # SON / REG / PARK
    contract: m.Contract  # child_id 0 until ids are reserved
    u3_scope: str  # fee group code from the 3rd birthday
    lunch: bool
    child_id: int = 0
    guardians: tuple[tuple[int, str], ...] = ()  # (person, relation)
    payers: tuple[int, ...] = ()
    periods: list[m.BillingPeriod] = field(default_factory=list)
    assessment: im.IncomeAssessment | None = None  # Kita Regenbogen: the income-scale calculation
    income_tier: int | None = None  # its tier
    transfer: demo_kita_income.PlannedTransfer | None = None

    def care_days(self, month: Month) -> int:
        return self.contract.care_days(month)


def _add_years(day: date, years: int) -> date:
    return day.replace(year=day.year + years, day=min(day.day, 28) if day.month == 2 else day.day)


def _month_from(day: date) -> Month:
    """The first month that starts on or after `day`."""
    return Month.of(day) if day.day == 1 else Month.of(day) + 1


def school_leaving(birth: date) -> date:
    """31 August of the year the child turns 6 by 30 September (Baden-Württemberg's rule)."""
    year = birth.year + (6 if (birth.month, birth.day) <= (9, 30) else 7)
    return date(year, 8, 31)


def _contract(rng, birth: date, today: date, plan_key: str, force_move: bool = False) -> m.Contract | None:
    leaves = school_leaving(birth)
    if leaves < FIRST_BILLING_MONTH.first_day:
        return None  # at school before the facilities bill with Sollhaben
    earliest = max(_month_from(_add_years(birth, 1)), EARLIEST_START)
    if earliest.first_day > today:  # under one: registered if care starts soon enough
        if earliest.first_day > LATEST_REGISTERED:
            return None
        registered = max(birth + timedelta(days=20), today - timedelta(days=rng.randrange(10, 150)))
        return m.Contract(0, 0, m.ContractStatus.REGISTERED, registered, earliest.first_day)
    latest = min(LATEST_START, Month.of(leaves))
    if earliest > latest:
        return None
    septembers = [mo for mo in (Month(2025, 9), Month(2026, 9)) if earliest <= mo <= latest]
    if septembers and rng.random() < 0.45:
        start = rng.choice(septembers)
    else:
        start = Month.from_index(rng.randrange(earliest.index, latest.index + 1))
    first = start.first_day if rng.random() < 0.85 else start.first_day + timedelta(days=rng.randrange(1, 20))
    registered = max(birth + timedelta(days=20), first - timedelta(days=rng.randrange(30, 240)))
    status, last = m.ContractStatus.ACTIVE, None
    if first > today:
        status = m.ContractStatus.REGISTERED
    elif leaves < today:
        status, last = m.ContractStatus.DEREGISTERED, leaves
    elif first < FIRST_BILLING_MONTH.first_day and (rng.random() < 0.06 or force_move):  # moved away in September
        status, last = m.ContractStatus.DEREGISTERED, date(2026, 9, 15 if plan_key == "REG" else 30)
    return m.Contract(0, 0, status, registered, first, last)


def _weighted(rng, pairs):
    return rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]


# --- planning ------------------------------------------------------------------------------------------

@dataclass
class FamilyTraits:
    facility: str
    income_tier: int  # the tier the family's income aims at (Kita Regenbogen)
    youth_office: bool  # the Jugendamt pays a fixed part of the fee
    other_parent_pays: bool  # the parent living elsewhere pays a fixed part
    family_pass: bool
    subsidy: bool
    hardship: bool  # meals from the hardship fund (Am Park)


class Planner:
    """Plans the children family by family with one random generator (deterministic)."""

    def __init__(self, ctx: DemoContext, setup: KitaSetup) -> None:
        self.ctx, self.setup = ctx, setup
        self.rng = ctx.rng("kita:children")
        org_id = ctx.organizations["kita"].id
        self.people = {pid: (first, birth, salutation) for pid, first, birth, salutation in ctx.connection.execute(
            select(Person.id, Person.first_name, Person.birth_date, Person.salutation)
            .where(Person.organization_id == org_id, Person.kind == "NATURAL"))}
        self.children: list[KitaChild] = []
        self.traits: list[FamilyTraits | None] = []
        self.seen = {"youth": False, "hardship": False, "split": False, "moved": False}

    def plan(self) -> list[KitaChild]:
        rng, today = self.rng, self.ctx.reference_date
        facilities = [(f.key, f.weight) for f in FACILITIES]
        for index, family in enumerate(self.ctx.families["kita"]):
            key = _weighted(rng, facilities)
            statute = self.setup.facilities[key].statute
            kids = []
            for person_id in family.children:
                first, birth, _s = self.people[person_id]
                contract = _contract(rng, birth, today, key, force_move=not self.seen["moved"])
                scope = _weighted(rng, WUERTTEMBERG_SCOPES if statute == "WUERTTEMBERG" else INCOME_SCOPES)
                lunch = scope not in ("RG", "KT30") or rng.random() < 0.3
                if contract is not None:
                    lunch = lunch or _month_from(_add_years(birth, 3)) > Month.of(contract.first_day)  # Krippe
                    self.seen["moved"] |= contract.last_day is not None and contract.last_day.month == 9
                    contract = replace(contract, facility_id=self.setup.facility_ids[key])
                    kids.append(KitaChild(person_id, first, birth, index, key, contract, scope, lunch))
            active = any(k.contract.status is not m.ContractStatus.REGISTERED for k in kids)
            traits = FamilyTraits(
                key, rng.choices(range(1, 7), INCOME_WEIGHTS)[0],
                youth_office=active and (rng.random() < 0.08 or not self.seen["youth"]),
                other_parent_pays=active and family.debtor is not None and (rng.random() < 0.5 or not self.seen["split"]),
                family_pass=rng.random() < 0.12, subsidy=rng.random() < 0.10,
                hardship=active and key == "PARK" and (rng.random() < 0.15 or not self.seen["hardship"]))
            traits.other_parent_pays = traits.other_parent_pays and not traits.youth_office
            for name, flag in (("youth", traits.youth_office), ("split", traits.other_parent_pays),
                               ("hardship", traits.hardship)):
                self.seen[name] = self.seen[name] or flag
            self.traits.append(traits)
            guardians = tuple(dict.fromkeys(family.adults + ((family.debtor,) if family.debtor else ())))
            relations = tuple((g, "Mutter" if self.people[g][2] == "Frau" else "Vater") for g in guardians)
            payers = (family.payer,) + tuple(g for g in guardians if g != family.payer) + (
                (self.setup.youth_office,) if traits.youth_office else ())
            for kid in kids:
                kid.guardians, kid.payers = relations, payers
            self.children += kids
        return self.children


def _facts(kid: KitaChild, family: list[KitaChild], births: list[date], month: Month,
           full: bool = False) -> m.ChildMonthFacts:
    """The child's facts in `month` from the plan (as the run reads them from the database):
    care days, sibling position among the family's children in care in the same facility,
    children of the household born by the 1st, the tier of its income assessment."""
    in_care = sorted((k for k in family if k.care_days(month) > 0 or k is kid), key=lambda k: (k.birth, k.child_id))
    household = sum(1 for b in births if b <= month.first_day)
    days = month.days if full else kid.care_days(month)
    return m.ChildMonthFacts(kid.child_id, month, days, in_care.index(kid) + 1, max(1, household),
                             income_tier=kid.income_tier)


class PeriodBuilder:
    """The billing periods of a child: fee line, extra lines, payers; checked by the domain."""

    def __init__(self, setup: KitaSetup, rng) -> None:
        self.setup, self.rng = setup, rng

    def build(self, kid: KitaChild, traits: FamilyTraits, family: list[KitaChild], births: list[date],
              payer: int, other_parent: int | None) -> list[m.BillingPeriod]:
        setup, plan = self.setup, self.setup.facilities[kid.facility]
        contract = kid.contract
        start = Month.of(contract.first_day)
        end = Month.of(contract.last_day) if contract.last_day else None
        third = _month_from(_add_years(kid.birth, 3))
        krippe = next(c for c in KRIPPE if setup.groups[c].tier_source is (
            m.TierSource.WUERTTEMBERG if plan.statute == "WUERTTEMBERG" else m.TierSource.INCOME))
        ranges: list[tuple[Validity, str]] = []
        if third > start:
            if third <= min(end or LAST_PLANNED_PERIOD, LAST_PLANNED_PERIOD):
                ranges += [(Validity(start, third - 1), krippe), (Validity(third, end), kid.u3_scope)]
            else:
                ranges.append((Validity(start, end), krippe))
        else:
            ranges.append((Validity(start, end), kid.u3_scope))
        if contract.status is m.ContractStatus.DEREGISTERED and contract.last_day.month == 9:
            ranges[-1] = (Validity(ranges[-1][0].valid_from), ranges[-1][1])  # moved away: period left open
        siblings = sum(1 for k in family if k.facility == kid.facility) > 1
        coverage = m.MealCoverage.NONE
        if plan.standard_rate_meals:
            if traits.hardship:
                coverage = m.MealCoverage.HARDSHIP_FUND
            elif family.index(kid) > 0 and siblings and self.rng.random() < 0.6:
                coverage = m.MealCoverage.FROM_SECOND_SIBLING
        periods: list[m.BillingPeriod] = []
        for valid, code in ranges:
            group = setup.groups[code]
            discounts = []
            ladder = plan.statute == "INCOME" and siblings
            if ladder:
                discounts.append(setup.discounts[SIBLINGS])
            if traits.family_pass:
                discounts.append(setup.discounts[FAMILY_PASS])
            if traits.subsidy and not ladder:
                discounts.append(setup.discounts[SUBSIDY])
            tier = traits.income_tier if group.tier_source is m.TierSource.CHOSEN else None
            extras = [m.ExtraLine(setup.extras[MEALS])] if kid.lunch else []
            extras.append(m.ExtraLine(setup.extras[DRINKS]))
            if plan.crafts:
                extras.append(m.ExtraLine(setup.extras[CRAFTS]))
            extras.append(m.ExtraLine(setup.extras[TRIP], reset=True))
            period = m.BillingPeriod(kid.child_id, valid, (m.FeeLine(group.id, tier, discount_ids=tuple(discounts)),),
                                     tuple(extras), fees_payer_id=payer, extras_payer_id=payer,
                                     meal_coverage=coverage)
            period = self._without_failing_discounts(kid, period, family, births)
            if traits.youth_office or (traits.other_parent_pays and other_parent is not None):
                part = self._half_of_smallest_net(kid, period, family, births)
                other = setup.youth_office if traits.youth_office else other_parent
                line = replace(period.fee_lines[0], payers=(m.PayerShare(other, setup.money(f"{part // 100}.00")),
                                                            m.PayerShare(payer, takes_remainder=True)))
                period = replace(period, fee_lines=(line,), fees_payer_id=None)
            settings, catalogue = setup.settings[kid.facility], setup.catalogues[kid.facility]
            periods.append(validate_period(period, catalogue, frozenset(kid.payers), periods, settings, None,
                                           facts=_facts(kid, family, births, valid.valid_from)))
        return periods

    def _months(self, kid: KitaChild, period: m.BillingPeriod) -> list[Month]:
        """The period's first month and the months the demo bills (August to November 2026)."""
        months = {period.valid.valid_from}
        for month in Validity(FIRST_BILLING_MONTH, NEXT_MONTH).months():
            if period.valid.contains(month) and kid.care_days(month):
                months.add(month)
        return sorted(months)

    def _nets(self, kid, period, family, births) -> list[int] | None:
        setup = self.setup
        nets = []
        for month in self._months(kid, period):
            lines, problems = compute_child_month(period, setup.catalogues[kid.facility], setup.settings[kid.facility],
                                                  _facts(kid, family, births, month, full=True), setup.currency)
            if problems:
                return None
            nets += [line.net.minor for line in lines if line.kind is m.LineKind.FEE]
        return nets

    def _without_failing_discounts(self, kid, period, family, births) -> m.BillingPeriod:
        """Drop discounts (the last first) while a billed month would refuse them (e.g. the
        municipal subsidy on a low income bracket)."""
        while period.fee_lines[0].discount_ids and self._nets(kid, period, family, births) is None:
            line = period.fee_lines[0]
            period = replace(period, fee_lines=(replace(line, discount_ids=line.discount_ids[:-1]),))
        return period

    def _half_of_smallest_net(self, kid, period, family, births) -> int:
        nets = self._nets(kid, period, family, births) or [0]
        return max(0, min(nets) // 2 // 100 * 100)


def plan_children(ctx: DemoContext, setup: KitaSetup) -> list[KitaChild]:
    """Plan every child with its contract and periods; child and period ids are reserved here."""
    planner = Planner(ctx, setup)
    children = planner.plan()
    for kid, child_id in zip(children, reserve_ids(ctx.connection, Child.__table__, len(children))):
        kid.child_id = child_id
        kid.contract = replace(kid.contract, child_id=child_id)
    by_family: dict[int, list[KitaChild]] = {}
    for kid in children:
        by_family.setdefault(kid.family, []).append(kid)
    families = ctx.families["kita"]
    income = demo_kita_income.IncomePlanner(ctx, setup, planner.people)
    income.plan(by_family, families, planner.traits)
    builder = PeriodBuilder(setup, ctx.rng("kita:periods"))
    facts = {}
    for index, kids in by_family.items():
        family = families[index]
        births = [planner.people[p][1] for p in family.children]
        other = family.debtor if family.debtor is not None and family.debtor != family.payer else None
        for kid in kids:
            siblings = [k for k in kids if k.facility == kid.facility]
            kid.periods = builder.build(kid, planner.traits[index], siblings, births, family.payer, other)
            if kid.assessment is not None:
                facts[kid.child_id] = lambda month, kid=kid, siblings=siblings, births=births: _facts(
                    kid, siblings, births, month)
                income.transfer(kid, facts[kid.child_id])
    period_ids = iter(reserve_ids(ctx.connection, BillingPeriod.__table__, sum(len(k.periods) for k in children)))
    for kid in children:
        ids = [next(period_ids) for _p in kid.periods]
        demo_kita_income.with_ids(kid, {p.id: i for p, i in zip(kid.periods, ids) if p.id is not None})
        kid.periods = [replace(p, id=i) for p, i in zip(kid.periods, ids)]
        if kid.child_id in facts:
            income.check_periods(kid, facts[kid.child_id])
    return children


# --- inserting -----------------------------------------------------------------------------------------

def insert_children(ctx: DemoContext, setup: KitaSetup, children: list[KitaChild]) -> dict[tuple[int, int], int]:
    """Bulk-insert the planned children (Core, like the demo persons: no audit history). Returns
    the extra-cost line ids by (period id, extra cost id)."""
    now, connection = utcnow(), ctx.connection
    stamp = {"version": 1, "created_at": now, "updated_at": now}
    rows: dict[object, list[dict]] = {t: [] for t in (Child, ChildGuardian, ChildPayer, Contract, BillingPeriod,
                                                      FeeLine, FeeLineDiscount, ExtraLine, LinePayer)}
    fee_lines = [(kid, p, i, line) for kid in children for p in kid.periods for i, line in enumerate(p.fee_lines)]
    extra_lines = [(kid, p, i, line) for kid in children for p in kid.periods for i, line in enumerate(p.extra_lines)]
    fee_ids = reserve_ids(connection, FeeLine.__table__, len(fee_lines))
    extra_ids = reserve_ids(connection, ExtraLine.__table__, len(extra_lines))
    for kid in children:
        c = kid.contract
        rows[Child].append({**stamp, "id": kid.child_id, "organization_id": setup.organization_id,
                            "person_id": kid.person_id, "notes": ""})
        rows[ChildGuardian] += [{"child_id": kid.child_id, "person_id": g, "relation": relation, "valid_from": None,
                                 "valid_to": None} for g, relation in kid.guardians]
        rows[ChildPayer] += [{"child_id": kid.child_id, "person_id": p, "position": i} for i, p in enumerate(kid.payers)]
        rows[Contract].append({**stamp, "child_id": kid.child_id, "facility_id": c.facility_id, "status": c.status.value,
                               "registered_on": c.registered_on, "first_day": c.first_day, "last_day": c.last_day,
                               "note": "Umzug" if c.last_day and c.last_day.month == 9 else ""})
        for p in kid.periods:
            rows[BillingPeriod].append({
                **stamp, "id": p.id, "child_id": kid.child_id, "valid_from": p.valid.valid_from,
                "valid_to": p.valid.valid_to, "siblings_manual": None, "fees_payer_id": p.fees_payer_id,
                "extras_payer_id": p.extras_payer_id, "meal_coverage": p.meal_coverage.value, "billed_through": None})

    def payer_rows(line_id: int, column: str, child_id: int, payers) -> list[dict]:
        other = "extra_line_id" if column == "fee_line_id" else "fee_line_id"
        return [{column: line_id, other: None, "child_id": child_id, "position": j, "person_id": s.payer_id,
                 "share_minor": s.share.minor if s.share is not None else None,
                 "takes_remainder": s.takes_remainder} for j, s in enumerate(payers)]

    for line_id, (kid, p, i, line) in zip(fee_ids, fee_lines):
        rows[FeeLine].append({"id": line_id, "period_id": p.id, "child_id": kid.child_id, "position": i,
                              "fee_group_id": line.fee_group_id, "tier": line.tier, "count": line.count,
                              "amount_minor": line.amount.minor if line.amount is not None else None,
                              "reset": line.reset, "special_discount_minor": None})
        rows[FeeLineDiscount] += [{"fee_line_id": line_id, "child_id": kid.child_id, "position": j, "discount_id": d}
                                  for j, d in enumerate(line.discount_ids)]
        rows[LinePayer] += payer_rows(line_id, "fee_line_id", kid.child_id, line.payers)
    for line_id, (kid, p, i, line) in zip(extra_ids, extra_lines):
        rows[ExtraLine].append({"id": line_id, "period_id": p.id, "child_id": kid.child_id, "position": i,
                                "extra_cost_id": line.extra_cost_id, "count": line.count,
                                "amount_minor": line.amount.minor if line.amount is not None else None,
                                "reset": line.reset})
        rows[LinePayer] += payer_rows(line_id, "extra_line_id", kid.child_id, line.payers)
    for model, values in rows.items():
        for start in range(0, len(values), CHUNK):
            connection.execute(insert(model.__table__), values[start:start + CHUNK])
    ctx.counts["kita_children"] += len(children)
    ctx.counts["contracts"] += len(children)
    ctx.counts["billing_periods"] += len(rows[BillingPeriod])
    return {(p.id, line.extra_cost_id): line_id for line_id, (_kid, p, _i, line) in zip(extra_ids, extra_lines)}
