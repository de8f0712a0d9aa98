"""Pure ledger rules: open amounts, the allocation proposal, the account invariant."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum


class PostingSource(str, Enum):
    MANUAL = "MANUAL"
    PAYMENT = "PAYMENT"
    BANK_FILE = "BANK_FILE"
    BILLING_RUN = "BILLING_RUN"
    REVERSAL = "REVERSAL"
    DUNNING = "DUNNING"
    IMPORT = "IMPORT"
    DIRECT_DEBIT = "DIRECT_DEBIT"
    RETURN_DEBIT = "RETURN_DEBIT"
    PAYOUT = "PAYOUT"

    @property
    def label(self) -> str:
        return _SOURCE_LABELS[self]


_SOURCE_LABELS = {
    PostingSource.MANUAL: "Manuelle Buchung", PostingSource.PAYMENT: "Zahlung",
    PostingSource.BANK_FILE: "Bankdatei", PostingSource.BILLING_RUN: "Sollstellung",
    PostingSource.REVERSAL: "Storno", PostingSource.DUNNING: "Mahnlauf", PostingSource.IMPORT: "Import",
    PostingSource.DIRECT_DEBIT: "Lastschrift", PostingSource.RETURN_DEBIT: "Rücklastschrift",
    PostingSource.PAYOUT: "Auszahlung",
}

# Within one due date, costs and fees are settled before the principal (§ 367 BGB).
CATEGORY_PRIORITY = {"ENFORCEMENT_COST": 0, "REMINDER_FEE": 1, "FEE": 1, "INTEREST": 2}
DEFAULT_PRIORITY = 3


@dataclass(frozen=True)
class OpenItem:
    id: int
    due_date: date | None
    category: str
    open_minor: int


def allocation_order(item: OpenItem) -> tuple:
    return (item.due_date or date.min, CATEGORY_PRIORITY.get(item.category, DEFAULT_PRIORITY), item.id)


def propose_allocation(credit_minor: int, items: list[OpenItem],
                       designated: list[int] | None = None) -> list[tuple[int, int]]:
    """Allocate a credit (positive minor units): first the items the payer designated, in their
    order; then the oldest due first, costs and fees before principal. Returns (item id, amount);
    what is left is credit balance."""
    if credit_minor < 0:
        raise ValueError("credit must be positive")
    by_id = {item.id: item for item in items if item.open_minor > 0}
    order = [by_id[i] for i in (designated or []) if i in by_id]
    chosen = {item.id for item in order}
    order += sorted((i for i in by_id.values() if i.id not in chosen), key=allocation_order)
    remaining = credit_minor
    result: list[tuple[int, int]] = []
    for item in order:
        if remaining == 0:
            break
        amount = min(remaining, item.open_minor)
        result.append((item.id, amount))
        remaining -= amount
    return result


def check_account_invariant(postings: dict[int, int], allocations: list[tuple[int, int, int]]) -> list[str]:
    """postings: id → amount; allocations: (credit id, item id, amount).

    Holds when Σ postings = Σ open amounts − Σ unallocated credit, and no allocation pushes an
    item's open amount or a credit's unallocated rest below zero or above its amount."""
    allocated_to = {pid: 0 for pid in postings}
    allocated_from = {pid: 0 for pid in postings}
    problems = []
    for credit_id, item_id, amount in allocations:
        if postings.get(credit_id, 0) >= 0:
            problems.append(f"allocation from non-credit posting {credit_id}")
        if postings.get(item_id, 0) <= 0:
            problems.append(f"allocation to non-receivable posting {item_id}")
        allocated_from[credit_id] = allocated_from.get(credit_id, 0) + amount
        allocated_to[item_id] = allocated_to.get(item_id, 0) + amount
    open_total = unallocated_total = 0
    for pid, amount in postings.items():
        if amount > 0:
            open_amount = amount - allocated_to[pid]
            if not 0 <= open_amount <= amount:
                problems.append(f"item {pid}: open {open_amount} outside 0..{amount}")
            open_total += open_amount
        else:
            rest = -amount - allocated_from[pid]
            if not 0 <= rest <= -amount:
                problems.append(f"credit {pid}: unallocated {rest} outside 0..{-amount}")
            unallocated_total += rest
    if sum(postings.values()) != open_total - unallocated_total:
        problems.append("balance differs from open items minus unallocated credit")
    return problems
