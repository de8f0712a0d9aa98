"""The account statement (Kontoauszug) read model: postings of a date range with the running
balance from an opening balance, reversals and reversed postings marked, pending direct debits
marked, the open items at the end date grouped by month and category, the unallocated credit.

Three queries whatever the history (account with holder, the account's postings, the allocations
between them); everything else is computed here. Ten years of monthly history (~500 postings)
load in a few milliseconds (bench/bench_statement.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from sollhaben.domain.errors import NotFoundError, ValidationError
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Account, Allocation, Organization, Person, Posting
from sollhaben.services.dto import AccountDTO, PostingDTO, StatementLine
from sollhaben.services.receivables.open_items_rules import LedgerRow, item_month, open_at
from sollhaben.services.unit_of_work import read_only


@dataclass(frozen=True)
class StatementPostingDTO(PostingDTO):
    """A posting as the statement shows it; `pending_until` set for a direct debit that is booked
    but not yet credited by the bank at the statement date (`detail.pending_until`)."""

    pending_until: date | None = None


@dataclass(frozen=True)
class OpenItemGroup:
    """Open items of one month (value month) and category."""

    month: Month
    category: str
    count: int
    open_amount: Money


@dataclass(frozen=True)
class AccountStatement:
    """Field-compatible with `services.dto.StatementDTO` (the statement view shows either), plus
    the statement date, the country and the pending direct debits."""

    account: AccountDTO
    date_from: date | None
    date_to: date | None
    opening_balance: Money
    lines: tuple[StatementLine, ...]
    closing_balance: Money
    open_items: tuple[PostingDTO, ...]
    unallocated_credit: Money
    today: date
    country: str
    organization_id: int
    pending: tuple[StatementPostingDTO, ...] = ()

    @property
    def open_total(self) -> Money:
        return Money(sum(p.open_amount.minor for p in self.open_items), self.account.currency)

    @property
    def groups(self) -> tuple[OpenItemGroup, ...]:
        return group_open_items(self.open_items, self.account.currency)


def group_open_items(items, currency: str) -> tuple[OpenItemGroup, ...]:
    """Open items summed by month (oldest first) and category (alphabetical within a month)."""
    sums: dict[tuple[Month, str], list[int]] = {}
    for p in items:
        key = (item_month(p.value_month, p.due_date, p.booking_date), p.category)
        entry = sums.setdefault(key, [0, 0])
        entry[0] += 1
        entry[1] += p.open_amount.minor
    return tuple(OpenItemGroup(month, category, count, Money(total, currency))
                 for (month, category), (count, total) in sorted(sums.items(), key=lambda kv: (kv[0][0].index,
                                                                                               kv[0][1])))


def _pending_until(detail: dict | None, today: date) -> date | None:
    raw = (detail or {}).get("pending_until")
    if not raw:
        return None
    try:
        until = raw if isinstance(raw, date) else date.fromisoformat(str(raw)[:10])
    except ValueError:
        return None
    return until if until > today else None


def _load(session: Session, account_id: int):
    head = session.execute(
        select(Account.id, Account.holder_id, Account.key, Account.number, Account.label, Account.currency,
               Account.organization_id, Person.last_name, Person.first_name, Organization.legal_country)
        .join(Person, Person.id == Account.holder_id).join(Organization, Organization.id == Account.organization_id)
        .where(Account.id == account_id)).first()
    if head is None:
        raise NotFoundError(f"Konto {account_id} gibt es nicht.")
    postings = session.execute(
        select(Posting.id, Posting.booking_date, Posting.value_month, Posting.due_date, Posting.category,
               Posting.amount_minor, Posting.source, Posting.text, Posting.reverses_id, Posting.detail)
        .where(Posting.account_id == account_id).order_by(Posting.booking_date, Posting.id)).all()
    allocations = session.execute(
        select(Allocation.credit_id, Allocation.item_id, Allocation.amount_minor)
        .join(Posting, Posting.id == Allocation.item_id).where(Posting.account_id == account_id)
        .order_by(Allocation.id)).all()
    return head, postings, allocations


def check_period(date_from: date | None, date_to: date | None) -> None:
    if date_from is not None and date_to is not None and date_to < date_from:
        raise ValidationError("Bis: Das Ende liegt vor dem Beginn des Zeitraums.", "date_to")


def load_statement(db: Database, account_id: int, date_from: date | None = None, date_to: date | None = None,
                   today: date | None = None) -> AccountStatement:
    """The statement of `account_id` for [date_from, date_to] (open ends: from the first, up to
    the last posting). Open items and credit are those at `date_to`; a direct debit is pending
    while `today` is before its `pending_until`."""
    check_period(date_from, date_to)
    today = today or date.today()
    with read_only(db) as session:
        head, postings, allocations = _load(session, account_id)
    currency, organization_id, country = head.currency, head.organization_id, head.legal_country
    holder = f"{head.last_name}, {head.first_name}" if head.first_name else head.last_name
    dto = AccountDTO(head.id, head.holder_id, holder, head.key, head.number, head.label, currency)
    rows = {p.id: LedgerRow(p.id, p.booking_date, p.amount_minor, p.reverses_id) for p in postings}
    open_items, credits = open_at(rows, [tuple(a) for a in allocations], date_to)
    reversed_by = {p.reverses_id: p.id for p in postings
                   if p.reverses_id is not None and (date_to is None or p.booking_date <= date_to)}
    opening = balance = 0
    lines: list[StatementLine] = []
    items: list[StatementPostingDTO] = []
    pending: list[StatementPostingDTO] = []
    for p in postings:
        if date_to is not None and p.booking_date > date_to:
            break
        open_minor = open_items.get(p.id) if p.amount_minor > 0 else credits.get(p.id)
        posting = StatementPostingDTO(
            p.id, p.booking_date, p.value_month, p.due_date, p.category, Money(p.amount_minor, currency), p.source,
            p.text, p.reverses_id, reversed_by.get(p.id), Money(open_minor or 0, currency),
            _pending_until(p.detail, today) if p.amount_minor < 0 else None)
        if posting.pending_until is not None:
            pending.append(posting)
        if p.amount_minor > 0 and open_minor:
            items.append(posting)
        if date_from is not None and p.booking_date < date_from:
            opening += p.amount_minor
            balance = opening
            continue
        balance += p.amount_minor
        lines.append(StatementLine(posting, Money(balance, currency)))
    items.sort(key=lambda p: (p.due_date or p.booking_date, p.id))
    return AccountStatement(
        dto, date_from, date_to, Money(opening, currency), tuple(lines), Money(balance, currency), tuple(items),
        Money(sum(credits.values()), currency), today, country, organization_id, tuple(pending))
