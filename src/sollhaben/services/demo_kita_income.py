"""The income scale (Staffelberechnung, `docs/income-scale.md`) of the demo's Kita Regenbogen, whose
fee groups are income-dependent (`TierSource.INCOME`): the configuration, one assessment per child,
its transfer into the child's billing periods before the first run, and after the runs a newer
assessment not transferred yet and a follow-up.

1. `create_configuration`: the item types and the version of the scale from 01.2026 through the
   configuration services (validated, audited).
2. `IncomePlanner.plan`: per Regenbogen family an income, drawn from a random generator of its own
   (the rest of the demo stays as it was). The family aims at a tier (`FamilyTraits.income_tier`,
   weights `INCOME_WEIGHTS`): a relevant amount inside that bracket plus the threshold of the
   household size and the exemption gives the household's annual income, which is split into the
   parents' items — salary with work expenses, self-employment, parental allowance (a baby in the
   household), maintenance received (single parents), paid, a pension. Household = the parents
   living with the child and all their children (2–5 persons). Some persons enter monthly amounts;
   one family (at least) chose „höchste Staffel“; most assessments are „Vollständig“. Per child one
   assessment from the month billing starts for it (08.2026, or the month of its first care day),
   checked by the domain's `validate_assessment`, its tier by `calculate` — the tier the child's
   periods are planned with (nets, payer shares).
3. `IncomePlanner.transfer`: the domain's `plan_transfer` on the child's planned periods, as
   `transfer_assessment` does it a few days after the income declaration and before the run of the
   assessment's first month: a period starting earlier is closed at 07.2026 and continues from 08.2026
   with the tier; the new periods are checked by `validate_period` as `save_period` checks them.
4. `insert_assessments`: assessments (status 2), persons, items and the transfer protocols,
   bulk-inserted like the children (no audit history).
5. `after_runs` (the demo's today, 31.10.2026, through the services): one child gets a new
   assessment from 11.2026 with a higher income, saved but not transferred (status 1, „Vollständig“,
   so „Alle vollständigen übertragen“ has one to do; the November run still bills the old tier), and
   one incomplete assessment gets a follow-up due on 05.11.2026.

Steps 2–4 use the domain functions the services use, so the result is what `save_assessment` and
`transfer_assessment` store (a second transfer through the service changes nothing, tested); through
the services (each call audited, the transfer loading the facility as the run does) one child takes
about 0.13 s at `--size 2000`: 40 s for its 320 assessments instead of 0.2 s.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Callable

from sqlalchemy import insert

from sollhaben.domain.income import model as im
from sollhaben.domain.income.calculation import calculate, divide_half_up, threshold_for
from sollhaben.domain.income.transfer import plan_transfer
from sollhaben.domain.income.transfer_protocol import ProtocolEntry, ProtocolKind
from sollhaben.domain.income.validation import validate_assessment
from sollhaben.domain.kita import model as m
from sollhaben.domain.kita.run_types import ChildRun, RunRequest
from sollhaben.domain.kita.validation import validate_period
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month, Validity
from sollhaben.persistence.base import utcnow
from sollhaben.persistence.models import (
    IncomeAssessment,
    IncomeAssessmentPerson,
    IncomeItem,
    IncomeTransfer,
)
from sollhaben.services import followups
from sollhaben.services.demo import CHUNK, DemoContext, reserve_ids
from sollhaben.services.demo_kita_data import (
    ALIMONY_PAID,
    ALIMONY_RECEIVED,
    EXEMPTION_FIXED,
    EXEMPTION_PERCENT,
    EXPENSES,
    FIRST_BILLING_MONTH,
    INCOME_BRACKETS,
    INCOME_HIGHEST_TIER,
    INCOME_INCREMENT,
    INCOME_THRESHOLDS,
    INCOME_TYPES,
    NEXT_MONTH,
    PARENTAL_ALLOWANCE,
    PENSION,
    SALARY,
    SCALE_FROM,
    SELF_EMPLOYED,
)
from sollhaben.services.income import assessments, configuration
from sollhaben.services.income.context import RECORD_TYPE, protocol_json
from sollhaben.services.income.dto import ProtocolLine

if TYPE_CHECKING:
    from sollhaben.services.demo_data import Family
    from sollhaben.services.demo_kita import KitaSetup
    from sollhaben.services.demo_kita_children import FamilyTraits, KitaChild

INCOME_FACILITY = "REG"
FOLLOW_UP_DUE = timedelta(days=5)  # after the demo's today: due in the coming week
NEWER_DECLARATION = timedelta(days=5)  # the newer income was declared five days before the demo's today
BABY_DAYS = 425  # a child younger than 14 months in the household: a parent gets Elterngeld
UTC = timezone.utc


def create_configuration(ctx: DemoContext, setup: KitaSetup) -> None:
    """Item types and the version of the scale through the services; the stored configuration (with
    ids) into `setup.income`, the type ids by label into `setup.income_types`."""
    money, org_id = setup.money, setup.organization_id
    for position, (label, sign) in enumerate(INCOME_TYPES, start=1):
        stored = configuration.save_item_type(ctx.db, org_id, im.IncomeItemType(label, im.ItemSign(sign), position))
        setup.income_types[label] = stored.item_type.id
    configuration.save_version(ctx.db, org_id, im.IncomeScaleVersion(
        Validity(SCALE_FROM), tuple(im.IncomeThreshold(size, money(a)) for size, a in INCOME_THRESHOLDS),
        money(INCOME_INCREMENT), tuple(im.TierBracket(money(a), tier) for a, tier in INCOME_BRACKETS),
        INCOME_HIGHEST_TIER, Decimal(EXEMPTION_PERCENT), money(EXEMPTION_FIXED)))
    setup.income = configuration.load_config(ctx.db, org_id)


# --- planning --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FamilyIncome:
    """What a family declared, shared by its children's assessments."""

    persons: tuple[im.AssessmentPerson, ...]
    household_size: int
    highest_tier: bool
    complete: bool
    lead_days: int  # the declaration came this many days before the first month
    transfer_days: int  # and was transferred this many days later
    transfer_time: time


