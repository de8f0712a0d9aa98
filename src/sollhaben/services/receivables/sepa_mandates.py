"""SEPA mandates: list, save (create/change), revoke, and the valid mandate of a payer.

Rules beyond the domain (docs/sepa.md):
- The reference is unique per creditor: within the organization (database constraint) and across
  other organizations with the same creditor id (checked here).
- A payer has at most one usable mandate (not revoked, not expired today); a new one needs the
  old one revoked first, so a run never has to choose between two.
- Once a mandate was used in a collection, its reference, signature date and IBAN are fixed (the
  bank knows it by them); the debtor's name, BIC and note may still change.
"""
from __future__ import annotations

from datetime import date
from typing import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from sollhaben.domain.collation import sort_key
from sollhaben.domain.errors import ErrorCollector, NotFoundError, ValidationError
from sollhaben.domain.months import Month
from sollhaben.domain.receivables.mandates import (
    MandateInput,
    MandateStatus,
    expiry_date,
    mandate_status,
    reference_key,
    validate_mandate,
)
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Account, ChildPayer, Organization, Person, PersonBankAccount, SepaMandate
from sollhaben.services.receivables.sepa_dto import MandateDTO, PayerChoice
from sollhaben.services.unit_of_work import check_version, read_only, unit_of_work


def person_name(person: Person) -> str:
    return f"{person.last_name}, {person.first_name}" if person.first_name else person.last_name


def _dto(row: SepaMandate, payer_name: str, today: date) -> MandateDTO:
    status = mandate_status(row.signed_on, row.last_used_on, row.revoked_on, today)
    return MandateDTO(row.id, row.version, row.payer_id, payer_name, row.reference, row.signed_on, row.debtor_name,
                      row.iban, row.bic, row.first_used_on, row.last_used_on, row.sequence_type, row.revoked_on,
                      row.note, status.value, status.label, expiry_date(row.signed_on, row.last_used_on))


def list_mandates(db: Database, organization_id: int, today: date | None = None) -> list[MandateDTO]:
    """All mandates of the organization, by payer in dictionary order, newest signature first."""
    today = today or date.today()
    with read_only(db) as session:
        rows = session.execute(select(SepaMandate, Person).join(Person, Person.id == SepaMandate.payer_id)
                               .where(SepaMandate.organization_id == organization_id)).all()
        result = [_dto(m, person_name(p), today) for m, p in rows]
    result.sort(key=lambda d: (sort_key(d.payer_name), -d.signed_on.toordinal(), d.id))
    return result


def get_mandate(db: Database, mandate_id: int, today: date | None = None) -> MandateDTO:
    with read_only(db) as session:
        row = session.get(SepaMandate, mandate_id)
        if row is None:
            raise NotFoundError(f"Mandat {mandate_id} gibt es nicht.")
        return _dto(row, person_name(session.get(Person, row.payer_id)), today or date.today())


def payer_choices(db: Database, organization_id: int) -> list[PayerChoice]:
    """Who may give a mandate: holders of a debtor account and Kita payers, with their first bank
    account (proposed as the mandate's IBAN)."""
    with read_only(db) as session:
        holders = select(Account.holder_id).where(Account.organization_id == organization_id)
        payers = select(ChildPayer.person_id)
        people = session.scalars(select(Person).where(Person.organization_id == organization_id,
                                                      Person.id.in_(holders.union(payers)))).all()
        banks: dict[int, PersonBankAccount] = {}
        for bank in session.scalars(select(PersonBankAccount).where(
                PersonBankAccount.person_id.in_([p.id for p in people])).order_by(PersonBankAccount.id)):
            banks.setdefault(bank.person_id, bank)
        choices = []
        for p in people:
            bank = banks.get(p.id)
            holder = (bank.holder if bank and bank.holder else f"{p.first_name} {p.last_name}".strip())
            choices.append(PayerChoice(p.id, person_name(p), bank.iban if bank else "", bank.bic if bank else "",
                                       holder))
    choices.sort(key=lambda c: (sort_key(c.name), c.person_id))
    return choices


def _check_unique(session: Session, org: Organization, key: str, own_id: int | None, errors: ErrorCollector) -> None:
    query = select(SepaMandate.id, SepaMandate.organization_id).where(SepaMandate.reference_key == key)
    for other_id, other_org in session.execute(query):
        if other_id == own_id:
            continue
        if other_org == org.id:
            errors.add("reference", f"Mandatsreferenz: „{key}“ ist bereits vergeben (je Gläubiger eindeutig, "
                                    "ohne Unterschied von Gross- und Kleinschreibung).")
            return
        other = session.get(Organization, other_org)
        if org.sepa_creditor_id and other is not None and other.sepa_creditor_id == org.sepa_creditor_id:
            errors.add("reference", f"Mandatsreferenz: „{key}“ ist für dieselbe Gläubiger-ID bereits bei "
                                    f"„{other.name}“ vergeben.")
            return


def _check_one_usable(session: Session, data: MandateInput, own_id: int | None, today: date,
                      errors: ErrorCollector) -> None:
    others = session.scalars(select(SepaMandate).where(SepaMandate.payer_id == data.payer_id,
                                                       SepaMandate.id != (own_id or 0))).all()
    for other in others:
        if other.revoked_on is None and mandate_status(other.signed_on, other.last_used_on, None,
                                                       today) is MandateStatus.VALID:
            errors.add("payer_id", f"Zahler/in: Es gibt bereits das gültige Mandat „{other.reference}“. "
                                   "Bitte dieses zuerst widerrufen.")


