"""Dunning blocks (Mahnsperren): per account or per item, with reason and end date.

A block is active on a date when it is not lifted and its end date (`valid_until`, inclusive) is
empty or not before that date. Blocks are never deleted; lifting keeps who, when and why.
Payment agreements add blocks with their `agreement_id` and lift them when the agreement is broken
or fulfilled (`lift_agreement_blocks`).

Functions that take a session join the caller's unit of work (nothing is committed here); the ones
that take `db_or_session` open their own unit of work when given a Database.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterator

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from sollhaben.domain.collation import sort_key
from sollhaben.domain.errors import ErrorCollector, NotFoundError
from sollhaben.domain.formatting import format_date, format_number_minor
from sollhaben.domain.master_data import check_length
from sollhaben.persistence.base import utcnow
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Account, Allocation, Person, Posting
from sollhaben.persistence.models.dunning import DunningBlock
from sollhaben.services.unit_of_work import read_only, unit_of_work

REASON_MAX = 200


@dataclass(frozen=True)
class BlockDTO:
    id: int
    account_id: int
    item_id: int | None  # None: the whole account
    reason: str
    valid_until: date | None
    agreement_id: int | None
    created_at: datetime
    created_by: str
    lifted_at: datetime | None
    lifted_by: str
    lift_reason: str
    item_text: str = ""
    account_label: str = ""  # "Gerber, Reto (000017)"

    def active_on(self, day: date) -> bool:
        return self.lifted_at is None and (self.valid_until is None or self.valid_until >= day)


@contextmanager
def writing(db_or_session: Database | Session) -> Iterator[Session]:
    """The caller's session as is, or a new unit of work of the database."""
    if isinstance(db_or_session, Session):
        yield db_or_session
        return
    with unit_of_work(db_or_session, "Mahnsperre") as session:
        yield session


def _user(session: Session) -> str:
    return session.info.get("user", "system")


def add_block(db_or_session: Database | Session, *, organization_id: int, account_id: int,
              reason: str, item_id: int | None = None, valid_until: date | None = None,
              agreement_id: int | None = None) -> int:
    """Block reminders for the account (item_id None) or one of its items; returns the block id."""
    errors = ErrorCollector()
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", "Grund: Bitte den Grund der Mahnsperre angeben.")
    check_length(errors, "reason", "Grund", reason, REASON_MAX)
    if valid_until is not None and not date(1900, 1, 1) <= valid_until <= date(2199, 12, 31):
        errors.add("valid_until", "Gültig bis: Das Datum liegt ausserhalb des gültigen Bereichs.")
    with writing(db_or_session) as session:
        account = session.get(Account, account_id)
        if account is None or account.organization_id != organization_id:
            raise NotFoundError(f"Konto {account_id} gibt es in dieser Organisation nicht.")
        if item_id is not None:
            item = session.get(Posting, item_id)
            if item is None or item.account_id != account_id or item.amount_minor <= 0:
                errors.add("item_id", "Posten: Gesperrt werden kann nur eine Forderung dieses Kontos.")
        errors.raise_if_any()
        block = DunningBlock(organization_id=organization_id, account_id=account_id, item_id=item_id,
                             reason=reason, valid_until=valid_until, agreement_id=agreement_id,
                             created_by=_user(session))
        session.add(block)
        session.flush()
        return block.id


def lift_block(db_or_session: Database | Session, block_id: int, *, reason: str = "") -> None:
    """End a block now. Lifting a lifted block again is refused (its history stays as it was)."""
    errors = ErrorCollector()
    reason = (reason or "").strip()
    check_length(errors, "lift_reason", "Grund der Aufhebung", reason, REASON_MAX)
    errors.raise_if_any()
    with writing(db_or_session) as session:
        block = session.scalar(select(DunningBlock).where(DunningBlock.id == block_id).with_for_update())
        if block is None:
            raise NotFoundError(f"Mahnsperre {block_id} gibt es nicht.")
        if block.lifted_at is not None:
            errors.add("lift_reason", "Mahnsperre: Diese Sperre ist bereits aufgehoben.")
            errors.raise_if_any()
        block.lifted_at = utcnow()
        block.lifted_by = _user(session)
        block.lift_reason = reason


def lift_agreement_blocks(db_or_session: Database | Session, agreement_id: int, *, reason: str) -> int:
    """Lift every open block of a payment agreement (broken or fulfilled); returns how many."""
    with writing(db_or_session) as session:
        ids = session.scalars(select(DunningBlock.id).where(
            DunningBlock.agreement_id == agreement_id, DunningBlock.lifted_at.is_(None))).all()
        for block_id in ids:
            lift_block(session, block_id, reason=reason)
        return len(ids)


def _active_clause(on: date):
    return (DunningBlock.lifted_at.is_(None),
            or_(DunningBlock.valid_until.is_(None), DunningBlock.valid_until >= on))


