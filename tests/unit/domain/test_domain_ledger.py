"""Pure ledger rules: the account invariant check, category names.

The allocation proposal is tested in tests/unit/domain/receivables/test_allocation.py."""
from __future__ import annotations

import pytest

from sollhaben.domain.ledger import category_label, check_account_invariant


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


def test_category_labels_in_german_and_unknown_codes_as_they_are():
    assert category_label("REMINDER_FEE") == "Mahngebühr"
    assert category_label("KITA_FEE") == "Kita-Beitrag"
    assert category_label("ALIMONY_CHILD") == "ALIMONY_CHILD"
