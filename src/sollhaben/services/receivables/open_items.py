"""The organization's open-item list at a key date, its ageing (0–30, 31–60, 61–90, > 90 days
overdue, and not yet due) per account and in total, and the collections (payments received) per
month of a year. Read-only; for a large organization the page runs it on the worker.

Filters (docs/statements.md → "Open-item list"): categories (none = all), overdue only (due date
before the key date), minimum amount (an account is listed when its listed items sum to at least
the minimum). Credit and balance of an account are the account's own, whatever the filters;
without filters the ageing also lists the accounts that have only credit.
"""
from __future__ import annotations

from concurrent.futures import CancelledError
from dataclasses import dataclass
from datetime import date
from typing import Callable, NamedTuple

from sollhaben.domain.collation import name_key
from sollhaben.domain.errors import NotFoundError, ValidationError
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.persistence.bulk_read import fetch_tuples
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Organization
from sollhaben.services.receivables.open_items_query import (account_allocations_statement,
                                                             account_postings_statement,
                                                             accounts_with_releases_statement, balances_statement,
                                                             categories_statement, collections_statement,
                                                             open_items_statement)
from sollhaben.services.receivables.open_items_rules import BUCKETS, LedgerRow, ageing_bucket, days_overdue, open_at
from sollhaben.services.unit_of_work import read_only

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class OpenItemsFilter:
    key_date: date
    categories: tuple[str, ...] = ()
    overdue_only: bool = False
    minimum: Money | None = None


class OpenItemRow(NamedTuple):
    account_id: int
    account_number: str
    holder_name: str
    item_id: int
    booking_date: date
    due_date: date  # the booking date where the item has none
    value_month: Month | None
    category: str
    text: str
    amount: Money
    open_amount: Money
    days_overdue: int
    bucket: str


@dataclass(frozen=True)
class AgeingRow:
    """One account (or the total): open amounts per bucket in the order of `BUCKETS`."""

    account_id: int | None
    account_number: str
    holder_name: str
    buckets: tuple[Money, ...]
    open_total: Money
    credit: Money  # unallocated credit at the key date
    balance: Money  # the account's balance at the key date


@dataclass(frozen=True)
class OpenItemList:
    filter: OpenItemsFilter
    currency: str
    country: str
    organization: str
    items: tuple[OpenItemRow, ...]
    ageing: tuple[AgeingRow, ...]
    total: AgeingRow
    categories: tuple[str, ...]  # every receivable category of the organization


@dataclass(frozen=True)
class CollectionMonth:
    month: Month
    received: Money  # payments booked in the month
    reversed: Money  # payments reversed in the month (return debits, wrong receipts)

    @property
    def net(self) -> Money:
        return self.received - self.reversed


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _organization(session, organization_id: int) -> Organization:
    org = session.get(Organization, organization_id)
    if org is None:
        raise NotFoundError(f"Organisation {organization_id} gibt es nicht.")
    return org


def _check_filter(flt: OpenItemsFilter, currency: str) -> None:
    if flt.minimum is not None:
        if flt.minimum.currency.value != currency:
            raise ValidationError(f"Mindestbetrag: Die Organisation rechnet in {currency}.", "minimum")
        if flt.minimum.minor < 0:
            raise ValidationError("Mindestbetrag: darf nicht negativ sein.", "minimum")


def _month(value) -> Month | None:
    if value is None or isinstance(value, Month):
        return value
    return Month.from_index(int(value))


def _with_releases(session, organization_id: int, key_date: date) -> tuple[set[int], list[tuple]]:
    """The accounts with releases and their items open at the key date by the full rule."""
    accounts = set(session.scalars(accounts_with_releases_statement(organization_id)))
    items: list[tuple] = []
    ordered = sorted(accounts)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start:start + 500]
        postings = session.execute(account_postings_statement(chunk)).all()
        allocations = [tuple(a) for a in session.execute(account_allocations_statement(chunk))]
        rows = {p.id: LedgerRow(p.id, p.booking_date, p.amount_minor, p.reverses_id) for p in postings}
        open_items, _credits = open_at(rows, allocations, key_date)
        items += [(*p[:8], open_items[p.id]) for p in postings if open_items.get(p.id, 0) > 0]
    return accounts, items


