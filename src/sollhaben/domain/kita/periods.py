"""The sequence of a child's billing periods: no overlap, closing the previous one, locking.

Periods never overlap. Saving a new period whose `valid_from` is after the `valid_from` of the
child's open period closes that one at the month before (`close_previous`). With the lock option
("Abrechnungsdaten nach Sollstellung sperren") a period may not change any month up to the last
billed month (`locked_through`); the counts of PER_UNIT lines and the amounts of reset-flagged
INDIVIDUAL lines stay editable, because they belong to the next run, not to a billed month.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from sollhaben.domain.errors import ErrorCollector
from sollhaben.domain.kita.model import BillingPeriod, Catalogue, ExtraLine, FeeLine
from sollhaben.domain.kita.pricing import line_resets
from sollhaben.domain.months import Month, Validity


def _is_same(a: BillingPeriod, b: BillingPeriod) -> bool:
    return a.id is not None and a.id == b.id


def _others(period: BillingPeriod, other_periods: Sequence[BillingPeriod]) -> list[BillingPeriod]:
    return [p for p in other_periods if not _is_same(p, period) and p.child_id == period.child_id]


def closes(previous: BillingPeriod, new: BillingPeriod) -> bool:
    """Whether saving `new` closes `previous` (an open period that starts earlier)."""
    return previous.valid.valid_to is None and previous.valid.valid_from < new.valid.valid_from


def check_overlap(errors: ErrorCollector, period: BillingPeriod, other_periods: Sequence[BillingPeriod]) -> None:
    """Refuse overlaps with the child's other periods, except the open previous one `close_previous` closes."""
    for other in _others(period, other_periods):
        if not period.valid.overlaps(other.valid) or closes(other, period):
            continue
        if other.valid.valid_from >= period.valid.valid_from and period.valid.valid_to is None:
            hint = f" Bitte „Gültig bis“ spätestens auf {other.valid.valid_from - 1} setzen."
        else:
            hint = ""
        errors.add("valid_from", f"Gültig ab: Der Zeitraum {period.valid} überschneidet sich mit dem Zeitraum "
                                 f"{other.valid}. Zeiträume dürfen sich nicht überlappen.{hint}")


def close_previous(periods: Sequence[BillingPeriod], new: BillingPeriod) -> list[BillingPeriod]:
    """The child's open periods that start before `new`, closed at the month before `new.valid_from`.

    Only the changed periods are returned; store them together with `new`."""
    return [replace(p, valid=Validity(p.valid.valid_from, new.valid.valid_from - 1))
            for p in _others(new, periods) if closes(p, new)]


# --- locking ------------------------------------------------------------------------------------

def _editable_cleared(line: FeeLine | ExtraLine, mode) -> FeeLine | ExtraLine:
    """The line without what stays editable under the lock (the next run's count or amount)."""
    if mode is None or not line_resets(mode, line):
        return line
    return replace(line, count=0, amount=None)


def _locked_view(period: BillingPeriod, catalogue: Catalogue) -> BillingPeriod:
    fee_lines = tuple(_editable_cleared(line, getattr(catalogue.fee_groups.get(line.fee_group_id), "mode", None))
                      for line in period.fee_lines)
    extra_lines = tuple(_editable_cleared(line, getattr(catalogue.extra_costs.get(line.extra_cost_id), "mode", None))
                        for line in period.extra_lines)
    return replace(period, fee_lines=fee_lines, extra_lines=extra_lines, valid=Validity(period.valid.valid_from),
                   billed_through=None, version=0)


def lock_message(locked_through: Month) -> str:
    return (f"Die Abrechnungsdaten sind bis {locked_through} abgerechnet und gesperrt (Option „Abrechnungsdaten "
            f"nach Sollstellung sperren“). Bitte einen neuen Zeitraum ab {locked_through + 1} anlegen.")


def check_lock(errors: ErrorCollector, period: BillingPeriod, other_periods: Sequence[BillingPeriod],
               catalogue: Catalogue, locked_through: Month | None) -> None:
    """A period may not change months ≤ `locked_through` (None: the lock option is off).

    The stored version of `period` (same id) among `other_periods` is the reference; a period
    without one is new, so it must start after the locked months."""
    if locked_through is None:
        return
    stored = next((p for p in other_periods if _is_same(p, period)), None)
    if stored is None or stored.valid.valid_from > locked_through:
        if period.valid.valid_from <= locked_through:
            errors.add("valid_from", f"Gültig ab: {lock_message(locked_through)}")
        return
    if period.valid.valid_from != stored.valid.valid_from:
        errors.add("valid_from", f"Gültig ab: {lock_message(locked_through)}")
    def locked_end(end: Month | None) -> Month:  # the last locked month the period covers
        return locked_through if end is None or end > locked_through else end

    if locked_end(period.valid.valid_to) != locked_end(stored.valid.valid_to):
        errors.add("valid_to", f"Gültig bis: {lock_message(locked_through)}")
    if _locked_view(period, catalogue) != _locked_view(stored, catalogue):
        errors.add("", f"Zeitraum {stored.valid}: {lock_message(locked_through)}")
