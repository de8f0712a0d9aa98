"""Pure ledger rules: posting sources, the § 367 BGB category priority, the account invariant.

The allocation proposal for receipts lives in `sollhaben.domain.receivables.allocation`."""
from __future__ import annotations

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

# The one place of the German category names: every list, statement, report and export of every
# module reads them here (`services.receivables.statement_labels` re-exports them).
CATEGORY_LABELS = {
    "FEE": "Gebühr", "REMINDER_FEE": "Mahngebühr", "INTEREST": "Zins", "ENFORCEMENT_COST": "Betreibungskosten",
    "PAYMENT": "Zahlung", "MAINTENANCE": "Unterhalt", "KITA_FEE": "Kita-Beitrag", "MEALS": "Verpflegung",
    "KITA_EXTRA": "Zusatzkosten", "CREDIT_NOTE": "Gutschrift", "REFUND": "Rückzahlung",
    "RETURN_DEBIT_FEE": "Rücklastschriftgebühr", "PAYOUT": "Auszahlung",
}


def category_label(code: str) -> str:
    """The German name of a posting category (the code itself for a module's own categories)."""
    return CATEGORY_LABELS.get(code, code)


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
