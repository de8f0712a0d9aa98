"""The transfer (Übertragen) of an assessment's tier into the child's billing data, as a pure plan.

The income tier lives on the income-dependent fee lines of the billing periods (`FeeLine.tier`);
the billing run reads it from there into `ChildMonthFacts.income_tier` (`income_tier_in`,
`with_income_tiers`). For the months of the assessment's validity every income-dependent line gets
the new tier; periods are split at the validity's borders so months outside keep theirs:

- a period that starts before `valid_from` is closed at the month before, a copy starts at
  `valid_from` with the new tier; a period running past `valid_to` continues in a copy from the month
  after with its old tiers; a period inside the validity gets the new tier in place;
- with the lock option (`locked_through`, as in `kita.periods`) billed months keep their content: the
  new tier starts after the last locked month, a locked period is only closed (logged);
- a period without an income-dependent line, or whose lines have the tier already, is left alone.

The transfer posts nothing. For billed months the next billing run recalculates; the plan lists what
that run will post for the income-dependent lines (`plan_child` on the new periods).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, Sequence

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.income.model import AssessmentStatus, IncomeAssessment
from sollhaben.domain.income.transfer_protocol import (
    ExpectedDifference,
    PeriodClosure,
    PeriodCreation,
    ProtocolEntry,
    TierChange,
    build_protocol,
)
from sollhaben.domain.kita.model import BillingMode, BillingPeriod, Catalogue, ChildMonthFacts, FeeGroup, TierSource
from sollhaben.domain.kita.pricing import line_keys
from sollhaben.domain.kita.run_plan import plan_child
from sollhaben.domain.kita.run_types import ChildRun, RunRequest
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month, Validity

__all__ = ["TransferPlan", "plan_transfer", "is_income_dependent", "income_tier_of", "income_tier_in",
           "with_income_tiers", "ExpectedDifference", "PeriodClosure", "PeriodCreation", "ProtocolEntry",
           "TierChange"]


def is_income_dependent(group: FeeGroup | None) -> bool:
    """An INCOME group whose tier is automatic (INDIVIDUAL groups never read a tier from the income)."""
    return group is not None and group.tier_source is TierSource.INCOME and group.mode is not BillingMode.INDIVIDUAL


def _income_indexes(period: BillingPeriod, catalogue: Catalogue) -> list[int]:
    groups = catalogue.fee_groups
    return [i for i, line in enumerate(period.fee_lines) if is_income_dependent(groups.get(line.fee_group_id))]


def income_tier_of(period: BillingPeriod, catalogue: Catalogue) -> int | None:
    """The income tier the period holds: the tier of its first income-dependent line that has one."""
    return next((period.fee_lines[i].tier for i in _income_indexes(period, catalogue)
                 if period.fee_lines[i].tier is not None), None)


def income_tier_in(periods: Sequence[BillingPeriod], catalogue: Catalogue, month: Month) -> int | None:
    """`ChildMonthFacts.income_tier` for `month`: the income tier of the period valid then."""
    period = next((p for p in periods if p.valid.contains(month)), None)
    return income_tier_of(period, catalogue) if period is not None else None


def with_income_tiers(child: ChildRun, catalogue: Catalogue) -> ChildRun:
    """The child with its facts' `income_tier` taken from its billing periods, month by month."""
    base, periods = child.facts, tuple(child.periods)

    def facts(month: Month) -> ChildMonthFacts:
        found = base(month) if callable(base) else (base.get(month) if base is not None else None)
        tier = income_tier_in(periods, catalogue, month)
        if found is None:
            return ChildMonthFacts(child.child_id, month, 0, income_tier=tier)
        return found if found.income_tier == tier else replace(found, income_tier=tier)

    return replace(child, facts=facts)


