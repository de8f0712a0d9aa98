"""Refunds of credit balances: which accounts hold unallocated credit, and the refund order of one.

The recipient of a refund is the account's holder, paid to the first bank account recorded for the
person (Personen → Bank); the bank account's holder name, when recorded, is the recipient name.
A proposal lists what stops the refund (no IBAN, an address without town, a QR-IBAN without
reference …) with the same German messages the order would get.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from sollhaben.domain.collation import name_key
from sollhaben.domain.errors import ErrorCollector, NotFoundError, ValidationError
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.payouts import SourceKind
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Account, Allocation, Organization, Person, PersonBankAccount, Posting
from sollhaben.services.receivables.payout_dto import CreditBalanceDTO
from sollhaben.services.receivables.payout_orders import (
    check_order_input, create_payout_order, file_kind, person_party, unallocated_credits,
)
from sollhaben.services.unit_of_work import read_only


def refund_purpose(account_number: str) -> str:
    return f"Rückzahlung Guthaben Konto {account_number}"


def _credit_by_account(session, organization_id: int) -> dict[int, int]:
    """Unallocated credit per account of the organization (only accounts that have some)."""
    credits = dict(session.execute(
        select(Posting.account_id, -func.sum(Posting.amount_minor))
        .join(Account, Account.id == Posting.account_id)
        .where(Account.organization_id == organization_id, Posting.amount_minor < 0)
        .group_by(Posting.account_id)).all())
    allocated = dict(session.execute(
        select(Posting.account_id, func.sum(Allocation.amount_minor))
        .join(Posting, Posting.id == Allocation.credit_id)
        .join(Account, Account.id == Posting.account_id)
        .where(Account.organization_id == organization_id)
        .group_by(Posting.account_id)).all())
    result = {aid: int(total) - int(allocated.get(aid) or 0) for aid, total in credits.items()}
    return {aid: rest for aid, rest in result.items() if rest > 0}


def _first_bank_accounts(session, person_ids: list[int]):
    """person id → (iban, bic, holder) of the person's first bank account."""
    first = {}
    if person_ids:
        for row in session.execute(select(PersonBankAccount.person_id, PersonBankAccount.iban, PersonBankAccount.bic,
                                          PersonBankAccount.holder)
                                   .where(PersonBankAccount.person_id.in_(person_ids))
                                   .order_by(PersonBankAccount.id)):
            first.setdefault(row.person_id, row)
    return first


def list_credit_balances(db: Database, organization_id: int) -> list[CreditBalanceDTO]:
    """Accounts with unallocated credit, in dictionary order of the holder, each with its refund
    proposal and the problems that stop it."""
    with read_only(db) as session:
        organization = session.get(Organization, organization_id)
        if organization is None:
            raise NotFoundError("Organisation gibt es nicht.")
        kind = file_kind(organization)
        credit = _credit_by_account(session, organization_id)
        if not credit:
            return []
        # plain rows, not ORM objects: thousands of accounts, read once
        rows = session.execute(select(Account.id, Account.number, Account.currency, Person.id.label("person_id"),
                                      Person.first_name, Person.last_name, Person.street, Person.house_number,
                                      Person.postal_code, Person.town, Person.country)
                               .join(Person, Person.id == Account.holder_id)
                               .where(Account.id.in_(list(credit)))).all()
        banks = _first_bank_accounts(session, [row.person_id for row in rows])
        result = []
        for row in rows:
            bank = banks.get(row.person_id)
            party = person_party(row, bank.holder if bank else "")
            amount = Money(credit[row.id], row.currency)
            errors = ErrorCollector()
            if bank is None:
                errors.add("iban", f"IBAN: Für {party.name} ist keine Bankverbindung erfasst (Personen → Bank).")
            else:
                check_order_input(errors, kind, party, bank.iban, bank.bic, amount, "", refund_purpose(row.number))
            holder = f"{row.last_name}, {row.first_name}" if row.first_name else row.last_name
            result.append(CreditBalanceDTO(row.id, row.number, row.person_id, holder, amount, party,
                                           bank.iban if bank else "", bank.bic if bank else "",
                                           tuple(errors.errors)))
        result.sort(key=lambda r: (name_key(*r.holder_name.split(", ", 1)), r.account_id))
        return result


def holder_bank_accounts(db: Database, account_id: int) -> list[tuple[int, str, str, str]]:
    """(id, IBAN, BIC, holder) of the bank accounts of the account's holder, the first one first:
    the refund dialog offers them when there are several."""
    with read_only(db) as session:
        holder = session.scalar(select(Account.holder_id).where(Account.id == account_id))
        rows = session.execute(select(PersonBankAccount.id, PersonBankAccount.iban, PersonBankAccount.bic,
                                      PersonBankAccount.holder)
                               .where(PersonBankAccount.person_id == holder).order_by(PersonBankAccount.id)).all()
        return [tuple(row) for row in rows]


def create_refund_order(db: Database, organization_id: int, account_id: int, *, amount: Money | None = None,
                        purpose: str | None = None, booking_date: date | None = None,
                        bank_account_id: int | None = None) -> int:
    """The refund order of the account's credit balance (all of it unless `amount` is given) to its
    holder's bank account (the first one unless `bank_account_id` names another of the holder's);
    posts the refund and uses the credit up (see `payout_orders`)."""
    with read_only(db) as session:
        row = session.execute(select(Account, Person).join(Person, Person.id == Account.holder_id)
                              .where(Account.id == account_id)).first()
        if row is None or row[0].organization_id != organization_id:
            raise NotFoundError("Konto gibt es in dieser Organisation nicht.")
        account, person = row
        if bank_account_id is None:
            bank = _first_bank_accounts(session, [person.id]).get(person.id)
        else:
            bank = session.execute(select(PersonBankAccount.iban, PersonBankAccount.bic, PersonBankAccount.holder)
                                   .where(PersonBankAccount.id == bank_account_id,
                                          PersonBankAccount.person_id == person.id)).first()
            if bank is None:
                raise ValidationError("IBAN: Diese Bankverbindung gehört nicht zur Inhaberin / zum Inhaber des "
                                      "Kontos.", "iban")
        party = person_party(person, bank.holder if bank else "")
        iban, bic, number = (bank.iban, bank.bic, account.number) if bank else ("", "", account.number)
        if amount is None:
            amount = Money(sum(rest for _pid, rest in unallocated_credits(session, account_id)), account.currency)
    if not iban:
        raise ValidationError(f"IBAN: Für {party.name} ist keine Bankverbindung erfasst (Personen → Bank).", "iban")
    if amount.minor <= 0:
        raise ValidationError("Betrag: Das Konto hat kein Guthaben, das zurückgezahlt werden könnte.", "amount")
    return create_payout_order(db, organization_id=organization_id, account_id=account_id, recipient=party,
                               iban=iban, bic=bic, amount=amount,
                               purpose=refund_purpose(number) if purpose is None else purpose,
                               source_kind=SourceKind.CREDIT_BALANCE, source_id=None, booking_date=booking_date)
