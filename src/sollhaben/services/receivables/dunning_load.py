"""Reads what the dunning proposal needs, in a few set-based queries for the whole organization:
open due items with their reminder history, unallocated credit, account holders, active blocks."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sollhaben.domain.collation import sort_key
from sollhaben.domain.receivables.dunning import AccountState, Blocks, ItemState
from sollhaben.persistence.models import Account, Allocation, Person, Posting
from sollhaben.persistence.models.dunning import DunningNotice, DunningNoticeItem, DunningRun
from sollhaben.services.receivables.blocks import active_block_reasons

ENFORCEMENT_KEY = "enforcement"  # sub-accounts of enforcement cases ("enforcement:17") are not dunned


def _open_items(session: Session, organization_id: int, run_date: date) -> list[tuple]:
    """(id, account, due, category, open, text) of receivables due before the run date and still open."""
    allocated = func.coalesce(func.sum(Allocation.amount_minor), 0)
    return session.execute(
        select(Posting.id, Posting.account_id, Posting.due_date, Posting.category,
               Posting.amount_minor - allocated, Posting.text)
        .join(Account, Account.id == Posting.account_id)
        .outerjoin(Allocation, Allocation.item_id == Posting.id)
        .where(Account.organization_id == organization_id, Posting.amount_minor > 0,
               Posting.due_date.is_not(None), Posting.due_date < run_date)
        .group_by(Posting.id, Posting.account_id, Posting.due_date, Posting.category, Posting.amount_minor,
                  Posting.text)
        .having(Posting.amount_minor - allocated > 0)).all()


def _credits(session: Session, organization_id: int) -> dict[int, int]:
    """Unallocated credit per account (only accounts that have some)."""
    allocated = func.coalesce(func.sum(Allocation.amount_minor), 0)
    rows = session.execute(
        select(Posting.account_id, -Posting.amount_minor - allocated)
        .join(Account, Account.id == Posting.account_id)
        .outerjoin(Allocation, Allocation.credit_id == Posting.id)
        .where(Account.organization_id == organization_id, Posting.amount_minor < 0)
        .group_by(Posting.id, Posting.account_id, Posting.amount_minor)
        .having(-Posting.amount_minor - allocated > 0)).all()
    credits: dict[int, int] = {}
    for account_id, rest in rows:
        credits[account_id] = credits.get(account_id, 0) + int(rest)
    return credits


def item_history(session: Session, organization_id: int) -> dict[int, tuple[int, date | None, date | None, date | None]]:
    """item → (highest level reminded, its run date, its payment deadline, hand-over date)."""
    rows = session.execute(
        select(DunningNoticeItem.item_id, DunningNoticeItem.level, DunningNotice.kind, DunningRun.run_date,
               DunningNotice.payment_due)
        .join(DunningNotice, DunningNotice.id == DunningNoticeItem.notice_id)
        .join(DunningRun, DunningRun.id == DunningNotice.run_id)
        .where(DunningRun.organization_id == organization_id)
        .order_by(DunningRun.run_date, DunningNotice.id))
    history: dict[int, tuple[int, date | None, date | None, date | None]] = {}
    for item_id, level, kind, run_date, payment_due in rows:
        last_level, reminded, deadline, handed = history.get(item_id, (0, None, None, None))
        if kind == "HANDOVER":
            handed = run_date
        elif level >= last_level:
            last_level, reminded, deadline = level, run_date, payment_due
        history[item_id] = (last_level, reminded, deadline, handed)
    return history


def load_states(session: Session, organization_id: int, run_date: date) -> tuple[list[AccountState], Blocks]:
    """The accounts with open items due before the run date, in the order of their holders' names."""
    items = _open_items(session, organization_id, run_date)
    history = item_history(session, organization_id)
    credits = _credits(session, organization_id)
    by_account: dict[int, list[ItemState]] = {}
    for item_id, account_id, due, category, open_minor, text in items:
        level, reminded, deadline, handed = history.get(item_id, (0, None, None, None))
        by_account.setdefault(account_id, []).append(
            ItemState(item_id, account_id, due, category, int(open_minor), text, level, reminded, deadline, handed))
    holders = session.execute(
        select(Account.id, Account.key, Account.number, Person.last_name, Person.first_name, Person.postal_code,
               Person.town)
        .join(Person, Person.id == Account.holder_id)
        .where(Account.organization_id == organization_id)).all() if by_account else []
    names = {}
    no_address: dict[int, str] = {}
    for account_id, key, number, last, first, postal_code, town in holders:
        if account_id in by_account and not key.startswith(ENFORCEMENT_KEY):
            names[account_id] = (f"{last}, {first}" if first else last, number)
            if not (postal_code and town):  # a letter that cannot be posted is not proposed
                no_address[account_id] = "Postadresse unvollständig (PLZ oder Ort fehlt)"
    accounts = [AccountState(account_id, tuple(by_account[account_id]), credits.get(account_id, 0),
                             f"{name} ({number})" if number else name)
                for account_id, (name, number) in names.items()]
    accounts.sort(key=lambda a: (sort_key(a.name), a.id))
    account_reasons, item_reasons = active_block_reasons(session, organization_id, run_date)
    return accounts, Blocks({**no_address, **account_reasons}, item_reasons)