@dataclass(frozen=True)
class TransferPlan:
    """What the service stores in one unit of work: `changed` (stored periods, same id) and `created`
    (new periods), the assessment with status 2, and the protocol."""

    assessment: IncomeAssessment
    tier: int
    changed: tuple[BillingPeriod, ...]
    created: tuple[BillingPeriod, ...]
    closures: tuple[PeriodClosure, ...]
    creations: tuple[PeriodCreation, ...]  # one per `created`, in the same order
    tier_changes: tuple[TierChange, ...]
    differences: tuple[ExpectedDifference, ...]  # what the next run posts per month, line and payer
    protocol: tuple[ProtocolEntry, ...]
    periods: tuple[BillingPeriod, ...]  # all of the child's periods after the transfer, by start

    def difference(self, month: Month, payer_id: int) -> Money | None:
        """The expected difference of a payer in a billed month (all income-dependent lines), or None."""
        found = [d.difference for d in self.differences if d.month == month and d.payer_id == payer_id]
        return Money(sum(a.minor for a in found), found[0].currency) if found else None


@dataclass
class _Work:
    catalogue: Catalogue
    tier: int
    validity: Validity
    effective_from: Month  # the first month that may change (after the locked months)
    locked_through: Month | None
    changed: list[BillingPeriod]
    created: list[BillingPeriod]
    closures: list[PeriodClosure]
    creations: list[PeriodCreation]
    tier_changes: list[TierChange]
    locked: list[TierChange]  # lines whose billed, locked months keep their tier


def plan_transfer(assessment: IncomeAssessment, tier: int | None, child: ChildRun, next_run: RunRequest, *,
                  locked_through: Month | None = None, payer_names: Mapping[int, str] | None = None) -> TransferPlan:
    """The transfer of `tier` for the assessment's validity into `child.periods`.

    `child`: the child as the billing run loads it (periods with ids, contracts, facts, what is posted).
    `next_run`: the facility's next run (its month, settings and catalogue); the months before it that
    hold postings are the billed months. `locked_through`: the last billed month when the facility's
    lock option is on, else None (as `kita.validation.validate_period`)."""
    validity = assessment.validity
    if validity is None:
        raise ValidationError("Übertragen: Die Staffelberechnung braucht ein gültiges „Gültig ab“.", "valid_from")
    if tier is None:
        raise ValidationError("Übertragen: Für die Staffelberechnung ist keine Staffel ermittelt.", "tier")
    effective = validity.valid_from
    if locked_through is not None and locked_through >= effective:
        effective = locked_through + 1
    work = _Work(next_run.catalogue, tier, validity, effective, locked_through, [], [], [], [], [], [])
    kept = []
    for period in sorted(child.periods, key=lambda p: p.valid.valid_from):
        if not _transfer_period(work, period):
            kept.append(period)
    periods = tuple(sorted(kept + work.changed + work.created, key=lambda p: p.valid.valid_from))
    differences, problems = _expected(child, periods, next_run, validity)
    touched = any(_income_indexes(p, work.catalogue) and p.valid.overlaps(validity) for p in child.periods)
    protocol = build_protocol(tier, validity, work.closures, work.creations, work.tier_changes, work.locked,
                              differences, problems, touched, next_run.month, payer_names or {})
    return TransferPlan(replace(assessment, status=AssessmentStatus.TRANSFERRED), tier, tuple(work.changed),
                        tuple(work.created), tuple(work.closures), tuple(work.creations), tuple(work.tier_changes),
                        differences, protocol, periods)


