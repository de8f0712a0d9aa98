"""Pure ledger rules: the allocation proposal (designation, oldest due first, § 367 BGB order)
and the account invariant check."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sollhaben.domain.ledger import OpenItem, check_account_invariant, propose_allocation

JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


def test_oldest_due_first_then_costs_interest_principal():
    items = [OpenItem(1, FEB, "MAINTENANCE", 800), OpenItem(2, JAN, "MAINTENANCE", 500),
             OpenItem(3, JAN, "INTEREST", 10), OpenItem(4, JAN, "REMINDER_FEE", 20),
             OpenItem(5, JAN, "ENFORCEMENT_COST", 70)]
    assert propose_allocation(650, items) == [(5, 70), (4, 20), (3, 10), (2, 500), (1, 50)]


def test_same_due_date_and_category_in_booking_order():
    items = [OpenItem(9, JAN, "MAINTENANCE", 100), OpenItem(3, JAN, "MAINTENANCE", 100)]
    assert propose_allocation(150, items) == [(3, 100), (9, 50)]


def test_designated_items_first_in_the_payers_order():
    items = [OpenItem(1, JAN, "MAINTENANCE", 100), OpenItem(2, FEB, "MAINTENANCE", 100),
             OpenItem(3, FEB, "REMINDER_FEE", 20)]
    assert propose_allocation(150, items, designated=[2, 99]) == [(2, 100), (1, 50)]


def test_closed_items_are_skipped_and_the_rest_stays_credit():
    items = [OpenItem(1, JAN, "MAINTENANCE", 0), OpenItem(2, FEB, "MAINTENANCE", 40)]
    assert propose_allocation(100, items) == [(2, 40)]
    assert propose_allocation(0, items) == []
    with pytest.raises(ValueError):
        propose_allocation(-1, items)


@given(credit=st.integers(0, 10_000),
       opens=st.lists(st.tuples(st.integers(0, 60), st.sampled_from(["MAINTENANCE", "INTEREST", "FEE"]),
                                st.integers(0, 3_000)), max_size=12))
def test_proposal_never_exceeds_the_credit_or_an_item(credit, opens):
    items = [OpenItem(i, date(2026, 1, 1 + day % 28), cat, amount) for i, (day, cat, amount) in enumerate(opens)]
    plan = propose_allocation(credit, items)
    by_id = {item.id: item for item in items}
    assert sum(part for _, part in plan) == min(credit, sum(item.open_minor for item in items))
    assert all(0 < part <= by_id[item_id].open_minor for item_id, part in plan)
    assert len({item_id for item_id, _ in plan}) == len(plan)


def test_invariant_holds_for_a_consistent_account():
    postings = {1: 800, 2: 500, 3: -1000, 4: -800, 5: 1000}  # 4 reverses 1; 5 reverses payment 3
    allocations = [(3, 1, 800), (3, 2, 200), (3, 1, -800), (4, 1, 800), (3, 2, -200), (3, 5, 1000)]
    assert check_account_invariant(postings, allocations) == []


@pytest.mark.parametrize("allocations, problem", [
    ([(3, 1, 900)], "item 1: open -100 outside 0..800"),
    ([(3, 1, 800), (3, 2, 500)], "credit 3: unallocated -300 outside 0..1000"),
    ([(1, 2, 10)], "allocation from non-credit posting 1"),
    ([(3, 3, 10)], "allocation to non-receivable posting 3"),
])
def test_invariant_finds_over_allocation(allocations, problem):
    assert problem in check_account_invariant({1: 800, 2: 500, 3: -1000}, allocations)