@dataclass(frozen=True)
class PlannedTransfer:
    tier: int
    run_month: Month  # the facility's next run when it was transferred
    at: datetime
    protocol: tuple[ProtocolEntry, ...]


def first_month(kid: KitaChild) -> Month:
    """The assessment's first month: billing starts in 08.2026, or later with the first care day."""
    return max(FIRST_BILLING_MONTH, Month.of(kid.contract.first_day))


class IncomePlanner:
    """Incomes, assessments and transfers of the Regenbogen children (deterministic)."""

    def __init__(self, ctx: DemoContext, setup: KitaSetup, people: dict[int, tuple]) -> None:
        self.ctx, self.setup, self.people = ctx, setup, people
        self.rng = ctx.rng("kita:income")
        self.config = setup.income
        self.version = self.config.version_for(SCALE_FROM)
        self.types = setup.income_types
        self.seen = {"monthly": False, "incomplete": False}

    def money(self, minor: int) -> Money:
        return Money(minor, self.setup.currency)

    # the family's income ------------------------------------------------------------------------------

    def plan(self, by_family: dict[int, list[KitaChild]], families: list[Family],
             traits: list[FamilyTraits]) -> None:
        """An assessment (and its tier) for every Regenbogen child: `kid.assessment`, `kid.income_tier`."""
        indexes = [i for i, kids in by_family.items() if any(k.facility == INCOME_FACILITY for k in kids)]
        tiers = {i: traits[i].income_tier for i in indexes}
        top = max(tiers.values(), default=0)
        highest_first = next((i for i in indexes if tiers[i] == top), None)  # the option shows in any demo
        for index in indexes:
            family, kids = families[index], [k for k in by_family[index] if k.facility == INCOME_FACILITY]
            highest = index == highest_first or (tiers[index] == INCOME_HIGHEST_TIER and self.rng.random() < 0.3)
            income = self._family_income(family, tiers[index], highest)
            for kid in kids:
                self._assess(kid, income)

    def _family_income(self, family: Family, target: int, highest: bool) -> FamilyIncome:
        rng = self.rng
        births = [self.people[c][1] for c in family.children]
        size = len(family.adults) + len(births)
        complete = highest or (self.seen["incomplete"] and rng.random() < 0.85)
        self.seen["incomplete"] |= not complete
        when = time(rng.randrange(8, 17), rng.randrange(0, 60))
        lead, later = rng.randrange(15, 80), rng.randrange(1, 12)
        if highest:
            persons = tuple(im.AssessmentPerson(p) for p in family.adults)
            return FamilyIncome(persons, size, True, complete, lead, later, when)
        annual = self._annual_income(target, size)
        baby = (FIRST_BILLING_MONTH.first_day - max(births)).days < BABY_DAYS
        shares = self._split(family, annual, baby)
        persons = tuple(self._person(pid, items, monthly=PARENTAL_ALLOWANCE in items) for pid, items in shares)
        return FamilyIncome(persons, size, False, complete, lead, later, when)

    def _annual_income(self, target: int, size: int) -> int:
        """Annual household income (minor units, whole euros) whose relevant amount lies inside the
        bracket of `target`: relevant + threshold + exemption, × 12."""
        rng, version = self.rng, self.version
        tops = [b.up_to.minor // 100 for b in sorted(version.brackets, key=lambda b: b.up_to.minor)]
        low = tops[target - 2] if target >= 2 else -1000  # the bracket of tier 1 is "up to 0"
        high = tops[target - 1] if target <= len(tops) else low + 2500
        relevant = rng.randrange(low + 60, high - 60)
        threshold = threshold_for(version, size).minor // 100
        fixed = version.exemption_fixed.minor // 100 if version.exemption_fixed else 0
        monthly = Decimal(relevant + threshold + fixed) / (1 - version.exemption_percent / 100)
        return int((monthly * 12).quantize(Decimal(1), ROUND_HALF_UP)) * 100

    def _split(self, family: Family, annual: int, baby: bool) -> list[tuple[int, dict[str, int]]]:
        """The household's annual income (minor) as items per parent: label → annual amount."""
        rng = self.rng
        adults = list(family.adults)
        mother = next((p for p in adults if self.people[p][2] == "Frau"), adults[0])
        items: dict[int, dict[str, int]] = {p: {} for p in adults}
        rest = annual
        if baby:  # Elterngeld for the parent at home (entered monthly): 600–1 600 a month, at least 300
            allowance = max(30000, min(rng.randrange(60000, 160000, 100), annual // 12 // 100 * 100))
            items[mother][PARENTAL_ALLOWANCE] = allowance * 12
            rest -= allowance * 12
        if len(adults) == 1:
            if family.debtor is not None or rng.random() < 0.4:  # the other parent pays maintenance
                received = min(rng.randrange(2400, 7200, 100) * 100, max(0, rest) * 2 // 5 // 100 * 100)
                if received > 0:
                    items[mother][ALIMONY_RECEIVED] = received
                    rest -= received
            earners = [mother]
        else:
            other = next(p for p in adults if p != mother)
            earners = [other] if baby or rng.random() < 0.2 else [other, mother]
        if len(earners) == 2:
            part = rest * rng.randrange(25, 50) // 100 // 100 * 100
            self._earned(items[earners[1]], part)
            rest -= part
        self._earned(items[earners[0]], rest)
        if len(adults) == 2 and rng.random() < 0.08:  # maintenance for a child of an earlier relationship
            paid = rng.randrange(3600, 6000, 100) * 100
            earner = items[earners[0]]
            key = SALARY if SALARY in earner else SELF_EMPLOYED
            earner[key] = earner.get(key, 0) + paid
            earner[ALIMONY_PAID] = paid
        return [(p, items[p]) for p in adults]

    def _earned(self, items: dict[str, int], amount: int) -> None:
        """`amount` (annual, after work expenses) as salary with expenses, self-employment or partly a pension."""
        rng = self.rng
        if amount <= 0:
            return
        if rng.random() < 0.05:  # e.g. a reduced earning capacity pension
            pension = min(amount, rng.randrange(3000, 9000, 100) * 100)
            items[PENSION] = pension
            amount -= pension
            if amount <= 0:
                return
        if rng.random() < 0.12:
            items[SELF_EMPLOYED] = amount
            return
        expenses = 0
        if rng.random() < 0.7:  # the employee's lump sum or the expenses shown in the tax return
            expenses = 123000 if rng.random() < 0.5 else rng.randrange(1300, 3200, 10) * 100
        items[SALARY] = amount + expenses
        if expenses:
            items[EXPENSES] = expenses

    def _person(self, person_id: int, items: dict[str, int], monthly: bool) -> im.AssessmentPerson:
        monthly = monthly or (bool(items) and (not self.seen["monthly"] or self.rng.random() < 0.25))
        self.seen["monthly"] |= monthly
        order = {label: i for i, (label, _s) in enumerate(INCOME_TYPES)}
        entered = tuple(im.IncomeItem(self.types[label], self.money(divide_half_up(amount, 12) if monthly else amount))
                        for label, amount in sorted(items.items(), key=lambda i: order[i[0]]) if amount > 0)
        return im.AssessmentPerson(person_id, monthly, entered)

    def _assess(self, kid: KitaChild, income: FamilyIncome) -> None:
        start = first_month(kid)
        declared = min(start.first_day - timedelta(days=income.lead_days),
                       self.ctx.reference_date - timedelta(days=5))
        assessment = im.IncomeAssessment(
            kid.child_id, self.setup.facility_ids[INCOME_FACILITY], start, persons=income.persons,
            household_size=income.household_size, declaration_date=declared, highest_tier=income.highest_tier,
            complete=income.complete)
        linked = frozenset(p for p, _r in kid.guardians) | frozenset(p for p in kid.payers if p in self.people)
        validate_assessment(assessment, self.config, linked, ())
        kid.assessment = assessment
        kid.income_tier = calculate(assessment, self.config).tier
        day = min(declared + timedelta(days=income.transfer_days), start.first_day - timedelta(days=1),
                  self.ctx.reference_date - timedelta(days=1))
        kid.transfer = PlannedTransfer(kid.income_tier, max(FIRST_BILLING_MONTH, Month.of(day) + 1),
                                       datetime.combine(day, income.transfer_time, UTC), ())

    # the transfer ---------------------------------------------------------------------------------------

    def transfer(self, kid: KitaChild, facts: Callable[[Month], m.ChildMonthFacts]) -> None:
        """Transfer the child's assessment into its planned periods (ids not reserved yet: the periods
        get stand-in ids < 0, which `with_ids` replaces)."""
        setup, planned = self.setup, kid.transfer
        periods = [replace(p, id=-(i + 1)) for i, p in enumerate(kid.periods)]
        run = RunRequest(setup.facility_ids[INCOME_FACILITY], planned.run_month, setup.settings[INCOME_FACILITY],
                         setup.catalogues[INCOME_FACILITY])
        plan = plan_transfer(kid.assessment, planned.tier, ChildRun(kid.child_id, periods, (kid.contract,), facts),
                             run)
        if plan.differences or any(e.kind is ProtocolKind.PROBLEM for e in plan.protocol):  # before any run: none
            raise RuntimeError(f"Demo: the transfer for child {kid.child_id} leaves work for the run: {plan.protocol}")
        kid.periods = list(plan.periods)
        kid.assessment = plan.assessment
        kid.transfer = replace(planned, protocol=plan.protocol)

    def check_periods(self, kid: KitaChild, facts: Callable[[Month], m.ChildMonthFacts]) -> None:
        """The periods after the transfer pass `validate_period` as `save_period` checks them (the income
        tier read from the line)."""
        setup = self.setup
        for period in kid.periods:
            others = [p for p in kid.periods if p is not period]
            validate_period(period, setup.catalogues[INCOME_FACILITY], frozenset(kid.payers), others,
                            setup.settings[INCOME_FACILITY], None,
                            facts=replace(facts(period.valid.valid_from), income_tier=None))


def with_ids(kid: KitaChild, ids: dict[int, int]) -> None:
    """Replace the stand-in period ids of the transfer's protocol by the reserved ones."""
    if kid.transfer is None or not kid.transfer.protocol:
        return
    protocol = tuple(replace(e, period_id=ids.get(e.period_id, e.period_id)) if e.period_id is not None else e
                     for e in kid.transfer.protocol)
    kid.transfer = replace(kid.transfer, protocol=protocol)


# --- inserting -----------------------------------------------------------------------------------------

def insert_assessments(ctx: DemoContext, setup: KitaSetup, children: list[KitaChild]) -> None:
    """Bulk-insert the transferred assessments with persons, items and protocols (no audit history);
    `kid.assessment` gets its id."""
    kids = [k for k in children if k.assessment is not None]
    if not kids:
        return
    connection, now = ctx.connection, utcnow()
    stamp = {"version": 1, "created_at": now, "updated_at": now}
    persons = [(kid, i, p) for kid in kids for i, p in enumerate(kid.assessment.persons)]
    items = [(kid, person_index, j, item) for kid, person_index, p in persons for j, item in enumerate(p.items)]
    assessment_ids = reserve_ids(connection, IncomeAssessment.__table__, len(kids))
    person_ids = reserve_ids(connection, IncomeAssessmentPerson.__table__, len(persons))
    item_ids = reserve_ids(connection, IncomeItem.__table__, len(items))
    transfer_ids = reserve_ids(connection, IncomeTransfer.__table__, len(kids))
    by_kid = {}
    rows: dict[object, list[dict]] = {t: [] for t in (IncomeAssessment, IncomeAssessmentPerson, IncomeItem,
                                                      IncomeTransfer)}
    for assessment_id, transfer_id, kid in zip(assessment_ids, transfer_ids, kids):
        a, transfer = kid.assessment, kid.transfer
        rows[IncomeAssessment].append({
            **stamp, "id": assessment_id, "organization_id": setup.organization_id, "facility_id": a.facility_id,
            "child_id": kid.child_id, "valid_from": a.valid_from, "valid_to": a.valid_to,
            "declaration_date": a.declaration_date, "household_size": a.household_size,
            "highest_tier": a.highest_tier, "complete": a.complete, "status": int(a.status),
            "exemption_percent_bp": None, "exemption_fixed_minor": None})
        protocol = tuple(ProtocolLine(e.kind, e.text, e.month, e.payer_id, e.amount, e.period_id)
                         for e in transfer.protocol)
        rows[IncomeTransfer].append({
            "id": transfer_id, "organization_id": setup.organization_id, "child_id": kid.child_id,
            "assessment_id": assessment_id, "facility_id": a.facility_id, "valid_from": a.valid_from,
            "valid_to": a.valid_to, "tier": transfer.tier, "run_month": transfer.run_month,
            "transferred_at": transfer.at, "transferred_by": ctx.db.user[:60],
            "text": "\n".join(line.text for line in protocol), "entries": protocol_json(protocol)})
        by_kid[kid.child_id] = assessment_id
        kid.assessment = replace(a, id=assessment_id, version=1)
    row_of_person = {}
    for person_id, (kid, i, p) in zip(person_ids, persons):
        row_of_person[(kid.child_id, i)] = person_id
        rows[IncomeAssessmentPerson].append({"id": person_id, "assessment_id": by_kid[kid.child_id], "position": i,
                                             "person_id": p.person_id, "monthly_entry": p.monthly_entry})
    for item_id, (kid, i, j, item) in zip(item_ids, items):
        rows[IncomeItem].append({"id": item_id, "assessment_person_id": row_of_person[(kid.child_id, i)],
                                 "assessment_id": by_kid[kid.child_id], "position": j,
                                 "item_type_id": item.item_type_id, "amount_minor": item.amount.minor})
    for model, values in rows.items():
        for start in range(0, len(values), CHUNK):
            connection.execute(insert(model.__table__), values[start:start + CHUNK])
    ctx.counts["income_assessments"] += len(kids)
    ctx.counts["income_transfers"] += len(kids)


# --- after the runs --------------------------------------------------------------------------------------

def _raised(planner_config: im.IncomeScaleConfig, assessment: im.IncomeAssessment, types: dict[str, int],
            currency: str) -> tuple[im.AssessmentPerson, ...] | None:
    """The persons with an income that reaches the middle of the next bracket: the first earning person
    earns more (back at work after the parental allowance, or a raise). None if no person earns."""
    figures = calculate(replace(assessment, valid_from=NEXT_MONTH), planner_config)
    version, tier = figures.version, figures.tier
    brackets = sorted(version.brackets, key=lambda b: b.up_to.minor)
    floor = next((b.up_to.minor for b in brackets if b.tier == tier), None)  # where the next bracket starts
    if floor is None or figures.relevant_amount is None:
        return None
    ceiling = next((b.up_to.minor for b in brackets if b.tier == tier + 1), floor + 160000)
    wanted = (floor + ceiling) // 2 - figures.relevant_amount.minor  # more per month after the exemption
    annual = (wanted * 100 // (100 - int(version.exemption_percent)) * 12 + 9999) // 10000 * 10000
    for index, person in enumerate(assessment.persons):
        amounts = {i.item_type_id: i.amount.minor for i in person.items}
        if not amounts:
            continue
        raise_by = divide_half_up(annual, 12) if person.monthly_entry else annual
        salary, allowance = types[SALARY], types[PARENTAL_ALLOWANCE]
        amounts[salary] = amounts.get(salary, 0) + raise_by + amounts.pop(allowance, 0)
        order = {type_id: i for i, type_id in enumerate(types.values())}
        items = tuple(im.IncomeItem(t, Money(a, currency))
                      for t, a in sorted(amounts.items(), key=lambda i: order[i[0]]))
        persons = list(assessment.persons)
        persons[index] = replace(person, items=items)
        return tuple(persons)
    return None


def after_runs(ctx: DemoContext, setup: KitaSetup, children: list[KitaChild]) -> tuple[int | None, int | None]:
    """The demo's today: a newer income saved but not transferred (status 1), and a follow-up for an
    incomplete assessment. Returns (the new assessment's id, the follow-up's id); None when no child
    fits (a very small demo)."""
    kids = [k for k in children if k.assessment is not None]
    today, currency = ctx.reference_date, setup.currency
    follow = next((k for k in kids if not k.assessment.complete), None)
    siblings = {}
    for kid in kids:
        siblings[kid.family] = siblings.get(kid.family, 0) + 1
    candidates = sorted((k for k in kids if k.contract.status is m.ContractStatus.ACTIVE
                         and k.contract.last_day is None and not k.assessment.highest_tier
                         and k.income_tier < INCOME_HIGHEST_TIER),
                        key=lambda k: (siblings[k.family] > 1, k is follow))
    new_id = None
    for kid in candidates:
        persons = _raised(setup.income, kid.assessment, setup.income_types, currency)
        if persons is None:
            continue
        newer = replace(kid.assessment, id=None, version=0, valid_from=NEXT_MONTH, valid_to=None, persons=persons,
                        status=im.AssessmentStatus.NOT_TRANSFERRED, complete=True,
                        declaration_date=today - NEWER_DECLARATION)
        saved = assessments.save_assessment(ctx.db, setup.organization_id, newer, today=today)
        new_id = saved.assessment.id
        ctx.counts["income_assessments"] += 1
        break
    follow_id = None
    if follow is not None:
        follow_id = followups.create_follow_up(ctx.db, setup.organization_id, followups.FollowUpInput(
            "Einkommensnachweise nachfordern", today + FOLLOW_UP_DUE,
            note="Lohnabrechnungen der letzten drei Monate fehlen noch; danach „Vollständig“ setzen.",
            module="income", record_type=RECORD_TYPE, record_id=follow.assessment.id)).id
        ctx.counts["follow_ups"] += 1
    return new_id, follow_id
