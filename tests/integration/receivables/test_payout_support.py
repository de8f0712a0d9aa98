"""Shared set-up of the payout tests: organizations with a normal default account, payers with a
credit balance, and the ledger invariant read back from the database."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from sollhaben.domain.ledger import check_account_invariant
from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput, PersonInput
from sollhaben.domain.money import Money
from sollhaben.persistence.models import Allocation, PayoutFile, PayoutOrder, Posting
from sollhaben.services import ledger, organizations, persons

TODAY = date(2026, 11, 25)
CH_IBAN = "CH93 0076 2011 6238 5295 7"
QR_IBAN = "CH44 3199 9123 0008 8901 2"
CH_PAYER_IBAN = "CH56 0483 5012 3456 7800 9"
DE_IBAN = "DE89 3704 0044 0532 0130 00"
DE_PAYER_IBAN = "DE02 1203 0000 0000 2020 51"


def ch_organization(db, default_qr: bool = False):
    accounts = (BankAccountInput(QR_IBAN, label="QR-Konto", is_default=default_qr),
                BankAccountInput(CH_IBAN, label="Zahlungskonto", is_default=not default_qr))
    return organizations.create_organization(db, OrganizationInput(
        name="Sozialdienst Aaretal", legal_country="CH", address=Address("Bahnhofstrasse", "12", "3000", "Bern", "CH"),
        bank_accounts=accounts, enabled_modules=("alimony", "receivables")))


def de_organization(db):
    return organizations.create_organization(db, OrganizationInput(
        name="Kita-Verbund Musterstadt", legal_country="DE",
        address=Address("Hauptstraße", "5", "70173", "Stuttgart", "DE"),
        bank_accounts=(BankAccountInput(DE_IBAN, label="Girokonto"),), sepa_creditor_id="DE98ZZZ09999999999",
        enabled_modules=("kita", "receivables")))


def payer(db, org, last: str, first: str, iban: str | None, town: str = "Bern", holder: str = ""):
    country = org.legal_country
    postal = "3011" if country == "CH" else "70173"
    address = Address("Gerechtigkeitsgasse", "7", postal, town, country) if town else Address()
    banks = (BankAccountInput(iban, label=holder),) if iban else ()
    person = persons.save_person(db, org.id, PersonInput("NATURAL", last, first, address=address,
                                                         bank_accounts=banks), today=TODAY)
    return ledger.open_account(db, org.id, person.id)


def with_credit(db, account, paid: str, owed: str | None = None) -> int:
    """A receivable of `owed` and a payment of `paid` (more): the rest is credit balance."""
    currency = account.currency
    if owed:
        ledger.post(db, ledger.NewPosting(account.id, date(2026, 10, 1), "FEE", Money.of(owed, currency),
                                          text="Beitrag Oktober", due_date=date(2026, 10, 1)))
    return ledger.book_payment(db, account.id, date(2026, 10, 20), Money.of(paid, currency))


def invariant_problems(db, account_id: int) -> list[str]:
    with db.session() as session:
        postings = dict(session.execute(select(Posting.id, Posting.amount_minor)
                                        .where(Posting.account_id == account_id)).all())
        allocations = [tuple(r) for r in session.execute(
            select(Allocation.credit_id, Allocation.item_id, Allocation.amount_minor)
            .join(Posting, Posting.id == Allocation.credit_id).where(Posting.account_id == account_id)).all()]
    return check_account_invariant(postings, allocations)


def counts(db) -> tuple[int, int, int, int]:
    with db.session() as session:
        return tuple(session.scalar(select(func.count()).select_from(t))
                     for t in (Posting, Allocation, PayoutOrder, PayoutFile))
