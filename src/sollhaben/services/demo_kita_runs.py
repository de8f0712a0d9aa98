"""The demo's billing history: the counts and the runs of August to October 2026 in every
facility, then a retroactive change and the November counts (the next run, left unposted).

- Before the run of a month: the lunches of the month before (Mittagessen is counted a month late;
  fewer in August, when the facilities close for two or three weeks) and the trips of the month
  (Ausflug, an individual amount the run resets).
- After the run of a child's last month (left for school on 31.08., moved away in September): its
  lunches of that month, typed into the grid of that month (the only grid that lists the child),
  so the next run bills them once more — the rule "after the child leaves".
- The runs go through `billing_run.post_run`, the real service (plan, postings, resets,
  billed-through marks, run row), with progress and cancel.
- After October: one child in a facility without the lock option gets the Familienpass from
  September through `billing_data.save_period` (a new period from 09.2026, as a clerk saves it), so
  the November preview shows a recalculation of September and October. Then the November counts.

The counts are written as `quick_entry.save_quick_entry` stores them (the line's count or amount,
the period's version moved on), in one bulk UPDATE per step and without audit history, like the
other demo rows: the service loads, validates and audits the whole grid per call, which took two
thirds of the demo's time at `--size 10000`. The retroactive change is a service call; the
counts' periods were validated when they were planned, and counts and trip amounts cannot make a
period invalid.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import bindparam, select, update

from sollhaben.domain.kita import model as m
from sollhaben.domain.months import Month, Validity
from sollhaben.persistence.base import utcnow
from sollhaben.persistence.models import BillingPeriod, ExtraLine
from sollhaben.services.demo import DemoContext
from sollhaben.services.demo_kita import KitaSetup
from sollhaben.services.demo_kita_children import KitaChild, school_leaving
from sollhaben.services.demo_kita_data import (
    FACILITIES,
    FAMILY_PASS,
    MEALS,
    NEXT_MONTH,
    POSTED_MONTHS,
    RETRO_FROM,
    TRIP,
    FacilityPlan,
)
from sollhaben.services.kita import billing_data, billing_run
from sollhaben.services.kita.dto import QuickChange

STEPS = len(POSTED_MONTHS) * len(FACILITIES) + 1


class Progress:
    """Monotonic progress over the part's steps (a run reports its own phases from 0 again)."""

    def __init__(self, ctx: DemoContext, first: int, steps: int) -> None:
        self.ctx, self.step, self.steps, self.last = ctx, first, steps, first * 100

    def __call__(self, done: int, total: int, text: str) -> None:
        value = max(self.last, self.step * 100 + 99 * min(done, total) // max(total, 1))
        self.last = value
        self.ctx.report(value, self.steps * 100, text)

    def next(self, text: str) -> None:
        self.step += 1
        self(0, 1, text)


def lunches(rng, kid: KitaChild, month: Month, plan: FacilityPlan) -> int:
    """Lunches the child had in `month`: 10–20 in a full month, fewer for part of it or when the
    facility closes in August."""
    days = kid.care_days(month)
    if not kid.lunch or not days:
        return 0
    count = rng.randint(10, 20) * days // month.days
    if month.month == 8:
        count = max(0, count - 5 * plan.closed_in_august)
    return count


def _trip_for(kid: KitaChild, month: Month, who: str) -> bool:
    age = (month.first_day - kid.birth).days // 365
    return {"ALL": True, "U3": age < 3, "Ü3": age >= 3, "VS": school_leaving(kid.birth).year == month.year + 1}[who]


def _in_grid(kid: KitaChild, month: Month) -> bool:
    return kid.care_days(month) > 0 and any(p.valid.contains(month) for p in kid.periods)


def _store(ctx: DemoContext, children: dict[int, KitaChild], line_ids: dict[tuple[int, int], int], month: Month,
           changes: list[QuickChange]) -> None:
    """What `save_quick_entry` stores for these cells, in bulk: the count (int) or amount (Money)
    of the line of the period valid in `month`, and the period's version moved on."""
    counts, amounts, periods = [], [], set()
    for change in changes:
        kid = children[change.child_id]
        period = next(p for p in kid.periods if p.valid.contains(month))
        line_id = line_ids[(period.id, int(change.key.partition(":")[2]))]
        if isinstance(change.value, int):
            counts.append({"b_id": line_id, "b_count": change.value})
        else:
            amounts.append({"b_id": line_id, "b_amount": change.value.minor})
        periods.add(period.id)
    table, connection = ExtraLine.__table__, ctx.connection
    if counts:
        connection.execute(update(table).where(table.c.id == bindparam("b_id")).values(count=bindparam("b_count")),
                           counts)
    if amounts:
        connection.execute(update(table).where(table.c.id == bindparam("b_id"))
                           .values(amount_minor=bindparam("b_amount")), amounts)
    if periods:
        table = BillingPeriod.__table__
        connection.execute(update(table).where(table.c.id == bindparam("b_id"))
                           .values(version=table.c.version + 1, updated_at=utcnow()),
                           [{"b_id": pid} for pid in sorted(periods)])
    ctx.counts["counts_entered"] += len(changes)


def _month_changes(rng, setup: KitaSetup, plan: FacilityPlan, kids: list[KitaChild], month: Month) -> list[QuickChange]:
    """Before the run of `month`: last month's lunches and this month's trips."""
    meals, trip = f"EXTRA:{setup.extras[MEALS]}", f"EXTRA:{setup.extras[TRIP]}"
    changes = []
    for kid in kids:
        if not _in_grid(kid, month):
            continue
        count = lunches(rng, kid, month - 1, plan)
        if count:
            changes.append(QuickChange(kid.child_id, meals, count))
        for trip_month, amount, who in plan.trips:
            if trip_month == month and _trip_for(kid, month, who):
                changes.append(QuickChange(kid.child_id, trip, setup.money(amount)))
    return changes


def run_months(ctx: DemoContext, setup: KitaSetup, children: list[KitaChild], line_ids: dict[tuple[int, int], int],
               first_step: int, steps: int) -> None:
    rng = ctx.rng("kita:counts")
    progress = Progress(ctx, first_step, steps)
    by_facility = {plan.key: [k for k in children if k.facility == plan.key] for plan in FACILITIES}
    by_id = {k.child_id: k for k in children}
    meals = f"EXTRA:{setup.extras[MEALS]}"
    for month in POSTED_MONTHS:
        for plan in FACILITIES:
            facility_id, kids = setup.facility_ids[plan.key], by_facility[plan.key]
            _store(ctx, by_id, line_ids, month, _month_changes(rng, setup, plan, kids, month))
            result = billing_run.post_run(ctx.db, facility_id, month, ctx.db.user, progress=progress,
                                          today=month.first_day)
            ctx.counts["billing_runs"] += 1
            ctx.counts["postings"] += result.postings
            ctx.counts["accounts"] += result.accounts_opened
            ctx.counts["run_problems"] += len(result.problems)
            leavers = [QuickChange(k.child_id, meals, n) for k in kids
                       if k.contract.last_month == month and (n := lunches(rng, k, month, plan))]
            _store(ctx, by_id, line_ids, month, leavers)  # billed once more by the next run
            progress.next(f"Sollstellung {month} {plan.name}")
    retroactive_change(ctx, setup, children, line_ids)
    for plan in FACILITIES:
        _store(ctx, by_id, line_ids, NEXT_MONTH, _month_changes(rng, setup, plan, by_facility[plan.key], NEXT_MONTH))
    progress.next("Kita: Nachberechnung vorbereitet")


def retroactive_change(ctx: DemoContext, setup: KitaSetup, children: list[KitaChild],
                       line_ids: dict[tuple[int, int], int]) -> int | None:
    """Add the Familienpass from September to one child of a facility without the lock option:
    the November run recalculates September and October. Returns the child id (None: no child
    fits, in a very small demo)."""
    family_pass = setup.discounts[FAMILY_PASS]
    for key in ("PARK", "SON"):
        for kid in children:
            period = kid.periods[-1]
            line = period.fee_lines[0]
            if (kid.facility != key or kid.contract.status is not m.ContractStatus.ACTIVE
                    or kid.contract.first_day >= date(2026, 8, 1) or period.valid.valid_from >= RETRO_FROM
                    or period.valid.valid_to is not None or period.fees_payer_id is None
                    or family_pass in line.discount_ids):
                continue
            new = replace(period, valid=Validity(RETRO_FROM), id=None, version=0, billed_through=None,
                          fee_lines=(replace(line, discount_ids=line.discount_ids + (family_pass,)),))
            stored = billing_data.save_period(ctx.db, new)
            kid.periods[-1] = replace(period, valid=Validity(period.valid.valid_from, RETRO_FROM - 1))
            kid.periods.append(stored.period)
            line_ids.update(((stored.period.id, cost_id), line_id) for line_id, cost_id in ctx.connection.execute(
                select(ExtraLine.id, ExtraLine.extra_cost_id).where(ExtraLine.period_id == stored.period.id)))
            ctx.counts["retroactive_changes"] += 1
            return kid.child_id
    return None
