"""The billing run's decisions (Sollstellung), pure and linear in the number of children.

For the target month and every earlier month already billed, each child's lines are computed from
its current billing data and compared with what the ledger holds per (month, line, payer); every
difference becomes a posting. For the target month that is the regular billing; for earlier months
it is the recalculation (Nachberechnung), booked to the month it concerns. So a changed fee group
credits the old line key and bills the new one, a changed payer credits the old payer and bills the
new one, and a changed tier, discount or catalogue price posts the difference.

Which lines a month bills:
- a month with an active contract (at least one care day): every line of the period valid then; in
  a fee-free month only the extra costs with reset (PER_UNIT, INDIVIDUAL with reset);
- the month after the last contract month, when it has no care day: once more the extra costs with
  reset (of the period valid then, else of the period of the last contract month), fee-free or not;
- any other month (before the contract, after leaving, not covered by a period): nothing.

Counts (PER_UNIT) and amounts (INDIVIDUAL with reset) a run has billed are taken from the postings,
not from the form, which the run reset.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Iterable, Mapping

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.kita.calculation import LineMemo, LineScope, compute_child_month
from sollhaben.domain.kita.fast import build
from sollhaben.domain.kita.model import (
    BillingPeriod,
    ChildMonthFacts,
    ComputedLine,
    LineKind,
    Problem,
    due_date,
)
from sollhaben.domain.kita.pricing import line_keys, money, parse_line_key
from sollhaben.domain.kita.run_ledger import Ledger, billed_values, planned_resets, reset_period
from sollhaben.domain.kita.run_types import (
    BilledPeriod,
    ChildPlan,
    ChildRun,
    PlannedPosting,
    PlannedReset,
    PostingKind,
    RunPlan,
    RunRequest,
)
from sollhaben.domain.money import Currency
from sollhaben.domain.months import Month

__all__ = ["check_run_month", "idempotency_key", "plan_run", "plan_child", "reset_period"]


def check_run_month(month: Month, last_run_month: Month | None, first_billing_month: Month | None = None) -> None:
    """Refuse a run that is not the facility's next month (German message, field "month")."""
    if last_run_month is None:
        if first_billing_month is not None and month != first_billing_month:
            raise ValidationError(f"Abrechnungsmonat: Die Einrichtung rechnet ab {first_billing_month} ab; die "
                                  f"erste Sollstellung ist für {first_billing_month}, nicht für {month}.", "month")
        return
    if month == last_run_month:
        raise ValidationError(f"Abrechnungsmonat: Die Sollstellung für {month} ist bereits gebucht.", "month")
    if month < last_run_month:
        raise ValidationError(f"Abrechnungsmonat: {month} liegt vor der letzten Sollstellung ({last_run_month}); "
                              f"frühere Monate werden mit der nächsten Sollstellung nachberechnet.", "month")
    if month != last_run_month + 1:
        raise ValidationError(f"Abrechnungsmonat: Monate werden der Reihe nach abgerechnet – als Nächstes ist "
                              f"{last_run_month + 1} an der Reihe, nicht {month}.", "month")


def idempotency_key(request: RunRequest, value_month: Month, child_id: int, line_key: str, payer_id: int,
                    kind: PostingKind) -> str:
    """kita:<facility>:<run month>/<attempt>:<value month>:<child>:<line>:<payer>:<kind>.

    Unique within a run; the same in a repeated run of the same attempt (so it posts nothing
    twice); different in a later run (so it can post a further correction) and after an undo."""
    return f"{_key_prefix(request)}{value_month.iso()}:{child_id}:{line_key}:{payer_id}:{kind.value.lower()}"


def _key_prefix(request: RunRequest) -> str:
    return f"kita:{request.facility_id}:{request.month.iso()}/{request.attempt}:"


@dataclass(frozen=True)
class _Run:
    """What every child of a run shares, computed once."""

    request: RunRequest
    key_prefix: str
    due: date
    currency: Currency
    bounds: dict[Month, tuple[date, date]]  # first and last day of the months seen, filled as needed
    memo: LineMemo  # the lines computed so far (the same catalogue and settings for the whole run)
    keys: dict[tuple, tuple[list[str], list[str]]]  # line keys by the entries of a period's lines

    @classmethod
    def of(cls, request: RunRequest) -> "_Run":
        return cls(request, _key_prefix(request), due_date(request.month, request.settings.due_day),
                   request.currency, {}, LineMemo(), {})

    def line_keys(self, period: BillingPeriod) -> tuple[list[str], list[str]]:
        """`line_keys(period)`, shared by the periods whose lines name the same entries in the same order."""
        entries = (tuple(line.fee_group_id for line in period.fee_lines),
                   tuple(line.extra_cost_id for line in period.extra_lines))
        found = self.keys.get(entries)
        if found is None:
            found = self.keys[entries] = line_keys(period)
        return found

    def care_days(self, child: ChildRun, month: Month) -> int:
        """Σ `Contract.care_days` of the child's contracts, with the month's bounds computed once per run."""
        bounds = self.bounds.get(month)
        if bounds is None:
            bounds = self.bounds[month] = (month.first_day, month.last_day)
        first, last = bounds
        days = 0
        for contract in child.contracts:
            if contract.first_day is None:
                continue
            start = contract.first_day if contract.first_day > first else first
            end = contract.last_day if contract.last_day is not None and contract.last_day < last else last
            if end >= start:
                days += (end - start).days + 1
        return days


