"""What the booking window shows: the open items of one account grouped by value month, category and
enforcement case, each with the proposed allocation of the receipt, and the credit that remains."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Hashable

from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.services.dto import AccountDTO


@dataclass(frozen=True)
class ReceiptLine:
    """One open item and what the proposal allocates to it."""

    item_id: int
    value_month: Month  # the posting's value month; its due (else booking) month when it has none
    category: str
    enforcement_case: Hashable | None
    due_date: date | None
    text: str
    amount: Money
    open_amount: Money
    proposed: Money
    designated: bool = False  # the payer named this item


@dataclass(frozen=True)
class ReceiptGroup:
    value_month: Month
    category: str
    enforcement_case: Hashable | None
    lines: tuple[ReceiptLine, ...]
    open_amount: Money
    proposed: Money


@dataclass(frozen=True)
class ReceiptProposal:
    account: AccountDTO
    amount: Money  # the receipt (or, for allocate_credit, the unallocated credit to distribute)
    value_date: date
    rule_name: str
    groups: tuple[ReceiptGroup, ...]  # by month, then § 367 priority of the category, then case
    allocated: Money
    credit: Money  # what the proposal leaves unallocated: credit balance on the account
    existing_credit: Money  # unallocated credit already on the account before this receipt
    notes: tuple[str, ...] = ()
    designation: tuple[int, ...] = ()  # the open items the payer named, in the order named

    @property
    def lines(self) -> tuple[ReceiptLine, ...]:
        return tuple(line for group in self.groups for line in group.lines)

    def allocations(self) -> list[tuple[int, Money]]:
        """The proposal as `book_receipt` takes it: (item id, amount) for every line with an amount."""
        return [(line.item_id, line.proposed) for line in self.lines if line.proposed.minor]


@dataclass(frozen=True)
class CreditAllocation:
    """A part of one credit allocated to one item by `allocate_credit`."""

    credit_id: int
    item_id: int
    amount: Money