def _transfer_period(work: _Work, period: BillingPeriod) -> bool:
    """Split or update one period; False when it stays as it is."""
    indexes = _income_indexes(period, work.catalogue)
    if not indexes or not period.valid.overlaps(work.validity):
        return False
    start, end = period.valid.valid_from, period.valid.valid_to
    inside_from = max(start, work.effective_from)
    inside_to = _earlier(end, work.validity.valid_to)
    _note_locked(work, period, indexes)
    if (inside_to is not None and inside_from > inside_to) or all(period.fee_lines[i].tier == work.tier
                                                                   for i in indexes):
        return False
    inside = Validity(inside_from, inside_to)
    new_lines = tuple(replace(line, tier=work.tier) if i in indexes else line
                      for i, line in enumerate(period.fee_lines))
    if start < inside_from:  # closed at the month before; the new tier continues in a copy
        before = Validity(start, inside_from - 1)
        work.changed.append(_clipped(replace(period, valid=before), period))
        work.closures.append(PeriodClosure(period.id, period.valid, before, _locked_in(work, period)))
        _create(work, replace(period, valid=inside, fee_lines=new_lines), period, work.tier)
        changed_id = None
    else:
        work.changed.append(_clipped(replace(period, valid=inside, fee_lines=new_lines), period))
        if inside != period.valid:
            work.closures.append(PeriodClosure(period.id, period.valid, inside, None))
        changed_id = period.id
    if inside_to is not None and (end is None or end > inside_to):  # after valid_to: the old tiers go on
        _create(work, replace(period, valid=Validity(inside_to + 1, end)), period, None)
    work.tier_changes.extend(_line_changes(work, period, indexes, changed_id, inside))
    return True


def _create(work: _Work, copy: BillingPeriod, source: BillingPeriod, tier: int | None) -> None:
    work.created.append(_clipped(replace(copy, id=None, version=1), source))
    work.creations.append(PeriodCreation(source.id, copy.valid, tier))


def _line_changes(work: _Work, period: BillingPeriod, indexes: list[int], period_id: int | None,
                  valid: Validity) -> list[TierChange]:
    keys = line_keys(period)[0]
    return [TierChange(period_id, valid, i, keys[i], period.fee_lines[i].fee_group_id,
                       work.catalogue.fee_groups[period.fee_lines[i].fee_group_id].name,
                       period.fee_lines[i].tier, work.tier)
            for i in indexes if period.fee_lines[i].tier != work.tier]


def _note_locked(work: _Work, period: BillingPeriod, indexes: list[int]) -> None:
    """Record the income lines whose locked months inside the validity keep their tier."""
    if work.locked_through is None:
        return
    first = max(period.valid.valid_from, work.validity.valid_from)
    last = _earlier(_earlier(period.valid.valid_to, work.validity.valid_to), work.locked_through)
    if last is None or first > last:
        return
    work.locked.extend(_line_changes(work, period, indexes, period.id, Validity(first, last)))


def _locked_in(work: _Work, period: BillingPeriod) -> Month | None:
    """The last locked month of the period, None when none of its months is locked."""
    if work.locked_through is None or work.locked_through < period.valid.valid_from:
        return None
    return _earlier(period.valid.valid_to, work.locked_through)


def _earlier(a: Month | None, b: Month | None) -> Month | None:
    """The earlier of two range ends; None is open-ended (later than any month)."""
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _clipped(part: BillingPeriod, original: BillingPeriod) -> BillingPeriod:
    """`billed_through` of a part of a split period: the original's, limited to the part's months, so the
    lock and the catalogue's "used by a posted run" check see the same billed months as before."""
    billed = original.billed_through
    if billed is None or billed < part.valid.valid_from:
        return replace(part, billed_through=None)
    return replace(part, billed_through=_earlier(billed, part.valid.valid_to))


def _expected(child: ChildRun, periods: tuple[BillingPeriod, ...], run: RunRequest, validity: Validity):
    """What the next run posts for the income-dependent lines in billed months of the validity, and the
    problems it will report for them."""
    catalogue = run.catalogue
    income_keys = set()
    for period in tuple(child.periods) + periods:
        keys = line_keys(period)[0]
        income_keys.update(keys[i] for i in _income_indexes(period, catalogue))
    after = with_income_tiers(replace(child, periods=periods, recalculate_from=None), catalogue)
    plan = plan_child(run, after)
    differences = tuple(
        ExpectedDifference(p.value_month, p.payer_id, p.line_key, p.name, p.posted_before, p.share, p.amount)
        for p in plan.postings
        if p.is_recalculation and p.value_month < run.month and p.line_key in income_keys
        and validity.contains(p.value_month))
    problems = tuple(p for p in plan.problems if p.line_key in income_keys and validity.contains(p.month))
    return differences, problems
