"""Reading the ledger: accounts with balances, one account, the statement with running balance and
open items. (Split from `services.ledger`, which re-exports these functions.)"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sollhaben.domain.collation import name_key
from sollhaben.domain.errors import NotFoundError
from sollhaben.domain.money import Money
from sollhaben.persistence.bulk_read import fetch_tuples
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Account, Allocation, Person, Posting
from sollhaben.services.dto import AccountDTO, PostingDTO, StatementDTO, StatementLine
from sollhaben.services.unit_of_work import read_only


def _account_dto(account: Account, holder_name: str) -> AccountDTO:
    return AccountDTO(account.id, account.holder_id, holder_name, account.key, account.number,
                      account.label, account.currency)


def _allocated(session: Session, column, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.execute(select(column, func.sum(Allocation.amount_minor))
                           .where(column.in_(ids)).group_by(column))
    return {pid: int(total) for pid, total in rows}


def _posting_dtos(session: Session, postings: list[Posting]) -> list[PostingDTO]:
    ids = [p.id for p in postings]
    to_item = _allocated(session, Allocation.item_id, ids)
    from_credit = _allocated(session, Allocation.credit_id, ids)
    reversed_by = dict(session.execute(select(Posting.reverses_id, Posting.id)
                                       .where(Posting.reverses_id.in_(ids))).all()) if ids else {}
    result = []
    for p in postings:
        if p.amount_minor > 0:
            open_minor = p.amount_minor - to_item.get(p.id, 0)
        else:
            open_minor = -p.amount_minor - from_credit.get(p.id, 0)
        result.append(PostingDTO(p.id, p.booking_date, p.value_month, p.due_date, p.category,
                                 Money(p.amount_minor, p.currency), p.source, p.text, p.reverses_id,
                                 reversed_by.get(p.id), Money(open_minor, p.currency)))
    return result


def get_account_in(session: Session, account_id: int) -> AccountDTO:
    row = session.execute(select(Account, Person.last_name, Person.first_name)
                          .join(Person, Person.id == Account.holder_id).where(Account.id == account_id)).first()
    if row is None:
        raise NotFoundError(f"Konto {account_id} gibt es nicht.")
    account, last, first = row
    return _account_dto(account, f"{last}, {first}" if first else last)


def get_account(db: Database, account_id: int) -> AccountDTO:
    with read_only(db) as session:
        return get_account_in(session, account_id)


def list_accounts(db: Database, organization_id: int) -> list[tuple[AccountDTO, Money]]:
    """Accounts with their balance (receivables minus credits), in dictionary order of the holder.

    One query; the balances come from the covering index (account_id, amount_minor), and rows are
    read as plain tuples (thousands of accounts in a list view)."""
    balances = (select(Posting.account_id, func.sum(Posting.amount_minor).label("balance"))
                .group_by(Posting.account_id).subquery())
    query = (select(Account.id, Account.holder_id, Person.last_name, Person.first_name, Account.key,
                    Account.number, Account.label, Account.currency, balances.c.balance)
             .join(Person, Person.id == Account.holder_id)
             .outerjoin(balances, balances.c.account_id == Account.id)
             .where(Account.organization_id == organization_id))
    with db.engine.connect() as connection:
        raw = fetch_tuples(connection, query)
    raw.sort(key=lambda r: (name_key(r[2], r[3]), r[0]))
    return [(AccountDTO(aid, holder, f"{last}, {first}" if first else last, key, number, label, currency),
             Money(int(balance or 0), currency))
            for aid, holder, last, first, key, number, label, currency, balance in raw]


def statement(db: Database, account_id: int, date_from: date | None = None,
              date_to: date | None = None) -> StatementDTO:
    """Postings in a date range with running balance, plus the open items and credit balance."""
    account = get_account(db, account_id)
    with read_only(db) as session:
        base = select(Posting).where(Posting.account_id == account_id)
        opening = 0
        if date_from is not None:
            opening = int(session.scalar(select(func.coalesce(func.sum(Posting.amount_minor), 0))
                                         .where(Posting.account_id == account_id,
                                                Posting.booking_date < date_from)) or 0)
            base = base.where(Posting.booking_date >= date_from)
        if date_to is not None:
            base = base.where(Posting.booking_date <= date_to)
        postings = session.scalars(base.order_by(Posting.booking_date, Posting.id)).all()
        dtos = _posting_dtos(session, postings)
        balance = opening
        lines = []
        for dto in dtos:
            balance += dto.amount.minor
            lines.append(StatementLine(dto, Money(balance, account.currency)))
        all_postings = session.scalars(select(Posting).where(Posting.account_id == account_id)
                                       .order_by(Posting.due_date, Posting.id)).all()
        all_dtos = _posting_dtos(session, all_postings)
        open_items = tuple(d for d in all_dtos if d.amount.minor > 0 and d.open_amount.minor > 0)
        unallocated = sum(d.open_amount.minor for d in all_dtos if d.amount.minor < 0)
        return StatementDTO(account, date_from, date_to, Money(opening, account.currency), tuple(lines),
                            Money(balance, account.currency), open_items, Money(unallocated, account.currency))