def plan_run(request: RunRequest, children: Iterable[ChildRun]) -> RunPlan:
    """The whole run: every child's plan, in the order given. Linear in the number of children."""
    run = _Run.of(request)
    postings, resets, billed, problems, count = [], [], [], [], 0
    for child in children:
        plan = _plan_child(run, child)
        postings += plan.postings
        resets += plan.resets
        billed += plan.billed_periods
        problems += plan.problems
        count += 1
    return RunPlan(request.facility_id, request.month, request.attempt, run.currency, tuple(postings),
                   tuple(resets), tuple(billed), tuple(problems), count)


def plan_child(request: RunRequest, child: ChildRun) -> ChildPlan:
    """One child's postings, resets, billed periods and problems for the run."""
    return _plan_child(_Run.of(request), child)


def _plan_child(run: _Run, child: ChildRun) -> ChildPlan:
    request = run.request
    ledger = Ledger.of(p for p in child.posted if p.month <= request.month) if child.posted else Ledger({}, {})
    start = request.recalculation_start or min(ledger.amounts, default=request.month)
    if child.recalculate_from is not None and child.recalculate_from > start:
        start = child.recalculate_from
    postings: list[PlannedPosting] = []
    problems: list[Problem] = []
    resets: tuple[PlannedReset, ...] = ()
    billed: tuple[BilledPeriod, ...] = ()
    keys_of: dict[int, tuple[list[str], list[str]]] = {}  # line keys per period (by identity)
    for index in range(start.index, request.month.index + 1):
        month = Month.from_index(index)
        is_target = month == request.month
        choice = _choose(run, child, month)
        if choice is None and month not in ledger.amounts:
            continue
        lines, month_problems = [], []
        if choice is not None:
            period, scope, care_days = choice
            keys = keys_of.get(id(period))
            if keys is None:
                keys = keys_of[id(period)] = run.line_keys(period)
            if is_target and month not in ledger.amounts:
                billed_now, from_form = None, None  # the usual first billing: every value from the form
            else:  # a billed month: counts from the postings; the form's values belong to the next run
                billed_now, from_form = billed_values(request, period, keys, month, ledger)
            lines, month_problems = compute_child_month(period, request.catalogue, request.settings,
                                                        _facts(child, month, care_days), run.currency,
                                                        scope=scope, billed=billed_now, keys=keys, memo=run.memo)
            problems += month_problems
            if is_target:
                resets = planned_resets(child.child_id, period, keys, lines, from_form)
                billed = (BilledPeriod(child.child_id, period.id),)
        if lines or month in ledger.amounts:
            postings += _differences(run, child.child_id, month, lines, month_problems, ledger)
    return ChildPlan(child.child_id, tuple(postings), resets, billed, tuple(problems))


def _choose(run: _Run, child: ChildRun, month: Month) -> tuple[BillingPeriod, LineScope, int] | None:
    """The period, scope and care days that `month` bills, or None when it bills nothing."""
    request = run.request
    care_days = run.care_days(child, month)
    if care_days > 0:
        period = _covering(child.periods, month)
        if period is None:
            return None
        fee_free = month.month in request.settings.fee_free_months
        return period, LineScope.RESETTING_EXTRAS if fee_free else LineScope.ALL, care_days
    left_before = any(c.first_day is not None and c.last_day is not None and c.first_day <= c.last_day
                      and Month.of(c.last_day) == month - 1 for c in child.contracts)
    if not left_before:
        return None
    period = _covering(child.periods, month) or _covering(child.periods, month - 1)
    return (period, LineScope.RESETTING_EXTRAS, 0) if period is not None else None


def _covering(periods, month: Month) -> BillingPeriod | None:
    return next((p for p in periods if p.valid.contains(month)), None)


def _facts(child: ChildRun, month: Month, care_days: int) -> ChildMonthFacts:
    source = child.facts
    found = None
    if callable(source):
        found = source(month)
    elif source is not None:
        found = source.get(month)
    if found is None:
        return ChildMonthFacts(child.child_id, month, care_days)
    if found.care_days == care_days and found.month == month and found.child_id == child.child_id:
        return found
    return replace(found, child_id=child.child_id, month=month, care_days=care_days)