def active_blocks(session: Session, organization_id: int, on: date) -> tuple[set[int], set[int]]:
    """(blocked account ids, blocked item ids) of the organization on the date."""
    accounts: set[int] = set()
    items: set[int] = set()
    for account_id, item_id in session.execute(select(DunningBlock.account_id, DunningBlock.item_id).where(
            DunningBlock.organization_id == organization_id, *_active_clause(on))):
        if item_id is None:
            accounts.add(account_id)
        else:
            items.add(item_id)
    return accounts, items


def active_block_reasons(session: Session, organization_id: int, on: date
                         ) -> tuple[dict[int, str], dict[int, str]]:
    """Like `active_blocks`, with the reason shown to the clerk (several blocks: joined by „; “)."""
    accounts: dict[int, list[str]] = {}
    items: dict[int, list[str]] = {}
    rows = session.execute(select(DunningBlock.account_id, DunningBlock.item_id, DunningBlock.reason,
                                  DunningBlock.valid_until).where(
        DunningBlock.organization_id == organization_id, *_active_clause(on)).order_by(DunningBlock.id))
    for account_id, item_id, reason, until in rows:
        text = f"Mahnsperre: {reason}" + (f" (bis {until:%d.%m.%Y})" if until else "")
        (accounts.setdefault(account_id, []) if item_id is None else items.setdefault(item_id, [])).append(text)
    return ({k: "; ".join(v) for k, v in accounts.items()}, {k: "; ".join(v) for k, v in items.items()})


def _dto(block: DunningBlock, item_text: str = "", account_label: str = "") -> BlockDTO:
    return BlockDTO(block.id, block.account_id, block.item_id, block.reason, block.valid_until,
                    block.agreement_id, block.created_at, block.created_by, block.lifted_at, block.lifted_by,
                    block.lift_reason, item_text, account_label)


def list_blocks(db: Database, account_id: int) -> list[BlockDTO]:
    """All blocks of the account (active and past), newest first."""
    with read_only(db) as session:
        return _list(session, DunningBlock.account_id == account_id)


def list_organization_blocks(db: Database, organization_id: int, active_on: date | None = None) -> list[BlockDTO]:
    """The organization's blocks, newest first; only those active on the date when given."""
    with read_only(db) as session:
        clauses = [DunningBlock.organization_id == organization_id]
        if active_on is not None:
            clauses += _active_clause(active_on)
        return _list(session, *clauses)


def account_label(last: str, first: str, number: str) -> str:
    name = f"{last}, {first}" if first else last
    return f"{name} ({number})" if number else name


def _list(session: Session, *clauses) -> list[BlockDTO]:
    rows = session.execute(select(DunningBlock, Posting.text, Posting.due_date, Person.last_name, Person.first_name,
                                  Account.number)
                           .join(Account, Account.id == DunningBlock.account_id)
                           .join(Person, Person.id == Account.holder_id)
                           .outerjoin(Posting, Posting.id == DunningBlock.item_id)
                           .where(*clauses).order_by(DunningBlock.id.desc())).all()
    return [_dto(block, (f"{text} (fällig {due:%d.%m.%Y})" if due else text) if block.item_id else "",
                 account_label(last, first, number))
            for block, text, due, last, first, number in rows]


def account_choices(db: Database, organization_id: int) -> list[tuple[int, str]]:
    """(account id, label) of the organization's accounts, in dictionary order, for the block dialog."""
    with read_only(db) as session:
        rows = session.execute(select(Account.id, Person.last_name, Person.first_name, Account.number)
                               .join(Person, Person.id == Account.holder_id)
                               .where(Account.organization_id == organization_id)).all()
    choices = [(account_id, account_label(last, first, number)) for account_id, last, first, number in rows]
    return sorted(choices, key=lambda c: (sort_key(c[1]), c[0]))


def blockable_items(db: Database, account_id: int) -> list[tuple[int, str]]:
    """(item id, label) of the account's open receivables, oldest due first."""
    allocated = func.coalesce(func.sum(Allocation.amount_minor), 0)
    with read_only(db) as session:
        rows = session.execute(
            select(Posting.id, Posting.text, Posting.due_date, Posting.amount_minor - allocated, Posting.currency)
            .outerjoin(Allocation, Allocation.item_id == Posting.id)
            .where(Posting.account_id == account_id, Posting.amount_minor > 0)
            .group_by(Posting.id, Posting.text, Posting.due_date, Posting.amount_minor, Posting.currency)
            .having(Posting.amount_minor - allocated > 0)
            .order_by(Posting.due_date, Posting.id)).all()
    country = lambda currency: "CH" if currency == "CHF" else "DE"  # noqa: E731
    return [(item_id, f"{text} – fällig {format_date(due)} – offen {format_number_minor(open_minor, country(cur))} "
                      f"{cur}") for item_id, text, due, open_minor, cur in rows]
