"""Booking the matched lines of a bank file in bulk: one proposal per payment by the account's
module rule (the payer's designation first), then postings, allocations and bank entries written
with executemany in the caller's transaction. 20 000 lines must not be 20 000 `book_payment` calls.

Rows go in with ids taken up front (`bank_bulk`): COPY on PostgreSQL, executemany on SQLite.
The ledger's invariants hold as in `ledger.book_payment`: the affected accounts are locked first
(PostgreSQL), every proposal is computed against the open amounts left by the lines before it (two
payments for one account in one file never over-allocate an item), allocations are only inserted,
and the unique idempotency key of each payment (BANK:<organization>:<servicer key>) refuses a
double booking at the database as well.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable, Sequence

from sqlalchemy.orm import Session

from sollhaben.domain.ledger import PostingSource
from sollhaben.domain.money import Money
from sollhaben.domain.receivables import OpenItem, propose_allocation
from sollhaben.persistence.base import utcnow
from sollhaben.persistence.models import Allocation, BankEntry, Posting
from sollhaben.services.receivables.bank_bulk import take_ids, write_rows
from sollhaben.services.receivables.bank_lookup import account_infos, open_items
from sollhaben.services.receivables.receipts_rules import receipt_rules_for

INSERT_CHUNK = 2000


@dataclass(frozen=True)
class PaymentToBook:
    """A matched credit line: which account, how much, and what the payer designated."""

    index: int  # position in the file's line list
    account_id: int
    amount: Money
    booking_date: date
    value_date: date
    designation: tuple[int, ...] = ()


def plan_allocations(session: Session, organization_id: int, payments: Sequence[PaymentToBook],
                     lock: bool) -> dict[int, list[tuple[int, int]]]:
    """{line index: [(item id, minor units)]} — the proposal of each payment, in file order."""
    account_ids = [p.account_id for p in payments]
    infos = account_infos(session, organization_id, account_ids, lock)
    items = open_items(session, account_ids)
    plans: dict[int, list[tuple[int, int]]] = {}
    for payment in payments:
        info = infos[payment.account_id]
        rules = receipt_rules_for(info.module)
        rows = [r for r in items.get(payment.account_id, ()) if r.open_minor > 0]
        by_id = {r.id: r for r in rows}
        proposal = propose_allocation(
            payment.amount, payment.value_date,
            [OpenItem(r.id, r.due_date, r.category, Money(r.open_minor, payment.amount.currency),
                      rules.enforcement_case(info.key, r.detail)) for r in rows],
            designation=list(payment.designation), rule=rules.allocation)
        plan = []
        for allocation in proposal.allocations:
            by_id[allocation.item_id].open_minor -= allocation.amount.minor
            plan.append((allocation.item_id, allocation.amount.minor))
        plans[payment.index] = plan
    return plans


def take_posting_ids(session: Session, count: int) -> list[int]:
    """The payments' posting ids, in one query for the whole file."""
    return take_ids(session, Posting.__table__, count)


def insert_payments(session: Session, organization_id: int, import_id: int, payments: Sequence[PaymentToBook],
                    plans: dict[int, list[tuple[int, int]]], texts: dict[int, tuple[str, str, str]], user: str,
                    tick: Callable[[int], None], all_ids: list[int]) -> dict[int, int]:
    """Insert the payment postings (ids `all_ids`, from `take_posting_ids`) and their allocations;
    {line index: posting id}. `texts[index]` = (servicer key, reference, posting text)."""
    now = utcnow()
    posting_ids: dict[int, int] = {}
    for start in range(0, len(payments), INSERT_CHUNK):
        part = payments[start:start + INSERT_CHUNK]
        ids = all_ids[start:start + INSERT_CHUNK]
        rows = []
        for p, posting_id in zip(part, ids):
            key, reference, text = texts[p.index]
            posting_ids[p.index] = posting_id
            rows.append(dict(
                id=posting_id, account_id=p.account_id, booking_date=p.booking_date, value_month=None,
                due_date=None, category="PAYMENT", amount_minor=-p.amount.minor, currency=p.amount.currency.value,
                source=PostingSource.BANK_FILE.value, source_id=import_id, reverses_id=None,
                reference=reference[:35], text=text[:200],
                detail={"bank_entry": key, "value_date": p.value_date.isoformat()},
                idempotency_key=f"BANK:{organization_id}:{key}", created_by=user, created_at=now))
        write_rows(session, Posting.__table__, rows)
        write_rows(session, Allocation.__table__, [
            dict(credit_id=posting_ids[p.index], item_id=item_id, amount_minor=minor, created_by=user,
                 created_at=now)
            for p in part for item_id, minor in plans.get(p.index, ()) if minor])
        tick(len(part))
    return posting_ids


def insert_entries(session: Session, rows: list[dict]) -> None:
    write_rows(session, BankEntry.__table__, rows)
