"""Pure rules of the statement and the open-item list: what is open at a key date, ageing buckets,
the grouping of open items by month and category. Plain Python (no session), so the rules are
tested on their own and used by the account statement and the organization's list alike.

Open at a key date (docs/statements.md → "Key date"): only postings booked up to the key date
count. An allocation counts from the later booking date of its payment and its item; a release
(a negative allocation, written when a posting is reversed) counts from the booking date of the
reversal; an allocation written after a release on the same posting no earlier than the release.
So at every key date Σ postings = Σ open amounts − Σ unallocated credit, and every open amount and
unallocated credit lies between zero and its posting's amount, as at the end.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from sollhaben.domain.months import Month

NOT_DUE, DAYS_0_30, DAYS_31_60, DAYS_61_90, DAYS_OVER_90 = "NOT_DUE", "0-30", "31-60", "61-90", "90+"
BUCKETS = (NOT_DUE, DAYS_0_30, DAYS_31_60, DAYS_61_90, DAYS_OVER_90)
BUCKET_LABELS = {NOT_DUE: "nicht fällig", DAYS_0_30: "0–30 Tage", DAYS_31_60: "31–60 Tage",
                 DAYS_61_90: "61–90 Tage", DAYS_OVER_90: "> 90 Tage"}


@dataclass(frozen=True)
class LedgerRow:
    """What the rules need of a posting."""

    id: int
    booking_date: date
    amount_minor: int
    reverses_id: int | None = None


def days_overdue(due_date: date, key_date: date) -> int:
    """Days after the due date (negative: not yet due; 0: due on the key date)."""
    return (key_date - due_date).days


def ageing_bucket(due_date: date, key_date: date) -> str:
    """0–30 holds the items due on the key date up to 30 days before it; 31–60, 61–90, > 90 the
    older ones; an item due after the key date is not yet due."""
    days = days_overdue(due_date, key_date)
    if days < 0:
        return NOT_DUE
    if days <= 30:
        return DAYS_0_30
    if days <= 60:
        return DAYS_31_60
    if days <= 90:
        return DAYS_61_90
    return DAYS_OVER_90


def item_month(value_month: Month | None, due_date: date | None, booking_date: date) -> Month:
    """The month an item is grouped under: its value month, else the month of its due date, else
    the month it was booked."""
    if value_month is not None:
        return value_month
    return Month.of(due_date or booking_date)


def allocation_effective_dates(rows: dict[int, LedgerRow],
                               allocations: Iterable[tuple[int, int, int]]) -> list[tuple[int, int, int, date]]:
    """(credit id, item id, amount, effective date) of each allocation, given in the order they were
    written (allocation id). An allocation counts from the later booking date of its payment and its
    item; a release from the booking date of the reversal that wrote it. What a release frees can
    only be used again once the release counts: an allocation written after a release on the same
    payment or item counts no earlier than that release (so no item or payment is ever over-allocated
    at a key date, whatever the booking dates)."""
    reversed_on: dict[int, date] = {}
    for row in rows.values():
        if row.reverses_id is not None:
            reversed_on[row.reverses_id] = row.booking_date
    freed: dict[int, date] = {}  # posting id → effective date of the latest release on it
    pair_latest: dict[tuple[int, int], date] = {}
    result = []
    for credit_id, item_id, amount in allocations:
        effective = max(rows[credit_id].booking_date, rows[item_id].booking_date)
        for posting_id in (credit_id, item_id):
            if posting_id in freed:
                effective = max(effective, freed[posting_id])
        if amount < 0:
            reversals = [reversed_on[i] for i in (credit_id, item_id) if i in reversed_on]
            if reversals:
                effective = max(effective, min(reversals))
            effective = max(effective, pair_latest.get((credit_id, item_id), effective))
            freed[credit_id] = freed[item_id] = effective
        pair_latest[(credit_id, item_id)] = max(effective, pair_latest.get((credit_id, item_id), effective))
        result.append((credit_id, item_id, amount, effective))
    return result


def open_at(rows: dict[int, LedgerRow], allocations: Iterable[tuple[int, int, int]],
            key_date: date | None) -> tuple[dict[int, int], dict[int, int]]:
    """({item id: open minor}, {credit id: unallocated minor}) of the postings booked up to the
    key date (None: all postings), zero amounts included. `allocations` in the order written."""
    booked = {pid: row for pid, row in rows.items() if key_date is None or row.booking_date <= key_date}
    open_items = {pid: row.amount_minor for pid, row in booked.items() if row.amount_minor > 0}
    credits = {pid: -row.amount_minor for pid, row in booked.items() if row.amount_minor < 0}
    for credit_id, item_id, amount, effective in allocation_effective_dates(rows, allocations):
        if key_date is not None and effective > key_date:
            continue
        if item_id in open_items and credit_id in credits:
            open_items[item_id] -= amount
            credits[credit_id] -= amount
    return open_items, credits
