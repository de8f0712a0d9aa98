"""The pure rules of statements and lists: ageing buckets at their boundaries, the month an item
is grouped under, open amounts at a key date (allocations from the later booking date, releases
from the reversal), and the invariant at every key date over random histories."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sollhaben.domain.ledger import check_account_invariant
from sollhaben.domain.months import Month
from sollhaben.services.receivables.open_items_rules import (
    DAYS_0_30, DAYS_31_60, DAYS_61_90, DAYS_OVER_90, NOT_DUE, LedgerRow, ageing_bucket, days_overdue, item_month,
    open_at,
)

KEY = date(2026, 11, 25)


@pytest.mark.parametrize("days, bucket", [(-1, NOT_DUE), (0, DAYS_0_30), (1, DAYS_0_30), (30, DAYS_0_30),
                                          (31, DAYS_31_60), (60, DAYS_31_60), (61, DAYS_61_90), (90, DAYS_61_90),
                                          (91, DAYS_OVER_90), (4000, DAYS_OVER_90)])
def test_ageing_bucket_boundaries(days, bucket):
    due = KEY - timedelta(days=days)
    assert days_overdue(due, KEY) == days
    assert ageing_bucket(due, KEY) == bucket


def test_item_month_falls_back_to_due_then_booking_month():
    assert item_month(Month(2026, 3), date(2026, 5, 1), date(2026, 6, 1)) == Month(2026, 3)
    assert item_month(None, date(2026, 5, 1), date(2026, 6, 1)) == Month(2026, 5)
    assert item_month(None, None, date(2026, 6, 1)) == Month(2026, 6)


def test_credit_freed_by_a_reversal_counts_again_only_from_the_reversal():
    rows = {1: LedgerRow(1, date(2026, 3, 1), 100), 2: LedgerRow(2, date(2026, 1, 10), -100),
            3: LedgerRow(3, date(2026, 1, 1), 100), 4: LedgerRow(4, date(2026, 4, 1), -100, reverses_id=1)}
    # payment 2 settled item 1 (from 1 March); item 1 was reversed on 1 April and the payment
    # then allocated to the older item 3: at 15 March it still settled item 1, not item 3 as well
    allocations = [(2, 1, 100), (2, 1, -100), (4, 1, 100), (2, 3, 100)]
    assert open_at(rows, allocations, date(2026, 2, 1)) == ({3: 100}, {2: 100})
    assert open_at(rows, allocations, date(2026, 3, 15)) == ({1: 0, 3: 100}, {2: 0})
    assert open_at(rows, allocations, date(2026, 4, 1)) == ({1: 0, 3: 0}, {2: 0, 4: 0})


def test_allocation_counts_from_the_later_booking_date_and_a_release_from_the_reversal():
    rows = {1: LedgerRow(1, date(2026, 1, 1), 100), 2: LedgerRow(2, date(2026, 1, 10), -100),
            3: LedgerRow(3, date(2026, 2, 1), 100, reverses_id=2)}
    # payment 2 settled item 1; on 1 February it was reversed: released and settled by 3
    allocations = [(2, 1, 100), (2, 1, -100), (2, 3, 100)]
    assert open_at(rows, allocations, date(2026, 1, 9)) == ({1: 100}, {})
    assert open_at(rows, allocations, date(2026, 1, 10)) == ({1: 0}, {2: 0})
    assert open_at(rows, allocations, date(2026, 1, 31)) == ({1: 0}, {2: 0})
    assert open_at(rows, allocations, date(2026, 2, 1)) == ({1: 100, 3: 0}, {2: 0})
    assert open_at(rows, allocations, None) == ({1: 100, 3: 0}, {2: 0})


@st.composite
def histories(draw):
    """Random accounts: receivables and payments on random days, allocations within what is open,
    some postings reversed (release, then original and reversal settle each other)."""
    rows: dict[int, LedgerRow] = {}
    allocations: list[tuple[int, int, int]] = []
    open_, rest = {}, {}
    start = date(2026, 1, 1)
    for pid in range(1, draw(st.integers(1, 14)) + 1):
        day = start + timedelta(days=draw(st.integers(0, 120)))
        kind = draw(st.sampled_from(["item", "payment", "reverse", "allocate"]))
        if kind == "allocate":  # the clerk uses a credit (e.g. freed by a reversal) for an open item
            free = [c for c, r in rest.items() if r > 0]
            due = [i for i, o in open_.items() if o > 0]
            if free and due:
                credit_id, item_id = draw(st.sampled_from(free)), draw(st.sampled_from(due))
                part = min(rest[credit_id], open_[item_id])
                allocations.append((credit_id, item_id, part))
                rest[credit_id] -= part
                open_[item_id] -= part
            continue
        if kind == "reverse":
            candidates = [r for r in rows.values() if r.reverses_id is None
                          and all(x.reverses_id != r.id for x in rows.values())]
            if not candidates:
                continue
            original = draw(st.sampled_from(candidates))
            day = max(day, original.booking_date)
            rows[pid] = LedgerRow(pid, day, -original.amount_minor, original.id)
            pairs: dict[tuple[int, int], int] = {}
            for c, i, a in allocations:
                if original.id in (c, i):
                    pairs[(c, i)] = pairs.get((c, i), 0) + a
            for (c, i), a in pairs.items():
                if a:
                    allocations.append((c, i, -a))
                    open_[i] += a
                    rest[c] += a
            if original.amount_minor > 0:
                allocations.append((pid, original.id, original.amount_minor))
                open_[original.id] = 0
                rest[pid] = 0
            else:
                allocations.append((original.id, pid, -original.amount_minor))
                rest[original.id] = 0
                open_[pid] = 0
            continue
        amount = draw(st.integers(1, 50_000))
        if kind == "item":
            rows[pid] = LedgerRow(pid, day, amount)
            open_[pid] = amount
        else:
            rows[pid] = LedgerRow(pid, day, -amount)
            rest[pid] = amount
            for item_id in sorted(i for i, o in open_.items() if o > 0):
                part = min(rest[pid], open_[item_id])
                if part == 0:
                    break
                allocations.append((pid, item_id, part))
                open_[item_id] -= part
                rest[pid] -= part
    key = start + timedelta(days=draw(st.integers(-5, 130)))
    return rows, allocations, key


@settings(max_examples=300, deadline=None)
@given(histories())
def test_invariant_holds_at_every_key_date(history):
    rows, allocations, key = history
    open_items, credits = open_at(rows, allocations, key)
    booked = {pid: r.amount_minor for pid, r in rows.items() if r.booking_date <= key}
    assert sum(booked.values()) == sum(open_items.values()) - sum(credits.values())
    assert set(open_items) | set(credits) == set(booked)
    for pid, value in (*open_items.items(), *credits.items()):
        assert 0 <= value <= abs(rows[pid].amount_minor), pid  # never over-allocated at a key date
    # at the end the rule is the ledger's own
    final_open, final_credit = open_at(rows, allocations, None)
    assert check_account_invariant({p: r.amount_minor for p, r in rows.items()}, allocations) == []
    for pid, row in rows.items():
        if row.amount_minor > 0:
            assert 0 <= final_open[pid] <= row.amount_minor
        else:
            assert 0 <= final_credit[pid] <= -row.amount_minor
