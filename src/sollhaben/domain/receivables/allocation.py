"""Allocation of a receipt to open items: a pure proposal the clerk may change before saving.

The allocator is the same for every module; a module plugs in its own `AllocationRule` (an
ordering key, optionally with pro-rata groups). `KITA_RULE` is the Kita rule:

1. the debtor's designation (§ 366 Abs. 1 BGB): the named items, in the order named;
2. then the items already due at the value date before those not yet due, the oldest due first;
3. within one due date costs and fees before interest before the principal (§ 367 Abs. 1 BGB),
   using `ledger.CATEGORY_PRIORITY`; ties by item id, so the proposal is deterministic;
4. what is left is credit balance on the account.

The proposal always sums exactly to the receipt, never allocates more than an item's open amount,
and works in integer minor units only (`Money`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Hashable, Iterable, Sequence

from sollhaben.domain.errors import FieldError, ValidationError
from sollhaben.domain.ledger import CATEGORY_PRIORITY, DEFAULT_PRIORITY
from sollhaben.domain.money import Money, split_by_weights

ItemId = Hashable


@dataclass(frozen=True)
class OpenItem:
    """A receivable with its remaining open amount, as the allocator sees it."""

    id: ItemId
    due_date: date | None
    category: str
    open_amount: Money
    enforcement_case: Hashable | None = None


OrderingKey = Callable[[OpenItem, date], tuple]
"""(item, value date) → sort key; smaller keys are served first."""


@dataclass(frozen=True)
class AllocationRule:
    """A module's allocation rule.

    `key` orders the open items after the designated ones. If `pro_rata_key` is given, items that
    follow each other in that order and share the same `pro_rata_key` form one group which is served
    pro rata to their open amounts (e.g. several children's maintenance of one month)."""

    name: str
    key: OrderingKey
    pro_rata_key: Callable[[OpenItem], Hashable] | None = None


def category_priority(category: str) -> int:
    """§ 367 BGB: costs (0) and fees (1) before interest (2) before the principal (3)."""
    return CATEGORY_PRIORITY.get(category, DEFAULT_PRIORITY)


def kita_key(item: OpenItem, value_date: date) -> tuple:
    due = item.due_date or date.min
    not_yet_due = due > value_date
    return (not_yet_due, due, category_priority(item.category), id_order(item.id))


def id_order(item_id: ItemId) -> tuple:
    """A total order over item ids: integers numerically, anything else by its text."""
    if isinstance(item_id, int) and not isinstance(item_id, bool):
        return (0, item_id, "")
    return (1, 0, str(item_id))


KITA_RULE = AllocationRule(name="Kita", key=kita_key)


@dataclass(frozen=True)
class Allocation:
    item_id: ItemId
    amount: Money


@dataclass(frozen=True)
class AllocationProposal:
    receipt: Money
    value_date: date
    allocations: tuple[Allocation, ...]
    credit: Money
    # ids the payer designated that are not open items of this account (unknown or settled)
    ignored_designation: tuple[ItemId, ...] = field(default=())

    @property
    def allocated(self) -> Money:
        result = Money.zero(self.receipt.currency)
        for allocation in self.allocations:
            result = result + allocation.amount
        return result

    def as_dict(self) -> dict[ItemId, Money]:
        return {a.item_id: a.amount for a in self.allocations}

    @property
    def notes(self) -> tuple[str, ...]:
        """German notes for the booking window."""
        return tuple(f"Der Verwendungszweck nennt „{i}“, das ist kein offener Posten dieses Kontos."
                     for i in self.ignored_designation)


def _validate(receipt: Money, items: Sequence[OpenItem]) -> None:
    errors: list[FieldError] = []
    if not isinstance(receipt, Money):
        raise TypeError("receipt must be Money")
    if receipt.minor <= 0:
        errors.append(FieldError("amount", "Betrag: Der Zahlungseingang muss größer als null sein."))
    seen: set = set()
    for index, item in enumerate(items):
        where = f"open_items[{index}]"
        if item.open_amount.currency != receipt.currency:
            errors.append(FieldError(
                f"{where}.currency",
                f"Währung: Offener Posten „{item.id}“ lautet auf {item.open_amount.currency.value}, "
                f"die Zahlung auf {receipt.currency.value}; Währungen dürfen nicht gemischt werden."))
        if item.open_amount.minor < 0:
            errors.append(FieldError(f"{where}.open_amount",
                                     f"Offener Betrag: Posten „{item.id}“ hat einen negativen offenen Betrag."))
        if item.id in seen:
            errors.append(FieldError(f"{where}.id", f"Offene Posten: „{item.id}“ ist doppelt aufgeführt."))
        seen.add(item.id)
    if errors:
        raise ValidationError(errors)


def _groups(ordered: list[OpenItem], rule: AllocationRule) -> Iterable[list[OpenItem]]:
    if rule.pro_rata_key is None:
        for item in ordered:
            yield [item]
        return
    group: list[OpenItem] = []
    for item in ordered:
        if group and rule.pro_rata_key(group[0]) != rule.pro_rata_key(item):
            yield group
            group = []
        group.append(item)
    if group:
        yield group


def propose_allocation(receipt: Money, value_date: date, open_items: Sequence[OpenItem],
                       designation: Sequence[ItemId] | None = None,
                       rule: AllocationRule = KITA_RULE) -> AllocationProposal:
    """Propose how `receipt` is allocated to `open_items` (see the module docstring).

    Raises `ValidationError` (German, with the field) for a receipt that is not positive, items in
    another currency, a negative open amount or a duplicate item id."""
    items = list(open_items)
    _validate(receipt, items)
    currency = receipt.currency
    open_by_id = {item.id: item for item in items if item.open_amount.minor > 0}

    designated: list[OpenItem] = []
    ignored: list[ItemId] = []
    for item_id in designation or ():
        item = open_by_id.get(item_id)
        if item is None:
            if item_id not in ignored:
                ignored.append(item_id)
        elif item not in designated:
            designated.append(item)
    chosen = {item.id for item in designated}
    rest = sorted((i for i in open_by_id.values() if i.id not in chosen),
                  key=lambda i: rule.key(i, value_date))

    remaining = receipt.minor
    allocations: list[Allocation] = []
    groups = [[item] for item in designated] + list(_groups(rest, rule))
    for group in groups:
        if remaining == 0:
            break
        group_open = sum(i.open_amount.minor for i in group)
        amount = min(remaining, group_open)
        if len(group) == 1:
            parts = [amount]
        else:  # largest remainder: sums exactly, and no part exceeds its item's open amount
            parts = [p.minor for p in split_by_weights(Money(amount, currency),
                                                        [i.open_amount.minor for i in group])]
        for item, part in zip(group, parts):
            if part:
                allocations.append(Allocation(item.id, Money(part, currency)))
        remaining -= amount

    return AllocationProposal(receipt=receipt, value_date=value_date, allocations=tuple(allocations),
                              credit=Money(remaining, currency), ignored_designation=tuple(ignored))