def open_item_list(db: Database, organization_id: int, flt: OpenItemsFilter, progress: Progress | None = None,
                   cancelled: Callable[[], bool] | None = None) -> OpenItemList:
    """A few queries (open items, balances, categories, the accounts with releases); the filters,
    sorting and ageing in Python."""
    report = progress or (lambda _d, _t, _x: None)
    with read_only(db) as session:
        org = _organization(session, organization_id)
        currency, country, name = org.currency, org.legal_country, org.name
    _check_filter(flt, currency)
    report(0, 3, "Offene Posten lesen")
    with db.engine.connect() as connection:
        raw_items = fetch_tuples(connection, open_items_statement(organization_id, flt.key_date))
        if cancelled is not None and cancelled():
            raise CancelledError("abgebrochen")
        report(1, 3, "Salden lesen")
        balances = {row[0]: row for row in fetch_tuples(connection, balances_statement(organization_id,
                                                                                       flt.key_date))}
        categories = tuple(r[0] for r in fetch_tuples(connection, categories_statement(organization_id)))
    with read_only(db) as session:
        precise_accounts, precise_items = _with_releases(session, organization_id, flt.key_date)
    raw_items = [r for r in raw_items if r[1] not in precise_accounts] + precise_items
    report(2, 3, "Altersstruktur berechnen")
    wanted = set(flt.categories)
    unfiltered_open: dict[int, int] = {}
    rows_by_account: dict[int, list[OpenItemRow]] = {}
    for item_id, account_id, booked, due, month, category, text, amount, open_minor in raw_items:
        unfiltered_open[account_id] = unfiltered_open.get(account_id, 0) + int(open_minor)
        if wanted and category not in wanted:
            continue
        due_day = _day(due) if due is not None else _day(booked)
        days = days_overdue(due_day, flt.key_date)
        if flt.overdue_only and days < 1:
            continue
        _aid, number, last, first, _balance = balances[account_id]
        rows_by_account.setdefault(account_id, []).append(OpenItemRow(
            account_id, number, f"{last}, {first}" if first else last, item_id, _day(booked), due_day,
            _month(month), category, text, Money(int(amount), currency), Money(int(open_minor), currency), days,
            ageing_bucket(due_day, flt.key_date)))
    minimum = flt.minimum.minor if flt.minimum is not None else 0
    ageing, items = [], []
    for account_id, rows in rows_by_account.items():
        open_total = sum(r.open_amount.minor for r in rows)
        if open_total < minimum:
            continue
        _aid, number, last, first, balance = balances[account_id]
        buckets = tuple(Money(sum(r.open_amount.minor for r in rows if r.bucket == b), currency) for b in BUCKETS)
        # Σ postings = Σ open − unallocated credit, so the credit follows from the unfiltered items
        credit = unfiltered_open.get(account_id, 0) - int(balance)
        ageing.append(AgeingRow(account_id, number, rows[0].holder_name, buckets, Money(open_total, currency),
                                Money(credit, currency), Money(int(balance), currency)))
        items.extend(rows)
    if not wanted and not flt.overdue_only and minimum == 0:  # unfiltered: accounts with credit only too
        for account_id, (_aid, number, last, first, balance) in balances.items():
            credit = unfiltered_open.get(account_id, 0) - int(balance)
            if account_id not in rows_by_account and credit > 0:
                ageing.append(AgeingRow(account_id, number, f"{last}, {first}" if first else last,
                                        tuple(Money(0, currency) for _b in BUCKETS), Money(0, currency),
                                        Money(credit, currency), Money(int(balance), currency)))
    order = {aid: (name_key(row[2], row[3] or ""), row[1]) for aid, row in balances.items()}
    ageing.sort(key=lambda a: (order[a.account_id], a.account_id))
    items.sort(key=lambda r: (order[r.account_id], r.account_id, r.due_date, r.item_id))
    total = AgeingRow(None, "", "Summe",
                      tuple(Money(sum(a.buckets[i].minor for a in ageing), currency) for i in range(len(BUCKETS))),
                      Money(sum(a.open_total.minor for a in ageing), currency),
                      Money(sum(a.credit.minor for a in ageing), currency),
                      Money(sum(a.balance.minor for a in ageing), currency))
    report(3, 3, "fertig")
    return OpenItemList(flt, currency, country, name, tuple(items), tuple(ageing), total, categories)


def collections_per_month(db: Database, organization_id: int, year: int) -> tuple[CollectionMonth, ...]:
    """Payments received and reversed per booking month of `year` (twelve rows, empty months 0)."""
    with read_only(db) as session:
        currency = _organization(session, organization_id).currency
    with db.engine.connect() as connection:
        rows = fetch_tuples(connection, collections_statement(organization_id, date(year, 1, 1), date(year, 12, 31)))
    received = [0] * 12
    reversed_ = [0] * 12
    for day, paid, undone in rows:
        month = _day(day).month - 1
        received[month] += int(paid)
        reversed_[month] += int(undone)
    return tuple(CollectionMonth(Month(year, m + 1), Money(received[m], currency), Money(reversed_[m], currency))
                 for m in range(12))
