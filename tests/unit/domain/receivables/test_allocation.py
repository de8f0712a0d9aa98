from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.money import Currency, Money
from sollhaben.domain.receivables import (
    KITA_RULE, AllocationRule, OpenItem, category_priority, propose_allocation,
)

VALUE_DATE = date(2024, 6, 15)


def eur(minor: int) -> Money:
    return Money(minor, Currency.EUR)


def item(id, due, open_minor, category="FEE_GROUP", case=None, currency=Currency.EUR):
    return OpenItem(id, due, category, Money(open_minor, currency), case)


def minor_map(proposal):
    return {k: v.minor for k, v in proposal.as_dict().items()}


def test_oldest_due_first():
    items = [item(2, date(2024, 3, 1), 10000), item(1, date(2024, 2, 1), 10000), item(3, date(2024, 4, 1), 10000)]
    p = propose_allocation(eur(15000), VALUE_DATE, items)
    assert [a.item_id for a in p.allocations] == [1, 2]
    assert minor_map(p) == {1: 10000, 2: 5000}
    assert p.credit == eur(0)


def test_designation_comes_first_in_named_order_then_oldest():
    items = [item(1, date(2024, 1, 1), 5000), item(2, date(2024, 2, 1), 5000), item(3, date(2024, 3, 1), 5000)]
    p = propose_allocation(eur(12000), VALUE_DATE, items, designation=[3, 2])
    assert [(a.item_id, a.amount.minor) for a in p.allocations] == [(3, 5000), (2, 5000), (1, 2000)]
    assert p.ignored_designation == ()


def test_designation_of_an_item_that_is_not_open_is_ignored_and_reported():
    items = [item(1, date(2024, 1, 1), 5000), item(2, date(2024, 2, 1), 0)]
    p = propose_allocation(eur(3000), VALUE_DATE, items, designation=["R-99", 2, "R-99"])
    assert minor_map(p) == {1: 3000}
    assert p.ignored_designation == ("R-99", 2)
    assert any("R-99" in note and "kein offener Posten" in note for note in p.notes)


def test_section_367_order_within_one_due_date():
    due = date(2024, 3, 1)
    items = [item("principal", due, 10000, "FEE_GROUP"), item("interest", due, 300, "INTEREST"),
             item("fee", due, 500, "REMINDER_FEE"), item("costs", due, 2000, "ENFORCEMENT_COST")]
    p = propose_allocation(eur(2600), VALUE_DATE, items)
    assert [(a.item_id, a.amount.minor) for a in p.allocations] == [("costs", 2000), ("fee", 500), ("interest", 100)]
    assert category_priority("ENFORCEMENT_COST") < category_priority("FEE") < category_priority("INTEREST") \
        < category_priority("FEE_GROUP")


def test_older_principal_before_younger_costs():
    items = [item("fee-may", date(2024, 5, 1), 500, "REMINDER_FEE"), item("jan", date(2024, 1, 1), 1000)]
    p = propose_allocation(eur(1000), VALUE_DATE, items)
    assert minor_map(p) == {"jan": 1000}


def test_due_items_before_items_not_yet_due():
    items = [item("future", date(2024, 7, 1), 1000), item("due", date(2024, 6, 15), 1000),
             item("no-date", None, 1000)]
    p = propose_allocation(eur(2500), VALUE_DATE, items)
    assert [(a.item_id, a.amount.minor) for a in p.allocations] == [("no-date", 1000), ("due", 1000), ("future", 500)]


def test_partial_allocation():
    p = propose_allocation(eur(1234), VALUE_DATE, [item(1, date(2024, 1, 1), 5000)])
    assert minor_map(p) == {1: 1234}
    assert p.credit.is_zero()
    assert p.allocated == eur(1234)


def test_overpayment_becomes_credit():
    items = [item(1, date(2024, 1, 1), 5000), item(2, date(2024, 2, 1), 2500)]
    p = propose_allocation(eur(10000), VALUE_DATE, items, designation=[2])
    assert minor_map(p) == {2: 2500, 1: 5000}
    assert p.credit == eur(2500)


def test_no_open_items_everything_is_credit():
    p = propose_allocation(eur(700), VALUE_DATE, [])
    assert p.allocations == () and p.credit == eur(700)


@pytest.mark.parametrize("minor", [0, -100])
def test_non_positive_receipt_is_refused(minor):
    with pytest.raises(ValidationError) as exc:
        propose_allocation(eur(minor), VALUE_DATE, [item(1, date(2024, 1, 1), 100)])
    assert [e.field for e in exc.value.errors] == ["amount"]
    assert "Betrag" in str(exc.value)


