"""What the bank import reads from the database, in a few set-wise queries (20 000 lines must not
mean 20 000 queries): keys already imported, the accounts behind references and IBANs, labels,
and the open items of all affected accounts. Many values go in as one parameter (`bank_sql.among`)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Sequence

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from sollhaben.domain.receivables.bank_matching import ReferenceTarget
from sollhaben.domain.references import compact
from sollhaben.persistence.models import (
    Account,
    Allocation,
    BankAccount,
    BankEntry,
    BankImport,
    Organization,
    Person,
    PersonBankAccount,
    Posting,
)
from sollhaben.services.receivables.bank_sql import among
from sollhaben.services.receivables.references import resolve_references

def chunks(values: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def organization_accounts(session: Session, organization_id: int) -> tuple[str, set[str]]:
    """(currency, compact IBANs of the organization's bank accounts)."""
    currency = session.scalar(select(Organization.currency).where(Organization.id == organization_id)) or ""
    ibans = {compact(i) for i in session.scalars(select(BankAccount.iban)
                                                  .where(BankAccount.organization_id == organization_id))}
    return currency, ibans


def imported_keys(session: Session, organization_id: int, keys: Sequence[str]) -> set[str]:
    unique = sorted(set(keys))
    if not unique:
        return set()
    return set(session.scalars(select(BankEntry.servicer_reference).where(
        BankEntry.organization_id == organization_id, among(session, BankEntry.servicer_reference, unique))))


def same_file_imports(session: Session, organization_id: int, sha256: str):
    return tuple(session.execute(select(BankImport.imported_at, BankImport.imported_by).where(
        BankImport.organization_id == organization_id, BankImport.sha256 == sha256)
        .order_by(BankImport.imported_at)).all())


def reference_targets(session: Session, organization_id: int, references: Sequence[str]) -> dict[str, ReferenceTarget]:
    resolved = resolve_references(session, organization_id, references)
    return {ref: ReferenceTarget(r.account_id, r.item_ids) for ref, r in resolved.items()}


def accounts_by_iban(session: Session, organization_id: int, ibans: Sequence[str]) -> dict[str, list[int]]:
    """IBAN → main accounts (in this organization) of the persons who have that IBAN."""
    result: dict[str, list[int]] = {}
    unique = sorted({i for i in ibans if i})
    if not unique:
        return result
    rows = session.execute(
        select(PersonBankAccount.iban, Account.id)
        .join(Person, Person.id == PersonBankAccount.person_id)
        .join(Account, (Account.holder_id == Person.id) & (Account.organization_id == organization_id)
              & (Account.key == "main"))
        .where(Person.organization_id == organization_id, among(session, PersonBankAccount.iban, unique)))
    for iban, account_id in rows:
        accounts = result.setdefault(compact(iban), [])
        if account_id not in accounts:
            accounts.append(account_id)
    return result


def account_labels(session: Session, account_ids: Iterable[int]) -> dict[int, str]:
    """„Gerber, Reto (000017)“ per account id."""
    labels: dict[int, str] = {}
    wanted = sorted(set(account_ids))
    if not wanted:
        return labels
    rows = session.connection().execute(
        select(Account.id, Account.number, Account.label, Person.last_name, Person.first_name)
        .join(Person, Person.id == Account.holder_id).where(among(session, Account.id, wanted))).all()
    for account_id, number, label, last, first in rows:
        name = f"{last}, {first}" if first else last
        extra = f", {label}" if label else ""
        labels[account_id] = f"{name} ({number or account_id}{extra})"
    return labels


@dataclass(slots=True)
class OpenItemRow:
    """An open item as the bulk booking keeps it; `open_minor` goes down as lines are allocated."""

    id: int
    account_id: int
    due_date: date
    category: str
    detail: dict
    open_minor: int


@dataclass(frozen=True)
class AccountInfo:
    id: int
    key: str
    module: str
    currency: str


def account_infos(session: Session, organization_id: int, account_ids: Sequence[int],
                  lock: bool) -> dict[int, AccountInfo]:
    """The affected accounts, locked in id order (PostgreSQL) so allocations cannot race."""
    result: dict[int, AccountInfo] = {}
    parents: dict[int, int] = {}
    wanted = sorted(set(account_ids))
    if not wanted:
        return result
    query = (select(Account.id, Account.key, Account.module, Account.currency, Account.parent_id)
             .where(among(session, Account.id, wanted), Account.organization_id == organization_id)
             .order_by(Account.id))
    if lock:
        query = query.with_for_update(of=Account)
    for account_id, key, module, currency, parent_id in session.connection().execute(query).all():
        result[account_id] = AccountInfo(account_id, key, module, currency)
        if not module and parent_id is not None:
            parents[account_id] = parent_id
    if parents:  # a sub-account without a module allocates by its parent's rule
        modules = dict(session.execute(select(Account.id, Account.module).where(Account.id.in_(set(parents.values())))))
        for account_id, parent_id in parents.items():
            info = result[account_id]
            result[account_id] = AccountInfo(info.id, info.key, modules.get(parent_id, ""), info.currency)
    return result


def open_items(session: Session, account_ids: Sequence[int]) -> dict[int, list[OpenItemRow]]:
    """Open items of all these accounts: receivables minus their allocations (summed in SQL)."""
    result: dict[int, list[OpenItemRow]] = {}
    days: dict[str, date] = {}
    wanted = sorted(set(account_ids))
    for part in chunks(wanted, 20000) if wanted else ():
        # the detail as text, decoded only where it says something (an enforcement case); settled
        # items stay in the database (HAVING): an account's paid history is most of its postings
        remaining = Posting.amount_minor - func.coalesce(func.sum(Allocation.amount_minor), 0)
        query = (select(Posting.id, Posting.account_id, func.coalesce(Posting.due_date, Posting.booking_date),
                        Posting.category, cast(Posting.detail, String), remaining)
                 .outerjoin(Allocation, Allocation.item_id == Posting.id)
                 .where(among(session, Posting.account_id, part), Posting.amount_minor > 0)
                 .group_by(Posting.id).having(remaining > 0))
        # the driver's rows as they come: tens of thousands without per-row work of SQLAlchemy
        # (SQLite gives dates as ISO text, PostgreSQL as dates); the allocator orders them itself
        for pid, account_id, day, category, detail, rest in session.connection().execute(query).all():
            if isinstance(day, str):  # few distinct days among many items: parse each once
                day = days.get(day) or days.setdefault(day, date.fromisoformat(day[:10]))
            items = result.get(account_id)
            if items is None:
                items = result[account_id] = []
            items.append(OpenItemRow(pid, account_id, day, category,
                                     json.loads(detail) if detail and detail not in ("{}", "null") else {}, int(rest)))
    return result