def save_mandate(db: Database, organization_id: int, data: MandateInput, mandate_id: int | None = None,
                 version: int | None = None, today: date | None = None) -> MandateDTO:
    """Create (mandate_id None) or change a mandate; German errors per field, nothing half-stored."""
    today = today or date.today()
    data = validate_mandate(data, today)
    with unit_of_work(db, "Das Mandat") as session:
        org = session.get(Organization, organization_id)
        payer = session.get(Person, data.payer_id)
        if org is None:
            raise NotFoundError(f"Organisation {organization_id} gibt es nicht.")
        if payer is None or payer.organization_id != organization_id:
            raise ValidationError("Zahler/in: Diese Person gibt es in der Organisation nicht.", "payer_id")
        errors = ErrorCollector()
        row = None
        if mandate_id is not None:
            row = session.get(SepaMandate, mandate_id)
            if row is None or row.organization_id != organization_id:
                raise NotFoundError(f"Mandat {mandate_id} gibt es nicht.")
            check_version(version, row.version, "Das Mandat")
            if row.first_used_on is not None:
                _check_fixed(row, data, errors)
        _check_unique(session, org, reference_key(data.reference), mandate_id, errors)
        if row is None or row.revoked_on is None:
            _check_one_usable(session, data, mandate_id, today, errors)
        errors.raise_if_any()
        if row is None:
            row = SepaMandate(organization_id=organization_id, sequence_type="FRST")
            session.add(row)
        row.payer_id, row.reference, row.reference_key = data.payer_id, data.reference, reference_key(data.reference)
        row.signed_on, row.debtor_name, row.iban, row.bic = data.signed_on, data.debtor_name, data.iban, data.bic
        row.note = data.note
        session.flush()
        return _dto(row, person_name(payer), today)


def _check_fixed(row: SepaMandate, data: MandateInput, errors: ErrorCollector) -> None:
    used = f"Das Mandat wurde am {row.first_used_on:%d.%m.%Y} zum ersten Mal eingezogen"
    if data.reference != row.reference:
        errors.add("reference", f"Mandatsreferenz: {used}; die Referenz bleibt. Für eine neue bitte ein neues Mandat.")
    if data.signed_on != row.signed_on:
        errors.add("signed_on", f"Unterschrieben am: {used}; das Datum bleibt.")
    if data.iban != row.iban:
        errors.add("iban", f"IBAN: {used}; für ein anderes Konto bitte dieses widerrufen und ein neues Mandat anlegen.")
    if data.payer_id != row.payer_id:
        errors.add("payer_id", f"Zahler/in: {used}; der Zahler bleibt.")


def revoke_mandate(db: Database, mandate_id: int, version: int | None, revoked_on: date,
                   today: date | None = None) -> MandateDTO:
    """Mark the mandate revoked from `revoked_on` on (collections due on or after it are refused)."""
    today = today or date.today()
    with unit_of_work(db, "Das Mandat") as session:
        row = session.get(SepaMandate, mandate_id)
        if row is None:
            raise NotFoundError(f"Mandat {mandate_id} gibt es nicht.")
        check_version(version, row.version, "Das Mandat")
        if row.revoked_on is not None:
            raise ValidationError(f"Widerrufen am: Das Mandat ist seit {row.revoked_on:%d.%m.%Y} widerrufen.",
                                  "revoked_on")
        if revoked_on < row.signed_on:
            raise ValidationError("Widerrufen am: Das Datum liegt vor der Unterschrift.", "revoked_on")
        if row.last_used_on is not None and revoked_on <= row.last_used_on:
            raise ValidationError(f"Widerrufen am: Das Mandat ist bis {row.last_used_on:%d.%m.%Y} eingezogen; der "
                                  "Widerruf gilt frühestens ab dem Tag danach (sonst Rücklastschrift erfassen).",
                                  "revoked_on")
        row.revoked_on = revoked_on
        session.flush()
        return _dto(row, person_name(session.get(Person, row.payer_id)), today)


def usable_mandates(session: Session, organization_id: int, payer_ids: Sequence[int],
                    on: date) -> dict[int, SepaMandate]:
    """The valid mandate of each payer for a collection due `on` (newest signature wins)."""
    found: dict[int, SepaMandate] = {}
    if not payer_ids:
        return found
    rows = session.scalars(select(SepaMandate).where(SepaMandate.organization_id == organization_id,
                                                     SepaMandate.payer_id.in_(list(payer_ids)))
                           .order_by(SepaMandate.signed_on, SepaMandate.id)).all()
    for row in rows:
        if mandate_status(row.signed_on, row.last_used_on, row.revoked_on, on) is MandateStatus.VALID:
            found[row.payer_id] = row
    return found


def mandate_lookup(session: Session, organization_id: int, payer_ids: Sequence[int], month: Month) -> dict:
    """The hook of `services.kita.fee_assessment_payment`: per payer the mandate that is valid in the
    month of the first collection — signed by the month's end, and valid on the month's first day or
    on its signature day when that is later (newest signature wins), as that module's `Mandate`."""
    from sollhaben.services.kita.fee_assessment_payment import Mandate  # only when a letter is made

    found: dict[int, SepaMandate] = {}
    if payer_ids:
        rows = session.scalars(select(SepaMandate).where(SepaMandate.organization_id == organization_id,
                                                         SepaMandate.payer_id.in_(list(payer_ids)),
                                                         SepaMandate.signed_on <= month.last_day)
                               .order_by(SepaMandate.signed_on, SepaMandate.id)).all()
        for row in rows:
            on = max(month.first_day, row.signed_on)
            if mandate_status(row.signed_on, row.last_used_on, row.revoked_on, on) is MandateStatus.VALID:
                found[row.payer_id] = row
    return {payer_id: Mandate(row.reference, row.iban, row.bic, row.signed_on) for payer_id, row in found.items()}
