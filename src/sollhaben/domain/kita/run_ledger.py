"""What the ledger holds for a child, and the counts and amounts the run bills and resets.

A run bills the count of a PER_UNIT line and the amount of an INDIVIDUAL line with reset, then sets
them back to 0 in the form. Recalculating a billed month therefore takes them from the postings.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable

from sollhaben.domain.kita.calculation import BilledValue
from sollhaben.domain.kita.model import BillingMode, BillingPeriod, ComputedLine, LineKind
from sollhaben.domain.kita.pricing import line_resets, parse_line_key
from sollhaben.domain.kita.run_types import PlannedReset, PostedAmount, RunRequest
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month


@dataclass
class Ledger:
    """What is posted for one child, by month."""

    amounts: dict[Month, dict[tuple[str, int], Money]]
    detail: dict[Month, dict[str, PostedAmount]]  # the first row with a quantity or amount per line

    @classmethod
    def of(cls, posted: Iterable[PostedAmount]) -> "Ledger":
        amounts: dict[Month, dict[tuple[str, int], Money]] = {}
        detail: dict[Month, dict[str, PostedAmount]] = {}
        for row in posted:
            pair = (row.line_key, row.payer_id)
            month_amounts = amounts.setdefault(row.month, {})
            month_amounts[pair] = month_amounts[pair] + row.amount if pair in month_amounts else row.amount
            if row.quantity is not None or row.unit_amount is not None:
                detail.setdefault(row.month, {}).setdefault(row.line_key, row)
        return cls(amounts, detail)


def _resetting_lines(request: RunRequest, period: BillingPeriod, keys: tuple[list[str], list[str]]):
    """(key, kind, mode) of the period's lines that the run resets."""
    catalogue = request.catalogue
    for key, line in zip(keys[0], period.fee_lines):
        group = catalogue.fee_groups.get(line.fee_group_id)
        if group is not None and line_resets(group.mode, line):
            yield key, LineKind.FEE, group.mode
    for key, line in zip(keys[1], period.extra_lines):
        extra = catalogue.extra_costs.get(line.extra_cost_id)
        if extra is not None and line_resets(extra.mode, line):
            yield key, LineKind.EXTRA, extra.mode


def _posted_mode(request: RunRequest, key: str) -> BillingMode | None:
    kind, entry_id = parse_line_key(key)
    entries = request.catalogue.fee_groups if kind is LineKind.FEE else request.catalogue.extra_costs
    entry = entries.get(entry_id)
    return entry.mode if entry is not None else None


def _value_of(row: PostedAmount, mode: BillingMode) -> BilledValue:
    if mode is BillingMode.PER_UNIT:
        return BilledValue(count=int(row.quantity or 0))
    return BilledValue(amount=row.unit_amount)


def billed_values(request: RunRequest, period: BillingPeriod, keys: tuple[list[str], list[str]], month: Month,
                  ledger: Ledger) -> tuple[dict[str, BilledValue], set[str]]:
    """The counts and amounts of the resetting lines for a month that is billed already.

    From the line's postings; a line the month did not post takes the value of a line of the same
    kind and mode that the month did post but the period no longer has (the entry was exchanged),
    else 0. The form's values belong to the next run, so none comes from the form (the second
    result, the keys taken from the form, is empty; it is what `planned_resets` expects)."""
    detail = ledger.detail.get(month, {})
    values: dict[str, BilledValue] = {}
    unmatched = []
    for key, kind, mode in _resetting_lines(request, period, keys):
        if key in detail:
            values[key] = _value_of(detail[key], mode)
        else:
            unmatched.append((key, kind, mode))
    if unmatched:
        current_keys = set(keys[0]) | set(keys[1])
        vanished = [(key, row) for key, row in sorted(detail.items()) if key not in current_keys]
        for key, kind, mode in unmatched:
            match = next((i for i, (old, _) in enumerate(vanished)
                          if parse_line_key(old)[0] is kind and _posted_mode(request, old) is mode), None)
            values[key] = _value_of(vanished.pop(match)[1], mode) if match is not None else BilledValue()
    return values, set()


def planned_resets(child_id: int, period: BillingPeriod, keys: tuple[list[str], list[str]], lines: list[ComputedLine],
            from_form: set[str] | None) -> tuple[PlannedReset, ...]:
    """Reset the form values the target month billed (not those a problem kept from billing).

    `from_form`: the keys whose value came from the form; None: all of them."""
    result = []
    for line in lines:
        if not line.resets or (from_form is not None and line.key not in from_form):
            continue
        if line.kind is LineKind.FEE:
            index = keys[0].index(line.key)
            form_line = period.fee_lines[index]
        else:
            index = keys[1].index(line.key)
            form_line = period.extra_lines[index]
        if form_line.count or (form_line.amount is not None and form_line.amount.minor):
            result.append(PlannedReset(child_id, period.id, line.kind, index, line.key, form_line.count,
                                       form_line.amount))
    return tuple(result)


def reset_period(period: BillingPeriod, resets: Iterable[PlannedReset]) -> BillingPeriod:
    """The period with the planned resets applied (counts and amounts set to 0)."""
    fee_lines, extra_lines = list(period.fee_lines), list(period.extra_lines)
    for reset in resets:
        if reset.period_id != period.id or reset.child_id != period.child_id:
            continue
        lines = fee_lines if reset.line_kind is LineKind.FEE else extra_lines
        line = lines[reset.index]
        lines[reset.index] = replace(line, count=0,
                                     amount=Money.zero(line.amount.currency) if line.amount is not None else None)
    return replace(period, fee_lines=tuple(fee_lines), extra_lines=tuple(extra_lines))
