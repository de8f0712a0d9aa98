"""Letters to persons: build the letter from the register and render it as PDF, one or a print run.

CH organizations print a Swiss QR-bill with the organization's default account (QR-IBAN with a QR
reference, IBAN with a creditor reference); DE organizations print a payment line with IBAN and a
creditor reference as "Verwendungszweck". Both references encode the person's main account and the
document number (domain.references, docs/printing.md), so the bank-file import finds them again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from sollhaben.domain.errors import ErrorCollector, NotFoundError, ValidationError
from sollhaben.domain.formatting import format_money
from sollhaben.domain.master_data import PersonKind
from sollhaben.domain.money import Money
from sollhaben.domain.references import (
    format_creditor_reference,
    format_iban,
    make_document_creditor_reference,
    make_document_reference,
)
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Account, Organization, Person
from sollhaben.reports import letter_texts as texts
from sollhaben.reports.letter import render_letters
from sollhaben.reports.letter_model import Letter, Sender
from sollhaben.reports.qr_bill_data import BillAddress, BillData, permitted_text, prepare_bill
from sollhaben.services.unit_of_work import unit_of_work

Progress = Callable[[int, int], None]
_CHUNK = 500  # persons loaded per query in a print run


@dataclass(frozen=True)
class LetterRequest:
    """One letter of a print run. `amount` None: no amount (CH: QR-bill with open amount).
    `language` None: the person's language (CH) or German (DE). `document_no` goes into the
    reference (0: the account only)."""

    person_id: int
    subject: str
    body: str
    amount: Money | None = None
    language: str | None = None
    document_no: int = 0


@dataclass(frozen=True)
class _Org:
    id: int
    country: str
    currency: str
    sender: Sender
    iban: str
    bic: str


def validate_request(request: LetterRequest, country: str, currency: str) -> None:
    """The clerk's input: subject and text, a positive amount in the organization's currency,
    a language the country allows. German messages per field (subject, body, amount, language)."""
    errors = ErrorCollector()
    if not request.subject.strip():
        errors.add("subject", "Betreff: Bitte einen Betreff eingeben.")
    elif len(request.subject.strip()) > 200:
        errors.add("subject", "Betreff: höchstens 200 Zeichen.")
    if not request.body.strip():
        errors.add("body", "Text: Bitte den Brieftext eingeben.")
    if request.amount is not None:
        if request.amount.minor <= 0:
            errors.add("amount", "Betrag: muss grösser als 0.00 sein; für einen offenen Betrag das Feld leer lassen.")
        elif request.amount.currency.value != currency:
            errors.add("amount", f"Betrag: Die Organisation rechnet in {currency}.")
    if request.language is not None and request.language not in texts.LANGUAGES:
        errors.add("language", "Sprache: de, fr, it oder en.")
    elif country == "DE" and request.language not in (None, "de"):
        errors.add("language", "Sprache: Deutsche Organisationen schreiben ihre Briefe auf Deutsch.")
    errors.raise_if_any()


def _load_org(session: Session, organization_id: int) -> _Org:
    org = session.scalar(select(Organization).options(selectinload(Organization.bank_accounts))
                         .where(Organization.id == organization_id))
    if org is None:
        raise NotFoundError(f"Organisation {organization_id} gibt es nicht.")
    accounts = sorted(org.bank_accounts, key=lambda b: (not b.is_default, b.id))
    sender = Sender(org.name, org.street, org.house_number, org.postal_code, org.town, org.country,
                    org.phone, org.email, org.website)
    iban = accounts[0].iban if accounts else ""
    return _Org(org.id, org.legal_country, org.currency, sender, iban, accounts[0].bic if accounts else "")


def _main_accounts(session: Session, org: _Org, person_ids: list[int]) -> dict[int, int]:
    """The main account of each person (created on first use, as ledger.open_account does)."""
    found = dict(session.execute(select(Account.holder_id, Account.id).where(
        Account.organization_id == org.id, Account.key == "main", Account.holder_id.in_(person_ids))).all())
    created = [Account(organization_id=org.id, holder_id=pid, key="main", label="", module="",
                       currency=org.currency, number=f"{pid:06d}") for pid in person_ids if pid not in found]
    if created:
        session.add_all(created)
        session.flush()
        found.update((account.holder_id, account.id) for account in created)
    return found


def _recipient(person: Person, org: _Org, language: str) -> tuple[str, ...]:
    if person.kind == PersonKind.INSTITUTION.value:
        name = person.last_name
    else:
        salutation = person.salutation
        if salutation == "Herr" and language == "de" and org.country == "DE":
            salutation = "Herrn"
        name = " ".join(p for p in (salutation, person.first_name, person.last_name) if p)
    return texts.recipient_lines(name, person.address_extra, person.street, person.house_number,
                                 person.postal_code, person.town, person.country or org.country, org.country)


def _payment_lines(org: _Org, request: LetterRequest, language: str, account_id: int) -> tuple[str, ...]:
    if org.country == "CH":
        lines = [texts.USE_BILL[language]]
        if request.amount is not None:
            amount = f"{request.amount.currency.value} {format_money(request.amount, 'CH')}"
            lines.insert(0, texts.AMOUNT[language].format(amount=amount))
        return tuple(lines)
    if not org.iban:
        return ()
    reference = format_creditor_reference(make_document_creditor_reference(account_id, request.document_no))
    account = f"IBAN {format_iban(org.iban)}" + (f", BIC {org.bic}" if org.bic else "")
    if request.amount is not None:
        first = f"Bitte überweisen Sie {format_money(request.amount, 'DE', with_currency=True)} auf das Konto {account}."
    else:
        first = f"Zahlungen bitte auf das Konto {account}."
    return (first, f"Verwendungszweck: {reference}")


def _bill(org: _Org, person: Person, request: LetterRequest, language: str, account_id: int):
    if org.country != "CH":
        return None
    if not org.iban:
        raise ValidationError("Konto: Die Organisation hat kein Bankkonto für den QR-Einzahlungsschein. "
                              "Bitte in den Einstellungen eine QR-IBAN oder IBAN erfassen.", "bank_account")
    debtor_name = person.last_name if person.kind == PersonKind.INSTITUTION.value else \
        f"{person.first_name} {person.last_name}".strip()
    debtor = BillAddress(debtor_name, person.street, person.house_number, person.postal_code, person.town,
                         person.country or "CH")
    sender = org.sender
    creditor = BillAddress(sender.name, sender.street, sender.house_number, sender.postal_code, sender.town,
                           sender.country or "CH")
    data = BillData(org.iban, creditor, request.amount, org.currency, debtor,
                    make_document_reference(org.iban, account_id, request.document_no),
                    permitted_text(request.subject), language)
    try:
        return prepare_bill(data)
    except ValidationError as exc:
        raise exc.prefixed("bill") from None


def _letter(org: _Org, person: Person, request: LetterRequest, account_id: int, today: date) -> Letter:
    if not (person.postal_code and person.town):
        raise ValidationError(f"Adresse: {person.first_name} {person.last_name} (Nr. {person.id}) hat keine "
                              "vollständige Postadresse (PLZ und Ort fehlen).".replace("  ", " "), "person")
    language = request.language or (person.language if org.country == "CH" else "de")
    language = texts.language_of(language)
    return Letter(country=org.country, language=language, sender=org.sender,
                  recipient=_recipient(person, org, language), place=org.sender.town, date=today,
                  subject=request.subject.strip(), body=request.body.strip(),
                  payment_lines=_payment_lines(org, request, language, account_id),
                  bill=_bill(org, person, request, language, account_id))


def _load_chunk_once(db: Database, org: _Org, ids: list[int]) -> tuple[dict, dict]:
    with unit_of_work(db) as session:
        people = {p.id: p for p in session.scalars(select(Person).where(
            Person.id.in_(ids), Person.organization_id == org.id))}
        missing = [pid for pid in ids if pid not in people]
        if missing:
            raise NotFoundError(f"Person {missing[0]} gibt es in dieser Organisation nicht.")
        return people, _main_accounts(session, org, ids)


def _load_chunk(db: Database, org: _Org, ids: list[int]) -> tuple[dict, dict]:
    """Persons and their main accounts (created on first use)."""
    try:
        return _load_chunk_once(db, org, ids)
    except IntegrityError:  # another clerk created one of the accounts at the same moment
        return _load_chunk_once(db, org, ids)


def build_letters(db: Database, organization_id: int, requests: Sequence[LetterRequest],
                  today: date | None = None) -> Iterator[Letter]:
    """The letters of the requests, built chunk by chunk (a generator: a print run renders while
    it loads). Every request is validated before the first letter is built."""
    today = today or date.today()
    with unit_of_work(db) as session:
        org = _load_org(session, organization_id)
    for request in requests:
        validate_request(request, org.country, org.currency)
    for start in range(0, len(requests), _CHUNK):
        chunk = requests[start:start + _CHUNK]
        ids = list(dict.fromkeys(r.person_id for r in chunk))
        people, accounts = _load_chunk(db, org, ids)
        for request in chunk:
            yield _letter(org, people[request.person_id], request, accounts[request.person_id], today)


def render_letter(db: Database, organization_id: int, person_id: int, subject: str, body: str,
                  amount: Money | None = None, language: str | None = None, document_no: int = 0,
                  today: date | None = None) -> bytes:
    """One letter to one person as PDF bytes (CH: with QR-bill, DE: with payment line)."""
    request = LetterRequest(person_id, subject, body, amount, language, document_no)
    letter = next(build_letters(db, organization_id, [request], today))
    return render_letters([letter])


def render_batch(db: Database, organization_id: int, requests: Sequence[LetterRequest],
                 progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
                 today: date | None = None) -> bytes:
    """A print run: many letters in one PDF, page numbers per letter. `progress(done, total)` after
    each letter; `cancelled()` is checked before each one and stops the run with
    concurrent.futures.CancelledError. Nothing is posted; only missing main accounts are created."""
    if not requests:
        raise ValidationError("Druck: Es sind keine Briefe ausgewählt.", "requests")
    letters = build_letters(db, organization_id, list(requests), today)
    return render_letters(letters, total=len(requests), progress=progress, cancelled=cancelled)