def _differences(run: _Run, child_id: int, month: Month, lines: list[ComputedLine], problems: list[Problem],
                 ledger: Ledger) -> list[PlannedPosting]:
    """expected − posted per (line, payer); lines with a problem keep what was posted."""
    request = run.request
    currency = run.currency
    posted = ledger.amounts.get(month, {})
    if not posted and month == request.month:
        fast = _first_billing(run, child_id, month, lines)
        if fast is not None:
            return fast
    skip = {p.line_key for p in problems} if problems else ()
    expected: dict[tuple[str, int], int] = {}
    by_key: dict[str, ComputedLine] = {}
    for line in lines:
        by_key[line.key] = line
        for part in line.payers:
            pair = (line.key, part.payer_id)
            expected[pair] = expected.get(pair, 0) + part.amount.minor
    pairs = list(expected)
    if posted:
        pairs += sorted(pair for pair in posted if pair not in expected)
    is_target = month == request.month
    prefix = f"{run.key_prefix}{month.iso()}:{child_id}:"
    result = []
    for pair in pairs:
        key, payer_id = pair
        if key in skip:
            continue
        share = expected.get(pair, 0)
        before = posted[pair].minor if pair in posted else 0
        if share == before:
            continue
        kind = PostingKind.REGULAR if is_target and pair not in posted else PostingKind.RECALCULATION
        line = by_key.get(key)
        if line is not None:
            line_kind, catalogue_id, name = line.kind, line.catalogue_id, line.name
            quantity, unit_amount, is_meal = line.quantity, line.unit_amount, line.is_meal
        else:
            line_kind, catalogue_id = parse_line_key(key)
            old = ledger.detail.get(month, {}).get(key)
            name = _entry_name(request, line_kind, catalogue_id)
            quantity, unit_amount = (old.quantity, old.unit_amount) if old else (None, None)
            is_meal = _entry_is_meal(request, line_kind, catalogue_id)
        result.append(build(
            PlannedPosting, idempotency_key=f"{prefix}{key}:{payer_id}:{_KIND_SUFFIX[kind]}", kind=kind,
            facility_id=request.facility_id, child_id=child_id, payer_id=payer_id, run_month=request.month,
            value_month=month, due_date=run.due, line_key=key, line_kind=line_kind, catalogue_id=catalogue_id,
            name=name, amount=money(share - before, currency), share=money(share, currency),
            posted_before=money(before, currency), line=line, quantity=quantity, unit_amount=unit_amount,
            is_meal=is_meal))
    return result


def _first_billing(run: _Run, child_id: int, month: Month, lines: list[ComputedLine]) -> list[PlannedPosting] | None:
    """The usual case, made fast: nothing posted yet for the target month, every non-zero part is a
    regular posting. None when a line names a payer twice (the general path adds those up).

    The postings are made as `fast.build` makes them, from one dict of the fields a line's
    postings share (the same dataclass instances, equal to the constructor's)."""
    request = run.request
    prefix = f"{run.key_prefix}{month.iso()}:{child_id}:"
    zero = money(0, run.currency)
    result = []
    append = result.append
    new = object.__new__
    for line in lines:
        payers = line.payers
        if len(payers) > 1 and len({part.payer_id for part in payers}) != len(payers):
            return None
        common = None
        for part in payers:
            amount = part.amount
            if not amount.minor:
                continue
            if common is None:
                common = {"kind": PostingKind.REGULAR, "facility_id": request.facility_id, "child_id": child_id,
                          "run_month": month, "value_month": month, "due_date": run.due, "line_key": line.key,
                          "line_kind": line.kind, "catalogue_id": line.catalogue_id, "name": line.name,
                          "posted_before": zero, "line": line, "quantity": line.quantity,
                          "unit_amount": line.unit_amount, "is_meal": line.is_meal}
                key_start = f"{prefix}{line.key}:"
            posting = new(PlannedPosting)
            values = posting.__dict__
            values["idempotency_key"] = f"{key_start}{part.payer_id}:regular"
            values.update(common)
            values["payer_id"] = part.payer_id
            values["amount"] = amount
            values["share"] = amount
            append(posting)
    return result


_KIND_SUFFIX = {kind: kind.value.lower() for kind in PostingKind}


def _entry_name(request: RunRequest, kind: LineKind, entry_id: int) -> str:
    entries: Mapping = request.catalogue.fee_groups if kind is LineKind.FEE else request.catalogue.extra_costs
    entry = entries.get(entry_id)
    if entry is not None:
        return entry.name
    return f"{'Beitragsgruppe' if kind is LineKind.FEE else 'Zusatzkosten'} {entry_id}"


def _entry_is_meal(request: RunRequest, kind: LineKind, entry_id: int) -> bool:
    extra = request.catalogue.extra_costs.get(entry_id) if kind is LineKind.EXTRA else None
    return bool(extra and extra.is_meal)