def test_mixed_currencies_are_refused():
    items = [item(1, date(2024, 1, 1), 100), item(2, date(2024, 1, 1), 100, currency=Currency.CHF)]
    with pytest.raises(ValidationError) as exc:
        propose_allocation(eur(100), VALUE_DATE, items)
    assert [e.field for e in exc.value.errors] == ["open_items[1].currency"]
    assert "Währung" in str(exc.value)


def test_duplicate_ids_and_negative_open_amounts_are_refused():
    items = [item(1, date(2024, 1, 1), 100), item(1, date(2024, 2, 1), -5)]
    with pytest.raises(ValidationError) as exc:
        propose_allocation(eur(100), VALUE_DATE, items)
    assert {e.field for e in exc.value.errors} == {"open_items[1].open_amount", "open_items[1].id"}


def test_module_specific_ordering_plugs_in_without_changing_the_allocator():
    # maintenance-like: enforced claims first, then the oldest; children of one month pro rata
    def maintenance_key(it, value_date):
        return (it.enforcement_case is None, it.due_date, it.category)

    rule = AllocationRule("Unterhalt", maintenance_key, pro_rata_key=lambda it: (it.enforcement_case, it.due_date))
    items = [item("old", date(2023, 1, 1), 1000),
             item("anna", date(2024, 2, 1), 3000, "CHILD", case="B-1"),
             item("ben", date(2024, 2, 1), 1000, "CHILD", case="B-1")]
    p = propose_allocation(eur(2001), VALUE_DATE, items, rule=rule)
    assert minor_map(p) == {"anna": 1501, "ben": 500}
    assert p.credit.is_zero()
    # the Kita rule on the same items serves the oldest first
    assert minor_map(propose_allocation(eur(2001), VALUE_DATE, items, rule=KITA_RULE))["old"] == 1000


CATEGORIES = ["FEE_GROUP", "EXTRA", "INTEREST", "REMINDER_FEE", "FEE", "ENFORCEMENT_COST"]

items_strategy = st.lists(
    st.builds(lambda due, cat, minor, case: (due, cat, minor, case),
              st.one_of(st.none(), st.dates(date(2023, 1, 1), date(2024, 12, 31))),
              st.sampled_from(CATEGORIES), st.integers(0, 50_000), st.sampled_from([None, "B-1", "B-2"])),
    max_size=12,
).map(lambda rows: [OpenItem(i, *row[:2], eur(row[2]), row[3]) for i, row in enumerate(rows)])


@settings(max_examples=300, deadline=None)
@given(items_strategy, st.integers(1, 400_000), st.lists(st.integers(-2, 14), max_size=4),
       st.dates(date(2023, 1, 1), date(2024, 12, 31)), st.booleans())
def test_property_sum_bounds_and_order(items, receipt_minor, designation, value_date, pro_rata):
    rule = KITA_RULE if not pro_rata else AllocationRule(
        "pro rata", lambda it, d: (it.due_date or date.min,), pro_rata_key=lambda it: it.due_date)
    p = propose_allocation(eur(receipt_minor), value_date, items, designation=designation, rule=rule)
    by_id = {it.id: it for it in items}
    allocated = p.as_dict()
    # sums exactly to the receipt, every part positive, no item over-allocated
    assert p.allocated.minor + p.credit.minor == receipt_minor
    assert p.credit.minor >= 0
    assert len(allocated) == len(p.allocations)
    for item_id, amount in allocated.items():
        assert 0 < amount.minor <= by_id[item_id].open_amount.minor
    # credit only when every open item is fully allocated
    if p.credit.minor > 0:
        assert all(allocated.get(it.id, eur(0)) == it.open_amount for it in items)
    # order respected: designated (open) items first; an item only receives money when every item
    # earlier in the order (outside its pro-rata group) is fully paid
    open_items = [it for it in items if it.open_amount.minor > 0]
    designated = []
    for i in designation:
        if i in by_id and by_id[i].open_amount.minor > 0 and by_id[i] not in designated:
            designated.append(by_id[i])
    rest = sorted((it for it in open_items if it not in designated), key=lambda it: rule.key(it, value_date))
    order = designated + rest

    def group(it):
        if it in designated or rule.pro_rata_key is None:
            return ("single", it.id)
        return ("group", rule.pro_rata_key(it))

    for later_index, later in enumerate(order):
        if later.id not in allocated:
            continue
        for earlier in order[:later_index]:
            if group(earlier) != group(later):
                assert allocated.get(earlier.id, eur(0)) == earlier.open_amount
    assert set(p.ignored_designation) == {i for i in designation if i not in {it.id for it in open_items}}
